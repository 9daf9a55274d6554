"""Colour-blind-safe colours for maps, shared by the web map and the static PNG.

- Choropleth classes: ColorBrewer *YlGnBu* (sequential, colour-blind safe), its near-white end
  left out so that the lightest class stays distinct from « aucune initiative ».
- Zero (« aucune initiative ») is a neutral grey; « donnée manquante » is white with a dashed
  outline: the two never look alike.
- Themes: the Okabe–Ito palette.
"""

from __future__ import annotations

from matplotlib import colormaps
from matplotlib.colors import to_hex

ZERO_COLOR = "#d4d4d4"
NO_DATA_COLOR = "#ffffff"
OUTLINE_COLOR = "#1a1a1a"
RURAL_COLOR = "#7b3294"

THEME_COLORS: dict[str, str] = {
    "prendre-soin": "#D55E00",
    "cultures-savoirs": "#0072B2",
    "espaces-cooperation": "#009E73",
}
SEVERAL_THEMES_COLOR = "#CC79A7"
UNKNOWN_THEME_COLOR = "#7f7f7f"


def class_colors(count: int) -> list[str]:
    """Return ``count`` sequential colours, light to dark (YlGnBu from 20 % to 95 %)."""
    if count < 1:
        return []
    cmap = colormaps["YlGnBu"]
    if count == 1:
        return [to_hex(cmap(0.6))]
    step = 0.75 / (count - 1)
    return [to_hex(cmap(0.2 + step * i)) for i in range(count)]


SEVERAL_THEMES_LABEL = "Plusieurs thèmes"
UNKNOWN_THEME_LABEL = "Thème non renseigné"


def theme_classes(theme_labels: dict[str, str]) -> list[tuple[str, str]]:
    """The colours an initiative's point can take, with their labels, in the legend's order."""
    classes = [(color, theme_labels.get(code, code)) for code, color in THEME_COLORS.items()]
    return [
        *classes,
        (SEVERAL_THEMES_COLOR, SEVERAL_THEMES_LABEL),
        (UNKNOWN_THEME_COLOR, UNKNOWN_THEME_LABEL),
    ]


SEVERAL_THEMES_CLASS = len(THEME_COLORS)
UNKNOWN_THEME_CLASS = len(THEME_COLORS) + 1


def theme_class(themes: list[str] | tuple[str, ...]) -> int:
    """Index in ``theme_classes`` of an initiative's point: its theme, several themes, or none
    known."""
    distinct = list(dict.fromkeys(themes))
    if len(distinct) > 1:
        return SEVERAL_THEMES_CLASS
    if len(distinct) == 1 and distinct[0] in THEME_COLORS:
        return list(THEME_COLORS).index(distinct[0])
    return UNKNOWN_THEME_CLASS
