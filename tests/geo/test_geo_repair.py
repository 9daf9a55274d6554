"""Outline repair: former communes' outlines, gaps given to their merged commune or neighbour."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from territoires.geo.levels import dissolve_level
from territoires.geo.repair import (
    assign_gaps,
    find_gaps,
    interior_holes,
    merge_former_outlines,
    repair_communes,
)


def _communes(geometries: dict[str, object], dep: str = "22") -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "code_insee": list(geometries),
            "departement_code": dep,
            "departement_nom": "Côtes-d'Armor",
            "population": 100,
            "superficie_km2": 1.0,
        },
        geometry=list(geometries.values()),
        crs="EPSG:4326",
    )
    return frame


def _ring_with_hole() -> dict[str, object]:
    """Four communes around a 0.1° square hole at (-3.4, 48.1) - (-3.3, 48.2).

    Each commune borders the hole on one side of equal length (west, north, east, south).
    """
    return {
        "22001": box(-3.5, 48.0, -3.4, 48.3),  # west, full height
        "22002": box(-3.4, 48.2, -3.3, 48.3),  # north
        "22003": box(-3.3, 48.0, -3.2, 48.3),  # east, full height
        "22004": box(-3.4, 48.0, -3.3, 48.1),  # south
    }


def test_a_gap_between_communes_is_found_and_given_to_one_neighbour():
    communes = _communes(_ring_with_hole())
    container = shapely.union_all(communes.geometry.to_numpy())
    assert len(interior_holes(container)) == 1
    crs = communes["departement_code"].map(lambda _: "EPSG:2154")
    gaps = find_gaps([container], communes, crs)
    assert len(gaps) == 1
    assert 70 < gaps[0].area_km2 < 90  # 0.1° x 0.1° at 48°N is about 82 km²
    geometries, assigned = assign_gaps(communes, gaps)
    assert assigned[0].code_insee in {"22001", "22002", "22003", "22004"}
    repaired = communes.copy()
    repaired["geometry"] = geometries
    dissolved = dissolve_level(repaired, "departement")
    assert interior_holes(dissolved.geometry.iloc[0]) == []


def test_the_gap_goes_to_the_neighbour_with_the_longest_shared_border():
    geometries = _ring_with_hole()
    # Make the west commune wrap the hole on two sides: its border with the hole is longest.
    geometries["22001"] = shapely.union(box(-3.5, 48.0, -3.4, 48.3), box(-3.4, 48.2, -3.3, 48.3))
    del geometries["22002"]
    communes = _communes(geometries)
    container = shapely.union_all(communes.geometry.to_numpy())
    gaps = find_gaps([container], communes, communes["departement_code"].map(lambda _: "EPSG:2154"))
    _, assigned = assign_gaps(communes, gaps)
    assert [gap.code_insee for gap in assigned] == ["22001"]


def test_an_enclave_covered_by_another_commune_is_not_a_gap():
    outer = box(-3.5, 48.0, -3.2, 48.3).difference(box(-3.4, 48.1, -3.3, 48.2))
    communes = _communes({"22001": outer, "56001": box(-3.4, 48.1, -3.3, 48.2)})
    communes.loc[1, "departement_code"] = "56"
    dep_22 = dissolve_level(communes, "departement").set_index("code").geometry["22"]
    assert len(interior_holes(dep_22)) == 1  # a real enclave
    gaps = find_gaps([dep_22], communes, communes["departement_code"].map(lambda _: "EPSG:2154"))
    assert gaps == []


def test_former_outlines_complete_a_merged_commune():
    current = pd.Series({"22158": box(0, 0, 1, 1), "22001": None, "22002": box(5, 5, 6, 6)})
    former = pd.DataFrame(
        {
            "parent_code": ["22158", "22158", "22001", "22002"],
            "geometry": [box(0, 0, 1, 1), box(1, 0, 2, 1), box(3, 3, 4, 4), box(5, 5, 6, 6)],
        }
    )
    repaired, changed = merge_former_outlines(current, former)
    assert sorted(changed) == ["22001", "22158"]  # 22002 already covers its former commune
    assert repaired["22158"].area == 2
    assert repaired["22001"].equals(box(3, 3, 4, 4))


def test_repair_fills_the_hole_and_reports_it():
    communes = _communes({**_ring_with_hole(), "22005": None})
    former = pd.DataFrame({"parent_code": ["22005"], "geometry": [box(-3.2, 48.0, -3.1, 48.3)]})
    repaired, report = repair_communes(communes, former)
    assert report["sans_contour_source"] == ["22005"]
    assert report["completees_par_anciennes_communes"] == ["22005"]
    assert report["trous_combles"] == 1
    assert report["sans_contour"] == []
    assert shapely.coverage_is_valid(repaired.geometry.to_numpy())
    union = shapely.union_all(repaired.geometry.to_numpy())
    assert interior_holes(union) == []


def test_a_gap_goes_to_the_merged_commune_that_lost_the_outline():
    """The neighbour with a former commune lacking an outline wins over a longer border."""
    geometries = _ring_with_hole()
    geometries["22001"] = shapely.union(box(-3.5, 48.0, -3.4, 48.3), box(-3.4, 48.2, -3.3, 48.3))
    del geometries["22002"]
    communes = _communes(geometries)
    container = shapely.union_all(communes.geometry.to_numpy())
    gaps = find_gaps([container], communes, communes["departement_code"].map(lambda _: "EPSG:2154"))
    _, assigned = assign_gaps(communes, gaps, claimants={"22003"})
    assert [gap.code_insee for gap in assigned] == ["22003"]


def test_a_gap_open_onto_the_border_is_found_from_the_extent():
    """A missing former commune on the edge is no hole; the département's extent reveals it."""
    communes = _communes(
        {
            "22001": box(-3.5, 48.0, -3.4, 48.3),
            "22002": box(-3.4, 48.0, -3.3, 48.3),
            "22003": box(-3.3, 48.1, -3.2, 48.3),  # its former commune (south) has no outline
        }
    )
    former = pd.DataFrame({"parent_code": ["22003"], "geometry": [None]})
    extent = box(-3.5, 48.0, -3.2, 48.3)
    without, report_without = repair_communes(communes, former)
    assert report_without["trous_combles"] == 0  # open onto the outside: not a hole
    repaired, report = repair_communes(communes, former, [extent])
    assert report["zones_ouvertes_comblees"] == 1
    assert 70 < report["zones_ouvertes_comblees_km2"] < 90
    assert report["trous_rattaches_a_leur_commune_nouvelle"] == 1
    grown = repaired.set_index("code_insee").geometry["22003"]
    assert grown.area == pytest.approx(0.03)
