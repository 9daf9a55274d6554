"""The Importer page's « Correspondances » and « Mises à jour à confirmer » steps: each value
that matched nothing, its proposal, and a choice a person confirms (another known label, a new
funder, leave the rows rejected); each reused reference, with both versions. Nothing here
decides: the page re-runs the simulation with what was confirmed."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from territoires import texts
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
