"""Smoke test of every page through the real entry point: no exception, a French title.

Runs on the built geodata cache and the demo dataset, in a temporary data folder.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from apptest_tools import run_app

from territoires.ui.navigation import PAGE_SPECS

ROOT = Path(__file__).resolve().parents[1]


PAGES = [(spec.script, spec.title) for spec in PAGE_SPECS]


def test_every_page_script_is_declared_in_the_navigation():
    scripts = {f"app_pages/{p.name}" for p in (ROOT / "app_pages").glob("*.py")}
    assert scripts == {path for path, _ in PAGES}


def _run_app(page: str | None = None, **params: str):
    """The app (through ``app.py``) run once on ``page`` with these query parameters, checked
    to raise nothing."""
    return run_app(page, **params)


@pytest.mark.realdata
@pytest.mark.parametrize(("script", "title"), PAGES, ids=[p for p, _ in PAGES])
def test_page_runs_without_exception(app_env, script, title):
    at = _run_app(script)
    titles = [t.value for t in at.title]
    assert titles, f"{script}: no title"
    # Each page's heading starts with its French navigation title (« Carte », « Importer »…).
    assert titles[0].startswith(title), (titles[0], title)
    # The page ran through app.py: first start loaded the fictional demo data and says so.
    assert any("Données de démonstration fictives" in w.value for w in at.warning)


def _selectbox_calls_without_placeholder(source: str, name: str) -> list[str]:
    """``file:line`` of each ``….selectbox(...)`` call in ``source`` with no ``placeholder``."""
    import ast

    return [
        f"{name}:{node.lineno}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "selectbox"
        and not any(k.arg == "placeholder" for k in node.keywords)
    ]


def test_selectbox_check_finds_a_list_left_with_streamlit_s_placeholder():
    source = (
        'x = st.selectbox("Niveau", [1, 2])\ny = c.selectbox("A", [1], placeholder="Choisissez…")'
    )
    assert _selectbox_calls_without_placeholder(source, "page.py") == ["page.py:1"]


def test_every_list_has_a_french_placeholder():
    """A list emptied to search in it shows its placeholder: without one, Streamlit writes
    « Choose an option », in English. Every ``selectbox`` of the app sets its own, including the
    import's column mapping, which only shows with a file."""
    files = [*(ROOT / "territoires").rglob("*.py"), *(ROOT / "app_pages").glob("*.py")]
    missing = [
        found
        for path in files
        for found in _selectbox_calls_without_placeholder(
            path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))
        )
    ]
    assert not missing, missing


@pytest.mark.realdata
def test_presentation_mode_hides_navigation_and_still_renders(app_env):
    _run_app(presentation="1")


@pytest.mark.realdata
def test_map_page_draws_the_map_first_then_its_controls(app_env):
    """Without a report from the map (AppTest runs no browser), the filters wait, and the
    « Afficher les filtres » button brings them and the map options and menus."""
    at = _run_app()
    assert not [m for m in at.sidebar.multiselect if m.label == "Thèmes"]
    assert not [s for s in at.selectbox if s.label == "Indicateur"]
    assert any("initiatives sur" in m.value for m in at.sidebar.markdown)
    show = next(b for b in at.sidebar.button if b.label == "Afficher les filtres")
    show.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [m for m in at.sidebar.multiselect if m.label == "Thèmes"]
    assert [s for s in at.selectbox if s.label == "Indicateur"]
    # each list, emptied to search in it, shows a French placeholder (not « Choose an option »)
    assert {s.label: s.proto.placeholder for s in at.selectbox} == {
        "Périmètre": "Choisissez…",
        "Niveau": "Choisissez…",
        "Indicateur": "Choisissez…",
        "Classes": "Choisissez…",
        "Nombre": "Choisissez…",
        "Fond de carte": "Choisissez…",
    }
    assert [e for e in at.expander if e.label == "Exporter"]
    # the map's layers are switched by name, and the shared link keeps the choice
    rural = next(t for t in at.toggle if t.label == "Zones rurales")
    assert "ruralité : approximation (densité 2023 et unités urbaines INSEE)" in rural.help
    assert next(t for t in at.toggle if t.label == "Initiatives (points)").value
    rural.set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["zones_rurales"] == "1"
    # presentation mode is one click away, at the top of the sidebar
    present = next(b for b in at.sidebar.button if b.label == "Passer en mode présentation")
    present.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["presentation"] == "1"


@pytest.mark.realdata
@pytest.mark.parametrize(
    "script", [None, "app_pages/couverture.py", "app_pages/fiche.py", "app_pages/initiatives.py"]
)
def test_a_link_to_an_unknown_territory_opens_on_france_and_says_so(app_env, script):
    """A shared link can name a territory the reference no longer holds (an EPCI merged since,
    a named territory removed, a typo): every page with filters opens on France and says why."""
    at = _run_app(script, perimetre="epci:999999999", etapes="region:99,region:53")
    if script is None:  # « Carte »: the filters come with the map's report
        next(b for b in at.sidebar.button if b.label == "Afficher les filtres").click().run()
        assert not at.exception, [e.value for e in at.exception]
    warnings = [w.value for w in at.sidebar.warning]
    assert any("« 999999999 »" in w and "inconnu" in w for w in warnings), warnings
    assert at.sidebar.selectbox(key="flt_scope_level").value == "france"
    assert "perimetre" not in at.query_params  # the link now says what the page shows


def _shown(markdown: str) -> str:
    """A Markdown text as it reads, backslash escapes removed (``markdown_literal``)."""
    return re.sub(r"\\(.)", r"\1", markdown)


@pytest.mark.realdata
def test_the_map_page_says_which_initiatives_it_counts(app_env):
    """The filters, in one line under the title: in the page's caption (Markdown, user text
    shown as typed) and in presentation mode (HTML, user text escaped)."""
    at = _run_app(themes="prendre-soin", q="[x](http://e)")
    caption = at.caption[0].value
    assert "recherche « \\[x\\]\\(http\\://e\\) »" in caption  # no link
    assert _shown(caption).startswith(
        "Périmètre : France. Initiatives retenues : thème Prendre soin · recherche « [x](http"
    )
    at = _run_app(presentation="1", themes="prendre-soin", q="<b>")
    lines = [h.proto.body for h in at.get("html") if '<div class="te-filtres"' in h.proto.body]
    assert len(lines) == 1 and "thème Prendre soin · recherche « &lt;b&gt; »" in lines[0], lines
    assert not [
        h
        for h in _run_app(presentation="1").get("html")
        if '<div class="te-filtres"' in h.proto.body
    ]


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("script", "params"),
    [
        ("app_pages/couverture.py", {}),
        ("app_pages/fiche.py", {"niveau": "departement", "code": "22"}),
    ],
)
def test_analysis_pages_say_which_initiatives_they_count(app_env, script, params):
    at = _run_app(script, themes="prendre-soin", annee_min="2022", **params)
    captions = [_shown(c.value) for c in at.caption]
    line = "Initiatives retenues : thème Prendre soin · années à partir de 2022"
    assert any(line in c for c in captions), captions
    at = _run_app(script, **params)
    assert not [c.value for c in at.caption if "Initiatives retenues" in c.value]


@pytest.mark.realdata
def test_a_link_to_a_commune_scope_says_where_to_look_at_it(app_env):
    """A commune is no scope of the filters (the sidebar offers none): the page opens on
    France and says so, instead of drawing the commune, then France on the next run."""
    at = _run_app("app_pages/initiatives.py", perimetre="commune:29019")
    warnings = [_shown(w.value) for w in at.sidebar.warning]
    assert any("(Brest)" in w and "Fiche territoire" in w for w in warnings), warnings
    assert at.sidebar.selectbox(key="flt_scope_level").value == "france"
    assert "perimetre" not in at.query_params


@pytest.mark.realdata
def test_a_damaged_map_setting_in_a_link_is_reported(app_env):
    at = _run_app(niveau="planete", indicateur="montant")
    next(b for b in at.sidebar.button if b.label == "Afficher les filtres").click().run()
    assert not at.exception, [e.value for e in at.exception]
    warnings = [_shown(w.value) for w in at.sidebar.warning]
    assert any("« niveau » : « planete »" in w for w in warnings), warnings
    assert at.selectbox(key="map_level").value == "auto"  # the default level
    assert at.selectbox(key="map_metric").value == "montant"  # the rest of the link holds


@pytest.mark.realdata
def test_a_minimum_amount_above_the_maximum_is_pointed_out(app_env):
    at = _run_app("app_pages/initiatives.py")
    assert not [w for w in at.sidebar.warning if "montant minimum" in w.value]
    at.sidebar.number_input(key="flt_amount_min").set_value(50000.0).run()
    at.sidebar.number_input(key="flt_amount_max").set_value(1000.0).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(
        "montant minimum (50\u202f000\u00a0€) dépasse le maximum (1\u202f000\u00a0€)" in w.value
        for w in at.sidebar.warning
    ), [w.value for w in at.sidebar.warning]
    at.sidebar.number_input(key="flt_amount_max").set_value(90000.0).run()
    assert not [w for w in at.sidebar.warning if "montant minimum" in w.value]


@pytest.mark.realdata
@pytest.mark.parametrize(
    "script", ["app_pages/couverture.py", "app_pages/fiche.py", "app_pages/initiatives.py"]
)
def test_rural_filter_is_offered_on_every_page_with_filters(app_env, script):
    """« Communes rurales uniquement » can be changed wherever the filters are shown, and the
    page's link keeps it."""
    at = _run_app(script)
    rural = next(
        c for c in at.sidebar.checkbox if c.label == "Communes rurales uniquement (approximation)"
    )
    assert not rural.disabled
    rural.check().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.checkbox(key="flt_rural_only").value
    assert at.query_params.get("rural") in (["1"], "1")  # the shared link keeps it


@pytest.mark.realdata
def test_filters_follow_the_user_from_page_to_page(app_env):
    """Filters set on one page hold on the next ones (Streamlit keeps widget values within a
    page only: the sidebar loads them again from the session's filters)."""

    def count(at) -> str:
        return next(m.value for m in at.sidebar.markdown if " sur " in m.value)

    at = _run_app(perimetre="territoire:centre-bretagne")
    next(b for b in at.sidebar.button if b.label == "Afficher les filtres").click().run()
    on_map = count(at)
    assert not on_map.startswith("**480 ")  # the scope narrows the demo's 480 initiatives
    for script in ("app_pages/couverture.py", "app_pages/initiatives.py", "app_pages/fiche.py"):
        at.switch_page(script).run()
        assert not at.exception, [e.value for e in at.exception]
        assert count(at) == on_map, script
    at.sidebar.checkbox(key="flt_rural_only").check().run()  # a change on this page holds
    changed = at.sidebar.checkbox(key="flt_rural_only").value
    at.switch_page("app_pages/carte.py").run()
    assert at.session_state["territoires_filters"].rural_only == changed is True


@pytest.mark.realdata
def test_map_page_says_when_no_initiative_matches(app_env):
    from territoires import texts

    at = _run_app(q="aucun titre ne contient ceci")
    assert [i for i in at.info if i.value == texts.NO_MATCH]
    unfiltered = _run_app()
    assert not [i for i in unfiltered.info if i.value == texts.NO_MATCH]


@pytest.mark.realdata
def test_importer_offers_the_blank_templates(app_env):
    """Before any file is chosen, the page offers the template to fill in."""
    at = _run_app("app_pages/importer.py")
    labels = [button.proto.label for button in at.get("download_button")]
    assert labels == ["Modèle Excel (XLSX)", "Modèle CSV"], labels


@pytest.mark.realdata
def test_each_page_freezes_long_lived_objects_after_its_first_run(app_env, monkeypatch):
    """app.py settles memory once the page has run, even when the page stops early
    (« Carte » calls st.stop() on its first run)."""
    import gc

    from territoires.ui import memory

    monkeypatch.setattr(memory, "_settled", set())
    try:
        _run_app()
        assert memory._settled == {""}  # « Carte », the default page
        assert gc.get_freeze_count() > 0
        _run_app("app_pages/fiche.py")
        assert memory._settled == {"", "fiche"}
    finally:
        gc.unfreeze()
