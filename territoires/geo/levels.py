"""Dissolve the upper levels (EPCI, departements, regions) from the communes."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

# level -> (code column, name column) in the communes frame
LEVEL_COLUMNS: dict[str, tuple[str, str]] = {
    "epci": ("epci_code", "epci_nom"),
    "departement": ("departement_code", "departement_nom"),
    "region": ("region_code", "region_nom"),
}


def dissolve_level(communes: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    """Dissolve communes into one level: ``code, nom, population, superficie_km2, geometry``.

    Communes without a parent at that level (e.g. no EPCI) are left out.
    """
    if level not in LEVEL_COLUMNS:
        raise ValueError(f"expected a level in {sorted(LEVEL_COLUMNS)}, got {level!r}")
    code_col, name_col = LEVEL_COLUMNS[level]
    frame = communes.loc[communes[code_col].notna() & (communes[code_col] != "")]
    grouped = frame.dissolve(
        by=code_col,
        aggfunc={name_col: "first", "population": "sum", "superficie_km2": "sum"},
    ).reset_index()
    grouped = grouped.rename(columns={code_col: "code", name_col: "nom"})
    columns = ["code", "nom", "population", "superficie_km2", "geometry"]
    return gpd.GeoDataFrame(grouped[columns], geometry="geometry", crs=communes.crs)


def dissolve_levels(communes: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """Dissolve every upper level from the communes."""
    return {level: dissolve_level(communes, level) for level in LEVEL_COLUMNS}


def empty_level(crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    """An empty level frame with the standard columns."""
    return gpd.GeoDataFrame(
        pd.DataFrame(columns=["code", "nom", "population", "superficie_km2"]),
        geometry=gpd.GeoSeries([], crs=crs),
        crs=crs,
    )
