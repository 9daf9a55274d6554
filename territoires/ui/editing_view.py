"""Create, edit and delete an initiative from the app (editeurs and admins).

The form opens in a dialog; its values go through ``territoires.editing.prepare_form`` (the
importer's own checks and messages), then to the store with the visitor's ``Actor`` (the
store checks the role again). An edit is saved against the version the form was opened on:
when someone else changed the initiative since, the store refuses, the dialog shows their
changes and yours, and keeps what you typed.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from territoires import texts
from territoires.analysis.aggregate import THEME_LABELS
from territoires.editing import (
    FormError,
    changes_from,
    conflict_lines,
    form_values,
    prepare_form,
)
from territoires.errors import TerritoiresError, VersionConflictError
from territoires.formatting import markdown_literal
from territoires.geo.reference import LEVEL_LABELS
from territoires.importers.pipeline import Vocabulary
from territoires.importers.values import INITIATIVE_TYPES
from territoires.ui.access_view import current_access
from territoires.ui.cache import EDITING_KEY, clear_after_write, get_reference, get_store
from territoires.ui.sidebar import territory_choices

_ZONE_LEVELS = ("territoire", "region", "departement", "epci", "commune")


def _key(form: str, name: str) -> str:
    return f"te_form_{form}_{name}"


@st.cache_data(show_spinner=False, max_entries=2)
def _commune_choices(_reference, key: str) -> dict[str, str]:
    """``code_insee -> "Nom (département, code)"`` of every commune, sorted by name."""
    communes = _reference.communes
    codes = communes["code_insee"].astype(str)
    labels = (
        communes["nom"].astype(str)
        + " ("
        + communes["departement_code"].astype(str)
        + ", "
        + codes
        + ")"
    )
    return dict(sorted(zip(codes, labels, strict=True), key=lambda item: item[1]))


@st.cache_data(show_spinner=False, max_entries=2)
def _zone_choices(_reference, key: str) -> dict[str, str]:
    """``"level:code" -> label`` of every place a zone d'intervention may name."""
    choices: dict[str, str] = {}
    for level in _ZONE_LEVELS[:-1]:
        for code, label in territory_choices(_reference, level).items():
            choices[f"{level}:{code}"] = f"{LEVEL_LABELS[level]} : {label}"
    for code, label in _commune_choices(_reference, key).items():
        choices[f"commune:{code}"] = f"Commune : {label}"
    return choices


def _reference_key(reference) -> str:
    return str(reference.manifest.get("built_at", "")) + str(len(reference.communes))


def _widget_values(values: dict[str, Any]) -> dict[str, Any]:
    """Form values as the widgets hold them (a zone as « level:code » options)."""
    zones = [f"{z['level']}:{z['code']}" for z in values.get("zone_intervention") or []]
    return {**values, "zone_intervention": zones} if "zone_intervention" in values else values


def _seed(form: str, values: dict[str, Any]) -> None:
    """Put the starting values in the widgets' state, once per opening of the form."""
    for name, value in _widget_values(values).items():
        st.session_state.setdefault(_key(form, name), value)


def _forget(form: str) -> None:
    for key in [k for k in st.session_state if str(k).startswith(f"te_form_{form}_")]:
        del st.session_state[key]
    st.session_state.pop(EDITING_KEY, None)


def _text(form: str, name: str, label: str, where=st, **kwargs) -> None:
    where.text_input(label, key=_key(form, name), **kwargs)


def _form_widgets(form: str, funders: list[str]) -> None:
    """The form's fields (their values live in the session state, under ``_key``)."""
    reference = get_reference()
    communes = _commune_choices(reference, _reference_key(reference))
    zones = _zone_choices(reference, _reference_key(reference))
    commune_key = _key(form, "code_insee")
    left, right = st.columns(2)
    _text(form, "titre", "Titre *", left)
    _text(form, "porteur", "Porteur", right)
    left.selectbox(
        "Commune *",
        list(communes),
        format_func=lambda code: communes.get(code, code),
        key=commune_key,
        **({} if commune_key in st.session_state else {"index": None}),
        placeholder=texts.CHOOSE_TERRITORY,
        help="Tapez quelques lettres du nom pour chercher.",
    )
    right.selectbox("Type", INITIATIVE_TYPES, key=_key(form, "type"), placeholder=texts.CHOOSE)
    left.multiselect(
        "Financeurs",
        funders,
        key=_key(form, "financeurs"),
        accept_new_options=True,
        placeholder="Choisissez ou tapez un nouveau financeur",
    )
    right.multiselect(
        "Thèmes",
        list(THEME_LABELS),
        format_func=lambda code: THEME_LABELS.get(code, code),
        key=_key(form, "themes"),
        placeholder=texts.CHOOSE,
    )
    _text(form, "montant", "Montant (€)", left, placeholder="ex. 12 000 ou 4 200,50")
    _text(form, "annee", "Année de décision", right, placeholder="ex. 2024")
    st.multiselect(
        "Zone d'intervention",
        list(zones),
        format_func=lambda option: zones.get(option, option),
        key=_key(form, "zone_intervention"),
        placeholder="Vide : la commune seule. Tapez un nom de territoire, d'EPCI, de commune…",
    )
    with st.expander("Autres champs"):
        a, b = st.columns(2)
        _text(form, "reference", "Référence (unique)", a)
        _text(form, "statut", "Statut", b)
        _text(form, "date_debut", "Date de début", a, placeholder="JJ/MM/AAAA")
        _text(form, "date_fin", "Date de fin", b, placeholder="JJ/MM/AAAA")
        _text(form, "site_web", "Site web", a)
        _text(form, "contact", "Contact", b)
        _text(form, "latitude", "Latitude (position exacte)", a)
        _text(form, "longitude", "Longitude", b)
        st.text_area("Description", key=_key(form, "description"))


def _values(form: str) -> dict[str, Any]:
    values = {
        name[len(_key(form, "")) :]: value
        for name, value in st.session_state.items()
        if str(name).startswith(_key(form, ""))
    }
    zone = []
    for option in values.get("zone_intervention") or []:
        level, _, code = str(option).partition(":")
        zone.append({"level": level, "code": code})
    values["zone_intervention"] = zone
    return values


def _prepared(form: str):
    """The form's record, or None after showing the importer's French reasons."""
    store = get_store()
    try:
        prepared = prepare_form(_values(form), get_reference(), Vocabulary.from_store(store))
    except FormError as exc:
        st.error(f"L'initiative n'est pas enregistrée : {exc.user_message}.")
        return None
    for warning in prepared.warnings:
        st.warning(warning[:1].upper() + warning[1:] + ".")
    return prepared


def _done(form: str, message: str) -> None:
    _forget(form)
    clear_after_write()
    st.session_state["te_flash"] = message
    st.rerun()


def _funders() -> list[str]:
    return [str(name) for name in get_store().funders()["nom"]]


def _form_and_buttons(form: str) -> bool:
    """The form's fields, « Enregistrer » and « Annuler » (which closes the dialog); True when
    « Enregistrer » was clicked."""
    _form_widgets(form, _funders())
    save, cancel = st.columns(2)
    if cancel.button("Annuler", width="stretch"):
        _forget(form)
        st.rerun()
    return save.button("Enregistrer", type="primary", icon=":material/save:", width="stretch")


@st.dialog("Nouvelle initiative", width="large", dismissible=False)
def create_dialog() -> None:
    """The empty form; « Enregistrer » creates the initiative."""
    form = "new"
    st.session_state[EDITING_KEY] = form
    _seed(form, {"type": "projet associatif"})
    if _form_and_buttons(form):
        prepared = _prepared(form)
        if prepared is None:
            return
        try:
            new_id = get_store().create_initiative(prepared.record, actor=current_access().actor())
        except TerritoiresError as exc:
            st.error(exc.user_message)
            return
        _done(form, f"Initiative créée (n° {new_id}) : « {prepared.record['titre']} ».")


def _base(form: str, initiative_id: int) -> dict | None:
    """The stored initiative the form was opened on (kept while the form is open)."""
    key = _key(form, "_base")
    if key not in st.session_state:
        stored = get_store().get_initiative(initiative_id)
        if stored is None:
            return None
        st.session_state[key] = stored
        _seed(form, form_values(stored))
    return st.session_state[key]


@st.dialog("Modifier l'initiative", width="large", dismissible=False)
def edit_dialog(initiative_id: int) -> None:
    """The initiative's form; « Enregistrer » saves what changed, against its version."""
    form = f"i{initiative_id}"
    st.session_state[EDITING_KEY] = form
    base = _base(form, initiative_id)
    if base is None:
        st.error("Cette initiative n'existe plus.")
        if st.button("Fermer"):
            _forget(form)
            st.rerun()
        return
    st.caption(f"Version {base.get('version')} de l'initiative n° {initiative_id}.")
    if _form_and_buttons(form):
        _save_edit(form, initiative_id, base)
    if st.session_state.get(_key(form, "_conflict")):
        _conflict_choices(form, initiative_id)


def _save_edit(form: str, initiative_id: int, base: dict) -> None:
    prepared = _prepared(form)
    if prepared is None:
        return
    changes = changes_from(base, prepared.record)
    if not changes:
        st.info("Aucune modification à enregistrer.")
        return
    try:
        version = get_store().update_initiative(
            initiative_id,
            changes,
            expected_version=int(base["version"]),
            actor=current_access().actor(),
        )
    except VersionConflictError as exc:
        st.session_state[_key(form, "_conflict")] = conflict_lines(exc.theirs, changes)
        st.session_state[_key(form, "_yours")] = changes
        return
    except TerritoiresError as exc:
        st.error(exc.user_message)
        return
    _done(form, f"Initiative n° {initiative_id} enregistrée (version {version}).")


def _conflict_choices(form: str, initiative_id: int) -> None:
    """Someone changed the initiative since the form opened: show both, let the user choose."""
    lines = st.session_state[_key(form, "_conflict")]
    body = "\n".join(
        markdown_literal(line) if line.startswith("- ") else f"\n{markdown_literal(line)}\n"
        for line in lines
    ).replace("\\- ", "- ")
    st.error(
        "**Enregistrement refusé : quelqu'un a modifié cette initiative depuis que vous "
        "l'avez ouverte.** Rien n'a été écrit.\n" + body
    )
    keep, reload = st.columns(2)
    keep.button(
        "Reprendre leur version avec mes modifications",
        on_click=_rebase,
        args=(form, initiative_id),
        width="stretch",
    )
    if reload.button("Abandonner mes modifications", width="stretch"):
        _forget(form)
        st.rerun()


def _rebase(form: str, initiative_id: int) -> None:
    """The form starts again from the current version, with only the fields you changed put
    back on it (yours win where you both changed a field): « Enregistrer » then saves them.

    A button callback: it runs before the widgets are drawn, so it may set their values.
    """
    current = get_store().get_initiative(initiative_id)
    if current is None:
        return
    yours = st.session_state.pop(_key(form, "_yours"), {})
    st.session_state.pop(_key(form, "_conflict"), None)
    st.session_state[_key(form, "_base")] = current
    for name, value in _widget_values(form_values({**current, **yours})).items():
        st.session_state[_key(form, name)] = value


def delete_button(row, where=st) -> None:
    """« Supprimer », confirmed in a popover; the deletion is soft (an admin restores it)."""
    with where.popover("Supprimer", icon=":material/delete:"):
        st.markdown(
            "L'initiative disparaît des cartes, tableaux et exports. Un administrateur peut "
            "la restaurer (page « Administration »), et l'historique garde tout."
        )
        if st.button("Confirmer la suppression", type="primary", key=f"te_del_{row['id']}"):
            try:
                get_store().delete_initiative(
                    int(row["id"]),
                    expected_version=int(row["version"]),
                    actor=current_access().actor(),
                )
            except TerritoiresError as exc:
                st.error(exc.user_message)
                return
            clear_after_write()
            st.session_state["te_flash"] = f"Initiative « {row['titre']} » supprimée."
            st.rerun()


def show_flash() -> None:
    """The message left by the last write of this session (« Initiative créée… »)."""
    message = st.session_state.pop("te_flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")


def reopen_dialog() -> None:
    """Open again the form left open by this session (after a rerun of the whole app)."""
    form = st.session_state.get(EDITING_KEY)
    if form == "new":
        create_dialog()
    elif isinstance(form, str) and form.startswith("i") and form[1:].isdigit():
        edit_dialog(int(form[1:]))


def new_initiative_button() -> None:
    """« Nouvelle initiative » for editeurs and admins; reopens a form left open."""
    if not current_access().may("editeur"):
        return
    if st.button("Nouvelle initiative", icon=":material/add:", key="te_new"):
        _forget("new")
        create_dialog()
    else:
        reopen_dialog()


def detail_actions(row) -> None:
    """Under an initiative's detail: « Modifier » and « Supprimer » (editeurs and admins),
    and its own history (members)."""
    from territoires.ui.history_view import show_history

    access = current_access()
    if access.may("editeur"):
        edit, delete, _ = st.columns([1, 1, 4])
        if edit.button("Modifier", icon=":material/edit:", key=f"te_edit_{row['id']}"):
            _forget(f"i{int(row['id'])}")
            edit_dialog(int(row["id"]))
        delete_button(row, delete)
    if access.may("membre"):
        with st.expander("Historique de cette initiative"):
            show_history(
                get_store().history(initiative_id=int(row["id"])),
                key=f"te_hist_{row['id']}",
                one=True,
            )
