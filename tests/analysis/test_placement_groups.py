"""Initiatives grouped by placement: what is computed once per group (the territories touched,
an area's public) must equal what is computed initiative by initiative.

Random initiatives on the tiny reference: based in a commune (known or not), with an area
served (communes, EPCI, departements, a named territory, unknown codes), exact coordinates
or not, many of them placed alike."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territoires.analysis.aggregate import FRANCE, _pairs, _pairs_of, membership, touch
from territoires.analysis.coverage import accessibility, commune_points, initiative_points
from territoires.analysis.index import InitiativeIndex, PlacementRows
from territoires.analysis.placement import has_zone, placement_groups
from territoires.analysis.synthetic import initiatives_frame
from territoires.geo.reference import Scope

CODES = ["22001", "22002", "56003", "56004", "22005", "22006", "56007", "56012"]
PARTS = [
    {"level": "commune", "code": "22002"},
    {"level": "commune", "code": "56012"},
    {"level": "epci", "code": "200000001"},
    {"level": "epci", "code": "200000003"},
    {"level": "epci", "code": "299999999"},  # unknown: the initiative's commune instead
    {"level": "departement", "code": "56"},
    {"level": "territoire", "code": "tiny-ouest"},
]
# a few exact positions, so that some initiatives share one (lon, lat)
POSITIONS = [(-3.47, 48.04), (-3.33, 48.12), (-3.12, 48.27), (-3.41, 48.22)]
FIXTURE = [HealthCheck.function_scoped_fixture]


@st.composite
def initiatives(draw) -> pd.DataFrame:
    """A frame of 1 to 25 random initiatives."""
    records = []
    for _ in range(draw(st.integers(1, 25))):
        record = {
            "commune_code": draw(st.sampled_from([*CODES, "99999", None])),
            "zone_intervention": draw(st.lists(st.sampled_from(PARTS), max_size=2)),
            "montant": draw(st.sampled_from([None, 1000.0, 2500.0])),
        }
        position = draw(st.sampled_from([None, *POSITIONS]))
        if position is not None:
            record["longitude"], record["latitude"] = position
        records.append(record)
    return initiatives_frame(records)


def _placements(placement: PlacementRows, rows: np.ndarray) -> list[tuple]:
    """Each row's placement as a tuple of (commune position, weight)."""
    frame = pd.DataFrame({"row": placement.row, "pos": placement.pos, "poids": placement.poids})
    by_row = frame.groupby("row")[["pos", "poids"]]
    found = {row: tuple(map(tuple, part.to_numpy().tolist())) for row, part in by_row}
    return [found.get(row, ()) for row in rows.tolist()]


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURE)
@given(frame=initiatives(), shuffled=st.booleans())
def test_a_group_holds_the_initiatives_placed_alike(tiny_reference, frame, shuffled):
    placement = InitiativeIndex(frame, tiny_reference).placement
    given = placement.sample(frac=1, random_state=1) if shuffled else placement
    given_placement = PlacementRows.of(given)
    groups = placement_groups(given_placement, len(frame))
    each = _placements(given_placement, np.arange(len(frame)))
    first = _placements(groups.placement, np.arange(len(groups.first)))
    for row, group in enumerate(groups.group.tolist()):
        assert each[row] == first[group]
        assert groups.first[group] <= row
    assert len(set(each)) == len(groups.first)  # different placements, different groups


@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURE)
@given(frame=initiatives())
def test_pairs_per_group_equal_pairs_per_initiative(tiny_reference, frame):
    index = InitiativeIndex(frame, tiny_reference)
    for level, scope in [
        ("commune", FRANCE),
        ("epci", FRANCE),
        ("departement", FRANCE),
        ("territoire", FRANCE),
        ("commune", Scope("departement", "56")),
    ]:
        grouped = _pairs(index, level, scope)
        members = membership(tiny_reference, level, scope)
        direct = _pairs_of(touch(index, members), tiny_reference, level)
        for field in ("row", "terr", "weight", "population", "terr_pos"):
            assert np.array_equal(getattr(grouped, field), getattr(direct, field)), field
        assert grouped.codes.equals(direct.codes)


def expected_access(frame: pd.DataFrame, reference, radius_km: float) -> np.ndarray:
    """The definition, initiative by initiative: its public is its area served, else the
    communes of its zone within reach of its point, and its own commune."""
    points = commune_points(reference)
    population = reference.communes["population"].to_numpy(dtype=float)
    placement = InitiativeIndex(frame, reference).placement
    located = initiative_points(frame, points).set_index("initiative_id")
    areas = has_zone(frame["zone_intervention"].to_numpy(dtype=object))
    shares = np.zeros(len(points))
    for row, ident in enumerate(frame["id"].tolist()):
        placed = placement.loc[placement["row"] == row, "pos"]
        public = {int(p) for p in placed if p >= 0}
        if not areas[row] and ident in located.index:
            here = located.loc[ident]
            for pos, commune in enumerate(points.itertuples()):
                distance = math.hypot(commune.x - here["x"], commune.y - here["y"]) / 1000
                if commune.zone == here["zone"] and distance <= radius_km:
                    public.add(pos)
        total = sum(population[p] for p in public)
        for pos in public:
            shares[pos] += 1 / total if total > 0 else 0.0
    return shares


@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURE)
@given(frame=initiatives(), radius_km=st.sampled_from([5.0, 8.0, 12.5, 30.0]))
def test_accessibility_follows_its_definition(tiny_reference, frame, radius_km):
    found = accessibility(frame, tiny_reference, radius_km)
    assert found == pytest.approx(expected_access(frame, tiny_reference, radius_km), rel=1e-12)


@settings(max_examples=30, deadline=None, suppress_health_check=FIXTURE)
@given(frame=initiatives(), data=st.data())
def test_accessibility_of_a_filtered_index_equals_a_fresh_one(tiny_reference, frame, data):
    """A filtered index takes its groups from its root: the same figures as an index built
    from scratch on the same rows."""
    root = InitiativeIndex(frame, tiny_reference)
    kept = data.draw(st.lists(st.integers(0, len(frame) - 1), unique=True, min_size=1))
    subset = root.take(np.sort(np.array(kept)))
    fresh = subset.frame.copy()
    shares = accessibility(subset.frame, tiny_reference, 8.0, index=subset)
    assert shares == pytest.approx(accessibility(fresh, tiny_reference, 8.0), rel=1e-12)


@pytest.mark.parametrize("commune", ["99999", None])
def test_initiatives_that_cannot_be_located_reach_nobody(tiny_reference, commune):
    frame = initiatives_frame([{"commune_code": commune}, {"commune_code": commune}])
    shares = accessibility(frame, tiny_reference, 8.0)
    assert shares.dtype == float
    assert shares.tolist() == [0.0] * 12
