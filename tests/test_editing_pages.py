"""Editing in the app through the real entry point (``AppTest``, as the embedded default's
local admin): create, the importer's messages, the version conflict that keeps what you typed,
the Historique and Administration pages."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _store(app_env):
    from territoires.store import open_store

    return open_store(f"sqlite:///{app_env / 'data' / 'territoires.db'}")


def _app(page: str = "app_pages/initiatives.py", **state):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.switch_page(page)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _click(at, label: str):
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _errors(at) -> str:
    return "\n".join(e.value for e in at.error)


@pytest.mark.realdata
def test_create_an_initiative_with_the_importer_s_checks(app_env):
    from territoires.access import os_user

    at = _click(_app(), "Nouvelle initiative")
    at.text_input(key="te_form_new_titre").set_value("Atelier vélo solidaire")
    at.text_input(key="te_form_new_montant").set_value("beaucoup")
    _click(at, "Enregistrer")
    # the importer's own messages, all at once, and nothing written
    assert "Montant illisible : « beaucoup »" in _errors(at)
    assert "Aucune localisation" in _errors(at)
    assert at.text_input(key="te_form_new_titre").value == "Atelier vélo solidaire"
    at.selectbox(key="te_form_new_code_insee").set_value("22266")
    at.text_input(key="te_form_new_montant").set_value("4 200,50 €")
    at.multiselect(key="te_form_new_financeurs").set_value(["Fonds du Poher"])
    at.run()
    _click(at, "Enregistrer")
    assert any("Initiative créée" in s.value for s in at.success)
    store = _store(app_env)
    try:
        row = store.list_initiatives().query("titre == 'Atelier vélo solidaire'").iloc[0]
        assert (row["commune_code"], row["montant"]) == ("22266", 4200.5)
        assert row["financeurs"] == ["Fonds du Poher"]
        history = store.history(initiative_id=int(row["id"]))
        assert set(history["action"]) == {"creation"}
        assert set(history["utilisateur"]) == {os_user()}
    finally:
        store.close()


@pytest.mark.realdata
def test_a_save_over_someone_else_s_change_is_refused_and_keeps_what_you_typed(app_env):
    from territoires.store import Actor

    _app()  # first start: the demo data
    store = _store(app_env)
    try:
        first = store.list_initiatives().iloc[0]
        ident, version = int(first["id"]), int(first["version"])
        at = _app(te_editing=f"i{ident}")  # the form opened on this version
        form = f"te_form_i{ident}_"
        at.text_input(key=form + "montant").set_value("7 300")
        # meanwhile, someone else changes the same initiative
        marie = Actor("marie@exemple.fr", "editeur")
        store.update_initiative(
            ident, {"porteur": "Porteur changé par Marie"}, expected_version=version, actor=marie
        )
        at.run()
        _click(at, "Enregistrer")
        message = _errors(at)
        assert "Enregistrement refusé" in message
        assert "Porteur changé par Marie" in message and "marie@exemple\\.fr" in message
        assert "Montant \\(€\\) \\: « 7300 »" in message
        assert at.text_input(key=form + "montant").value == "7 300"  # kept
        assert store.get_initiative(ident)["montant"] != 7300  # nothing written
        _click(at, "Reprendre leur version avec mes modifications")
        assert at.text_input(key=form + "porteur").value == "Porteur changé par Marie"
        _click(at, "Enregistrer")
        saved = store.get_initiative(ident)
        assert (saved["porteur"], saved["montant"]) == ("Porteur changé par Marie", 7300.0)
    finally:
        store.close()


@pytest.mark.realdata
def test_undo_an_import_names_the_records_edited_since_and_asks(app_env):
    from territoires.store import Actor

    _app()  # first start: the demo data, import lot 1
    store = _store(app_env)
    try:
        first = store.list_initiatives().iloc[0]
        marie = Actor("marie@exemple.fr", "editeur")
        store.update_initiative(
            int(first["id"]), {"statut": "relu"}, expected_version=1, actor=marie
        )
        at = _app("app_pages/historique.py")
        assert at.title[0].value.startswith("Historique")
        assert at.selectbox(key="te_undo_lot").value == 1
        _click(at, "Confirmer l'annulation")
        warnings = "\n".join(w.value for w in at.warning)
        assert "modifiées depuis" in warnings
        conflicts = at.dataframe[-1].value
        assert list(conflicts["Initiative"]) == [int(first["id"])]
        assert store.count() == 480  # nothing undone yet
        _click(at, "Annuler quand même et écraser ces modifications")
        assert store.count() == 0
        assert any("Import n° 1 annulé" in s.value for s in at.success)
        assert store.imports().iloc[0]["annule"]
    finally:
        store.close()


@pytest.mark.realdata
def test_the_administration_page_gives_a_role(app_env):
    at = _app("app_pages/administration.py")
    at.text_input(key="te_user_email").set_value("Marie@Exemple.fr")
    at.selectbox(key="te_user_role").set_value("admin")
    _click(at, "Ajouter ou changer le rôle")
    store = _store(app_env)
    try:
        assert store.role_of("marie@exemple.fr") == "admin"
        assert store.users().iloc[0]["cree_par"]
    finally:
        store.close()
    assert any("marie@exemple.fr" in s.value for s in at.success)


@pytest.mark.realdata
def test_the_administration_page_merges_funders_and_restores_a_deleted_initiative(app_env):
    from territoires.store import Actor

    _app()  # first start: the demo data
    store = _store(app_env)
    admin = Actor("admin@exemple.fr", "admin")
    try:
        first = store.list_initiatives().iloc[0]
        ident = int(first["id"])
        store.update_initiative(
            ident,
            {"financements": [{"financeur": "Fondation de Frnace", "montant": None}]},
            expected_version=int(first["version"]),
            actor=admin,
        )
        at = _app("app_pages/administration.py")
        at.selectbox(key="te_merge_Financeur_source").set_value("Fondation de Frnace").run()
        at.selectbox(key="te_merge_Financeur_target").set_value("Fondation de France").run()
        _click(at, "Fusionner les financeurs")
        assert store.get_initiative(ident)["financeurs"] == ["Fondation de France"]
        assert any("1 initiative(s) modifiée(s)" in s.value for s in at.success)

        store.delete_initiative(
            ident, expected_version=store.get_initiative(ident)["version"], actor=admin
        )
        at = _app("app_pages/administration.py")
        at.selectbox(key="te_restore_pick").set_value(ident).run()
        _click(at, "Restaurer")
        assert store.get_initiative(ident)["supprime_le"] is None
        assert ident in set(store.list_initiatives()["id"])
    finally:
        store.close()


@pytest.mark.realdata
def test_the_historique_page_names_themes_and_says_no_data_version(app_env):
    from territoires.store import Actor

    _app()  # first start: the demo data
    store = _store(app_env)
    try:
        first = store.list_initiatives().iloc[0]
        store.update_initiative(
            int(first["id"]),
            {"themes": ["cultures-savoirs", "espaces-cooperation"]},
            expected_version=int(first["version"]),
            actor=Actor("marie@exemple.fr", "editeur"),
        )
    finally:
        store.close()
    at = _app("app_pages/historique.py")
    table = at.dataframe[0].value
    changed = table.loc[table["Utilisateur"] == "marie@exemple.fr"]
    assert list(changed["Champ"]) == ["Thèmes"]
    assert changed.iloc[0]["Après"] == "Cultures et savoirs ; Espaces de coopération"
    shown = " ".join(str(v) for column in ("Avant", "Après") for v in table[column])
    assert "cultures-savoirs" not in shown and "prendre-soin" not in shown
    captions = " ".join(c.value for c in at.caption)
    assert "version" not in captions and "la plus récente le " in captions


@pytest.mark.realdata
def test_the_importer_lists_saved_correspondences_and_removes_one(app_env):
    from territoires.store import Actor

    _app()  # first start: the demo data
    store = _store(app_env)
    try:
        record = {"titre": "Café", "type": "autre", "commune_code": "29024", "fictif": False}
        aliases = (
            ("commune", "carhaix|29270", "Carhaix (29270)", "29024"),
            ("financeurs", "fdf comite", "FdF (comité)", "Fondation de France"),
            ("themes", "culture savoirs", "Culture et savoirs", "cultures-savoirs"),
        )
        marie = Actor("marie@exemple.fr", "editeur")
        store.import_batch([record], actor=marie, source="comite.csv", aliases=aliases)
        at = _app("app_pages/importer.py")
        shown = at.dataframe[-1].value
        assert list(shown["Valeur écrite"]) == [
            "FdF (comité)",
            "Culture et savoirs",
            "Carhaix (29270)",
        ]
        assert list(shown["Correspondance"]) == [
            "Fondation de France",
            "Cultures et savoirs",
            "Carhaix-Plouguer — 29024 (Finistère)",
        ]
        assert list(shown["Par"]) == ["", "", "marie@exemple.fr"]
        at.selectbox(key="te_saved_correspondence").set_value(2).run()
        _click(at, "Retirer cette correspondance")
        message = "Correspondance retirée : Commune « Carhaix (29270) » → Carhaix-Plouguer"
        said = [s.value.replace("\\", "") for s in at.success]  # as Markdown shows it
        assert any(text.startswith(message) for text in said), said
        assert list(store.saved_correspondences()["colonne"]) == ["financeurs", "themes"]
        removal = store.history().iloc[0]
        assert (removal["action"], removal["avant"]) == (
            "correspondance",
            "Commune : « Carhaix (29270) » → 29024",
        )
    finally:
        store.close()
