"""Editing one initiative in the app, through the importer's own checks (pure, no Streamlit).

The form's values become one row of a table whose columns are the importer's fields, and that
table goes through ``prepare_import``: the same parsing (amounts « 4 200,50 € », years, dates,
types, theme and funder aliases, commune, zone d'intervention) and the same French messages as
a file import. Whatever the importer learns (new header synonyms, better commune matching)
the form gets too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from territoires.analysis.aggregate import theme_label
from territoires.errors import TerritoiresError
from territoires.geo.reference import GeoReference
from territoires.importers.pipeline import Vocabulary, prepare_import
from territoires.importers.reading import SourceTable
from territoires.importers.suggest import NEW_FUNDER
from territoires.importers.vocabulary import Correspondence

# The form's fields, each an importer field (``territoires.importers.headers.FIELDS``).
FORM_FIELDS: tuple[str, ...] = (
    "reference",
    "titre",
    "porteur",
    "type",
    "code_insee",
    "financeurs",
    "themes",
    "montant",
    "annee",
    "zone_intervention",
    "date_debut",
    "date_fin",
    "statut",
    "description",
    "site_web",
    "contact",
    "latitude",
    "longitude",
)
SOURCE_LABEL = "saisie dans l'application"
# Fields the store keeps that a form edit never changes.
_NOT_EDITED = ("source_fichier", "source_ligne", "fictif")


class FormError(TerritoiresError):
    """The form's values do not make a valid initiative: the importer's French reasons."""


@dataclass(frozen=True)
class Prepared:
    """A checked record, ready for ``Store.create_initiative`` or ``update_initiative``."""

    record: dict[str, Any]
    warnings: tuple[str, ...] = ()
    new_funders: tuple[str, ...] = field(default_factory=tuple)


def _cell(value: object) -> str:
    """A form value as the importer reads a CSV cell: text, lists joined by « ; »."""
    if isinstance(value, list | tuple):
        return " ; ".join(_cell(v) for v in value if _cell(v))
    if isinstance(value, dict):  # a zone d'intervention item
        return f"{value['level']}:{value['code']}"
    if value is None or pd.isna(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def form_table(values: Mapping[str, object]) -> SourceTable:
    """The form's values as a one-row table with the importer's field names as headers."""
    row = {name: _cell(values.get(name)) for name in FORM_FIELDS}
    return SourceTable(pd.DataFrame([row], dtype=object), name=SOURCE_LABEL, kind="csv")


def prepare_form(
    values: Mapping[str, object], reference: GeoReference, vocabulary: Vocabulary
) -> Prepared:
    """Check the form's values the way an import checks a row.

    A funder typed in the form that matches no known funder, not even closely, is a new funder
    the person asked for: it is confirmed, as « Créer le financeur » does in the import's
    « Correspondances » step. A typed name close to a known funder is refused with the
    importer's proposal (nothing is guessed).

    Raises
    ------
    FormError
        With the importer's messages (« Titre manquant ; Montant illisible : « beaucoup » »).
    """
    table = form_table(values)
    mapping = {name: name for name in FORM_FIELDS}
    plan = prepare_import(table, reference, vocabulary, mapping=mapping)
    new = [
        Correspondence("financeurs", s.valeur, s.valeur, NEW_FUNDER)
        for s in plan.suggestions
        if s.colonne == "financeurs" and s.raison == NEW_FUNDER
    ]
    if new:
        plan = prepare_import(table, reference, vocabulary, mapping=mapping, correspondences=new)
    if plan.rejected:
        raise FormError(plan.rejected[0][2])
    if not plan.records:
        raise FormError("Titre manquant")
    record = {k: v for k, v in plan.records[0].items() if k not in _NOT_EDITED}
    warnings = tuple(w.removeprefix(f"ligne {table.first_line} : ") for w in plan.warnings)
    return Prepared(record, warnings, tuple(plan.new_funders))


def _same(before: object, after: object) -> bool:
    def norm(value: object) -> object:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, tuple):
            return list(value)
        return value

    return norm(before) == norm(after)


def keep_funder_amounts(stored: Sequence[Mapping], names: Sequence[str]) -> list[dict]:
    """The new funders' list, keeping the per-funder amounts already stored for those kept
    (the form, like a file, gives one total amount)."""
    amounts = {str(item.get("financeur")): item.get("montant") for item in stored or ()}
    return [{"financeur": name, "montant": amounts.get(name)} for name in names]


def changes_from(stored: Mapping[str, object], record: Mapping[str, object]) -> dict[str, Any]:
    """The fields of ``record`` that differ from the stored initiative (``{}``: no change)."""
    changes: dict[str, Any] = {}
    for name, value in record.items():
        if name == "financements":
            names = [item["financeur"] for item in value]
            value = keep_funder_amounts(stored.get("financements") or [], names)
        if not _same(stored.get(name), value):
            changes[name] = value
    return changes


def form_values(stored: Mapping[str, object]) -> dict[str, object]:
    """A stored initiative as the form's starting values."""

    def text(name: str) -> str:
        return _cell(stored.get(name))

    return {
        "reference": text("reference"),
        "titre": text("titre"),
        "porteur": text("porteur"),
        "type": text("type") or "projet associatif",
        "code_insee": text("commune_code"),
        "financeurs": [str(f["financeur"]) for f in stored.get("financements") or []],
        "themes": list(stored.get("themes") or []),
        "montant": _amount_text(stored.get("montant")),
        "annee": text("annee"),
        "zone_intervention": [dict(z) for z in stored.get("zone_intervention") or []],
        "date_debut": text("date_debut"),
        "date_fin": text("date_fin"),
        "statut": text("statut"),
        "description": text("description"),
        "site_web": text("site_web"),
        "contact": text("contact"),
        "latitude": text("latitude"),
        "longitude": text("longitude"),
    }


def _amount_text(value: object) -> str:
    """An amount as the form shows it: « 15000 » or « 4200,5 » (French decimal comma)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = float(value)  # type: ignore[arg-type]
    return str(int(number)) if number.is_integer() else f"{number}".replace(".", ",")


# The stored fields' names as a user reads them (history, conflicts).
FIELD_NAMES: dict[str, str] = {
    "": "(toute l'initiative)",
    "reference": "Référence",
    "titre": "Titre",
    "description": "Description",
    "porteur": "Porteur",
    "type": "Type",
    "themes": "Thèmes",
    "financements": "Financeurs",
    "montant": "Montant (€)",
    "annee": "Année",
    "date_debut": "Date de début",
    "date_fin": "Date de fin",
    "statut": "Statut",
    "commune_code": "Commune (code INSEE)",
    "zone_intervention": "Zone d'intervention",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "site_web": "Site web",
    "contact": "Contact",
    "source_fichier": "Fichier source",
    "source_ligne": "Ligne du fichier",
    "fictif": "Donnée fictive",
    "correspondance": "Correspondance d'import",
}


def value_text(value: object) -> str:
    """A stored value as one line of plain text: « (vide) », lists joined by « ; », funders
    with their amount, zones as « epci:242900744 »."""
    if isinstance(value, list | tuple):
        parts = [value_text(v) for v in value]
        return " ; ".join(p for p in parts if p != "(vide)") or "(vide)"
    if isinstance(value, dict):
        if "financeur" in value:
            amount = value.get("montant")
            return str(value["financeur"]) + (
                f" ({_amount_text(amount)} €)" if _amount_text(amount) else ""
            )
        if "level" in value:
            return f"{value['level']}:{value['code']}"
        return ", ".join(f"{k} : {value_text(v)}" for k, v in value.items())
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "(vide)"
    if isinstance(value, float):
        return _amount_text(value)
    text = str(value).strip()
    return text or "(vide)"


def field_text(champ: str, value: object) -> str:
    """``value_text`` of a field's value, as a user reads it: theme codes become their
    labels (« Cultures et savoirs », not « cultures-savoirs »)."""
    if champ == "themes":
        codes = value if isinstance(value, list | tuple) else [value]
        labels = [theme_label(str(code)) for code in codes if value_text(code) != "(vide)"]
        return value_text(labels)
    return value_text(value)


def _get(item: object, name: str) -> object:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def conflict_lines(theirs: Sequence[object], yours: Mapping[str, object]) -> list[str]:
    """French lines for a refused save: what the other person changed, then what you typed.

    ``theirs`` holds the field changes made since the version the form was opened on (objects
    or dicts with ``utilisateur``/``user``, ``date``, ``champ``, ``avant``, ``apres``).
    """
    lines = ["Modifié entre-temps :"]
    for change in theirs:
        who = _get(change, "utilisateur") or _get(change, "user") or "quelqu'un"
        when = date_text(_get(change, "date"))
        champ = str(_get(change, "champ") or "")
        lines.append(
            f"- {FIELD_NAMES.get(champ, champ)} : « {field_text(champ, _get(change, 'avant'))} » "
            f"→ « {field_text(champ, _get(change, 'apres'))} » "
            f"({who}{', le ' + when if when else ''})"
        )
    lines.append("Vos modifications (toujours dans le formulaire) :")
    lines.extend(
        f"- {FIELD_NAMES.get(name, name)} : « {field_text(name, value)} »"
        for name, value in yours.items()
    )
    return lines


def date_text(value: object) -> str:
    """An ISO timestamp as « 05/12/2026 à 18:22 » (as stored: universal time)."""
    text = str(value or "")
    if len(text) < 16 or text[4] != "-":
        return text
    return f"{text[8:10]}/{text[5:7]}/{text[:4]} à {text[11:16]}"
