"""The initiatives are held once per process and data version, shared by every session."""

from __future__ import annotations

import pytest
from apptest_tools import run_app

from territoires.filters import Filters
from territoires.store import Actor

ADMIN = Actor("admin@exemple.fr", "admin")


@pytest.fixture
def demo_app(app_env):
    """The app run once (it loads the demo data into its new database)."""
    run_app("app_pages/initiatives.py")
    return app_env


def test_every_read_shares_one_initiatives_frame(demo_app):
    from territoires.ui.cache import get_index, get_initiatives

    first = get_initiatives()
    assert len(first) > 100
    # no copy per read (st.cache_data unpickled one at each hit: 27 MB at 50,000)
    assert get_initiatives() is first and get_index().frame is first


def test_filtered_initiatives_are_computed_once_per_filters(demo_app):
    from territoires.ui.cache import get_initiatives, get_reference, per_frame
    from territoires.ui.sidebar import filtered_initiatives

    initiatives, reference = get_initiatives(), get_reference()
    assert filtered_initiatives(initiatives, Filters(), reference) is initiatives  # no filter
    filters = Filters(themes=("prendre-soin",))
    chosen = filtered_initiatives(initiatives, filters, reference)
    assert 0 < len(chosen) < len(initiatives)
    assert filtered_initiatives(initiatives, filters, reference) is chosen  # another session
    calls = []
    for _ in range(2):
        per_frame(chosen, "test", lambda: calls.append(1))
    assert calls == [1]


def test_a_write_moves_every_session_to_the_new_data(demo_app):
    from territoires.ui.cache import get_initiatives, get_store

    first = get_initiatives()
    get_store().delete_demo(actor=ADMIN)  # any writer moves the data version
    assert get_initiatives().empty and len(first) > 0  # the frame shown before is left as it was


def test_after_an_edit_the_index_read_again_equals_a_whole_read(demo_app, monkeypatch):
    import pandas as pd

    from territoires.analysis.index import InitiativeIndex
    from territoires.ui.cache import get_index, get_reference, get_store

    store, reference = get_store(), get_reference()
    before = get_index()
    before.placement_rows()  # the placement computed: the next index takes it over
    frame = before.frame
    ident = int(frame["id"].iloc[5])
    record = store.get_initiative(ident)
    store.update_initiative(
        ident,
        {"titre": "Titre corrigé", "zone_intervention": [{"level": "departement", "code": "22"}]},
        expected_version=record["version"],
        actor=ADMIN,
    )
    gone = int(frame["id"].iloc[7])
    store.delete_initiative(gone, expected_version=int(frame["version"].iloc[7]), actor=ADMIN)
    reads = []
    real = type(store).read_initiatives
    monkeypatch.setattr(
        type(store), "read_initiatives", lambda *a, **k: reads.append(real(*a, **k)) or reads[-1]
    )
    after = get_index()
    assert [len(r.frame) for r in reads] == [1] and not reads[0].full  # the edited row only
    assert after is not before and before.frame is frame  # the index of before is left alone
    whole = InitiativeIndex(store.list_initiatives(), reference)
    pd.testing.assert_frame_equal(after.frame, whole.frame)
    assert gone not in set(after.ids) and "Titre corrigé" in set(after.frame["titre"])
    pd.testing.assert_frame_equal(after.placement, whole.placement)
    for name in ("themes", "funders", "types"):
        assert getattr(after, name).vocabulary == getattr(whole, name).vocabulary
        assert getattr(after, name).codes.tolist() == getattr(whole, name).codes.tolist()
