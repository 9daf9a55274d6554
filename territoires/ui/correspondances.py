"""The Importer page's « Correspondances » and « Mises à jour à confirmer » steps: each value
that matched nothing, its proposal, and a choice a person confirms (another known label, a new
funder, leave the rows rejected); each reused reference, with both versions. Nothing here
decides: the page re-runs the simulation with what was confirmed."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from territoires import texts
from territoires.analysis.aggregate import theme_label
from territoires.editing import date_text
from territoires.errors import TerritoiresError
from territoires.formatting import markdown_literal
from territoires.importers.against_store import Collision
from territoires.importers.locate import CommuneLocator
from territoires.importers.suggest import Suggestion
from territoires.importers.vocabulary import (
    COLUMN_LABELS,
    IGNORE_VALUE,
    Correspondence,
    Vocabulary,
    known_labels,
    value_key,
)
from territoires.store import Actor

LEAVE = "\u2060laisser"  # not a label anyone writes
_LEAVE_LABEL = "Laisser les lignes rejetées"


def choice_options(
    suggestion: Suggestion, vocabulary: Vocabulary, locator: CommuneLocator
) -> dict[str, str]:
    """What a person may choose for a value, in order: proposal and candidates first, then
    the other known labels, then « ignore » (funders, themes) and « leave the rows rejected »."""
    colonne = suggestion.colonne
    options: dict[str, str] = {}
    if colonne == "commune":
        for code in suggestion.options:
            options[code] = f"{locator.nom[code]} — {locator.describe(code)}"
    else:
        for label in suggestion.options:
            options[label] = label
        if colonne == "financeurs":
            options[suggestion.valeur] = f"Créer le financeur « {suggestion.valeur} »"
        for label in known_labels(vocabulary, colonne):
            options.setdefault(label, label)
        if colonne in ("financeurs", "themes"):
            noun = "ce financeur" if colonne == "financeurs" else "ce thème"
            options[IGNORE_VALUE] = f"Importer les lignes sans {noun}"
    options[LEAVE] = _LEAVE_LABEL
    return options


def _lines(suggestion: Suggestion) -> str:
    shown = [str(n) for n in suggestion.lignes[:8]] + (["…"] if len(suggestion.lignes) > 8 else [])
    if len(shown) == 1:
        return f"ligne {shown[0]}"
    return f"lignes {', '.join(shown[:-1])} et {shown[-1]}"


def correspondence_form(
    suggestions: Sequence[Suggestion],
    vocabulary: Vocabulary,
    locator: CommuneLocator,
    key: str,
) -> list[Correspondence] | None:
    """One choice per value, confirmed together; ``None`` until « Confirmer » is pressed.

    The proposal is chosen by default, but nothing applies before the confirmation. For a
    commune, a code INSEE may also be typed.
    """
    choices: list[tuple[Suggestion, str]] = []
    with st.form(key, border=False):
        for index, suggestion in enumerate(suggestions):
            options = choice_options(suggestion, vocabulary, locator)
            values = list(options)
            default = suggestion.proposition if suggestion.proposition in options else LEAVE
            left, right = st.columns([2, 3], vertical_alignment="center")
            left.markdown(
                f"**{COLUMN_LABELS[suggestion.colonne]}** "
                f"« {markdown_literal(suggestion.valeur)} » — {_lines(suggestion)}"
            )
            left.caption(markdown_literal(suggestion.raison))
            choice = right.selectbox(
                f"Correspondance de « {suggestion.valeur} »",
                values,
                index=values.index(default),
                format_func=lambda value, options=options: options.get(value, value),
                key=f"{key}_{index}",
                label_visibility="collapsed",
                placeholder=texts.CHOOSE,
                accept_new_options=suggestion.colonne == "commune",
            )
            choices.append((suggestion, choice or LEAVE))
        submitted = st.form_submit_button(
            "Confirmer ces correspondances et simuler à nouveau",
            type="primary",
            icon=":material/check:",
        )
    if not submitted:
        return None
    return [
        Correspondence(suggestion.colonne, suggestion.valeur, choice)
        for suggestion, choice in choices
        if choice != LEAVE
    ]


def merge_confirmed(
    earlier: Sequence[Correspondence], new: Sequence[Correspondence]
) -> list[Correspondence]:
    """Earlier confirmations, replaced by new ones for the same value."""
    merged = {(c.colonne, value_key(c.colonne, c.valeur)): c for c in earlier}
    merged.update({(c.colonne, value_key(c.colonne, c.valeur)): c for c in new})
    return list(merged.values())


def collision_form(
    collisions: Sequence[Collision], locator: CommuneLocator, key: str
) -> set[str] | None:
    """Each stored reference that now names, probably, another initiative: both versions side
    by side, and a box to tick when it is an update. ``None`` until confirmed."""
    ticked: set[str] = set()
    with st.form(key, border=False):
        for index, collision in enumerate(collisions):
            st.markdown(
                f"**Référence « {markdown_literal(collision.reference)} »**, "
                f"ligne {collision.line} — {', '.join(collision.differing)} différents"
            )
            left, right = st.columns(2)
            left.caption("Enregistrée")
            left.markdown(markdown_literal(_version(collision.stored, locator)))
            right.caption("Dans le fichier")
            right.markdown(markdown_literal(_version(collision.incoming, locator)))
            if st.checkbox(
                "C'est une mise à jour de l'initiative enregistrée", key=f"{key}_{index}"
            ):
                ticked.add(collision.reference)
        submitted = st.form_submit_button(
            "Confirmer et simuler à nouveau", type="primary", icon=":material/check:"
        )
    return ticked if submitted else None


def _version(record: dict, locator: CommuneLocator) -> str:
    code = str(record.get("commune_code") or "")
    annee = record.get("annee")
    year = f" ({int(annee)})" if annee is not None and annee == annee else ""
    return (
        f"« {record.get('titre') or ''} » — {record.get('porteur') or 'sans porteur'} — "
        f"{locator.nom.get(code, code)}{year}"
    )


# --- « Correspondances enregistrées »: what earlier imports remember, and forgetting one ------

SAVED_FLASH = "te_saved_correspondence_removed"


def saved_display(frame: pd.DataFrame, locator: CommuneLocator | None) -> pd.DataFrame:
    """The store's saved correspondences as a person reads them (``saved_correspondences``):
    what kind of value, as written, what it stands for, when and by whom it was saved."""
    return pd.DataFrame(
        {
            "Colonne": [COLUMN_LABELS.get(c, c) for c in frame["colonne"]],
            "Valeur écrite": frame["valeur"].astype(str),
            "Correspondance": [
                _target_text(c, str(t), locator)
                for c, t in zip(frame["colonne"], frame["proposition"], strict=True)
            ],
            "Enregistrée le": [date_text(d) if d else "" for d in frame["cree_le"]],
            "Par": [str(u) if u else "" for u in frame["cree_par"]],
        }
    )


def _target_text(colonne: str, target: str, locator: CommuneLocator | None) -> str:
    if colonne == "commune" and locator is not None and target in locator.nom:
        return f"{locator.nom[target]} — {locator.describe(target)}"
    return theme_label(target) if colonne == "themes" else target


def saved_correspondences_panel(actor: Actor) -> None:
    """List the correspondences earlier imports saved, and remove one (``actor`` must be an
    editeur: the store checks it again and records the removal in the history)."""
    from territoires.importers.locate import locator_for
    from territoires.ui.cache import clear_after_write, get_reference, store_session

    st.subheader("Correspondances enregistrées")
    removed = st.session_state.pop(SAVED_FLASH, None)
    if removed:
        st.success(markdown_literal(removed))
    with store_session() as store:
        frame = store.saved_correspondences()
    if frame.empty:
        st.caption(
            "Aucune pour l'instant : les valeurs confirmées à l'étape « Correspondances » d'un "
            "import y seront gardées pour les imports suivants."
        )
        return
    st.caption(
        "Les valeurs confirmées à l'étape « Correspondances » des imports précédents : les "
        "fichiers suivants écrits de la même façon passent sans question. Retirer une "
        "correspondance erronée fait reposer la question au prochain import ; les initiatives "
        "déjà importées ne changent pas."
    )
    communes = (frame["colonne"] == "commune").any()  # the locator only when it is needed
    shown = saved_display(frame, locator_for(get_reference()) if communes else None)
    st.dataframe(shown, hide_index=True, width="stretch")
    labels = [
        f"{row['Colonne']} « {row['Valeur écrite']} » → {row['Correspondance']}"
        for _, row in shown.iterrows()
    ]
    pick = st.selectbox(
        "Correspondance à retirer",
        range(len(frame)),
        index=None,
        format_func=labels.__getitem__,
        key="te_saved_correspondence",
        placeholder=texts.CHOOSE,
    )
    if st.button("Retirer cette correspondance", icon=":material/delete:", disabled=pick is None):
        row = frame.iloc[int(pick)]
        try:
            with store_session() as store:
                store.remove_correspondence(
                    str(row["colonne"]), str(row["cle"]), str(row["proposition"]), actor=actor
                )
        except TerritoiresError as exc:
            st.error(markdown_literal(exc.user_message))
            return
        clear_after_write()
        st.session_state[SAVED_FLASH] = f"Correspondance retirée : {labels[int(pick)]}."
        st.session_state.pop("te_saved_correspondence", None)
        st.rerun()
