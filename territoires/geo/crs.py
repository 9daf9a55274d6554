"""The one CRS policy: display in EPSG:4326; areas and distances in a metric CRS per area.

Metropolitan France uses Lambert-93 (EPSG:2154); each overseas département its local UTM CRS.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

DISPLAY_CRS = "EPSG:4326"
METROPOLE_CRS = "EPSG:2154"
# Overseas départements -> local projected CRS (RGAF09, RGFG95, RGR92, RGM04 UTM zones).
OVERSEAS_CRS: dict[str, str] = {
    "971": "EPSG:5490",
    "972": "EPSG:5490",
    "973": "EPSG:2972",
    "974": "EPSG:2975",
    "976": "EPSG:4471",
}


def metric_crs(departement_code: str | None) -> str:
    """Return the projected CRS in which to measure a commune of this département."""
    return OVERSEAS_CRS.get(str(departement_code or ""), METROPOLE_CRS)


def area_km2(geometry: BaseGeometry, crs: str) -> float:
    """Area of one EPSG:4326 geometry, in km², measured in ``crs``."""
    return float(gpd.GeoSeries([geometry], crs=DISPLAY_CRS).to_crs(crs).area.iloc[0] / 1e6)


def areas_km2(frame: gpd.GeoDataFrame, departement_column: str = "departement_code") -> pd.Series:
    """Areas (km²) of an EPSG:4326 frame, each row measured in its département's metric CRS."""
    result = pd.Series(0.0, index=frame.index)
    crs_per_row = frame[departement_column].map(metric_crs)
    for crs, index in crs_per_row.groupby(crs_per_row).groups.items():
        subset = frame.loc[index]
        result.loc[index] = subset.geometry.to_crs(crs).area.to_numpy() / 1e6
    return result.fillna(0.0)
