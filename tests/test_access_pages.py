"""Sign-in and roles through the real entry point (``AppTest``): the gate of ``app.py``, the
menu each role gets, the refusal of a page opened by its address, the « Accès non autorisé »
page, and the refusal to serve a network address without sign-in.

The real sign-in, through an identity provider, is the browser test
``tests/e2e/test_signin_browser.py``; here ``st.user`` is given by ``AppTest``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
AUTH = {
    "auth": {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "territoires",
        "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration",
    }
}
ADMIN = "admin@exemple.fr"


def _give_roles(tmp_path, **roles: str) -> None:
    from territoires.store import cli_actor, open_store

    store = open_store(f"sqlite:///{tmp_path / 'data' / 'territoires.db'}")
    try:
        store.set_user(ADMIN, "admin", actor=cli_actor("test"))
        for email, role in roles.items():
            store.set_user(email, role, actor=cli_actor("test"))
    finally:
        store.close()


def _run(page: str | None = None, *, email: str | None = None, auth: bool = True):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    if auth:
        at.secrets.update(AUTH)
        at.user = {"is_logged_in": bool(email), **({"email": email} if email else {})}
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at) -> str:
    parts = [e.value for kind in ("title", "markdown", "caption", "error") for e in at.get(kind)]
    parts += [h.proto.body for h in at.get("html")]
    return "\n".join(str(p) for p in parts)


@pytest.mark.realdata
def test_a_visitor_not_signed_in_is_asked_to_sign_in(app_env):
    _give_roles(app_env)
    at = _run("app_pages/importer.py")
    assert [b.label for b in at.button] == ["Se connecter"]
    assert "réservée aux membres du collectif" in _texts(at)
    assert not at.get("file_uploader")


@pytest.mark.realdata
def test_public_read_access_reads_but_never_writes(app_env, monkeypatch):
    monkeypatch.setenv("TERRITOIRES_ACCES_PUBLIC", "1")
    _give_roles(app_env)
    at = _run("app_pages/initiatives.py")
    assert at.title[0].value == "Initiatives"
    assert not [b for b in at.button if b.label == "Nouvelle initiative"]
    assert [b.label for b in at.sidebar.button if b.label == "Se connecter"]
    at = _run("app_pages/importer.py")
    assert "Cette page est réservée aux éditeurs et administrateurs" in _texts(at)
    assert not at.get("file_uploader")


@pytest.mark.realdata
def test_a_lecteur_opening_the_importer_by_its_address_is_refused(app_env):
    _give_roles(app_env, **{"lea@exemple.fr": "lecteur"})
    at = _run("app_pages/importer.py", email="lea@exemple.fr")
    texts = _texts(at)
    assert "Cette page est réservée aux éditeurs et administrateurs" in texts
    assert "vous êtes « lecteur » (lea@exemple.fr)" in texts
    assert not at.get("file_uploader")
    at = _run("app_pages/administration.py", email="lea@exemple.fr")
    assert "réservée aux administrateurs" in _texts(at)
    at = _run("app_pages/initiatives.py", email="lea@exemple.fr")
    assert not [b for b in at.button if b.label == "Nouvelle initiative"]


@pytest.mark.realdata
def test_an_editeur_gets_the_importer_and_the_new_initiative_button(app_env):
    _give_roles(app_env, **{"ed@exemple.fr": "editeur"})
    at = _run("app_pages/importer.py", email="ed@exemple.fr")
    assert at.title[0].value.startswith("Importer")
    at = _run("app_pages/initiatives.py", email="ed@exemple.fr")
    assert [b for b in at.button if b.label == "Nouvelle initiative"]
    assert any("ed@exemple.fr" in c.value for c in at.sidebar.caption)


@pytest.mark.realdata
def test_an_email_without_role_gets_the_refusal_page_with_whom_to_ask(app_env, monkeypatch):
    _give_roles(app_env)
    at = _run(email="Inconnu@Exemple.fr")
    assert at.title[0].value == "Accès non autorisé"
    texts = _texts(at)
    assert "inconnu@exemple.fr" in texts and ADMIN in texts
    monkeypatch.setenv("TERRITOIRES_CONTACT_ACCES", "bureau@collectif.fr")
    assert "bureau@collectif.fr" in _texts(_run(email="inconnu@exemple.fr"))
    monkeypatch.setenv("TERRITOIRES_ROLE_PAR_DEFAUT", "lecteur")
    at = _run("app_pages/initiatives.py", email="inconnu@exemple.fr")
    assert at.title[0].value == "Initiatives"


@pytest.mark.realdata
def test_no_sign_in_on_a_network_address_refuses_to_serve(app_env, monkeypatch):
    from territoires.ui import access_view

    monkeypatch.setattr(access_view, "server_address", lambda: "0.0.0.0")
    at = _run(auth=False)
    assert at.title[0].value == "Démarrage refusé"
    assert "refuse de démarrer" in at.error[0].value
    assert not at.get("file_uploader") and not at.warning  # nothing else, not even the banner
    monkeypatch.setenv("TERRITOIRES_ACCES_PUBLIC", "1")
    at = _run("app_pages/importer.py", auth=False)
    assert "réservée aux éditeurs et administrateurs" in _texts(at)


@pytest.mark.realdata
def test_the_embedded_default_is_a_local_admin_with_every_page(app_env):
    from territoires.access import os_user

    at = _run("app_pages/administration.py", auth=False)
    assert at.title[0].value == "Administration"
    assert not [b for b in at.sidebar.button if b.label in ("Se connecter", "Se déconnecter")]
    assert os_user()
