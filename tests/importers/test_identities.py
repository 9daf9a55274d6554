"""Probable duplicates are found through an index grouped by commune and year (issue 21): it
finds exactly what a dictionary keyed by the whole identity finds, in the same order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from territoires.importers.against_store import IdentityIndex, identity_key

_records = st.fixed_dictionaries(
    {
        "titre": st.sampled_from(["Jardin", "jardin ", "JARDIN !", "Café", "Cafe", None]),
        "porteur": st.sampled_from(["Asso", "asso.", "Autre", None]),
        "commune_code": st.sampled_from(["22001", "56004", None]),
        "annee": st.sampled_from([2023, 2024, 2024.0, None, float("nan")]),
    }
)


@settings(max_examples=200, deadline=None)
@given(stored=st.lists(_records, max_size=12), wanted=st.lists(_records, max_size=6))
def test_index_finds_what_a_dictionary_of_identities_finds(stored, wanted) -> None:
    index = IdentityIndex()
    naive: dict[tuple, list[int]] = {}
    for position, record in enumerate(stored):
        index.add(record, position)
        naive.setdefault(identity_key(record), []).append(position)
    for record in wanted:
        found = index.find(record)
        assert found == naive.get(identity_key(record), [])
        assert set(found) <= set(index.near(record))  # what the store check skips by


def test_same_words_under_other_spelling_are_found() -> None:
    index = IdentityIndex()
    index.add({"titre": "Café des aidants", "porteur": "Asso", "commune_code": "22001"}, "A1")
    same = {"titre": "CAFE DES AIDANTS !", "porteur": "asso", "commune_code": "22001"}
    assert index.find(same) == ["A1"]
    assert index.find({**same, "annee": 2024}) == []
    assert index.find({**same, "commune_code": "22002"}) == []
