"""Dissolve the upper levels (EPCI, departements, regions) from the communes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.errors import GEOSException

# level -> (code column, name column) in the communes frame
LEVEL_COLUMNS: dict[str, tuple[str, str]] = {
    "epci": ("epci_code", "epci_nom"),
    "departement": ("departement_code", "departement_nom"),
    "region": ("region_code", "region_nom"),
}


def union_polygons(geometries: np.ndarray) -> shapely.Geometry:
    """Union polygons: the fast coverage union when they form a valid coverage.

    Falls back to the general union when the polygons overlap.
    """
    present = geometries[~shapely.is_missing(geometries) & ~shapely.is_empty(geometries)]
    if len(present) == 0:
        return shapely.Polygon()
    try:
        merged = shapely.coverage_union_all(present)
    except GEOSException:
        return shapely.union_all(present)
    # The coverage union does not check its input: overlapping polygons give an invalid result.
    return merged if shapely.is_valid(merged) else shapely.union_all(present)


def dissolve_level(communes: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    """Dissolve communes into one level: ``code, nom, population, superficie_km2, geometry``.

    Communes without a parent at that level (e.g. no EPCI) are left out.
    """
    if level not in LEVEL_COLUMNS:
        raise ValueError(f"expected a level in {sorted(LEVEL_COLUMNS)}, got {level!r}")
    code_col, name_col = LEVEL_COLUMNS[level]
    frame = communes.loc[communes[code_col].notna() & (communes[code_col] != "")]
    groups = frame.groupby(code_col, sort=True)
    table = groups.agg(
        nom=(name_col, "first"),
        population=("population", "sum"),
        superficie_km2=("superficie_km2", "sum"),
    )
    geometries = [union_polygons(group.to_numpy()) for _, group in groups[frame.geometry.name]]
    table = table.reset_index().rename(columns={code_col: "code"})
    columns = ["code", "nom", "population", "superficie_km2"]
    return gpd.GeoDataFrame(table[columns], geometry=geometries, crs=communes.crs)


def dissolve_levels(communes: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """Dissolve every upper level from the communes."""
    return {level: dissolve_level(communes, level) for level in LEVEL_COLUMNS}
