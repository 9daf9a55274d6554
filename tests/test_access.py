"""Who may use the app: the access decisions, the exposure check and the ``check-serve``
command (pure; the browser test signs in for real)."""

from __future__ import annotations

import pytest

from territoires import access as ac
from territoires.access import exposure_problem, is_loopback, resolve_access


def _resolve(**overrides):
    params = dict(
        auth=True,
        loopback=True,
        signed_in=True,
        email="lea@exemple.fr",
        stored_role=None,
        public_read=False,
        default_role=None,
        local_user="camille",
    )
    params.update(overrides)
    return resolve_access(**params)


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.1.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("", False),  # every interface
        ("0.0.0.0", False),
        ("192.168.1.20", False),
        ("territoires.exemple.fr", False),
    ],
)
def test_loopback_addresses(address, loopback):
    assert is_loopback(address) is loopback


def test_without_sign_in_a_network_address_is_refused_with_a_french_reason():
    reason = exposure_problem("0.0.0.0", auth=False, public_read=False)
    assert reason and "refuse de démarrer" in reason and "TERRITOIRES_ACCES_PUBLIC" in reason
    assert exposure_problem("", auth=False, public_read=False)
    assert exposure_problem("127.0.0.1", auth=False, public_read=False) is None
    assert exposure_problem("0.0.0.0", auth=True, public_read=False) is None
    assert exposure_problem("0.0.0.0", auth=False, public_read=True) is None


def test_embedded_default_is_one_local_admin_named_after_the_os_account():
    access = _resolve(auth=False, signed_in=False, email=None)
    assert (access.status, access.user, access.role) == ("ok", "camille", "admin")
    assert access.may("admin") and access.member and not access.auth


def test_a_network_address_without_sign_in_opened_by_the_setting_is_read_only():
    access = _resolve(auth=False, loopback=False, signed_in=False, email=None, public_read=True)
    assert (access.status, access.user, access.role) == ("ok", None, "lecteur")
    assert access.may("lecteur") and not access.may("editeur") and not access.may("membre")
    with pytest.raises(PermissionError):
        access.actor()


def test_signed_in_roles_come_from_the_store():
    for role in ("lecteur", "editeur", "admin"):
        access = _resolve(stored_role=role)
        assert (access.status, access.user, access.role) == ("ok", "lea@exemple.fr", role)
    assert _resolve(stored_role="editeur").may("editeur")
    assert not _resolve(stored_role="editeur").may("admin")
    assert not _resolve(stored_role="lecteur").may("editeur")
    assert _resolve(stored_role="lecteur").may("membre")


def test_an_email_with_no_role_is_refused_unless_the_default_role_reads():
    refused = _resolve(stored_role=None)
    assert (refused.status, refused.user, refused.role) == ("refuse", "lea@exemple.fr", None)
    assert not refused.may("lecteur")
    reader = _resolve(stored_role=None, default_role="lecteur")
    assert (reader.status, reader.role) == ("ok", "lecteur")
    # the default role never grants writing, whatever is passed
    assert _resolve(stored_role=None, default_role="editeur").status == "refuse"


def test_a_visitor_not_signed_in_signs_in_or_reads_publicly_but_never_writes():
    assert _resolve(signed_in=False, email=None).status == "connexion"
    public = _resolve(signed_in=False, email=None, public_read=True)
    assert (public.status, public.user, public.role) == ("ok", None, "lecteur")
    assert not public.may("editeur") and not public.may("membre")


def test_identity_email_reads_entra_s_preferred_username():
    assert ac.identity_email({"email": " Lea@Exemple.fr "}) == "lea@exemple.fr"
    assert ac.identity_email({"preferred_username": "jean@asso.org"}) == "jean@asso.org"
    assert ac.identity_email({"preferred_username": "jean", "sub": "x"}) is None


def test_auth_in_files_reads_the_secrets_sections(tmp_path):
    from territoires.errors import SettingsError

    plain = tmp_path / "a.toml"
    plain.write_text('[connections.x]\nurl = "y"\n', encoding="utf-8")
    auth = tmp_path / "b.toml"
    auth.write_text('[auth]\nredirect_uri = "http://x/oauth2callback"\n', encoding="utf-8")
    assert not ac.auth_in_files([plain, tmp_path / "absent.toml"])
    assert ac.auth_in_files([plain, auth])
    broken = tmp_path / "c.toml"
    broken.write_text("[auth\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="TOML"):
        ac.auth_in_files([broken])


def test_check_serve_refuses_a_network_address_without_sign_in(tmp_path, monkeypatch, capsys):
    from territoires.cli import main

    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("TERRITOIRES_ACCES_PUBLIC", raising=False)
    assert main(["check-serve", "--address", "0.0.0.0"]) == 2
    assert "refuse de démarrer" in capsys.readouterr().err
    assert main(["check-serve", "--address", "127.0.0.1"]) == 0
    monkeypatch.setenv("TERRITOIRES_ACCES_PUBLIC", "1")
    assert main(["check-serve", "--address", "0.0.0.0"]) == 0
    monkeypatch.delenv("TERRITOIRES_ACCES_PUBLIC")
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text("[auth]\n", encoding="utf-8")
    assert main(["check-serve", "--address", "0.0.0.0"]) == 0


def test_the_secrets_next_to_the_app_count_too(tmp_path, monkeypatch, capsys):
    """Streamlit also reads the secrets next to its main script (``app.py``, which ``territoires
    serve`` runs from any folder): sign-in configured there lets a network address be served."""
    from territoires.cli import main

    app_dir, elsewhere = tmp_path / "app", tmp_path / "ailleurs"
    elsewhere.mkdir()
    monkeypatch.setattr("territoires.project.PROJECT_DIR", app_dir)
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("TERRITOIRES_ACCES_PUBLIC", raising=False)
    assert main(["check-serve", "--address", "0.0.0.0"]) == 2
    (app_dir / ".streamlit").mkdir(parents=True)
    (app_dir / ".streamlit" / "secrets.toml").write_text("[auth]\n", encoding="utf-8")
    assert main(["check-serve", "--address", "0.0.0.0"]) == 0
