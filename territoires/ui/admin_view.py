"""The « Administration » page's panels: users and roles, merges, restore of deleted
initiatives. Every action goes through the store with the admin's ``Actor``."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from territoires import texts
from territoires.access import ROLE_LABELS
from territoires.analysis.aggregate import THEME_LABELS
from territoires.editing import date_text
from territoires.errors import TerritoiresError
from territoires.ui.access_view import current_access
from territoires.ui.cache import clear_after_write, get_store

ROLES = ("lecteur", "editeur", "admin")


def _write(action: Callable[[], object], done: Callable[[object], str]) -> None:
    """Run one store write; show its French error, or rerun with its French message."""
    try:
        result = action()
    except TerritoiresError as exc:
        st.error(exc.user_message)
        return
    clear_after_write()
    st.session_state["te_flash"] = done(result)
    st.rerun()


def users_panel() -> None:
    """The e-mail → role table; add or change a role; remove an address."""
    store = get_store()
    actor = current_access().actor()
    users = store.users()
    if users.empty:
        st.info(
            "Aucune adresse n'a encore de rôle. Sans connexion `[auth]`, l'administrateur local "
            "suffit ; avant d'ouvrir la connexion, déclarez ici au moins un administrateur."
        )
    else:
        st.dataframe(
            users.assign(cree_le=users["cree_le"].map(date_text)).rename(
                columns={"email": "Adresse", "role": "Rôle", "cree_le": "Depuis", "cree_par": "Par"}
            ),
            hide_index=True,
            width="stretch",
        )
    st.caption(
        "Une adresse absente de cette table voit la page « Accès non autorisé » (sauf "
        "réglage TERRITOIRES_ROLE_PAR_DEFAUT=lecteur). En ligne de commande : "
        "`python -m territoires users add ADRESSE --role editeur`."
    )
    with st.form("te_user_form", clear_on_submit=True, border=True):
        email_col, role_col = st.columns([2, 1])
        email = email_col.text_input(
            "Adresse électronique", placeholder="prenom@exemple.fr", key="te_user_email"
        )
        role = role_col.selectbox(
            "Rôle", ROLES, format_func=ROLE_LABELS.get, placeholder=texts.CHOOSE, key="te_user_role"
        )
        if st.form_submit_button("Ajouter ou changer le rôle", icon=":material/person_add:"):
            address = email.strip().lower()
            if "@" not in address:
                st.error("Donnez une adresse électronique complète (prenom@exemple.fr).")
            else:
                _write(
                    lambda: store.set_user(address, role, actor=actor),
                    lambda _: f"{address} : rôle « {role} ».",
                )
    if users.empty:
        return
    remove_col, button_col = st.columns([2, 1], vertical_alignment="bottom")
    target = remove_col.selectbox(
        "Retirer une adresse",
        list(users["email"].astype(str)),
        index=None,
        placeholder=texts.CHOOSE,
        key="te_user_remove",
    )
    if button_col.button("Retirer", icon=":material/person_remove:", disabled=target is None):
        _write(
            lambda: store.remove_user(target, actor=actor),
            lambda removed: f"{target} retirée." if removed else f"{target} était déjà absente.",
        )


def _merge_form(kind: str, options: dict[str, str], merge: Callable[[str, str], int]) -> None:
    """Two lists (the label to drop, the one to keep) and « Fusionner »."""
    left, right = st.columns(2)
    source = left.selectbox(
        f"{kind} à fusionner (disparaît)",
        list(options),
        format_func=options.get,
        index=None,
        placeholder=texts.CHOOSE,
        key=f"te_merge_{kind}_source",
    )
    target = right.selectbox(
        f"{kind} à garder",
        [o for o in options if o != source],
        format_func=options.get,
        index=None,
        placeholder=texts.CHOOSE,
        key=f"te_merge_{kind}_target",
    )
    if st.button(
        f"Fusionner les {kind.lower()}s",
        icon=":material/merge:",
        disabled=source is None or target is None,
        key=f"te_merge_{kind}_button",
    ):
        _write(
            lambda: merge(source, target),
            lambda moved: (
                f"« {options[source]} » fusionné dans « {options[target]} » : {moved} "
                "initiative(s) modifiée(s) ; l'ancien libellé reste reconnu aux imports."
            ),
        )


def merge_panel() -> None:
    """Merge a funder (or theme) into another: the initiatives move, the old label stays an
    alias for the next imports."""
    store = get_store()
    actor = current_access().actor()
    st.markdown(
        "Pour réunir, par exemple, un financeur créé par un import mal orthographié et le "
        "financeur officiel. Chaque initiative modifiée est inscrite à l'historique."
    )
    funders = {str(n): str(n) for n in store.funders()["nom"]}
    _merge_form("Financeur", funders, lambda s, t: store.merge_funders(s, t, actor=actor))
    st.divider()
    themes = store.themes()
    theme_options = {
        str(code): THEME_LABELS.get(str(code), str(label))
        for code, label in zip(themes["code"], themes["libelle"], strict=True)
    }
    _merge_form("Thème", theme_options, lambda s, t: store.merge_themes(s, t, actor=actor))


def deleted_panel() -> None:
    """Deleted initiatives, newest first, and « Restaurer »."""
    store = get_store()
    deleted = store.list_deleted()
    if deleted.empty:
        st.caption("Aucune initiative supprimée.")
        return
    deleted = deleted.sort_values("supprime_le", ascending=False)
    st.dataframe(
        pd.DataFrame(
            {
                "N°": deleted["id"],
                "Référence": deleted["reference"],
                "Titre": deleted["titre"],
                "Supprimée le": pd.to_datetime(deleted["supprime_le"], utc=True, errors="coerce"),
                "Par": deleted["supprime_par"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={"Supprimée le": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm")},
    )
    titles = dict(zip(deleted["id"].astype(int), deleted["titre"].astype(str), strict=True))
    pick_col, button_col = st.columns([2, 1], vertical_alignment="bottom")
    chosen = pick_col.selectbox(
        "Initiative à restaurer",
        list(titles),
        format_func=lambda i: f"n° {i} — {titles[i]}",
        index=None,
        placeholder=texts.CHOOSE,
        key="te_restore_pick",
    )
    if button_col.button("Restaurer", icon=":material/restore:", disabled=chosen is None):
        _write(
            lambda: store.restore_initiative(chosen, actor=current_access().actor()),
            lambda _: f"Initiative « {titles[chosen]} » restaurée.",
        )
