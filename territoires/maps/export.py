"""Map exports: standalone offline HTML and a static PNG of the choropleth (matplotlib)."""

from __future__ import annotations

import html
import re
from functools import partial

import folium
import geopandas as gpd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from territoires.drawing import render_png
from territoires.errors import ExportError
from territoires.geo.reference import GeoReference, Scope
from territoires.maps import geometry
from territoires.maps.build import ChoroplethData
from territoires.maps.legend import class_entries
from territoires.maps.metrics import METRICS
from territoires.maps.palettes import OUTLINE_COLOR

_REMOTE_ASSET = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)=[\"']?(?:https?:)?//", re.I)


def remote_assets(html_text: str) -> list[str]:
    """Return the ``<script src>``/``<link href>`` tags that point outside the page."""
    return [m.group(0) for m in _REMOTE_ASSET.finditer(html_text)]


def standalone_html(fmap: folium.Map, title: str) -> bytes:
    """Render a map built with ``asset_base=None`` as one offline HTML file (UTF-8 bytes).

    Raises ``ExportError`` if any script or stylesheet would still be fetched from the network.
    """
    root = fmap.get_root()
    root.title = html.escape(title)  # a territory's name is user text; the template writes it as is
    text = root.render()
    if remote_assets(text):
        raise ExportError("La carte exportée dépendrait d'Internet : export annulé.")
    return text.encode("utf-8")


def _plot_frame(reference: GeoReference, data: ChoroplethData, scope: Scope) -> gpd.GeoDataFrame:
    """The territories with their class (``k``) and where they are drawn (``inset``: "" on
    the main map, else the overseas département's inset), in Web Mercator."""
    layer = geometry.scope_layer(reference, data.level, scope)
    frame = layer.assign(k=list(data.classification.classes), inset=_insets(layer))
    return frame.to_crs("EPSG:3857")


# Overseas départements: (name, lon/lat box). With mainland France on the same image, each is
# drawn in an inset of its own, as in French atlases; at their true places, mainland France
# would be a speck in the middle of an ocean.
OVERSEAS = (
    ("Guadeloupe", (-62.0, 15.8, -60.9, 16.6)),
    ("Martinique", (-61.3, 14.3, -60.7, 15.0)),
    ("Guyane", (-54.7, 2.0, -51.5, 5.9)),
    ("La Réunion", (55.1, -21.5, 55.9, -20.8)),
    ("Mayotte", (44.9, -13.1, 45.4, -12.5)),
)


def _insets(layer: gpd.GeoDataFrame) -> list[str]:
    """Per territory (lon/lat layer), the overseas inset it belongs to, or "" (main map).

    Insets are used only when the image also holds mainland territories.
    """
    points = layer.geometry.representative_point()
    mainland = geometry.on_mainland(points)
    if not mainland.any():
        return [""] * len(layer)
    names = []
    for is_mainland, x, y in zip(mainland, points.x, points.y, strict=True):
        name = ""
        if not is_mainland:
            for candidate, (x0, y0, x1, y1) in OVERSEAS:
                if x0 - 0.5 <= x <= x1 + 0.5 and y0 - 0.5 <= y <= y1 + 0.5:
                    name = candidate
        names.append(name)
    return names


def _draw_territories(ax, frame: gpd.GeoDataFrame, color_of: dict[int, str], width: float) -> None:
    fills = [color_of.get(k, "#ffffff") for k in frame["k"]]
    frame.plot(ax=ax, color=fills, edgecolor="#ffffff", linewidth=width)
    missing = frame.loc[frame["k"] < 0]
    if not missing.empty:
        missing.plot(ax=ax, color="#ffffff", edgecolor="#8a8a8a", linewidth=0.5, linestyle="--")
    ax.set_aspect("equal")
    ax.set_anchor("C")


def _draw_insets(fig, frame: gpd.GeoDataFrame, color_of: dict[int, str]) -> None:
    """One small framed map per overseas département, in a column left of the main map."""
    names = [name for name, _ in OVERSEAS if (frame["inset"] == name).any()]
    for row, name in enumerate(names):
        ax = fig.add_axes((0.015, 0.72 - row * 0.16, 0.11, 0.12))
        _draw_territories(ax, frame.loc[frame["inset"] == name], color_of, 0.2)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        for spine in ax.spines.values():
            spine.set_edgecolor("#bbbbbb")
        ax.set_title(name, fontsize=10, loc="left", pad=3)


# A 16:9 slide: 1 920 × 1 080 pixels at the default 144 dpi.
SLIDE_INCHES = (13 + 1 / 3, 7.5)


def static_png(
    reference: GeoReference,
    scope: Scope,
    data: ChoroplethData,
    *,
    title: str,
    source: str,
    subtitle: str = "",
    dpi: int = 144,
) -> bytes:
    """A PNG of the choropleth with title, legend and sources, without tiles (for slides).

    The image has a slide's 16:9 shape: the title on top (``subtitle``, the filters, under
    it), the map as large as the room left
    of the legend allows, the sources at the foot. Overseas départements shown with mainland
    France are drawn in insets, in a column on the left.
    """
    draw = partial(_draw_slide, reference, scope, data, title, source, subtitle)
    return render_png(draw, figsize=SLIDE_INCHES, dpi=dpi)


def _draw_slide(
    reference: GeoReference,
    scope: Scope,
    data: ChoroplethData,
    title: str,
    source: str,
    subtitle: str,
    fig: Figure,
) -> None:
    entries = class_entries(data.classification, list(data.colors), data.metric)
    frame = _plot_frame(reference, data, scope)
    color_of = {k: c for k, c in enumerate(["#d4d4d4", *data.colors])}
    fig.text(0.015, 0.965, title, fontsize=20, fontweight="bold", ha="left", va="top")
    if subtitle:  # the filters: what the slide counts
        fig.text(0.015, 0.912, subtitle, fontsize=13, color="#333333", ha="left", va="top")
    overseas = frame["inset"] != ""
    left = 0.14 if overseas.any() else 0.015
    ax = fig.add_axes((left, 0.06, 0.755 - left, 0.82))
    _draw_territories(ax, frame.loc[~overseas], color_of, 0.3)
    if scope.level != "france":
        outline = geometry.scope_outline(reference, scope).to_crs("EPSG:3857")
        outline.boundary.plot(ax=ax, color=OUTLINE_COLOR, linewidth=1.6)
        if overseas.any():  # the outline follows the main map's extent
            bounds = frame.loc[~overseas].total_bounds
            ax.set_xlim(bounds[0], bounds[2])
            ax.set_ylim(bounds[1], bounds[3])
    ax.set_axis_off()
    _draw_insets(fig, frame, color_of)
    handles = [
        Patch(
            facecolor=e.color,
            edgecolor="#8a8a8a",
            linestyle="--" if e.kind == "sans-donnee" else "-",
            label=e.label,
        )
        for e in entries
    ]
    fig.legend(
        handles=handles,
        title=METRICS[data.metric].title,
        loc="center left",
        bbox_to_anchor=(0.77, 0.47),
        frameon=False,
        fontsize=13,
        title_fontsize=14,
        alignment="left",
    )
    fig.text(0.015, 0.015, source, fontsize=10, color="#444444", ha="left", va="bottom")
