"""Legends: the same entries feed the web legend (escaped HTML) and the static PNG."""

from __future__ import annotations

import html
from dataclasses import dataclass

from territoires.formatting import fr_number
from territoires.maps.classify import Classification
from territoires.maps.metrics import INTEGER_METRICS, METRICS
from territoires.maps.palettes import (
    NO_DATA_COLOR,
    OUTLINE_COLOR,
    RURAL_COLOR,
    THEME_COLORS,
    ZERO_COLOR,
    theme_classes,
)


@dataclass(frozen=True)
class LegendEntry:
    """One legend line: a swatch kind (``case``, ``sans-donnee``, ``rond``, ``groupe``, ``trait``).

    ``color`` is a CSS colour, or a CSS background for ``groupe``.
    """

    kind: str
    color: str
    label: str


def class_entries(
    classification: Classification, colors: list[str], metric: str
) -> list[LegendEntry]:
    """Entries for the classes (``a – b``), then zero and missing values."""
    decimals = METRICS[metric].decimals
    counts = METRICS[metric].column in INTEGER_METRICS
    entries: list[LegendEntry] = []
    low = classification.lower
    for color, high in zip(colors, classification.breaks, strict=True):
        if low is None:
            break
        a, b = fr_number(low, decimals), fr_number(high, decimals)
        entries.append(LegendEntry("case", color, a if a == b else f"{a} – {b}"))
        # counts: the next class starts at the next integer; otherwise ranges share bounds
        low = high + 1 if counts else high
    entries.append(LegendEntry("case", ZERO_COLOR, "Aucune initiative (0)"))
    if -1 in classification.classes:
        entries.append(LegendEntry("sans-donnee", NO_DATA_COLOR, "Donnée manquante"))
    return entries


CLUSTER_LABEL = "Groupe : nombre et thèmes"


def theme_entries(
    theme_labels: dict[str, str], *, clusters: bool = False, unthemed: bool = False
) -> list[LegendEntry]:
    """Point colours by theme, that of initiatives without a theme when ``unthemed``, then,
    with ``clusters``, the group of points: its count inside a ring of theme colours."""
    entries = [LegendEntry("rond", color, label) for color, label in theme_classes(theme_labels)]
    if not unthemed:
        entries = entries[:-1]
    if clusters:
        colors = list(THEME_COLORS.values())
        stops = ", ".join(
            f"{color} {100 * i // len(colors)}% {100 * (i + 1) // len(colors)}%"
            for i, color in enumerate(colors)
        )
        entries.append(LegendEntry("groupe", f"conic-gradient({stops})", CLUSTER_LABEL))
    return entries


def overlay_entries(outline_label: str | None, rural: str | None) -> list[LegendEntry]:
    """Entries for the scope outline and the rural-zones overlay (``rural``: its label, with
    the rurality source, « Communes rurales (approximation) »)."""
    entries = []
    if outline_label:
        entries.append(LegendEntry("trait", OUTLINE_COLOR, outline_label))
    if rural:
        entries.append(LegendEntry("trait-tirets", RURAL_COLOR, rural))
    return entries


def _swatch(entry: LegendEntry) -> str:
    color = html.escape(entry.color)
    if entry.kind == "rond":
        return f'<span class="rond" style="background:{color}"></span>'
    if entry.kind == "groupe":
        return f'<span class="groupe" style="background:{color}"></span>'
    if entry.kind == "trait":
        return f'<span class="trait" style="border-top:3px solid {color}"></span>'
    if entry.kind == "trait-tirets":
        return f'<span class="trait" style="border-top:3px dashed {color}"></span>'
    if entry.kind == "sans-donnee":
        return '<span class="case sans-donnee"></span>'
    return f'<span class="case" style="background:{color}"></span>'


def legend_html(
    title: str, sections: list[tuple[str | None, list[LegendEntry]]], source: str
) -> str:
    """The legend control's HTML, every text escaped.

    Each section with a heading is a ``bloc`` (the title heads the first one; a section
    without a heading joins the block before it), so that the runtime can set the blocks
    side by side under a scope wider than the map (``fitOptions``).
    """
    blocks: list[list[str]] = []
    head = [f'<div class="titre">{html.escape(title)}</div>']
    for heading, entries in sections:
        if not entries:
            continue
        if heading or not blocks:
            blocks.append(head)
            head = []
        if heading:
            blocks[-1].append(f'<div class="titre">{html.escape(heading)}</div>')
        blocks[-1].extend(
            f'<div class="ligne">{_swatch(e)}<span>{html.escape(e.label)}</span></div>'
            for e in entries
        )
    parts = [f'<div class="bloc">{"".join(block)}</div>' for block in blocks]
    parts.extend(head)  # a title without any entry
    if source:
        parts.append(f'<div class="source">{html.escape(source)}</div>')
    return "".join(parts)
