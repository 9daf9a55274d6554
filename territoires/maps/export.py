"""Map exports: standalone offline HTML and a static PNG of the choropleth (matplotlib)."""

from __future__ import annotations

import io
import re

import folium
import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from territoires.errors import ExportError  # noqa: E402
from territoires.geo.reference import GeoReference, Scope  # noqa: E402
from territoires.maps import geometry  # noqa: E402
from territoires.maps.build import ChoroplethData  # noqa: E402
from territoires.maps.legend import class_entries  # noqa: E402
from territoires.maps.metrics import METRICS  # noqa: E402
from territoires.maps.palettes import OUTLINE_COLOR  # noqa: E402

_REMOTE_ASSET = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)=[\"']?(?:https?:)?//", re.I)


def remote_assets(html_text: str) -> list[str]:
    """Return the ``<script src>``/``<link href>`` tags that point outside the page."""
    return [m.group(0) for m in _REMOTE_ASSET.finditer(html_text)]


def standalone_html(fmap: folium.Map, title: str) -> bytes:
    """Render a map built with ``asset_base=None`` as one offline HTML file (UTF-8 bytes).

    Raises ``ExportError`` if any script or stylesheet would still be fetched from the network.
    """
    root = fmap.get_root()
    root.title = title
    text = root.render()
    if remote_assets(text):
        raise ExportError("La carte exportée dépendrait d'Internet : export annulé.")
    return text.encode("utf-8")


def _plot_frame(reference: GeoReference, data: ChoroplethData, scope: Scope) -> gpd.GeoDataFrame:
    layer = geometry.scope_layer(reference, data.level, scope)
    frame = layer.assign(k=list(data.classification.classes))
    return frame.to_crs("EPSG:3857")


def static_png(
    reference: GeoReference,
    scope: Scope,
    data: ChoroplethData,
    *,
    title: str,
    source: str,
    dpi: int = 150,
) -> bytes:
    """A PNG of the choropleth with title, legend and sources, without tiles (for slides)."""
    entries = class_entries(data.classification, list(data.colors), data.metric)
    frame = _plot_frame(reference, data, scope)
    color_of = {k: c for k, c in enumerate(["#d4d4d4", *data.colors])}
    fig, ax = plt.subplots(figsize=(10, 7.5), dpi=dpi)
    try:
        fills = [color_of.get(k, "#ffffff") for k in frame["k"]]
        frame.plot(ax=ax, color=fills, edgecolor="#ffffff", linewidth=0.3)
        missing = frame.loc[frame["k"] < 0]
        if not missing.empty:
            missing.plot(ax=ax, color="#ffffff", edgecolor="#8a8a8a", linewidth=0.5, linestyle="--")
        if scope.level != "france":
            outline = geometry.scope_outline(reference, scope).to_crs("EPSG:3857")
            outline.boundary.plot(ax=ax, color=OUTLINE_COLOR, linewidth=1.6)
        ax.set_axis_off()
        ax.set_aspect("equal")
        ax.set_title(title, fontsize=15, loc="left", fontweight="bold")
        handles = [
            Patch(
                facecolor=e.color,
                edgecolor="#8a8a8a",
                linestyle="--" if e.kind == "sans-donnee" else "-",
                label=e.label,
            )
            for e in entries
        ]
        ax.legend(
            handles=handles,
            title=METRICS[data.metric].title,
            loc="lower left",
            bbox_to_anchor=(1.0, 0.0),
            frameon=False,
            fontsize=10,
            title_fontsize=11,
        )
        fig.text(0.01, 0.01, source, fontsize=8, color="#444444", ha="left", va="bottom")
        fig.tight_layout(rect=(0, 0.03, 1, 1))
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    finally:
        plt.close(fig)
    return buffer.getvalue()
