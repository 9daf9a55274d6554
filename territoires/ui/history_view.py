"""History in the app: the change table (Historique page, an initiative's detail), the import
journal and « Annuler cet import »."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from territoires.editing import FIELD_NAMES, date_text, field_text
from territoires.errors import TerritoiresError
from territoires.formatting import fr_count, markdown_literal
from territoires.ui.access_view import current_access
from territoires.ui.cache import clear_after_write, get_store

ACTION_LABELS: dict[str, str] = {
    "import": "Import",
    "creation": "Création",
    "modification": "Modification",
    "suppression": "Suppression",
    "restauration": "Restauration",
    "fusion": "Fusion",
    "annulation": "Annulation d'import",
    "utilisateur": "Utilisateur",
    "indicateur": "Indicateur de besoin",
    "correspondance": "Correspondance retirée",
}
UNDO_KEY = "te_undo_pending"
HISTORY_LIMIT = 500  # recorded actions shown at once (a creation is one action, many rows)


def history_filters(text: str, user: str | None, lot: int | None, days) -> dict:
    """``store.history`` keywords from the page's filters: a number is an initiative's id,
    other text a reference; ``days`` is the date input's value (one day or a range)."""
    picked = list(days) if isinstance(days, tuple | list) else [days] if days else []
    filters: dict = {"user": user or None, "lot": lot, "limit": HISTORY_LIMIT}
    if picked:
        start, end = picked[0], picked[-1]
        filters["since"] = dt.datetime.combine(start, dt.time.min).isoformat()
        filters["until"] = dt.datetime.combine(end, dt.time.max).isoformat()
    if text.isdigit():
        filters["initiative_id"] = int(text)
    elif text:
        filters["reference"] = text
    return filters


def history_caption(history: pd.DataFrame) -> str:
    """« 1 234 lignes (les 500 dernières actions), la plus récente le 05/12/2026 à 18:22
    (heure UTC). »"""
    actions = history["id"].nunique() if "id" in history else len(history)
    shown = fr_count(len(history), "ligne")
    limit = f" (les {HISTORY_LIMIT} dernières actions)" if actions >= HISTORY_LIMIT else ""
    if history.empty:
        return f"{shown}."
    latest = date_text(max(str(d) for d in history["date"]))
    return f"{shown}{limit}, la plus récente le {latest} (heure UTC)."


def history_display(history: pd.DataFrame) -> pd.DataFrame:
    """The store's history as plain text columns, for ``st.dataframe`` (themes by label)."""
    return pd.DataFrame(
        {
            "Date": pd.to_datetime(history["date"], utc=True, errors="coerce"),
            "Utilisateur": history["utilisateur"].astype(str),
            "Action": [ACTION_LABELS.get(str(a), str(a)) for a in history["action"]],
            "Référence": history["reference"].map(lambda r: "" if r is None else str(r)),
            "Initiative": history["initiative_id"],
            "Titre": history["titre"].map(lambda t: "" if t is None else str(t))
            if "titre" in history
            else "",
            "Champ": [FIELD_NAMES.get(str(c or ""), str(c)) for c in history["champ"]],
            "Avant": _values(history, "avant"),
            "Après": _values(history, "apres"),
            "Lot": history["lot"],
        }
    )


def _values(history: pd.DataFrame, column: str) -> list[str]:
    """The ``avant`` or ``apres`` column as text, each value read as its field's."""
    pairs = zip(history["champ"], history[column], strict=True)
    return [field_text(str(champ or ""), value) for champ, value in pairs]


ONE_INITIATIVE = ("Référence", "Initiative", "Titre")  # said by the detail above it


def show_history(
    history: pd.DataFrame, *, key: str, height: int | str = "auto", one: bool = False
) -> None:
    """The change table (newest first), or a French line when there is none; ``one``: the
    history of one initiative, without the columns that name it."""
    if history.empty:
        st.caption("Aucune modification enregistrée.")
        return
    shown = history_display(history)
    st.dataframe(
        shown.drop(columns=list(ONE_INITIATIVE)) if one else shown,
        hide_index=True,
        width="stretch",
        height=height,
        key=key,
        column_config={
            "Date": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm:ss"),
            "Initiative": st.column_config.NumberColumn(format="%d"),
            "Lot": st.column_config.NumberColumn(format="%d"),
        },
    )


def imports_display(journal: pd.DataFrame) -> pd.DataFrame:
    """The import journal with French headers and « annulé le … par … »."""

    def undone(row) -> str:
        if not row["annule"]:
            return ""
        return f"annulé le {date_text(row.get('annule_le'))} par {row.get('annule_par') or '?'}"

    return pd.DataFrame(
        {
            "Lot": journal["lot"],
            "Date": pd.to_datetime(journal["date"], utc=True, errors="coerce"),
            "Utilisateur": journal["utilisateur"].astype(str),
            "Fichier": journal["fichier"].astype(str),
            "Nouvelles": journal["nouvelles"],
            "Modifiées": journal["modifiees"],
            "Inchangées": journal["inchangees"],
            "Rejetées": journal["rejetees"],
            "Annulation": [undone(row) for _, row in journal.iterrows()],
        }
    )


def may_undo(lot_user: str) -> bool:
    """An editeur undoes their own imports, an admin any (the store checks it again)."""
    access = current_access()
    return access.may("admin") or (access.may("editeur") and lot_user == access.user)


def undo_import_panel(journal: pd.DataFrame) -> None:
    """Choose an import and undo it; when records were edited since, name them and ask."""
    open_lots = journal.loc[~journal["annule"].astype(bool)]
    lots = [
        int(lot)
        for lot, user in zip(open_lots["lot"], open_lots["utilisateur"], strict=True)
        if may_undo(str(user))
    ]
    if not lots:
        st.caption("Aucun import que vous puissiez annuler.")
        return
    labels = {
        int(row["lot"]): f"Lot {int(row['lot'])} — {row['fichier']} ({row['utilisateur']})"
        for _, row in open_lots.iterrows()
    }
    lot = st.selectbox(
        "Import à annuler",
        lots,
        format_func=lambda value: labels.get(value, str(value)),
        key="te_undo_lot",
        placeholder="Choisissez…",
    )
    st.caption(
        "Les initiatives créées par cet import sont retirées, celles qu'il a modifiées "
        "reprennent leurs valeurs d'avant ; l'annulation est elle-même inscrite à l'historique."
    )
    with st.popover("Annuler cet import", icon=":material/undo:"):
        st.markdown(f"Annuler **{markdown_literal(labels.get(lot, str(lot)))}** ?")
        if st.button("Confirmer l'annulation", type="primary", key="te_undo_button"):
            _undo(lot, force=False)
    pending = st.session_state.get(UNDO_KEY)
    if pending and pending["lot"] == lot:
        _confirm_overwrite(pending)


def _undo(lot: int, *, force: bool) -> None:
    from territoires.errors import UndoConflictError

    try:
        result = get_store().undo_import(lot, actor=current_access().actor(), force=force)
    except UndoConflictError as exc:
        st.session_state[UNDO_KEY] = {"lot": lot, "conflicts": _conflict_rows(exc)}
        return
    except TerritoiresError as exc:
        st.error(exc.user_message)
        return
    st.session_state.pop(UNDO_KEY, None)
    clear_after_write()
    st.session_state["te_flash"] = f"Import n° {lot} annulé. {_undo_summary(result)}".strip()
    st.rerun()


def _conflict_rows(exc) -> pd.DataFrame:
    """The initiatives edited since the import (``UndoConflict``: id, reference, title,
    reason), as a small table."""
    return pd.DataFrame(
        [
            {
                "Initiative": c.initiative_id,
                "Référence": c.reference or "",
                "Titre": c.titre or "",
                "Ce qui a changé depuis": c.raison,
            }
            for c in exc.conflicts
        ]
    )


def _undo_summary(result) -> str:
    """« 2 initiatives retirées ; 480 initiatives de démonstration revenues. » from an
    ``UndoResult`` (zero counts left out)."""
    counts = (
        (result.supprimees, "initiative retirée", "initiatives retirées"),
        (
            result.retablies,
            "initiative remise à son état d'avant",
            "initiatives remises à leur état d'avant",
        ),
        (
            result.fictives_restaurees,
            "initiative de démonstration revenue",
            "initiatives de démonstration revenues",
        ),
    )
    parts = [fr_count(n, one, many) for n, one, many in counts if n]
    if result.financeurs_supprimes:
        parts.append("financeurs retirés : " + ", ".join(result.financeurs_supprimes))
    return (" ; ".join(parts) + ".") if parts else ""


def _confirm_overwrite(pending: dict) -> None:
    st.warning(
        "**Des initiatives de cet import ont été modifiées depuis.** L'annuler écraserait ces "
        "modifications ; rien n'a été changé pour l'instant."
    )
    st.dataframe(pending["conflicts"], hide_index=True, width="stretch")
    keep, force = st.columns(2)
    if keep.button("Ne rien annuler", key="te_undo_keep", width="stretch"):
        st.session_state.pop(UNDO_KEY, None)
        st.rerun()
    if force.button(
        "Annuler quand même et écraser ces modifications",
        type="primary",
        key="te_undo_force",
        width="stretch",
    ):
        _undo(pending["lot"], force=True)
