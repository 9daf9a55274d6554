"""One small folium element per map layer, drawn by the local runtime (``territoires-map.js``).

Each element renders only a ``script`` macro (what both folium and streamlit-folium use) that
calls the runtime with a JSON payload. User text is HTML-escaped in Python before it enters a
payload, and the payload itself is embedded with ``script_json`` (no ``</script>`` breakout).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import folium
import numpy as np
import pandas as pd
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from territoires.formatting import fr_euros
from territoires.maps.geometry import script_json
from territoires.maps.palettes import UNKNOWN_THEME_CLASS, theme_class, theme_classes

_CALL = Template(
    """
    {% macro script(this, kwargs) %}
    var {{ this.get_name() }} = TerritoiresMap.{{ this.function }}(
        {{ this._parent.get_name() }}, {{ this.payload }}{{ this.extra }});
    {% endmacro %}
    """
)


class RawElement(Element):
    """Text rendered as is (folium would otherwise re-parse large payloads as Jinja templates)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class RuntimeLayer(MacroElement):
    """A layer drawn by one function of the runtime, with a JSON payload."""

    _template = _CALL

    def __init__(self, function: str, payload: Any, name: str, extra: str = "") -> None:
        super().__init__()
        self._name = name
        self.function = function
        self.payload = script_json(payload)
        self.extra = extra

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("a map layer can only be rendered inside a folium Figure")
        script = self._template.module.__dict__["script"](self, kwargs)
        figure.script.add_child(RawElement(script), name=self.get_name())


def choropleth_layer(
    geometry: dict[str, Any],
    classes: list[int],
    labels: list[str],
    colors: list[str],
    *,
    level: str,
    zero_color: str,
    no_data_color: str,
) -> RuntimeLayer:
    """Territories coloured from a class index (``-1`` no data, ``0`` zero, ``1..n``).

    ``geometry`` comes from ``geometry.encode_frame``; ``colors[k]`` is class ``k``'s colour
    (``colors[0]`` being the zero colour).
    """
    payload = dict(geometry)
    payload.update(
        {
            "level": level,
            "classes": classes,
            "labels": labels,
            "colors": [zero_color, *colors],
            "nodata": no_data_color,
        }
    )
    return RuntimeLayer("choropleth", payload, "TerritoiresChoropleth")


def remote_choropleth_layer(
    url: str, *, level: str, zero_color: str, no_data_color: str, announce: bool = False
) -> RuntimeLayer:
    """Territories whose geometry the browser fetches from ``url`` (``geometry_file``).

    Classes and labels come later, from ``TerritoiresValues`` (``restyle``); until the file
    has arrived the runtime keeps them aside. With ``announce``, the runtime reports its first
    drawing as the map's value: a click on a feature with ``{"pret": true}`` (no code), posted
    to the page at once rather than through streamlit-folium's 250 ms debounce.
    """
    payload = {"url": url, "level": level, "colors": [zero_color], "nodata": no_data_color}
    if announce:
        payload["announce"] = True
    return RuntimeLayer("choropleth", payload, "TerritoiresChoropleth")


def shapes_layer(geometry: dict[str, Any], style: dict[str, Any], name: str) -> RuntimeLayer:
    """Non-interactive shapes with one style (scope outline, rural zones)."""
    payload = dict(geometry)
    payload["style"] = style
    return RuntimeLayer("shapes", payload, name)


def fit_view(bounds: list[list[float]], *, fill_frame: bool = False) -> RuntimeLayer:
    """Fit the view to ``[[south, west], [north, east]]`` without animation (add it last).

    The runtime leaves room for the legend when that costs at most a quarter of a zoom level.
    With ``fill_frame`` (presentation mode, whose page sets the frame's height from the
    screen's), the map fills its frame and is fitted again whenever its size changes, unless
    the view has been moved by hand.
    """
    return RuntimeLayer("fit", bounds, "TerritoiresFit", ", true" if fill_frame else "")


_SCALE = Template(
    """
    {% macro script(this, kwargs) %}
    L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
    {% endmacro %}
    """
)


def metric_scale() -> MacroElement:
    """A scale bar in kilometres only (folium's ``control_scale`` adds miles too)."""
    scale = MacroElement()
    scale._name = "TerritoiresScale"
    scale._template = _SCALE
    return scale


def legend_control(
    legend_html: str, position: str = "bottomright", *, large: bool = False
) -> RuntimeLayer:
    """A legend control; ``legend_html`` must already be escaped (see ``legend.py``).

    ``large`` uses projector-sized type (presentation mode).
    """
    extra = f", {script_json(position)}, {'true' if large else 'false'}"
    return RuntimeLayer("legend", legend_html, "TerritoiresLegend", extra=extra)


# --- initiatives -------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _listing(value: object) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if hasattr(value, "tolist"):
        return [str(v) for v in value.tolist()]
    return []


POPUP_FIELDS = ("Porteur", "Financeurs", "Montant", "Année", "Thèmes", "Commune")


def _column(frame: pd.DataFrame, name: str) -> list[Any]:
    return frame[name].tolist() if name in frame.columns else [None] * len(frame)


def _amount_texts(values: list[Any]) -> list[str]:
    """``fr_euros`` of each amount, formatted once per distinct amount."""
    known: dict[Any, str] = {}
    texts = []
    for value in values:
        key = value if _finite(value) else None
        if key not in known:
            known[key] = fr_euros(value if key is not None else None)
        texts.append(known[key])
    return texts


def _popup_columns(
    frame: pd.DataFrame, codes: list[str], commune_names: dict[str, str], labels: dict[str, str]
) -> list[list[str]]:
    """The popup texts of every row, one list per field: title, then ``POPUP_FIELDS``."""
    return [
        [_text(v) or "Sans titre" for v in _column(frame, "titre")],
        [_text(v) for v in _column(frame, "porteur")],
        [", ".join(_listing(v)) for v in _column(frame, "financeurs")],
        _amount_texts(_column(frame, "montant")),
        [_text(v) for v in _column(frame, "annee")],
        [", ".join(labels.get(t, t) for t in _listing(v)) for v in _column(frame, "themes")],
        [commune_names.get(code, code) for code in codes],
    ]


def _coded(values: list[str]) -> tuple[tuple[str, ...], np.ndarray]:
    """A column of texts as its distinct values (in order of first use) and one code per row."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    return tuple(str(v) for v in uniques), codes.astype(np.int32)


def _located(
    frame: pd.DataFrame, positions: Mapping[str, tuple[float, float]]
) -> tuple[list[int], list[str], list[float], list[float]]:
    """The rows with a position (exact, else their commune's point), their commune codes,
    latitudes and longitudes (rounded to 5 decimals, about a metre)."""
    keep, codes, lats, lons = [], [], [], []
    columns = (_column(frame, name) for name in ("commune_code", "latitude", "longitude"))
    rows = zip(*columns, strict=True)
    for row, (code, lat, lon) in enumerate(rows):
        code = _text(code)
        if not (_finite(lat) and _finite(lon)):
            if code not in positions:
                continue
            lat, lon = positions[code]
        keep.append(row)
        codes.append(code)
        lats.append(round(float(lat), 5))
        lons.append(round(float(lon), 5))
    return keep, codes, lats, lons


@dataclass(frozen=True)
class PointColumns:
    """The points of some initiatives, as columns (see ``points_layer``).

    ``rows`` are the positions, in the frame they were computed from, of the initiatives with
    a position; ``lat``, ``lon`` and ``theme`` (colour class) are theirs; per popup field
    (title, then ``POPUP_FIELDS``), ``texts[f]`` holds the distinct texts and ``codes[f]`` each
    point's one. Computed once for every initiative, a subset is taken without reading a row
    again (``subset``).
    """

    rows: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    theme: np.ndarray
    texts: tuple[tuple[str, ...], ...]
    codes: tuple[np.ndarray, ...]
    length: int

    def subset(self, positions: np.ndarray) -> PointColumns:
        """The points of the rows at ``positions`` (of the frame these were computed from), in
        that order, with only the texts they use."""
        point_of = np.full(self.length, -1, dtype=np.int64)
        point_of[self.rows] = np.arange(len(self.rows))
        found = point_of[np.asarray(positions, dtype=np.int64)]
        keep = found[found >= 0]
        texts, codes = [], []
        for vocabulary, column in zip(self.texts, self.codes, strict=True):
            used, inverse = np.unique(column[keep], return_inverse=True)
            texts.append(tuple(vocabulary[u] for u in used.tolist()))
            codes.append(inverse.astype(np.int32).ravel())
        return PointColumns(
            rows=np.flatnonzero(found >= 0),
            lat=self.lat[keep],
            lon=self.lon[keep],
            theme=self.theme[keep],
            texts=tuple(texts),
            codes=tuple(codes),
            length=len(positions),
        )


def point_columns(
    initiatives: pd.DataFrame,
    positions: Mapping[str, tuple[float, float]],
    commune_names: dict[str, str],
    theme_labels: dict[str, str],
) -> PointColumns:
    """The ``PointColumns`` of the initiatives with a position (exact, else their commune's
    point in ``positions``, ``code_insee -> (latitude, longitude)``)."""
    keep, codes, lats, lons = _located(initiatives, positions)
    frame = initiatives.iloc[keep]
    coded = [_coded(c) for c in _popup_columns(frame, codes, commune_names, theme_labels)]
    return PointColumns(
        rows=np.asarray(keep, dtype=np.int64),
        lat=np.asarray(lats, dtype=float),
        lon=np.asarray(lons, dtype=float),
        theme=np.asarray(
            [theme_class(_listing(v)) for v in _column(frame, "themes")], dtype=np.int8
        ),
        texts=tuple(texts for texts, _ in coded),
        codes=tuple(column for _, column in coded),
        length=len(initiatives),
    )


_WIDTHS = {1: "<u1", 2: "<u2", 4: "<i4"}


def packed(values: np.ndarray, width: int | None = None) -> dict[str, Any]:
    """Integers as the runtime reads them (``unpack``): ``{"bytes": width, "data": base64}``,
    little-endian, ``width`` bytes each (1 or 2 when they fit, else 4, if not given).

    Four or fewer bytes a number, and no separator, instead of up to a dozen characters of
    JSON: half the points' payload at 50,000 initiatives, and no JSON number to parse.
    """
    values = np.asarray(values)
    if width is None:
        top = int(values.max()) if values.size else 0
        width = 1 if top < 2**8 else 2 if top < 2**16 else 4
    data = values.astype(_WIDTHS[width]).tobytes()
    return {"bytes": width, "data": base64.b64encode(data).decode("ascii")}


def points_layer(
    initiatives: pd.DataFrame,
    positions: Mapping[str, tuple[float, float]],
    commune_names: dict[str, str],
    theme_labels: dict[str, str],
    *,
    large: bool = False,
    columns: PointColumns | None = None,
) -> RuntimeLayer:
    """Clustered circle markers coloured by theme, one per initiative with a known position.

    ``positions`` (``code_insee -> (latitude, longitude)``) places initiatives without an exact
    position at a point inside their commune. The payload is columnar and its numbers binary
    (``packed``): ``lat`` and ``lon`` (in 1e-5 degrees, about a metre) and ``theme`` (the index
    of its colour in ``colors``, with its label in ``labels``, in the legend's order) per
    point; for the popup, per field (title, then ``fields``) its distinct texts in
    ``values[f]`` and each point's one in ``codes[f]``. The runtime builds a point's
    popup from them when it opens, escaping every text (``popupHtml``). A group of points shows
    the share of each colour in a ring around its count. ``large`` draws points and groups a
    quarter larger, for a projector (presentation mode). The layer's ``unthemed`` tells whether
    a point took the « thème non renseigné » colour (the legend then shows it). ``columns``:
    the initiatives' ``point_columns``, when already computed.
    """
    classes = theme_classes(theme_labels)
    if columns is None:
        columns = point_columns(initiatives, positions, commune_names, theme_labels)
    payload = {
        "lat": packed(np.round(columns.lat * 1e5), 4),
        "lon": packed(np.round(columns.lon * 1e5), 4),
        "theme": packed(columns.theme, 1),
        "values": [list(texts) for texts in columns.texts],
        "codes": [packed(codes) for codes in columns.codes],
        "colors": [color for color, _ in classes],
        "labels": [label for _, label in classes],
        "radius": 9 if large else 7,
        "scale": 1.25 if large else 1,
        "fields": list(POPUP_FIELDS),
    }
    layer = RuntimeLayer("points", payload, "TerritoiresPoints")
    layer.unthemed = bool((columns.theme == UNKNOWN_THEME_CLASS).any())
    return layer


TILES_UNAVAILABLE = "Fond de carte indisponible (pas de connexion)"


def add_basemap(fmap: folium.Map, basemap: str) -> None:
    """Add the chosen tile layer; ``aucun`` adds none (offline, the presentation default).

    A tile layer whose tiles cannot load (a meeting room without Wi-Fi) says so on the map
    rather than leaving a bare background, until a tile loads.
    """
    if basemap == "osm":
        tiles = folium.TileLayer(
            tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            attr="© les contributeurs d'OpenStreetMap",
            name="OpenStreetMap",
            max_zoom=19,
        )
    elif basemap == "clair":
        tiles = folium.TileLayer(
            tiles="https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
            attr="© les contributeurs d'OpenStreetMap, © CARTO",
            name="Fond clair",
            max_zoom=19,
            subdomains="abcd",
        )
    else:
        return
    tiles.add_to(fmap)
    fmap.add_child(
        RuntimeLayer(
            "watchTiles",
            {"message": TILES_UNAVAILABLE},
            "TerritoiresTiles",
            f", {tiles.get_name()}",
        )
    )
