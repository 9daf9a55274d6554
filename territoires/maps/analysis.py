"""Maps of the coverage analyses: underserved score, « Où agir ensuite ? », fiche territoire.

Built from the same pieces as the main map (``layers``, ``geometry``, ``assets``, ``legend``):
geometry sent once and styled in JavaScript from a class index, local assets only.
"""

from __future__ import annotations

import folium
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from territoires.analysis.score import QUINTILE_LABELS, quintile_bounds, rank_quintiles
from territoires.formatting import fr_number
from territoires.geo.reference import GeoReference, Scope
from territoires.maps import geometry, layers
from territoires.maps.assets import inline_assets, link_assets, needed_assets
from territoires.maps.build import MapOptions, base_map, build_map
from territoires.maps.geometry import script_json
from territoires.maps.legend import LegendEntry, legend_html
from territoires.maps.palettes import NO_DATA_COLOR, OUTLINE_COLOR, ZERO_COLOR, class_colors

NOT_RANKED = "Non classé (peu rural)"
# « Où agir ensuite ? »: blue / orange, distinguishable with every colour-vision deficiency
ALREADY_COLOR = "#9ecae1"
NEWLY_COLOR = "#2166ac"
STILL_COLOR = "#f4a582"
SITE_COLOR = "#b2182b"
UNCOVERED_STYLE = {
    "color": "#b2182b",
    "weight": 1.5,
    "dashArray": "4 4",
    "fillColor": "#b2182b",
    "fillOpacity": 0.12,
}


def _finish(fmap: folium.Map, bounds: list[list[float]], asset_base: str | None) -> folium.Map:
    """Fit the view to the scope, last (the fit leaves room for the legend added before it;
    not animated, so that canvas clicks stay aligned), and link or inline the assets."""
    layers.fit_view(bounds).add_to(fmap)
    assets = needed_assets()
    if asset_base is None:
        inline_assets(fmap, assets)
    else:
        link_assets(fmap, assets, asset_base)
    return fmap


def _outline(fmap: folium.Map, reference: GeoReference, scope: Scope) -> None:
    if scope.level == "france":
        return
    style = {"color": OUTLINE_COLOR, "weight": 3, "fill": False, "opacity": 0.9}
    outline = geometry.encoded_outline(reference, scope)
    layers.shapes_layer(outline, style, "TerritoiresOutline").add_to(fmap)


def score_map(
    reference: GeoReference,
    scope: Scope,
    level: str,
    scored: pd.DataFrame,
    *,
    asset_base: str | None,
    source: str = "",
    basemap: str = "aucun",
    height: int | None = None,
) -> folium.Map:
    """Territories of ``level`` in ``scope`` by quintile of the ranking (darker = less covered).

    A click returns the territory's ``code`` and ``niveau`` (to open its fiche).
    """
    layer = geometry.scope_layer(reference, level, scope)
    table = scored.set_index("code").reindex(layer["code"].astype(str))
    classes = rank_quintiles(table["rang"]).tolist()
    labels = [
        NOT_RANKED
        if k == 0
        else f"rang {int(r)}, score {fr_number(s, 1)} / 100 ({QUINTILE_LABELS[k]})"
        for k, s, r in zip(classes, table["score"], table["rang"].fillna(0), strict=True)
    ]
    colors = class_colors(5)
    bounds = geometry.scope_bounds(reference, scope)
    fmap = base_map(bounds, basemap, height)
    encoded = geometry.cached(
        reference, ("encoded", level, scope), lambda: geometry.encode_frame(layer)
    )
    layers.choropleth_layer(
        encoded,
        classes,
        labels,
        colors,
        level=level,
        zero_color=ZERO_COLOR,
        no_data_color=NO_DATA_COLOR,
    ).add_to(fmap)
    _outline(fmap, reference, scope)
    layers.legend_control(_score_legend(scored, colors, source)).add_to(fmap)
    return _finish(fmap, bounds, asset_base)


def _score_legend(scored: pd.DataFrame, colors: list[str], source: str) -> str:
    """Quintiles from the least covered down, each with its ranks, then « non classé »."""
    count = int(scored["eligible"].sum())
    entries = [
        LegendEntry(
            "case",
            colors[quintile - 1],
            f"{QUINTILE_LABELS[quintile]} (rangs {fr_number(first)} à {fr_number(last)})",
        )
        for quintile, (first, last) in quintile_bounds(count).items()
    ]
    entries.append(LegendEntry("case", ZERO_COLOR, NOT_RANKED))
    return legend_html("Zones peu couvertes, par quintile", [(None, entries)], source)


def suggestion_map(
    reference: GeoReference,
    scope: Scope,
    status: pd.DataFrame,
    sites: pd.DataFrame,
    radius_km: float,
    *,
    asset_base: str | None,
    source: str = "",
    basemap: str = "aucun",
    height: int | None = None,
) -> folium.Map:
    """Communes by coverage status, and the proposed sites numbered in greedy order.

    ``status``: ``code_insee, statut`` with ``deja`` (already within reach), ``nouveau``
    (covered by a proposal), ``reste`` (rural, still beyond reach); other communes are grey.
    ``sites``: ``rang, nom, latitude, longitude, population_nouvellement_couverte``.
    """
    layer = geometry.scope_layer(reference, "commune", scope)
    by_code = status.set_index("code_insee")["statut"].reindex(layer["code"].astype(str))
    index = {"deja": 1, "nouveau": 2, "reste": 3}
    classes = [index.get(value, 0) for value in by_code.fillna("")]
    names = {
        0: "Non rurale ou sans habitant",
        1: f"Déjà à {fr_number(radius_km)} km ou moins d'une initiative",
        2: "Couverte par les propositions",
        3: "Rurale, encore non couverte",
    }
    bounds = geometry.scope_bounds(reference, scope)
    fmap = base_map(bounds, basemap, height)
    encoded = geometry.cached(
        reference, ("encoded", "commune", scope), lambda: geometry.encode_frame(layer)
    )
    layers.choropleth_layer(
        encoded,
        classes,
        [names[k] for k in classes],
        [ALREADY_COLOR, NEWLY_COLOR, STILL_COLOR],
        level="commune",
        zero_color=ZERO_COLOR,
        no_data_color=NO_DATA_COLOR,
    ).add_to(fmap)
    _outline(fmap, reference, scope)
    for site in sites.itertuples(index=False):
        _add_reach(fmap, site, radius_km)
    SiteMarkers(sites).add_to(fmap)
    entries = [
        LegendEntry("case", color, names[k])
        for k, color in ((1, ALREADY_COLOR), (2, NEWLY_COLOR), (3, STILL_COLOR), (0, ZERO_COLOR))
    ]
    entries.append(LegendEntry("rond", SITE_COLOR, "Proposition (numéro = ordre glouton)"))
    legend = legend_html("Où agir ensuite ?", [(None, entries)], source)
    layers.legend_control(legend).add_to(fmap)
    return _finish(fmap, bounds, asset_base)


class SiteMarkers(MacroElement):
    """The proposed sites as numbered markers: the number is drawn inside the marker itself
    (a ``divIcon``), so it cannot drift from it at any zoom, and no image is fetched."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map, sites) {
            sites.forEach(function (site) {
                var icon = L.divIcon({
                    className: "te-site",
                    html: '<span style="display:flex;align-items:center;justify-content:center;'
                        + 'width:22px;height:22px;border-radius:50%;border:2px solid #fff;'
                        + 'background:{{ this.color }};color:#fff;font:bold 12px sans-serif;'
                        + 'box-shadow:0 0 2px rgba(0,0,0,.6)">' + site.rang + '</span>',
                    iconSize: [26, 26],
                    iconAnchor: [13, 13]
                });
                L.marker([site.lat, site.lon], {icon: icon, title: site.tip, keyboard: false})
                    .addTo(map);
            });
        })({{ this._parent.get_name() }}, {{ this.payload }});
        {% endmacro %}
        """
    )

    def __init__(self, sites: pd.DataFrame, color: str = SITE_COLOR) -> None:
        super().__init__()
        self._name = "TerritoiresSites"
        self.color = color
        self.payload = script_json(
            [
                {
                    "rang": int(site.rang),
                    "lat": float(site.latitude),
                    "lon": float(site.longitude),
                    "tip": f"{site.rang}. {site.nom} : "
                    f"{fr_number(site.population_nouvellement_couverte)} habitants "
                    "nouvellement couverts",
                }
                for site in sites.itertuples(index=False)
            ]
        )


def _add_reach(fmap: folium.Map, site, radius_km: float) -> None:
    folium.Circle(
        [float(site.latitude), float(site.longitude)],
        radius=radius_km * 1000,
        color=SITE_COLOR,
        weight=1.5,
        dash_array="6 4",
        fill=False,
        interactive=False,
    ).add_to(fmap)


def fiche_map(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    scope: Scope,
    uncovered: list[str],
    radius_km: float,
    *,
    level: str = "commune",
    asset_base: str | None,
    source: str = "",
    basemap: str = "aucun",
    height: int | None = None,
) -> folium.Map:
    """The main map zoomed on a territory, plus its communes beyond reach, hatched in red."""
    options = MapOptions(level=level, metric="initiatives", basemap=basemap, points=True)  # type: ignore[arg-type]
    entry = LegendEntry(
        "trait-tirets",
        UNCOVERED_STYLE["color"],
        f"Non couverte (plus de {fr_number(radius_km)} km)",
    )
    fmap = build_map(
        initiatives,
        reference,
        scope,
        options,
        asset_base=asset_base,
        source=source,
        height=height,
        legend_extra=[entry] if uncovered else (),
    )
    if uncovered:
        communes = geometry.display_frame(reference, "commune")
        frame = communes.loc[communes["code"].isin(set(uncovered))]
        layers.shapes_layer(
            geometry.encode_frame(frame), UNCOVERED_STYLE, "TerritoiresNonCouvertes"
        ).add_to(fmap)
    return fmap
