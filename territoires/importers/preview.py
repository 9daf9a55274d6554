"""What an import changes, field by field: before → after, for the report and the page.

Built on the store's ``FieldChange`` values (``BatchResult.changes``), which a dry run computes
as well as a real import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from territoires.analysis.aggregate import theme_label
from territoires.importers.headers import FIELD_LABELS
from territoires.store import FieldChange

_LABELS: dict[str, str] = {
    **FIELD_LABELS,
    "commune_code": "Commune (code INSEE)",
    "financements": "Financements",
    "source_fichier": "Fichier source",
    "source_ligne": "Ligne du fichier",
    "": "Initiative",
}
EMPTY = "(vide)"
CHANGE_COLUMNS: tuple[str, ...] = ("Initiative", "Référence", "Champ", "Avant", "Après")


def shown(value: object) -> str:
    """A stored value as a person reads it: lists joined by « ; », empty as « (vide) »."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, list):
        return " ; ".join(_item(v) for v in value)
    return str(value)


def field_shown(champ: str, value: object) -> str:
    """``shown`` of a field's value: themes by their labels, not their codes."""
    if champ == "themes" and isinstance(value, list):
        return shown([theme_label(str(code)) for code in value])
    return shown(value)


def _item(value: object) -> str:
    if isinstance(value, dict) and "financeur" in value:
        amount = value.get("montant")
        return str(value["financeur"]) + (f" ({shown(amount)} €)" if amount is not None else "")
    if isinstance(value, dict) and "level" in value:
        return f"{value['level']}:{value['code']}"
    return str(value)


def _name(change: FieldChange, titles: Mapping[int, str]) -> str:
    return titles.get(change.initiative_id) or f"initiative n° {change.initiative_id}"


def changes_frame(changes: Sequence[FieldChange], titles: Mapping[int, str]) -> pd.DataFrame:
    """One row per changed field: initiative, reference, field, before, after."""
    rows = [
        (
            _name(c, titles),
            c.reference or "",
            _LABELS.get(c.champ, c.champ),
            field_shown(c.champ, c.avant),
            field_shown(c.champ, c.apres),
        )
        for c in changes
    ]
    return pd.DataFrame(rows, columns=list(CHANGE_COLUMNS), dtype=object)


def change_lines(
    changes: Sequence[FieldChange], titles: Mapping[int, str], *, dry_run: bool
) -> list[str]:
    """One line per initiative that changes: « Modifiée : « Jardin » (référence 1) : Titre :
    « Jardin » → « Fête » ; Année : 2024 → 2025. »"""
    by_record: dict[int, list[FieldChange]] = {}
    for change in changes:
        by_record.setdefault(change.initiative_id, []).append(change)
    verb = "Serait modifiée" if dry_run else "Modifiée"
    lines = []
    for group in by_record.values():
        first = group[0]
        reference = f" (référence {first.reference})" if first.reference else ""
        fields = " ; ".join(
            f"{_LABELS.get(c.champ, c.champ)} : « {field_shown(c.champ, c.avant)} » → "
            f"« {field_shown(c.champ, c.apres)} »"
            for c in group
        )
        lines.append(f"{verb} : « {_name(first, titles)} »{reference} : {fields}.")
    return lines
