"""« Couverture » and « Fiche territoire » driven through AppTest with the demo data: every
view, level and the comparison run without exception (the generic page smoke test only opens
them once, without parameters)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from territoires.store import Actor

ACTOR = Actor("test@exemple.fr", "editeur")

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.realdata


@pytest.fixture
def demo_env(tmp_path, monkeypatch, geodata_ready):
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
    monkeypatch.setenv("TERRITOIRES_DEMO", "1")
    monkeypatch.chdir(ROOT)
    from territoires.demo import ensure_demo
    from territoires.geo.cache import load_reference
    from territoires.store import open_store

    store = open_store()
    try:
        loaded = ensure_demo(store, load_reference(), actor=ACTOR)
    finally:
        store.close()
    assert loaded > 0
    return tmp_path


def _app(page: str, **params: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _figures_table(at) -> str:
    """The fiche's « Chiffres clés » table (HTML)."""
    return next(h.proto.body for h in at.get("html") if 'class="te-figures"' in h.proto.body)


def test_couverture_every_view_and_level(demo_env):
    at = _app("app_pages/couverture.py", perimetre="region:53")
    assert at.title[0].value == "Couverture et zones peu couvertes"
    assert int(at.metric[0].value) > 0  # ranked territories
    for view in ("Couverture par territoire", "Où agir ensuite ?", "Zones peu couvertes"):
        at.segmented_control(key="cov_view").set_value(view).run()
        assert not at.exception, (view, [e.value for e in at.exception])
        if view != "Où agir ensuite ?":  # the rural share says it is an approximation
            columns = list(at.dataframe[0].value.columns)
            assert "Part rurale (approximation)" in columns, (view, columns)
            assert "Part rurale" not in columns, (view, columns)
    for level in ("commune", "territoire", "departement"):
        at.selectbox(key="cov_level").set_value(level).run()
        assert not at.exception, (level, [e.value for e in at.exception])


def test_fiche_with_reference_and_comparison(demo_env):
    at = _app("app_pages/fiche.py", niveau="territoire", code="centre-bretagne")
    assert at.title[0].value.startswith("Fiche territoire : Centre Bretagne")
    figures = _figures_table(at)
    initiatives = re.search(r"<th>Initiatives</th><td>(\d+)</td>", figures)
    assert initiatives and int(initiatives.group(1)) > 0, figures
    at.toggle(key="fiche_compare").set_value(True).run()
    at.selectbox(key="fiche_cmp_niveau").set_value("departement").run()
    at.selectbox(key="fiche_cmp_code_departement").set_value("29").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "<th>Finistère (Département 29)</th>" in _figures_table(at)


def test_fiche_unknown_code_warns(demo_env):
    at = _app("app_pages/fiche.py", niveau="epci", code="000000000")
    assert at.title[0].value == "Fiche territoire"
    assert any("Code inconnu" in w.value for w in at.warning)


def test_france_ranking_offers_to_rank_the_mainland_only(demo_env):
    at = _app("app_pages/couverture.py")
    at.selectbox(key="cov_level").set_value("epci").run()
    assert any("France métropolitaine" in info.value for info in at.info)
    button = next(b for b in at.button if b.label == "Classer la France métropolitaine")
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Périmètre : France métropolitaine" in c.value for c in at.caption)
    assert not any("France métropolitaine" in info.value for info in at.info)


def test_where_to_act_next_says_so_when_everyone_is_reached(demo_env):
    at = _app("app_pages/couverture.py", perimetre="territoire:centre-bretagne-elargi")
    at.segmented_control(key="cov_view").set_value("Où agir ensuite ?").run()
    assert not at.exception, [e.value for e in at.exception]
    # the demo places initiatives all over Centre-Bretagne: everyone is within 15 km
    assert any("rien à proposer" in s.value for s in at.success)
    assert not any("Part couverte" in m.label for m in at.metric)


@pytest.mark.parametrize(
    ("scope", "level"),
    [("territoire:france-metropolitaine", "epci"), ("territoire:centre-bretagne", "commune")],
)
def test_ranking_level_suits_the_scope(demo_env, scope, level):
    """Over a grouping of régions, territories are ranked by EPCI (31,000 communes would be a
    list nobody reads and a heavy map); within a territory such as the Centre-Bretagne, by
    commune."""
    at = _app("app_pages/couverture.py", perimetre=scope)
    assert at.selectbox(key="cov_level").value == level


def test_an_imported_indicator_becomes_a_need_component(demo_env):
    """Upload an INSEE-like table on the « Couverture » page: it is stored, offered among the
    need weights with its vintage, shown in the ranking and cited by the reasons."""
    from territoires.geo.cache import load_reference

    codes = sorted(load_reference().territory_communes("centre-ouest-bretagne"))
    at = _app("app_pages/couverture.py", perimetre="territoire:centre-ouest-bretagne")
    at.selectbox(key="cov_level").set_value("commune").run()
    table = "Taux de pauvreté 2021\nCode;Libellé;Taux de pauvreté 2021\n"
    table += "".join(f"{code};Commune;{10 + i},5\n" for i, code in enumerate(codes[1:]))
    table += f"{codes[0]};Commune;s\n"  # a secret value
    at.file_uploader(key="cov_indicateur_fichier").set_value(
        ("pauvrete.csv", table.encode("utf-8"), "text/csv")
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    read = f"{len(codes)} lignes lues, {len(codes) - 1} communes avec une valeur"
    assert any(read in c.value for c in at.caption), [c.value for c in at.caption]
    at.text_input(key="cov_indicateur_source").set_value("INSEE, Filosofi")
    at.text_input(key="cov_indicateur_unite").set_value("%")
    next(b for b in at.button if b.label == "Importer l'indicateur").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("importé" in s.value for s in at.success)
    at.run()
    slider = at.slider(key="cov_w_besoin_import-1")
    assert slider.label == "Taux de pauvreté 2021 (2021)" and slider.value == 1.0
    frame = next(d.value for d in at.dataframe if "Taux de pauvreté 2021 (2021)" in d.value)
    shown = frame["Taux de pauvreté 2021 (2021)"]
    assert shown.notna().sum() >= len(frame) - 1 > 10  # every ranked commune but the secret one
    assert any("taux de pauvreté 2021 : " in r.lower() for r in frame["Raisons"])


def test_the_reference_tables_prepared_ahead_are_the_ones_couverture_uses(demo_env, monkeypatch):
    from territoires.analysis import ranking
    from territoires.analysis.warmup import warm_reference
    from territoires.ui.cache import get_reference

    warm_reference(get_reference())  # what the server does after its first page
    computed = []
    real = ranking.reference_side
    monkeypatch.setattr(
        ranking, "reference_side", lambda *a, **k: computed.append(a[2]) or real(*a, **k)
    )
    at = _app("app_pages/couverture.py")
    assert at.title[0].value.startswith("Couverture")
    assert computed == []  # the page found the need side ready: nothing computed again
    at.selectbox(key="cov_reference").set_value("region").run()
    assert computed == ["region"]  # another comparison: computed by the page (and kept)
