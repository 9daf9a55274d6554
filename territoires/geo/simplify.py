"""Display layers: coverage simplification (neighbours keep sharing their borders) + rounding.

No polygon is simplified alone: ``shapely.coverage_simplify`` simplifies each shared edge of
the whole commune coverage once, so two neighbours get the same simplified border. The upper
levels (EPCI, départements, régions) are dissolved from the simplified communes, so their
borders coincide exactly with the communes' on a map. Coordinates are then rounded.

One tolerance does not suit every commune: the one that keeps the national layer small
erases small communes (Le Wast kept 0.5 % of its area). Each commune therefore gets the
coarsest tolerance of ``TOLERANCES`` under which it keeps at least ``FIDELITY`` of its true
area and a valid outline (:func:`faithful_simplify`); an edge is simplified with the finer
tolerance of its two communes, so shared borders still match.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territoires.geo.levels import LEVEL_COLUMNS, union_polygons

# Visvalingam-Whyatt tolerances (degrees, about the square root of the removed triangles'
# area), coarsest first, and decimals kept (4 decimals: about 10 m). The coarsest one keeps
# the plain GeoJSON of all communes under 10 MB and Bretagne's under 450 KB (measured in
# bench/bench_geodata.py); the finer ones serve the communes it would distort.
TOLERANCES: tuple[float, ...] = (0.012, 0.005, 0.002, 0.0007, 0.0002)
COMMUNE_TOLERANCE = TOLERANCES[0]
# Share of its true area every displayed commune keeps, at least.
FIDELITY = 0.8
# Rounds of refinement (each moves the communes still distorted to the next finer tolerance).
MAX_ROUNDS = 8
DECIMALS = 4
DISPLAY_COLUMNS: dict[str, list[str]] = {
    "commune": ["code", "nom", "departement_code", "region_code", "epci_code"],
    "epci": ["code", "nom"],
    "departement": ["code", "nom", "region_code"],
    "region": ["code", "nom"],
}


def round_coordinates(geometries: np.ndarray, decimals: int = DECIMALS) -> np.ndarray:
    """Round every coordinate (shared vertices stay shared: they round the same way)."""
    return shapely.transform(geometries, lambda coords: np.round(coords, decimals))


def simplify_coverage(geometries: np.ndarray, tolerance: float) -> np.ndarray:
    """Coverage-simplify polygons together; missing or empty outlines stay as they are."""
    result = np.array(geometries, dtype=object)
    present = ~shapely.is_missing(result) & ~shapely.is_empty(result)
    result[present] = shapely.coverage_simplify(result[present], tolerance)
    return result


def simplify_by_level(
    geometries: np.ndarray, levels: np.ndarray, tolerances: tuple[float, ...] = TOLERANCES
) -> np.ndarray:
    """Coverage-simplify valid polygons, each with its own tolerance ``tolerances[level]``.

    Everything is first simplified with the finest tolerance in use; then, from the finer to
    the coarser, the communes of that level or coarser are simplified again with their edges
    to finer communes kept (``simplify_boundary=False``). The outside of the coverage is
    added as one more polygon, so that coasts and borders are simplified like shared edges.
    """
    present = sorted(set(levels.tolist()), reverse=True)
    minx, miny, maxx, maxy = shapely.total_bounds(geometries)
    frame = shapely.box(minx - 1, miny - 1, maxx + 1, maxy + 1)
    outside = shapely.difference(frame, shapely.coverage_union_all(geometries))
    current = shapely.coverage_simplify(np.append(geometries, outside), tolerances[present[0]])
    result = np.empty(len(geometries), dtype=object)
    for step, level in enumerate(present):
        if step > 0:
            members = np.append(levels <= level, True)
            current = current.copy()
            current[members] = shapely.coverage_simplify(
                current[members], tolerances[level], simplify_boundary=False
            )
        result[levels == level] = current[:-1][levels == level]
    return result


def faithful_simplify(
    geometries: np.ndarray,
    tolerances: tuple[float, ...] = TOLERANCES,
    fidelity: float = FIDELITY,
) -> tuple[np.ndarray, np.ndarray]:
    """Simplify and round a coverage so that every polygon keeps ``fidelity`` of its area.

    Every polygon starts at the coarsest tolerance; those that keep less than ``fidelity`` of
    their area, or become invalid once rounded, move to a finer one, and so on; last, those
    whose rounded edges no longer match their neighbours'. Returns the rounded polygons and
    the level (index into ``tolerances``) of each.
    """
    levels = np.zeros(len(geometries), dtype=int)
    true_area = shapely.area(geometries)
    finest = len(tolerances) - 1
    for _ in range(MAX_ROUNDS):
        result = round_coordinates(simplify_by_level(geometries, levels, tolerances))
        bad = ~shapely.is_valid(result) | (shapely.area(result) < fidelity * true_area)
        bad &= levels < finest
        if bad.any():
            levels[bad] += 1
            continue
        result = repair_invalid(result)
        # Then neighbours must still share their borders: where they no longer do, the
        # communes concerned all take the finest tolerance.
        unmatched = ~shapely.is_empty(shapely.coverage_invalid_edges(result))
        if not (unmatched & (levels < finest)).any():
            break
        levels[unmatched] = finest
    return result, levels


def repair_invalid(coverage: np.ndarray) -> np.ndarray:
    """Make the few polygons that rounding left invalid (a narrow spike that now touches
    itself) valid, with their neighbours: the shapes are fixed, then the small group is
    cleaned as a coverage without snapping, so that shared edges still match (the group's
    edges with other polygons are only given extra vertices where needed)."""
    invalid = np.flatnonzero(~shapely.is_valid(coverage))
    if len(invalid) == 0:
        return coverage
    tree = shapely.STRtree(coverage)
    group = np.unique(
        np.concatenate([tree.query(coverage[i], predicate="intersects") for i in invalid])
    )
    result = coverage.copy()
    result[group] = shapely.coverage_clean(shapely.make_valid(coverage[group]), snapping_distance=0)
    return result


def display_quality(display: np.ndarray, full: np.ndarray) -> dict:
    """Fidelity of a display layer: invalid polygons, smallest area ratio, ratios under 80 %."""
    ratio = shapely.area(display) / shapely.area(full)
    return {
        "polygones_invalides": int((~shapely.is_valid(display)).sum()),
        "ratio_superficie_min": round(float(ratio.min()), 4) if len(ratio) else None,
        "communes_sous_80_pct": int((ratio < FIDELITY).sum()),
    }


def build_display_layers(
    communes: gpd.GeoDataFrame,
    levels: dict[str, gpd.GeoDataFrame],
    tolerances: tuple[float, ...] = TOLERANCES,
) -> dict[str, gpd.GeoDataFrame]:
    """Simplified, rounded layers for maps: ``code, nom`` (+ parent codes) and geometry.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        The repaired communes (a valid coverage), EPSG:4326.
    levels : dict
        The full-resolution upper levels (for their names and parent codes).
    tolerances : tuple of float
        Coverage simplification tolerances, in degrees, coarsest first.
    """
    frame = communes.loc[communes.geometry.notna() & ~communes.geometry.is_empty]
    simplified, _ = faithful_simplify(frame.geometry.to_numpy(), tolerances)
    base = pd.DataFrame(frame.drop(columns=frame.geometry.name)).rename(
        columns={"code_insee": "code"}
    )
    display = {"commune": _layer(base, simplified, "commune")}
    for level, (code_col, _) in LEVEL_COLUMNS.items():
        keys = base[code_col].to_numpy()
        unions = {code: union_polygons(simplified[keys == code]) for code in levels[level]["code"]}
        attributes = pd.DataFrame(levels[level].drop(columns=levels[level].geometry.name))
        display[level] = _layer(attributes, np.array(list(unions.values()), dtype=object), level)
    return display


def _layer(attributes: pd.DataFrame, geometries: np.ndarray, level: str) -> gpd.GeoDataFrame:
    columns = [c for c in DISPLAY_COLUMNS[level] if c in attributes.columns]
    return gpd.GeoDataFrame(
        attributes[columns].reset_index(drop=True),
        geometry=round_coordinates(geometries),
        crs="EPSG:4326",
    )


def geojson_bytes(frame: gpd.GeoDataFrame, properties: tuple[str, ...] = ("code", "nom")) -> bytes:
    """Plain, compact GeoJSON (UTF-8, no spaces) of a layer, with only the given properties."""
    geometries = shapely.to_geojson(frame.geometry.to_numpy())
    records = frame[list(properties)].to_dict("records")
    features = [
        '{"type":"Feature","properties":'
        + json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str)
        + ',"geometry":'
        + (geometry if geometry is not None else "null")
        + "}"
        for record, geometry in zip(records, geometries, strict=True)
    ]
    return ('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}").encode()
