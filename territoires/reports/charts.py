"""Static images for the meeting sheet, drawn with matplotlib for black-and-white printing.

Greys and hatches carry the meaning (never colour alone), so the sheet reads on a
monochrome printer. Every function returns PNG bytes, drawn by ``drawing.render_png``: plain
``matplotlib.figure.Figure`` objects (no pyplot global state), every text drawn as typed.
"""

from __future__ import annotations

from functools import partial

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from territoires.drawing import render_png
from territoires.formatting import fr_number
from territoires.geo.crs import metric_crs

# class -> (fill, hatch, label template); {x} is the reach in km
COVERAGE_STYLES: dict[str, tuple[str, str, str]] = {
    "touchee": ("#4d4d4d", "", "Commune touchée par une initiative"),
    "proche": ("#c8c8c8", "", "À {x} km ou moins d'une initiative"),
    "loin": ("#ffffff", "////", "À plus de {x} km (non couverte)"),
}
SHARE_STYLES: dict[str, tuple[str, str, str]] = {
    "nulle": ("#c8c8c8", "", "Aucun habitant à plus de {x} km"),
    "partielle": ("#ffffff", "..", "Moins de la moitié à plus de {x} km"),
    "forte": ("#ffffff", "////", "La moitié ou plus à plus de {x} km"),
}
# quintiles of the ranking, darkest = the 20 % least covered (greys for black-and-white)
QUINTILE_STYLES: dict[str, tuple[str, str, str]] = {
    "5": ("#252525", "", "20 % les moins couverts"),
    "4": ("#636363", "", "20 % suivants"),
    "3": ("#969696", "", "20 % du milieu"),
    "2": ("#cccccc", "", "20 % suivants"),
    "1": ("#f2f2f2", "", "20 % les mieux couverts"),
    "0": ("#ffffff", "..", "Non classé (peu rural ou sans habitant)"),
}
MAX_COMMUNES_DRAWN = 2500


def _fr(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def coverage_map_png(
    shapes: gpd.GeoDataFrame,
    classes: pd.Series,
    points: pd.DataFrame,
    outline: gpd.GeoDataFrame | None,
    *,
    radius_km: float,
    by_share: bool = False,
    styles: dict[str, tuple[str, str, str]] | None = None,
    departement_code: str | None = None,
    dpi: int = 150,
) -> bytes:
    """Draw territories shaded by coverage class, initiatives as black dots, with a legend.

    Parameters
    ----------
    shapes : GeoDataFrame
        Polygons in EPSG:4326 (communes, or EPCI for large territories).
    classes : Series
        One class per shape, keys of ``COVERAGE_STYLES`` (or ``SHARE_STYLES`` with
        ``by_share``).
    points : DataFrame
        ``lon, lat`` of the initiatives to draw.
    outline : GeoDataFrame, optional
        The territory's outline, drawn thick.
    radius_km : float
        The reach X, quoted in the legend.
    departement_code : str, optional
        Chooses the metric CRS of the drawing (Lambert-93 by default).
    styles : dict, optional
        Other classes (e.g. ``SCORE_STYLES``); overrides ``by_share``.
    """
    chosen = styles or (SHARE_STYLES if by_share else COVERAGE_STYLES)
    draw = partial(
        _coverage_map, shapes, classes, points, outline, radius_km, chosen, departement_code
    )
    return render_png(
        draw, figsize=(7.5, 6.0), dpi=dpi, rc={"hatch.linewidth": 0.6}, bbox_inches="tight"
    )


def _coverage_map(
    shapes: gpd.GeoDataFrame,
    classes: pd.Series,
    points: pd.DataFrame,
    outline: gpd.GeoDataFrame | None,
    radius_km: float,
    styles: dict[str, tuple[str, str, str]],
    departement_code: str | None,
    fig: Figure,
) -> None:
    crs = metric_crs(departement_code)
    frame = shapes.assign(classe=classes.to_numpy()).to_crs(crs)
    ax = fig.subplots()
    for key, (fill, hatch, _) in styles.items():
        part = frame.loc[frame["classe"] == key]
        if not part.empty:
            part.plot(ax=ax, facecolor=fill, edgecolor="#7f7f7f", linewidth=0.3, hatch=hatch)
    if outline is not None and not outline.empty:
        outline.to_crs(crs).boundary.plot(ax=ax, color="black", linewidth=1.4)
    if len(points):
        located = gpd.GeoSeries(
            gpd.points_from_xy(points["lon"], points["lat"]), crs="EPSG:4326"
        ).to_crs(crs)
        ax.scatter(
            located.x, located.y, s=14, c="black", edgecolors="white", linewidths=0.6, zorder=5
        )
    ax.set_axis_off()
    ax.set_aspect("equal")
    handles = [
        Patch(
            facecolor=fill, edgecolor="#555555", hatch=hatch, label=label.format(x=_fr(radius_km))
        )
        for fill, hatch, label in styles.values()
    ]
    if len(points):
        handles.append(
            Line2D([], [], marker="o", color="white", markerfacecolor="black", label="Initiative")
        )
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.01),
        ncol=2,
        frameon=False,
        fontsize=8,
    )


def bar_chart_png(
    labels: list[str], values: list[float], *, title: str, unit: str = "", dpi: int = 150
) -> bytes:
    """Horizontal grey bars with their value written at the end (readable in B&W)."""
    height = max(1.6, 0.45 * len(labels) + 0.8)
    draw = partial(_bar_chart, labels, values, title, unit)
    return render_png(draw, figsize=(4.6, height), dpi=dpi, bbox_inches="tight")


def _bar_chart(labels: list[str], values: list[float], title: str, unit: str, fig: Figure) -> None:
    ax = fig.subplots()
    positions = np.arange(len(labels))[::-1]
    ax.barh(positions, values, color="#6e6e6e", edgecolor="black", linewidth=0.5)
    ax.set_yticks(positions, labels=labels, fontsize=8)
    ax.set_title(title, fontsize=10, loc="left", fontweight="bold")
    top = max(values) if len(values) and max(values) > 0 else 1
    ax.set_xlim(0, top * 1.25)
    for pos, value in zip(positions, values, strict=True):
        text = fr_number(value) + (f" {unit}" if unit else "")
        ax.text(value + top * 0.02, pos, text, va="center", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="x", labelsize=7)
