"""Outline repair: former communes' outlines, gaps given to their merged commune or neighbour."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from territoires.geo.levels import dissolve_level
from territoires.geo.repair import (
    RULE_BORDER,
    RULE_MERGE,
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
    _, assigned = assign_gaps(communes, gaps, missing={"22003": 1})
    assert [gap.code_insee for gap in assigned] == ["22003"]
    assert assigned[0].rule == RULE_MERGE


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


# --- the table of merged communes before any geometric rule (issue 23) ------------------------


def _merges(*pairs: tuple[str, str], last: str = "2024") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code_ancien": [former for former, _ in pairs],
            "code_insee": [absorbing for _, absorbing in pairs],
            "nom_ancien": "",
            "dernier_cog": last,
        }
    )


NO_FORMER = pd.DataFrame({"code": [], "parent_code": [], "geometry": []})


def test_a_merged_former_commune_goes_to_its_absorbing_commune_not_the_longest_border():
    """Véronne's case: a neighbour with a longer border must not take a merged commune."""
    geometries = _ring_with_hole()
    geometries["22001"] = shapely.union(box(-3.5, 48.0, -3.4, 48.3), box(-3.4, 48.2, -3.3, 48.3))
    del geometries["22002"]  # 22001 now borders the hole on two sides: the longest border
    communes = _communes(geometries)
    repaired, report = repair_communes(communes, NO_FORMER, merges=_merges(("22099", "22004")))
    assert report["communes_agrandies"] == ["22004"]
    assert report["trous_rattaches_a_leur_commune_nouvelle"] == 1
    assert report["fusions_mal_rattachees"] == 0
    assert report["regle_geometrique"] == []
    grown = repaired.set_index("code_insee").geometry
    assert grown["22004"].area == pytest.approx(0.02)


def test_an_old_merger_already_drawn_does_not_claim_a_gap():
    """A merger older than the outlines (drawn in them) gives no claim: the border decides."""
    geometries = _ring_with_hole()
    geometries["22001"] = shapely.union(box(-3.5, 48.0, -3.4, 48.3), box(-3.4, 48.2, -3.3, 48.3))
    del geometries["22002"]
    communes = _communes(geometries)
    merges = _merges(("22099", "22004"), last="")
    _, report = repair_communes(communes, NO_FORMER, merges=merges)
    assert report["communes_agrandies"] == ["22001"]
    [left] = report["regle_geometrique"]
    assert left["commune"] == "22001" and left["regle"] == RULE_BORDER
    assert 70 < left["superficie_km2"] < 90


def test_a_gap_between_two_absorbing_communes_goes_to_the_one_still_missing_land():
    """La Côte-en-Couzan's case: two absorbing neighbours, one already given its gap.

    Gap 1 (south) borders one absorbing commune, 42217; gap 2 (north) borders 42217 (longest
    border) and 42084. Each absorbed one former commune: gap 2 goes to 42084.
    """
    communes = _communes(
        {
            "42217": box(0.0, 45.0, 0.1, 45.3),  # west, absorbed 42072
            "42084": box(0.2, 45.2, 0.3, 45.3),  # north-east, absorbed 42109
            "42001": box(0.2, 45.0, 0.3, 45.2),  # south-east
            "42002": box(0.1, 45.0, 0.2, 45.05),  # bottom middle
            "42003": box(0.1, 45.1, 0.2, 45.15),  # between the gaps
            "42004": box(0.0, 45.3, 0.3, 45.35),  # top
        },
        dep="42",
    )
    merges = _merges(("42072", "42217"), ("42109", "42084"))
    repaired, report = repair_communes(communes, NO_FORMER, merges=merges)
    assert report["trous_combles"] == 2
    assert report["fusions_mal_rattachees"] == 0
    assert report["regle_geometrique"] == []
    grown = repaired.set_index("code_insee").geometry
    assert grown["42084"].contains(shapely.Point(0.15, 45.25))  # gap 2
    assert grown["42217"].contains(shapely.Point(0.15, 45.07))  # gap 1


def test_a_foreign_enclave_is_never_filled_and_small_slivers_are():
    """Llívia's case: a hole no canton covers stays a hole; a tiny one is filled and listed."""
    outer = box(1.8, 42.3, 2.2, 42.6)
    llivia = box(1.9, 42.45, 1.95, 42.5)  # about 23 km²
    sliver = box(1.85, 42.35, 1.851, 42.351)  # about 0.01 km²
    communes = _communes(
        {
            "66072": box(1.8, 42.3, 2.0, 42.6).difference(llivia).difference(sliver),
            "66005": box(2.0, 42.3, 2.2, 42.6),
        },
        dep="66",
    )
    extent = outer.difference(llivia).difference(sliver)  # the cantons leave both out
    repaired, report = repair_communes(communes, NO_FORMER, [extent])
    [enclave] = report["enclaves_etrangeres"]
    assert enclave["superficie_km2"] > 20
    assert report["trous_combles"] == 1  # the sliver only
    assert report["regle_geometrique"][0]["regle"] == RULE_BORDER
    assert report["regle_geometrique"][0]["superficie_km2"] < 0.1
    union = shapely.union_all(repaired.geometry.to_numpy())
    assert len(interior_holes(union)) == 1  # Llívia is still a hole
    assert not union.contains(shapely.Point(1.925, 42.475))
