"""The initiatives' index: label codes, subsets taken from its arrays, the live-index registry.

Each figure computed through a shared index (or a subset taken from it) must equal the figure
computed from the same rows indexed afresh: the app's read path and a plain call agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territoires.analysis.aggregate import aggregate, breakdowns, key_figures
from territoires.analysis.index import InitiativeIndex, Labels, known_index, take_entries
from territoires.analysis.synthetic import initiatives_frame
from territoires.filters import Filters, apply_filters, filtered_index
from territoires.geo.reference import Scope


@pytest.fixture
def sample() -> pd.DataFrame:
    return initiatives_frame(
        [
            {"commune_code": "22001", "montant": 1000.0, "themes": ["prendre-soin"],
             "financeurs": ["Région", "État"], "annee": 2021},
            {"commune_code": "22009", "montant": 4000.0,
             "zone_intervention": [{"level": "epci", "code": "200000001"}],
             "themes": ["cultures-savoirs", "prendre-soin"], "financeurs": ["Région"],
             "annee": 2023},
            {"commune_code": "56003", "themes": ["espaces-cooperation"], "annee": 2022,
             "zone_intervention": [{"level": "commune", "code": "56003"},
                                   {"level": "commune", "code": "22002"}]},
            {"commune_code": "56012", "montant": 2500.0, "themes": [], "financeurs": ["État"]},
        ]
    )  # fmt: skip


def test_labels_select_rows_holding_any_or_all_of_the_chosen_labels():
    labels = Labels.from_values([["a", "b", "a"], ["b"], None, "c", []])
    assert labels.counts().tolist() == [2, 1, 0, 1, 0]  # a repeated label counts once
    assert labels.any_of(["a", "c"]).tolist() == [True, False, False, True, False]
    assert labels.all_of(["a", "b"]).tolist() == [True, False, False, False, False]
    assert not labels.all_of(["a", "inconnu"]).any()
    assert labels.take(np.array([3, 0])).any_of(["c"]).tolist() == [True, False]


def test_a_subset_gives_the_figures_of_its_rows_indexed_afresh(tiny_reference, sample):
    index = InitiativeIndex(sample, tiny_reference)
    aggregate(index.frame, tiny_reference, "epci", index=index)  # pairs computed on the root
    for rows in ([2, 0], [1, 3], [0, 1, 2, 3]):
        subset = index.take(np.array(rows))
        fresh = subset.frame.copy()  # another frame: indexed again
        assert known_index(fresh, tiny_reference) is None
        for level in ("commune", "epci", "departement"):
            shared = aggregate(subset.frame, tiny_reference, level, index=subset)
            alone = aggregate(fresh, tiny_reference, level)
            pd.testing.assert_frame_equal(shared, alone)
        assert key_figures(subset.frame, tiny_reference, index=subset) == key_figures(
            fresh, tiny_reference
        )
        for name, table in breakdowns(subset.frame, index=subset).items():
            pd.testing.assert_frame_equal(table, breakdowns(fresh)[name])


@given(
    rows=st.lists(st.integers(0, 7), max_size=30),
    grouped=st.booleans(),
    chosen=st.permutations(range(8)).flatmap(
        lambda order: st.integers(0, 8).map(lambda n: order[:n])
    ),
)
def test_entries_taken_are_each_chosen_row_s_entries_in_the_chosen_order(rows, grouped, chosen):
    row = np.array(sorted(rows) if grouped else rows, dtype=np.int32)
    positions = np.array(chosen, dtype=np.int64)
    expected = [(i, k) for i, p in enumerate(chosen) for k in range(len(row)) if row[k] == p]
    memo: dict = {}
    for _ in range(2):  # the second time from the offsets kept in memo
        renumbered, keep = take_entries(row, positions, 8, memo)
        assert list(zip(renumbered.tolist(), keep.tolist(), strict=True)) == expected


def test_a_subset_placement_taken_from_its_parent_equals_its_own(tiny_reference, sample):
    from territoires.analysis.placement import served_communes

    index = InitiativeIndex(sample, tiny_reference)
    index.placement_rows()  # computed on the root: subsets take theirs from it
    for rows, then in (([2, 0, 1], [2, 0]), ([1, 3], [1]), ([3, 2, 1, 0], [0, 3, 1])):
        subset = index.take(np.array(rows))
        inner = subset.take(np.array(then))  # a subset of a subset: from the root's frame
        for taken in (subset, inner):
            alone = served_communes(taken.frame.reset_index(drop=True), tiny_reference)
            pd.testing.assert_frame_equal(taken.placement, alone, check_dtype=False)
            arrays = taken.placement_rows()
            assert arrays.row.tolist() == alone["row"].tolist()
            assert arrays.pos.tolist() == alone["pos"].tolist()
            assert arrays.poids.tolist() == alone["poids"].tolist()


def test_filters_through_the_index_match_the_filtered_rows(tiny_reference, sample):
    index = InitiativeIndex(sample, tiny_reference)
    cases = [
        Filters(themes=("prendre-soin",)),
        Filters(themes=("prendre-soin", "cultures-savoirs"), themes_logic="all"),
        Filters(funders=("Région", "État"), funders_logic="and"),
        Filters(cofunded_only=True),
        Filters(year_min=2022),
        Filters(amount_max=3000),
        Filters(scope=Scope("epci", "200000001")),
    ]
    expected = [[0, 1], [1], [0], [0], [1, 2], [0, 3], [0, 1, 2]]
    for filters, rows in zip(cases, expected, strict=True):
        chosen = filtered_index(index, filters)
        assert chosen.frame.index.tolist() == rows, filters
        assert known_index(chosen.frame, tiny_reference) is chosen  # found again by its frame
        plain = apply_filters(sample.copy(), filters, tiny_reference)
        assert plain.index.tolist() == rows
    assert filtered_index(index, Filters()) is index  # nothing filtered: no copy


# --- an index spliced after a change equals the index built afresh ---------------------------

_PARTS = [
    {"level": "epci", "code": "200000001"},
    {"level": "commune", "code": "56003"},
    {"level": "commune", "code": "22002"},
    {"level": "departement", "code": "22"},
    {"level": "epci", "code": "inconnu"},
]
_ROW = st.fixed_dictionaries(
    {
        "commune_code": st.sampled_from(["22001", "22009", "56003", "56012", "99999", ""]),
        "themes": st.lists(st.sampled_from(["prendre-soin", "cultures-savoirs", "autre"])),
        "financeurs": st.lists(st.sampled_from(["Région", "État", "Fondation"]), max_size=3),
        "type": st.sampled_from(["projet associatif", "fondation territoriale"]),
        "zone_intervention": st.one_of(st.just([]), st.lists(st.sampled_from(_PARTS), max_size=3)),
        "annee": st.one_of(st.none(), st.integers(2018, 2025)),
        "montant": st.one_of(st.none(), st.floats(0, 1e6)),
        "titre": st.text(max_size=5),
    }
)


@given(
    before=st.lists(_ROW, max_size=10),
    after=st.lists(st.tuples(st.sampled_from(["keep", "drop", "change"]), _ROW), max_size=10),
    added=st.lists(_ROW, max_size=4),
    computed=st.sampled_from(["none", "placement", "frame", "search"]),
)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_an_index_spliced_with_changed_rows_equals_the_index_built_afresh(
    tiny_reference, before, after, added, computed
):
    from territoires.analysis.placement import served_communes

    ids = list(range(3, 3 * len(before) + 3, 3))  # gaps: new rows may fall between
    old = initiatives_frame([{**row, "id": i} for i, row in zip(ids, before, strict=True)])
    previous = InitiativeIndex(old, tiny_reference)
    if computed == "placement":
        previous.placement_rows()
    elif computed == "frame":
        previous.placement  # noqa: B018 - the placement frame computed first
    elif computed == "search":
        previous.placement_rows()
        previous.search_texts()
    fates = [(i, fate, row) for i, (fate, row) in zip(ids, after, strict=False)]
    fates += [(i, "keep", None) for i in ids[len(after) :]]
    kept = [i for i, fate, _ in fates if fate == "keep"]
    fresh_rows = [{**row, "id": i} for i, fate, row in fates if fate == "change"]
    free = [i for i in range(1, 3 * len(before) + 8) if i not in ids]
    fresh_rows += [{**row, "id": i} for i, row in zip(free, added, strict=False)]
    fresh_rows.sort(key=lambda r: r["id"])
    fresh = initiatives_frame(fresh_rows) if fresh_rows else old.iloc[:0]
    kept_rows = old.loc[old["id"].isin(kept)]
    whole = pd.concat([kept_rows, fresh]).sort_values("id").reset_index(drop=True)

    spliced = previous.spliced(fresh, kept)
    afresh = InitiativeIndex(whole, tiny_reference)
    pd.testing.assert_frame_equal(spliced.frame, afresh.frame)
    assert spliced.ids.tolist() == afresh.ids.tolist()
    for name in ("themes", "funders", "types"):
        mine, theirs = getattr(spliced, name), getattr(afresh, name)
        assert mine.vocabulary == theirs.vocabulary, name
        for part in ("offsets", "codes", "rows"):
            assert getattr(mine, part).tolist() == getattr(theirs, part).tolist(), (name, part)
    np.testing.assert_array_equal(spliced.years, afresh.years)
    np.testing.assert_array_equal(spliced.amounts, afresh.amounts)
    expected = served_communes(whole, tiny_reference)
    pd.testing.assert_frame_equal(spliced.placement, expected)
    rows = spliced.placement_rows()
    assert rows.row.tolist() == expected["row"].tolist()
    assert rows.pos.tolist() == expected["pos"].tolist()
    assert rows.poids.tolist() == expected["poids"].tolist()
    assert spliced.search_texts() == afresh.search_texts()
    # and the figures a page shows from it
    assert key_figures(spliced.frame, tiny_reference, index=spliced) == key_figures(
        whole.copy(), tiny_reference
    )


def test_a_splice_refuses_kept_ids_the_index_does_not_hold(tiny_reference, sample):
    index = InitiativeIndex(sample, tiny_reference)
    with pytest.raises(ValueError, match="missing"):
        index.spliced(sample.iloc[:0], [1, 99])
    with pytest.raises(ValueError, match="repeat"):
        index.spliced(sample.iloc[[0]], [1, 2])


def test_a_splice_of_an_index_given_an_ungrouped_placement_computes_its_own(tiny_reference, sample):
    from territoires.analysis.placement import served_communes

    shuffled = served_communes(sample, tiny_reference).iloc[::-1].reset_index(drop=True)
    index = InitiativeIndex(sample, tiny_reference, placement=shuffled)
    spliced = index.spliced(sample.iloc[[1]].reset_index(drop=True), [1, 3, 4])
    pd.testing.assert_frame_equal(spliced.placement, served_communes(sample, tiny_reference))
