"""Display layers: coverage simplification (neighbours keep sharing their borders) + rounding.

No polygon is simplified alone: ``shapely.coverage_simplify`` simplifies each shared edge of
the whole commune coverage once, so two neighbours get the same simplified border. The upper
levels (EPCI, départements, régions) are dissolved from the simplified communes, so their
borders coincide exactly with the communes' on a map. Coordinates are then rounded.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territoires.geo.levels import LEVEL_COLUMNS, union_polygons

# Visvalingam-Whyatt tolerance (degrees, about the square root of the removed triangles'
# area) and decimals kept (4 decimals: about 10 m). Chosen so that the plain GeoJSON of all
# communes stays under 10 MB and Bretagne's under 450 KB (measured in bench/bench_geodata.py).
COMMUNE_TOLERANCE = 0.012
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


def build_display_layers(
    communes: gpd.GeoDataFrame,
    levels: dict[str, gpd.GeoDataFrame],
    tolerance: float = COMMUNE_TOLERANCE,
) -> dict[str, gpd.GeoDataFrame]:
    """Simplified, rounded layers for maps: ``code, nom`` (+ parent codes) and geometry.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        The repaired communes (a valid coverage), EPSG:4326.
    levels : dict
        The full-resolution upper levels (for their names and parent codes).
    tolerance : float
        Coverage simplification tolerance, in degrees.
    """
    frame = communes.loc[communes.geometry.notna() & ~communes.geometry.is_empty]
    simplified = simplify_coverage(frame.geometry.to_numpy(), tolerance)
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
