"""« Initiatives »: the detail shown is the initiative selected, found by its id."""

from __future__ import annotations

import html

import pytest
from apptest_tools import assert_no_exception, run_app

from territoires.store import Actor

ACTOR = Actor("test@exemple.fr", "editeur")

pytestmark = pytest.mark.realdata
PAGE = "app_pages/initiatives.py"


def _select(at, row: int):
    table = at.dataframe[0]
    at.session_state[table.key] = {"selection": {"rows": [row], "columns": []}}
    at.run()
    assert_no_exception(at)
    return at


def test_a_search_that_narrows_the_list_after_a_selection_shows_no_traceback(app_env):
    """Reported: 6th row clicked, then a search typed in Recherche that leaves fewer rows
    (« zebre » in the reporter's data, « Lormes » in the demo): IndexError."""
    at = _select(run_app(PAGE), 5)
    assert [s for s in at.subheader if s.value == "Détail de l'initiative"]
    at.sidebar.text_input(key="flt_search").set_value("Lormes").run()
    assert_no_exception(at)
    assert 0 < len(at.dataframe[0].value) < 6
    assert not [s for s in at.subheader if s.value == "Détail de l'initiative"]


def test_the_detail_is_that_of_the_row_clicked(app_env):
    at = _select(run_app(PAGE), 5)
    title = at.dataframe[0].value.iloc[5]["Titre"]
    detail = next(h.proto.body for h in at.get("html") if 'class="te-details"' in h.proto.body)
    assert html.escape(title) in detail


def test_another_user_s_import_that_changes_the_rows_shows_no_traceback(app_env):
    """Another user's first import replaces the 480 demo initiatives by the 2 of their file:
    the 6th row selected here is gone, and so is its detail."""
    import streamlit as st

    from territoires.geo.cache import load_reference
    from territoires.importers.pipeline import import_file
    from territoires.store import open_store

    at = _select(run_app(PAGE), 5)
    data = (
        "titre;porteur;code_insee;montant;annee\n"
        "Jardin partagé;Association A;29019;1000;2024\n"
        "Atelier vélo;Association B;22278;2000;2023\n"
    ).encode()
    store = open_store()
    try:
        report = import_file(data, store, load_reference(), name="autre.csv", actor=ACTOR)
    finally:
        store.close()
    assert report.nouvelles == 2 and report.fictives_supprimees == 480
    st.cache_data.clear()  # what the other user's page does after an import
    at.run()
    assert_no_exception(at)
    assert len(at.dataframe[0].value) == 2
    assert not [s for s in at.subheader if s.value == "Détail de l'initiative"]


def test_couverture_ranking_selection_survives_a_narrower_scope(app_env):
    at = run_app("app_pages/couverture.py")
    table = at.dataframe[0]
    assert len(table.value) > 20
    at.session_state[table.key] = {"selection": {"rows": [20], "columns": []}}
    at.run()
    assert_no_exception(at)
    assert [i for i in at.info if "score" in i.value]
    at.sidebar.selectbox(key="flt_scope_level").set_value("territoire").run()
    assert_no_exception(at)
