"""Who may do what: the three roles, the acting user, and the table of e-mail → role.

Roles are checked here, in the store layer, by every write (``require``), whatever the page
or command that calls it.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from territoires.errors import PermissionDeniedError, StoreError
from territoires.store.backends import Backend
from territoires.store.records import now

Role = Literal["lecteur", "editeur", "admin"]
ROLES: tuple[Role, ...] = ("lecteur", "editeur", "admin")
USER_COLUMNS: tuple[str, ...] = ("email", "role", "cree_le", "cree_par")
_RANK = {role: rank for rank, role in enumerate(ROLES)}
_REFUSALS: dict[str, str] = {
    "editeur": "Action réservée aux éditeurs et administrateurs",
    "admin": "Action réservée aux administrateurs",
}


@dataclass(frozen=True)
class Actor:
    """Who acts: the e-mail (or OS user name) written in the history, and the role checked."""

    user: str
    role: Role

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"expected a role among {ROLES}, got {self.role!r}")
        if not str(self.user).strip():
            raise ValueError("expected a user name, got an empty one")

    def can(self, role: Role) -> bool:
        """Whether this actor holds ``role`` or a higher one."""
        return _RANK[self.role] >= _RANK[role]


def cli_actor(user: str | None = None) -> Actor:
    """The command line's actor: an admin, recorded as ``user`` (default: the OS user name).

    Whoever can run the command line holds the database's credentials anyway; ``--user`` only
    names who is written in the history.
    """
    name = (user or "").strip() or getpass.getuser()
    return Actor(user=name, role="admin")


def local_actor() -> Actor:
    """The app's one local admin when no sign-in is configured: the OS user name."""
    return cli_actor(None)


def require(actor: Actor, role: Role) -> None:
    """Raise ``PermissionDeniedError`` unless ``actor`` holds ``role`` (or a higher one)."""
    if not isinstance(actor, Actor):
        raise TypeError(f"expected an Actor, got {type(actor).__name__}")
    if not actor.can(role):
        raise PermissionDeniedError(
            f"{_REFUSALS[role]} : vous êtes « {actor.role} » ({actor.user})."
        )


def normalize_email(email: str) -> str:
    """An e-mail as stored and compared: trimmed, lower case."""
    return str(email or "").strip().lower()


def _checked_email(email: str) -> str:
    address = normalize_email(email)
    if "@" not in address or any(c.isspace() for c in address) or address.startswith("@"):
        raise StoreError(f"Adresse e-mail invalide : « {str(email).strip()} ».")
    return address


def _checked_role(role: str) -> Role:
    if role not in ROLES:
        raise StoreError(f"Rôle inconnu : « {role} » (attendu : {', '.join(ROLES)}).")
    return role  # type: ignore[return-value]


# --- repository (inside the caller's lock and transaction) -----------------------------------
def role_of(db: Backend, email: str) -> Role | None:
    """The role of an e-mail (case-insensitive, trimmed), or None when it has none."""
    row = db.execute("SELECT role FROM users WHERE email = ?", (normalize_email(email),)).fetchone()
    return None if row is None else row[0]


def users_frame(db: Backend) -> pd.DataFrame:
    """Every user: ``email, role, cree_le, cree_par``, by e-mail."""
    rows = [
        tuple(r) for r in db.execute(f"SELECT {', '.join(USER_COLUMNS)} FROM users ORDER BY email")
    ]
    return pd.DataFrame(rows, columns=list(USER_COLUMNS), dtype=object)


def set_user(db: Backend, email: str, role: str, actor: Actor) -> tuple[str, Role | None]:
    """Add a user or change their role; return ``(email, previous role)``."""
    require(actor, "admin")
    address, wanted = _checked_email(email), _checked_role(role)
    previous = role_of(db, address)
    if previous == wanted:
        return address, previous
    if previous == "admin" and wanted != "admin":
        _refuse_last_admin(db, address)
    if previous is None:
        db.execute(
            "INSERT INTO users (email, role, cree_le, cree_par) VALUES (?, ?, ?, ?)",
            (address, wanted, now(), actor.user),
        )
    else:
        db.execute("UPDATE users SET role = ? WHERE email = ?", (wanted, address))
    return address, previous


def remove_user(db: Backend, email: str, actor: Actor) -> tuple[str, Role | None]:
    """Remove a user; return ``(email, previous role)`` (None when there was none)."""
    require(actor, "admin")
    address = normalize_email(email)
    previous = role_of(db, address)
    if previous == "admin":
        _refuse_last_admin(db, address)
    if previous is not None:
        db.execute("DELETE FROM users WHERE email = ?", (address,))
    return address, previous


def _refuse_last_admin(db: Backend, address: str) -> None:
    count = db.execute("SELECT COUNT(*) FROM users WHERE role = ?", ("admin",)).fetchone()[0]
    if int(count) <= 1:
        raise StoreError(
            f"« {address} » est le dernier administrateur : nommez d'abord un autre "
            "administrateur, sans quoi plus personne ne pourrait gérer les accès."
        )
