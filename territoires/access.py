"""Who may use the app, and with which role: pure decisions, no Streamlit.

Three ways to run the app (README, « Déployer pour le collectif ») :

- **embedded default** (no ``[auth]`` in ``.streamlit/secrets.toml``): the app listens on the
  loopback address only, and its one user is a local admin named after the OS account;
- **no ``[auth]`` on a network address**: refused (``exposure_problem``), unless
  ``TERRITOIRES_ACCES_PUBLIC=1``, which opens the app **read-only** to everybody (no write from
  the app at all: writes then go through the command line);
- **sign-in (``[auth]``)**: each signed-in e-mail gets its role from the store; an e-mail with no
  role is refused (or reads, with ``TERRITOIRES_ROLE_PAR_DEFAUT=lecteur``); a visitor not signed
  in reads only with ``TERRITOIRES_ACCES_PUBLIC=1``, else is asked to sign in.

Public write access never exists: a visitor who is not signed in is at most a ``lecteur``.
"""

from __future__ import annotations

import getpass
import ipaddress
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from territoires.store import ROLES, Actor, Role

RANKS: dict[str, int] = {role: rank for rank, role in enumerate(ROLES, start=1)}
ROLE_LABELS: dict[str, str] = {
    "lecteur": "lecteur (consultation et exports)",
    "editeur": "éditeur (imports, saisie, annulation de ses imports)",
    "admin": "administrateur (utilisateurs, fusions, restaurations)",
}
# Who may open a page: anybody let in, a known member (signed in with a role, or the local
# admin), an editeur or an admin.
Need = Literal["lecteur", "membre", "editeur", "admin"]
Status = Literal["ok", "connexion", "refuse"]
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


@dataclass(frozen=True)
class Access:
    """What one visitor may do.

    Attributes
    ----------
    status : {"ok", "connexion", "refuse"}
        ``ok``: let in with ``role``; ``connexion``: must sign in first; ``refuse``: signed in
        with an e-mail that has no role (the « Accès non autorisé » page).
    user : str or None
        The e-mail (or OS account) written in the history; None for an anonymous reader.
    role : str or None
        ``lecteur``, ``editeur`` or ``admin``; None unless ``status == "ok"``.
    signed_in : bool
        Signed in through the identity provider.
    auth : bool
        Sign-in is configured (``[auth]``): offer « Se connecter » / « Se déconnecter ».
    """

    status: Status
    user: str | None = None
    role: Role | None = None
    signed_in: bool = False
    auth: bool = False

    @property
    def member(self) -> bool:
        """A known person (signed in with a role, or the local admin), not an anonymous reader."""
        return self.status == "ok" and self.user is not None

    def may(self, need: Need) -> bool:
        """True when this visitor may use what ``need`` guards (a page, a button)."""
        if self.status != "ok" or self.role is None:
            return False
        if need == "membre":
            return self.member
        return RANKS[self.role] >= RANKS[need]

    def actor(self) -> Actor:
        """The store's ``Actor`` for this visitor's writes (the store checks the role again).

        Raises
        ------
        PermissionError
            For an anonymous reader, who never writes.
        """
        if not self.member:
            raise PermissionError("an anonymous visitor has no actor")
        return Actor(user=self.user, role=self.role)


def os_user() -> str:
    """The OS account's name: the embedded default's one local admin."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "admin-local"


def is_loopback(address: str) -> bool:
    """True when ``address`` (Streamlit's ``server.address``) listens on this machine only.

    An empty address means every interface, so it is not loopback.
    """
    host = address.strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def exposure_problem(address: str, *, auth: bool, public_read: bool) -> str | None:
    """The French reason to refuse to serve, or None when serving is safe.

    Without sign-in, the app's one user is a local admin: on an address reachable from the
    network, anybody could import or delete. ``TERRITOIRES_ACCES_PUBLIC=1`` lets it serve there,
    read-only for everybody.
    """
    if auth or public_read or is_loopback(address):
        return None
    shown = address.strip() or "toutes les interfaces (0.0.0.0)"
    return (
        f"L'application refuse de démarrer sur l'adresse réseau « {shown} » sans connexion "
        "des utilisateurs : sans section [auth] dans .streamlit/secrets.toml, son seul "
        "utilisateur est un administrateur local, et n'importe qui sur le réseau pourrait "
        "importer ou supprimer des initiatives. Au choix : servez-la sur 127.0.0.1 (réglage "
        "par défaut de `make run`), configurez la connexion [auth] (README, « Déployer pour le "
        "collectif »), ou ouvrez-la en lecture seule à tous avec TERRITOIRES_ACCES_PUBLIC=1."
    )


def resolve_access(
    *,
    auth: bool,
    loopback: bool,
    signed_in: bool,
    email: str | None,
    stored_role: Role | None,
    public_read: bool,
    default_role: Role | None,
    local_user: str | None = None,
) -> Access:
    """Decide what a visitor may do (see the module's docstring).

    Parameters
    ----------
    auth : bool
        Sign-in is configured (``[auth]``).
    loopback : bool
        The app listens on this machine only (``is_loopback``).
    signed_in, email : bool, str or None
        Whether the visitor signed in, and the e-mail the identity provider gave.
    stored_role : str or None
        ``store.role_of(email)``.
    public_read : bool
        ``TERRITOIRES_ACCES_PUBLIC``: visitors not signed in may read.
    default_role : str or None
        ``TERRITOIRES_ROLE_PAR_DEFAUT``: the role of a signed-in e-mail with none in the store
        (``lecteur`` or None). Never more than ``lecteur``.
    local_user : str, optional
        The embedded default's local admin (default: the OS account).
    """
    if not auth:
        if loopback:
            return Access("ok", user=local_user or os_user(), role="admin")
        if public_read:  # a network address without sign-in: read-only for everybody
            return Access("ok", role="lecteur")
        return Access("refuse")  # exposure_problem says why
    if signed_in and email:
        role = stored_role or ("lecteur" if default_role == "lecteur" else None)
        if role is None:
            return Access("refuse", user=email, signed_in=True, auth=True)
        return Access("ok", user=email, role=role, signed_in=True, auth=True)
    if public_read:
        return Access("ok", role="lecteur", auth=True)
    return Access("connexion", auth=True)


def identity_email(claims: dict) -> str | None:
    """The e-mail of a signed-in user from the identity token's claims.

    ``email`` when the provider gives it; Microsoft Entra gives work accounts'
    ``preferred_username`` (their sign-in address) and not always ``email``.
    """
    for claim in ("email", "preferred_username", "upn"):
        value = claims.get(claim)
        if isinstance(value, str) and "@" in value:
            return value.strip().lower()
    return None


def secrets_files(cwd: Path | None = None) -> tuple[Path, ...]:
    """Where Streamlit reads its secrets by default: the user's, the working directory's, then
    the one next to the app's script (``territoires serve`` runs the shipped ``app.py``)."""
    from territoires.project import project_file

    return (
        Path.home() / ".streamlit" / "secrets.toml",
        (cwd or Path.cwd()) / ".streamlit" / "secrets.toml",
        project_file(".streamlit", "secrets.toml"),
    )


def auth_in_files(paths: Iterable[Path]) -> bool:
    """True when one of these ``secrets.toml`` files has an ``[auth]`` section.

    Raises
    ------
    SettingsError
        A file that exists but is not valid TOML (Streamlit would not start either).
    """
    from territoires.errors import SettingsError

    for path in paths:
        if not path.is_file():
            continue
        try:
            if "auth" in tomllib.loads(path.read_text(encoding="utf-8")):
                return True
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"Le fichier {path} n'est pas un TOML valide : {exc}") from None
    return False
