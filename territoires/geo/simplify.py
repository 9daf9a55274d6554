"""Display layers: coverage simplification (neighbours keep sharing their borders) + rounding.

Each polygon is never simplified alone: ``shapely.coverage_simplify`` simplifies the shared
edges of the whole coverage once, so two neighbours get the same simplified border. The
upper levels are dissolved from the simplified communes, so their borders match the
communes' exactly, then simplified again as a coverage of their own.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

# Visvalingam-Whyatt tolerance (degrees, ~ square root of the removed triangles' area) and
# decimals kept, per display level. Chosen to meet the size targets measured in bench/.
TOLERANCES: dict[str, float] = {
    "commune": 0.004,
    "epci": 0.006,
    "departement": 0.008,
    "region": 0.01,
}
DECIMALS = 4


def round_coordinates(geometries: np.ndarray, decimals: int = DECIMALS) -> np.ndarray:
    """Round every coordinate (shared vertices stay shared: they round the same way)."""
    return shapely.transform(geometries, lambda coords: np.round(coords, decimals))


def simplify_layer(frame: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    """Coverage-simplify a layer's polygons together and round their coordinates.

    Rows without an outline are kept with an empty geometry.
    """
    present = frame.geometry.notna().to_numpy() & ~frame.geometry.is_empty.to_numpy()
    geometries = frame.geometry.to_numpy().copy()
    simplified = shapely.coverage_simplify(geometries[present], tolerance)
    geometries[present] = round_coordinates(simplified)
    result = frame.copy()
    result["geometry"] = gpd.GeoSeries(geometries, index=frame.index, crs=frame.crs)
    return result
