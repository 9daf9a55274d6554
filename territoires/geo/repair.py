"""Repair commune outlines so that the dissolved levels have no false holes.

Two defects of the source are handled:

1. a current commune without an outline, or with only one former commune's outline: its
   outline becomes the union of its own and of its former communes' (``COMD``/``COMA``);
2. gaps left between communes (a commune created by a merger whose former communes carry no
   outline): each gap goes to the neighbouring commune that has a former commune without
   outline (the merged commune it belongs to) and, failing that, to the neighbour sharing the
   longest border with it.

A hole in a dissolved département that another département's communes cover (an enclave,
such as the Enclave des papes) is real and is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from territoires.geo.crs import area_km2, metric_crs
from territoires.geo.levels import union_polygons

# A gap smaller than this (km²) is numerical noise along a shared border, not a hole.
MIN_GAP_KM2 = 1e-4
# Gaps narrower than this (degrees, about 10 m) are slivers merged by the coverage cleaner.
SLIVER_WIDTH_DEG = 1e-4


@dataclass(frozen=True)
class Gap:
    """An uncovered piece of territory, and the commune it was given to (if any)."""

    geometry: BaseGeometry
    area_km2: float
    code_insee: str | None


def merge_former_outlines(
    geometries: pd.Series, former: pd.DataFrame
) -> tuple[pd.Series, list[str]]:
    """Union each commune's outline with its former communes' outlines.

    Parameters
    ----------
    geometries : pandas.Series
        Outlines of the current communes, indexed by ``code_insee`` (``None`` when missing).
    former : pandas.DataFrame
        ``parent_code, geometry`` of the former (délégué or associé) communes.

    Returns
    -------
    (pandas.Series, list of str)
        The repaired outlines and the codes whose outline changed.
    """
    former = former.loc[former["geometry"].notna() & former["parent_code"].isin(geometries.index)]
    grouped = former.groupby("parent_code")["geometry"].agg(lambda s: shapely.union_all(s.values))
    repaired = geometries.copy()
    changed: list[str] = []
    for code, union in grouped.items():
        current = geometries.loc[code]
        if current is None or shapely.is_empty(current):
            merged = union
        else:
            if shapely.covers(current, union):
                continue
            merged = shapely.union(current, union)
        repaired.loc[code] = merged
        changed.append(str(code))
    return repaired, changed


def interior_holes(geometry: BaseGeometry) -> list[BaseGeometry]:
    """Return the interior rings of a (multi)polygon as polygons."""
    holes: list[BaseGeometry] = []
    for part in shapely.get_parts(geometry):
        if isinstance(part, shapely.Polygon):
            holes.extend(shapely.Polygon(ring) for ring in part.interiors)
    return holes


def find_uncovered(
    areas: Iterable[BaseGeometry], communes: gpd.GeoDataFrame, crs_by_row: pd.Series
) -> list[Gap]:
    """Return the pieces of the given areas that no commune covers.

    ``crs_by_row`` gives, for each commune row, the CRS in which to measure areas; a piece is
    measured in its neighbours' CRS. Pieces under ``MIN_GAP_KM2`` are ignored.
    """
    tree = shapely.STRtree(communes.geometry.values)
    gaps: list[Gap] = []
    for area in areas:
        hits = tree.query(area, predicate="intersects")
        cover = union_polygons(communes.geometry.values[hits]) if len(hits) else None
        uncovered = area if cover is None else shapely.difference(area, cover)
        if uncovered.is_empty:
            continue
        crs = crs_by_row.iloc[hits[0]] if len(hits) else "EPSG:2154"
        for piece in shapely.get_parts(uncovered):
            if not isinstance(piece, shapely.Polygon):
                continue
            size = area_km2(piece, crs)
            if size >= MIN_GAP_KM2:
                gaps.append(Gap(piece, size, None))
    return gaps


def find_gaps(
    containers: Iterable[BaseGeometry], communes: gpd.GeoDataFrame, crs_by_row: pd.Series
) -> list[Gap]:
    """Return the pieces of the containers' holes that no commune covers."""
    holes = [hole for container in containers for hole in interior_holes(container)]
    return find_uncovered(holes, communes, crs_by_row)


def assign_gaps(
    communes: gpd.GeoDataFrame, gaps: list[Gap], claimants: Collection[str] = ()
) -> tuple[pd.Series, list[Gap]]:
    """Give each gap to a neighbouring commune.

    A gap usually is a former commune whose outline is missing: it goes to the neighbouring
    *claimant* (a commune with a former commune lacking an outline) that shares the longest
    border with it; when no neighbour is a claimant, to the neighbour with the longest border.

    Returns the new geometry column (same index as ``communes``) and the assignments.
    """
    geometries = communes.geometry.copy()
    tree = shapely.STRtree(communes.geometry.values)
    codes = communes["code_insee"].astype(str).to_numpy()
    wanted = set(claimants)
    assigned: list[Gap] = []
    additions: dict[int, list[BaseGeometry]] = {}
    for gap in gaps:
        hits = tree.query(shapely.buffer(gap.geometry, 1e-7), predicate="intersects")
        if len(hits) == 0:
            assigned.append(gap)
            continue
        boundary = shapely.boundary(gap.geometry)
        shared = shapely.length(
            shapely.intersection(boundary, shapely.buffer(communes.geometry.values[hits], 1e-7))
        )
        is_claimant = np.array([codes[h] in wanted for h in hits]) & (shared > 0)
        if is_claimant.any():
            shared = np.where(is_claimant, shared, -1.0)
        best = int(hits[int(np.argmax(shared))])
        additions.setdefault(best, []).append(gap.geometry)
        assigned.append(Gap(gap.geometry, gap.area_km2, str(codes[best])))
    for position, pieces in additions.items():
        label = communes.index[position]
        merged = shapely.union_all([communes.geometry.iloc[position], *pieces])
        geometries.loc[label] = shapely.make_valid(merged) if not merged.is_valid else merged
    return geometries, assigned


def clean_coverage(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Make the outlines a valid coverage: no overlaps, shared edges identical, slivers merged.

    Uses GEOS's coverage cleaner (``shapely.coverage_clean``); overlaps go to the neighbour
    with the longest shared border. Rows without an outline are left as they are.
    """
    result = communes.copy()
    present = result.geometry.notna().to_numpy()
    geometries = result.geometry.to_numpy().copy()
    geometries[present] = shapely.coverage_clean(
        shapely.make_valid(geometries[present]), gap_width=SLIVER_WIDTH_DEG
    )
    result["geometry"] = gpd.GeoSeries(geometries, index=result.index, crs=result.crs)
    return result


def repair_communes(
    communes: gpd.GeoDataFrame,
    former: pd.DataFrame,
    extents: Iterable[BaseGeometry] = (),
) -> tuple[gpd.GeoDataFrame, dict]:
    """Repair the commune outlines so that dissolved levels have no false holes.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        ``code_insee, departement_code, geometry`` (EPSG:4326; ``None`` when missing).
    former : pandas.DataFrame
        ``parent_code, geometry``: outlines of the former communes (délégués, associées).
    extents : iterable of geometries, optional
        Areas known to be entirely covered by communes (e.g. each département's cantons).
        Their uncovered parts are gaps too, even when they open onto a border or the sea,
        where they are not holes.

    Returns
    -------
    (geopandas.GeoDataFrame, dict)
        The repaired communes and a report (codes changed, gaps filled and their area).
    """
    missing_before = communes.loc[communes.geometry.isna(), "code_insee"].tolist()
    outlines = pd.Series(communes.geometry.to_numpy(), index=communes["code_insee"].to_numpy())
    repaired, merged = merge_former_outlines(outlines, former)
    result = communes.copy()
    result["geometry"] = gpd.GeoSeries(repaired.to_numpy(), index=result.index, crs=communes.crs)
    result = clean_coverage(result)
    claimants = set(former.loc[former["geometry"].isna(), "parent_code"].dropna())
    # Holes of the national union are gaps between communes: an enclave of one département
    # in another is covered by its own communes, so it is not a hole of the union.
    holes = _fill(
        result,
        claimants,
        lambda frame, crs: find_gaps([union_polygons(frame.geometry.to_numpy())], frame, crs),
    )
    opened = _fill(result, claimants, lambda frame, crs: find_uncovered(extents, frame, crs))
    report = {
        "sans_contour_source": missing_before,
        "completees_par_anciennes_communes": merged,
        "trous_combles": len(holes),
        "trous_combles_km2": round(sum(g.area_km2 for g in holes), 1),
        "zones_ouvertes_comblees": len(opened),
        "zones_ouvertes_comblees_km2": round(sum(g.area_km2 for g in opened), 1),
        "communes_agrandies": sorted({g.code_insee for g in holes + opened if g.code_insee}),
        "trous_rattaches_a_leur_commune_nouvelle": sum(
            g.code_insee in claimants for g in holes + opened
        ),
        "sans_contour": result.loc[result.geometry.isna(), "code_insee"].tolist(),
    }
    return result, report


def _fill(
    result: gpd.GeoDataFrame,
    claimants: set[str],
    finder: Callable[[gpd.GeoDataFrame, pd.Series], list[Gap]],
) -> list[Gap]:
    """Find gaps with ``finder(frame, crs_by_row)`` and merge them into ``result`` in place."""
    with_outline = result.loc[result.geometry.notna()]
    crs_by_row = with_outline["departement_code"].map(metric_crs)
    gaps = finder(with_outline, crs_by_row)
    if not gaps:
        return []
    geometries, assigned = assign_gaps(with_outline, gaps, claimants)
    result.loc[geometries.index, "geometry"] = geometries
    return assigned
