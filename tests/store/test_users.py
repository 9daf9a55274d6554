"""Users and roles: the table of e-mail → role, checked by the store itself (both backends)."""

from __future__ import annotations

import pytest

from territoires import cli
from territoires.errors import PermissionDeniedError, StoreError
from territoires.store import ROLES, Actor, Store, cli_actor, open_store

ADMIN = Actor("admin@exemple.fr", "admin")


def test_roles_are_the_three_of_the_issue() -> None:
    assert ROLES == ("lecteur", "editeur", "admin")
    with pytest.raises(ValueError):
        Actor("x@exemple.fr", "superadmin")  # type: ignore[arg-type]


def test_role_of_compares_emails_case_insensitively_and_trimmed(store: Store) -> None:
    assert store.role_of("jean@exemple.fr") is None
    store.set_user("  Jean@Exemple.FR ", "editeur", actor=ADMIN)
    assert store.role_of("jean@exemple.fr") == "editeur"
    assert store.role_of(" JEAN@exemple.fr") == "editeur"
    frame = store.users()
    assert list(frame.columns) == ["email", "role", "cree_le", "cree_par"]
    assert frame.iloc[0][["email", "role", "cree_par"]].tolist() == [
        "jean@exemple.fr",
        "editeur",
        "admin@exemple.fr",
    ]


def test_set_user_changes_a_role_and_remove_user_removes_it(store: Store) -> None:
    store.set_user("jean@exemple.fr", "lecteur", actor=ADMIN)
    store.set_user("JEAN@exemple.fr", "admin", actor=ADMIN)
    assert store.role_of("jean@exemple.fr") == "admin"
    assert len(store.users()) == 1
    store.set_user("marie@exemple.fr", "admin", actor=ADMIN)
    assert store.remove_user("Jean@exemple.fr", actor=ADMIN) is True
    assert store.remove_user("jean@exemple.fr", actor=ADMIN) is False
    assert store.role_of("jean@exemple.fr") is None


def test_the_last_admin_can_be_neither_removed_nor_demoted(store: Store) -> None:
    store.set_user("marie@exemple.fr", "admin", actor=ADMIN)
    with pytest.raises(StoreError, match="dernier administrateur"):
        store.set_user("marie@exemple.fr", "editeur", actor=ADMIN)
    with pytest.raises(StoreError, match="dernier administrateur"):
        store.remove_user("marie@exemple.fr", actor=ADMIN)
    store.set_user("paul@exemple.fr", "admin", actor=ADMIN)
    store.set_user("marie@exemple.fr", "editeur", actor=ADMIN)
    assert store.role_of("marie@exemple.fr") == "editeur"


@pytest.mark.parametrize("role", ["lecteur", "editeur"])
def test_only_admins_manage_users(store: Store, role: str) -> None:
    actor = Actor("jean@exemple.fr", role)  # type: ignore[arg-type]
    with pytest.raises(PermissionDeniedError) as error:
        store.set_user("paul@exemple.fr", "admin", actor=actor)
    assert error.value.user_message == (
        f"Action réservée aux administrateurs : vous êtes « {role} » (jean@exemple.fr)."
    )
    with pytest.raises(PermissionDeniedError):
        store.remove_user("paul@exemple.fr", actor=actor)
    assert store.users().empty


def test_invalid_email_or_role_is_a_french_error(store: Store) -> None:
    with pytest.raises(StoreError, match="Adresse e-mail invalide"):
        store.set_user("pas une adresse", "lecteur", actor=ADMIN)
    with pytest.raises(StoreError, match="Rôle inconnu"):
        store.set_user("jean@exemple.fr", "chef", actor=ADMIN)  # type: ignore[arg-type]
    assert store.users().empty


def test_roles_persist_across_connections(store_url: str) -> None:
    first = open_store(store_url)
    first.set_user("jean@exemple.fr", "editeur", actor=ADMIN)
    first.close()
    second = open_store(store_url)
    try:
        assert second.role_of("jean@exemple.fr") == "editeur"
    finally:
        second.close()


def test_cli_actor_is_an_admin_named_after_the_option_or_the_os_user(monkeypatch) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "claire")
    assert cli_actor(None) == Actor("claire", "admin")
    assert cli_actor("  ") == Actor("claire", "admin")
    assert cli_actor("jean@exemple.fr") == Actor("jean@exemple.fr", "admin")


def test_users_command_line(tmp_path, capsys) -> None:
    db = f"sqlite:///{tmp_path / 'base.db'}"
    assert cli.main(["users", "add", "Jean@Exemple.fr", "--role", "admin", "--db", db]) == 0
    assert cli.main(["users", "add", "marie@exemple.fr", "--role", "lecteur", "--db", db]) == 0
    capsys.readouterr()
    assert cli.main(["users", "list", "--db", db]) == 0
    listing = capsys.readouterr().out
    assert "jean@exemple.fr" in listing and "admin" in listing and "lecteur" in listing
    assert cli.main(["users", "remove", "jean@exemple.fr", "--db", db]) == 2
    assert "dernier administrateur" in capsys.readouterr().err
    assert cli.main(["users", "remove", "marie@exemple.fr", "--db", db, "--user", "x"]) == 0
    assert cli.main(["users", "remove", "marie@exemple.fr", "--db", db]) == 1
    store = open_store(db)
    try:
        assert store.users()["email"].tolist() == ["jean@exemple.fr"]
        assert store.users()["cree_par"].tolist()[0]  # the OS user name by default
    finally:
        store.close()
