"""Sign-in and roles in the app: the gate run by ``app.py`` before any page, and the pages'
own checks. Decisions are ``territoires.access``'s; this module only reads Streamlit's state
(``st.user``, ``[auth]`` in the secrets, ``server.address``) and shows the French pages.

Hiding a page or a button is a convenience: every write also goes through the store with the
visitor's ``Actor``, and the store checks the role again.
"""

from __future__ import annotations

import html
import logging
import sys

import streamlit as st

from territoires import access as ac
from territoires.errors import TerritoiresError
from territoires.settings import get_settings

ACCESS_KEY = "te_access"
_LOG = logging.getLogger("territoires")
NEED_LABELS: dict[str, str] = {
    "membre": "aux membres du collectif connectés",
    "editeur": "aux éditeurs et administrateurs",
    "admin": "aux administrateurs",
}


def auth_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` has an ``[auth]`` section (sign-in is on)."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, TerritoiresError):
        return False
    except Exception as exc:  # noqa: BLE001 - Streamlit raises its own errors for a bad file
        if type(exc).__name__.startswith("StreamlitSecret"):
            return False
        raise


def server_address() -> str:
    """The address the server listens on (``server.address``; empty: every interface)."""
    return str(st.get_option("server.address") or "")


@st.cache_resource(show_spinner=False)
def _report_refusal(reason: str) -> None:
    """Write the refusal once per process in the server's log (stderr), where an
    administrator who started it reads it."""
    print(f"territoires : {reason}", file=sys.stderr, flush=True)


def _user_claims() -> tuple[bool, str | None]:
    """``(signed in, e-mail)`` from ``st.user`` (only read when ``[auth]`` is configured)."""
    claims = st.user.to_dict()
    return bool(claims.get("is_logged_in")), ac.identity_email(claims)


def resolve() -> ac.Access:
    """This visitor's access, from the settings, ``st.user`` and the store's roles."""
    from territoires.ui.cache import get_store

    settings = get_settings()
    auth = auth_configured()
    signed_in, email = _user_claims() if auth else (False, None)
    stored = get_store().role_of(email) if (signed_in and email) else None
    return ac.resolve_access(
        auth=auth,
        loopback=ac.is_loopback(server_address()),
        signed_in=signed_in,
        email=email,
        stored_role=stored,
        public_read=settings.public_read,
        default_role=settings.default_role,
    )


def gate() -> ac.Access | None:
    """Run by ``app.py`` before the navigation: None when this visitor sees no page (the
    French reason, sign-in or refusal page has been shown)."""
    settings = get_settings()
    problem = ac.exposure_problem(
        server_address(), auth=auth_configured(), public_read=settings.public_read
    )
    if problem:
        _report_refusal(problem)
        st.title("Démarrage refusé")
        st.error(problem, icon=":material/block:")
        return None
    access = resolve()
    st.session_state[ACCESS_KEY] = access
    if access.status == "connexion":
        sign_in_page()
        return None
    if access.status == "refuse":
        refusal_page(access, settings.access_contact)
        return None
    return access


def current_access() -> ac.Access:
    """The access decided by ``gate()`` for this run."""
    access = st.session_state.get(ACCESS_KEY)
    return access if isinstance(access, ac.Access) else resolve()


def sign_in_button(*, primary: bool = True, where=st) -> None:
    """« Se connecter »: Streamlit's sign-in through the configured identity provider."""
    if where.button(
        "Se connecter",
        type="primary" if primary else "secondary",
        icon=":material/login:",
        key=f"te_login_{'main' if where is st else 'side'}",
    ):
        st.login()


def sign_in_page() -> None:
    """The page a visitor not signed in sees when the app is not open to public reading."""
    from territoires import texts

    st.title(texts.APP_TITLE)
    st.markdown(
        "Cette application est réservée aux membres du collectif. Connectez-vous avec le "
        "compte de votre organisation : votre adresse électronique donne votre rôle "
        "(lecteur, éditeur ou administrateur)."
    )
    sign_in_button()


def _contacts(setting: str) -> str:
    """Whom to ask for access: the setting, else the admins' e-mails from the store."""
    if setting:
        return setting
    from territoires.ui.cache import get_store

    try:
        users = get_store().users()
    except TerritoiresError:
        return ""
    return ", ".join(sorted(users.loc[users["role"] == "admin", "email"].astype(str)))


def refusal_page(access: ac.Access, contact_setting: str) -> None:
    """« Accès non autorisé »: a signed-in e-mail with no role (or served on a network
    address that the exposure check already refused)."""
    st.title("Accès non autorisé")
    email = access.user or ""
    contacts = _contacts(contact_setting) if access.auth else ""
    lines = [
        f"Vous êtes connecté avec l'adresse <strong>{html.escape(email)}</strong>, "
        "qui n'a pas de rôle dans cette application."
    ]
    if contacts:
        lines.append(
            "Pour obtenir un accès, écrivez à "
            f"<strong>{html.escape(contacts)}</strong> en donnant cette adresse."
        )
    else:
        lines.append("Pour obtenir un accès, demandez-le à un administrateur de l'application.")
    st.html('<div data-testid="te-refus">' + "".join(f"<p>{line}</p>" for line in lines) + "</div>")
    if access.auth and st.button("Se déconnecter", icon=":material/logout:"):
        st.logout()


def account_sidebar(access: ac.Access) -> None:
    """Who is connected, with which role, and « Se déconnecter » (« Se connecter » for an
    anonymous reader when sign-in is configured)."""
    with st.sidebar:
        if access.signed_in:
            role = ac.ROLE_LABELS.get(access.role or "", access.role or "")
            st.caption(f"Connecté : {access.user} — {role}")
            if st.button("Se déconnecter", icon=":material/logout:", key="te_logout"):
                st.logout()
        elif access.auth:
            st.caption("Consultation publique, en lecture seule.")
            sign_in_button(primary=False, where=st.sidebar)
        elif access.user is None:
            st.caption("Consultation en lecture seule (sans connexion).")
        else:
            st.caption(f"Sans connexion : administrateur local ({access.user}).")


def refuse_page(access: ac.Access, need: str) -> None:
    """The French refusal shown instead of a page this visitor may not use."""
    who = (
        f"vous êtes « {access.role} » ({access.user})"
        if access.user
        else "vous n'êtes pas connecté"
    )
    st.title("Accès réservé")
    st.error(
        f"Cette page est réservée {NEED_LABELS.get(need, need)} : {who}.", icon=":material/lock:"
    )
    if access.auth and not access.signed_in:
        sign_in_button()


def require(need: str) -> ac.Access:
    """Stop the page with the French refusal unless this visitor may use ``need``."""
    access = current_access()
    if not access.may(need):  # type: ignore[arg-type]
        refuse_page(access, need)
        st.stop()
    return access
