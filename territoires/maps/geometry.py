"""Map geometry: simplified display layers, compact encoding, per-reference caches.

Geometry is sent to the browser once, compactly: coordinates quantised to ``10**-precision``
degrees and delta-coded as integers per ring (closing point dropped). The runtime in
``assets/territoires/territoires-map.js`` decodes it. This is several times smaller than
GeoJSON and needs no topology library in the browser.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from territoires.geo.reference import GeoReference, Scope
from territoires.maps.files import content_name, write_once

PRECISION = 4  # decimals of a degree: about 10 m
SCALE = 10**PRECISION
# Topology-preserving simplification tolerance (degrees) when the reference has no display layer.
TOLERANCE: dict[str, float] = {
    "commune": 0.0012,
    "epci": 0.002,
    "departement": 0.003,
    "region": 0.004,
}

_CACHE: dict[tuple, tuple[weakref.ref, Any]] = {}


def cached(reference: GeoReference, key: Hashable, compute: Callable[[], Any]) -> Any:
    """Return ``compute()`` memoised for this reference object and key."""
    full_key = (id(reference), key)
    hit = _CACHE.get(full_key)
    if hit is not None and hit[0]() is reference:
        return hit[1]
    value = compute()
    _CACHE[full_key] = (weakref.ref(reference), value)
    return value


def level_frame(reference: GeoReference, level: str) -> gpd.GeoDataFrame:
    """Full-resolution frame of a level with ``code, nom, geometry``."""
    if level == "commune":
        frame = reference.communes.rename(columns={"code_insee": "code"})
    else:
        frame = {"epci": reference.epci, "departement": reference.departements}.get(
            level, reference.regions
        )
    return frame[["code", "nom", "geometry"]]


def _simplify(frame: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    geoms = frame.geometry.to_numpy()
    try:
        simplified = shapely.coverage_simplify(geoms, tolerance)
    except shapely.errors.GEOSException:
        simplified = shapely.simplify(geoms, tolerance, preserve_topology=True)
    out = frame.copy()
    out["geometry"] = simplified
    return out


def display_frame(reference: GeoReference, level: str) -> gpd.GeoDataFrame:
    """Simplified layer of a level (``code, nom, geometry``), cached per reference.

    Uses ``reference.display[level]`` when the geodata cache provides it, else simplifies the
    full-resolution layer with a topology-preserving coverage simplification.
    """

    def compute() -> gpd.GeoDataFrame:
        given = reference.display.get(level) if reference.display else None
        if given is not None and not given.empty:
            frame = given[["code", "nom", "geometry"]]
        else:
            frame = _simplify(level_frame(reference, level), TOLERANCE.get(level, 0.002))
        frame = frame.copy()
        frame["code"] = frame["code"].astype(str)
        return frame.reset_index(drop=True)

    return cached(reference, ("display", level), compute)


def encode_geometry(geometry) -> list[list[list[int]]]:
    """Encode one (multi)polygon: polygons → rings → ``[x0, y0, dx, dy, …]`` integers."""
    if geometry is None or geometry.is_empty:
        return []
    polygons = []
    for polygon in shapely.get_parts(geometry):
        rings = []
        for ring in shapely.get_rings(polygon):
            coords = np.round(shapely.get_coordinates(ring)[:-1] * SCALE).astype(np.int64)
            if len(coords) == 0:
                continue
            deltas = np.diff(coords, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
            deltas = deltas[np.any(deltas != 0, axis=1) | (np.arange(len(deltas)) == 0)]
            if len(deltas) >= 3:
                rings.append(deltas.ravel().tolist())
        if rings:
            polygons.append(rings)
    return polygons


def encode_frame(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """Encode a ``code, nom, geometry`` frame as the runtime's payload parts."""
    return {
        "scale": SCALE,
        "codes": frame["code"].astype(str).tolist(),
        "names": frame["nom"].fillna("").astype(str).tolist(),
        "geoms": [encode_geometry(g) for g in frame.geometry],
    }


def encoded_layer(reference: GeoReference, level: str, scope: Scope) -> dict[str, Any]:
    """``encode_frame`` of the level's territories in the scope, cached."""
    return cached(
        reference,
        ("encoded", level, scope),
        lambda: encode_frame(scope_layer(reference, level, scope)),
    )


def geometry_file(reference: GeoReference, level: str, scope: Scope, directory: Path) -> str:
    """Write the scope's encoded geometry as JSON into ``directory``; return the file name.

    The name carries a hash of the content, so a browser may keep the file in its HTTP cache
    for good: the map page then sends only values over its websocket, and the geometry of a
    view already seen comes from the browser's cache. The file is written once, atomically.
    """

    def compute() -> tuple[str, str]:
        text = json.dumps(
            encoded_layer(reference, level, scope), ensure_ascii=False, separators=(",", ":")
        )
        return content_name(level, text, "json"), text

    name, text = cached(reference, ("geometry_file", level, scope), compute)
    write_once(directory, name, text)
    return name


def scope_codes_at(reference: GeoReference, level: str, scope: Scope) -> list[str]:
    """Codes of the territories of ``level`` with at least one commune in ``scope``."""
    from territoires.analysis.aggregate import membership

    return sorted(set(membership(reference, level, scope)["code"].astype(str)))


def scope_layer(reference: GeoReference, level: str, scope: Scope) -> gpd.GeoDataFrame:
    """Display geometry of the level's territories in the scope, cached, sorted by code."""

    def compute() -> gpd.GeoDataFrame:
        frame = display_frame(reference, level)
        codes = set(scope_codes_at(reference, level, scope))
        return frame.loc[frame["code"].isin(codes)].sort_values("code").reset_index(drop=True)

    return cached(reference, ("scope_layer", level, scope), compute)


def scope_outline(reference: GeoReference, scope: Scope) -> gpd.GeoDataFrame:
    """One-row frame with the scope's outline (dissolved communes), cached."""

    def compute() -> gpd.GeoDataFrame:
        communes = display_frame(reference, "commune")
        codes = set(reference.scope_communes(scope))
        geoms = communes.loc[communes["code"].isin(codes)].geometry.to_numpy()
        union = shapely.coverage_union_all(geoms) if len(geoms) else shapely.Polygon()
        return gpd.GeoDataFrame(
            {"code": [scope.code or "FR"], "nom": [""]}, geometry=[union], crs="EPSG:4326"
        )

    return cached(reference, ("outline", scope), compute)


def encoded_outline(reference: GeoReference, scope: Scope) -> dict[str, Any]:
    """``encode_frame`` of the scope's outline, cached (every run of the map page draws it)."""
    return cached(
        reference, ("encoded_outline", scope), lambda: encode_frame(scope_outline(reference, scope))
    )


def rural_area(
    reference: GeoReference, scope: Scope, rural_codes: frozenset[str]
) -> gpd.GeoDataFrame:
    """One-row frame with the union of the scope's rural communes, cached."""

    def compute() -> gpd.GeoDataFrame:
        communes = display_frame(reference, "commune")
        codes = set(reference.scope_communes(scope)) & rural_codes
        geoms = communes.loc[communes["code"].isin(codes)].geometry.to_numpy()
        union = shapely.coverage_union_all(geoms) if len(geoms) else shapely.Polygon()
        return gpd.GeoDataFrame(
            {"code": ["rural"], "nom": ["Communes rurales"]}, geometry=[union], crs="EPSG:4326"
        )

    return cached(reference, ("rural", scope, rural_codes), compute)


METROPOLE_BOUNDS = [[41.3, -5.2], [51.1, 9.6]]  # mainland France and Corsica


def on_mainland(points: gpd.GeoSeries) -> np.ndarray:
    """Per point (lon/lat), whether it lies in mainland France or Corsica (in
    ``METROPOLE_BOUNDS``) rather than overseas."""
    (south, west), (north, east) = METROPOLE_BOUNDS
    inside = points.x.between(west, east) & points.y.between(south, north)
    return inside.to_numpy(dtype=bool)


def scope_bounds(reference: GeoReference, scope: Scope) -> list[list[float]]:
    """``[[south, west], [north, east]]`` of the scope, for ``fit_bounds``.

    France fits the mainland (overseas territories stay on the map, a pan away).
    """
    if scope.level == "france":
        return METROPOLE_BOUNDS
    west, south, east, north = scope_outline(reference, scope).total_bounds
    return [[float(south), float(west)], [float(north), float(east)]]


def commune_points(reference: GeoReference) -> dict[str, tuple[float, float]]:
    """``code_insee -> (latitude, longitude)`` of a point inside each commune, cached."""

    def compute() -> dict[str, tuple[float, float]]:
        points = shapely.point_on_surface(reference.communes.geometry.to_numpy())
        xs, ys = shapely.get_x(points), shapely.get_y(points)
        codes = reference.communes["code_insee"].astype(str).tolist()
        return {
            code: (float(y), float(x))
            for code, x, y in zip(codes, xs, ys, strict=True)
            if np.isfinite(x) and np.isfinite(y)
        }

    return cached(reference, ("points",), compute)


def script_json(value: Any) -> str:
    """JSON safe to embed in a ``<script>`` (``<``, ``>``, ``&`` escaped as ``\\uXXXX``)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
