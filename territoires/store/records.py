"""Pure functions on initiative records: columns, keys, fingerprints, merge (no I/O)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from typing import Any

# Columns of ``Store.list_initiatives()`` (docs/architecture.md), in order.
INITIATIVE_COLUMNS: tuple[str, ...] = (
    "id",
    "reference",
    "titre",
    "description",
    "porteur",
    "type",
    "themes",
    "financeurs",
    "financements",
    "montant",
    "annee",
    "date_debut",
    "date_fin",
    "statut",
    "commune_code",
    "zone_intervention",
    "latitude",
    "longitude",
    "site_web",
    "contact",
    "source_fichier",
    "source_ligne",
    "fictif",
    "cree_le",
    "modifie_le",
    "version",
    "cree_par",
    "modifie_par",
)
# Extra columns of ``Store.list_deleted()`` and keys of ``Store.get_initiative()``.
DELETION_COLUMNS: tuple[str, ...] = ("supprime_le", "supprime_par")

# Fields of a record handed to ``import_batch`` that describe the initiative itself. They make
# up its fingerprint (to tell "updated" from "unchanged"); source and flags do not.
DATA_FIELDS: tuple[str, ...] = (
    "reference",
    "titre",
    "description",
    "porteur",
    "type",
    "themes",
    "financements",
    "montant",
    "annee",
    "date_debut",
    "date_fin",
    "statut",
    "commune_code",
    "zone_intervention",
    "latitude",
    "longitude",
    "site_web",
    "contact",
)

# Fields whose changes the history records: the data, and where it last came from.
TRACKED_FIELDS: tuple[str, ...] = (*DATA_FIELDS, "source_fichier", "source_ligne")
LIST_FIELDS: tuple[str, ...] = ("themes", "financements", "zone_intervention")
FLOAT_FIELDS: tuple[str, ...] = ("montant", "latitude", "longitude")
SCALAR_FIELDS: tuple[str, ...] = tuple(f for f in DATA_FIELDS if f not in LIST_FIELDS)
DEFAULTS: dict[str, Any] = {
    "type": "projet associatif",
    "themes": [],
    "financements": [],
    "zone_intervention": [],
}


@dataclass(frozen=True)
class FieldChange:
    """One field of one initiative, before and after a change (Python values)."""

    initiative_id: int
    reference: str | None
    champ: str  # a TRACKED_FIELDS name; "" for a whole-record action
    avant: object
    apres: object


@dataclass(frozen=True)
class BatchResult:
    """Counts of one applied (or previewed) batch, its id and its field-level changes.

    ``changes`` lists, for every updated record, each changed field before → after (also for a
    dry run). ``supprimees_ignorees`` names the rows that match a deleted initiative: they are
    left deleted (an admin may restore them).
    """

    nouvelles: int
    modifiees: int
    inchangees: int
    fictives_supprimees: int = 0
    financeurs_crees: tuple[str, ...] = ()
    dry_run: bool = False
    lot: int | None = None
    changes: tuple[FieldChange, ...] = ()
    supprimees_ignorees: tuple[str, ...] = ()


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _norm(value: object) -> str:
    return " ".join(str(value or "").casefold().split())


def content_key(record: dict[str, Any]) -> str:
    """Key of a record without a reference: title, porteur, commune and year.

    Title and porteur are compared case- and whitespace-insensitively.
    """
    annee = record.get("annee")
    return (
        f"contenu:{_norm(record.get('titre'))}|{_norm(record.get('porteur'))}|"
        f"{record.get('commune_code') or ''}|{'' if annee is None else int(annee)}"
    )


def record_key(record: dict[str, Any]) -> str:
    """Upsert key: ``ref:<reference>`` when a reference is given, else ``content_key``."""
    reference = record.get("reference")
    return f"ref:{reference}" if reference else content_key(record)


def clean_float(value: object) -> float | None:
    """``value`` as a float, ``None`` for missing or NaN."""
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def fingerprint(record: dict[str, Any]) -> str:
    """Hash of a record's data fields, to tell an update from an unchanged row."""
    data = {name: record.get(name, DEFAULTS.get(name)) for name in DATA_FIELDS}
    for name in FLOAT_FIELDS:
        data[name] = clean_float(data[name])
    data["financements"] = [
        (f["financeur"], clean_float(f.get("montant"))) for f in data["financements"] or []
    ]
    data["zone_intervention"] = [(z["level"], z["code"]) for z in data["zone_intervention"] or []]
    text = repr([data[name] for name in DATA_FIELDS])
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def field_value(record: dict[str, Any], name: str) -> Any:
    """A record's field as stored and compared: floats without NaN, lists as plain lists."""
    value = record.get(name, DEFAULTS.get(name))
    if name in FLOAT_FIELDS:
        return clean_float(value)
    if name in ("annee", "source_ligne"):
        return None if value is None else int(value)
    if name == "financements":
        return [
            {"financeur": f["financeur"], "montant": clean_float(f.get("montant"))}
            for f in value or []
        ]
    if name == "zone_intervention":
        return [{"level": z["level"], "code": z["code"]} for z in value or []]
    if name == "themes":
        return list(value or [])
    return value


def snapshot(record: dict[str, Any]) -> dict[str, Any]:
    """A record's tracked fields and demo flag, as stored (what a creation records)."""
    values = {name: field_value(record, name) for name in TRACKED_FIELDS}
    values["fictif"] = bool(record.get("fictif", False))
    return values


def field_diff(
    old: dict[str, Any], new: dict[str, Any], fields: tuple[str, ...] = TRACKED_FIELDS
) -> list[tuple[str, Any, Any]]:
    """``(field, before, after)`` for every field whose stored value would change."""
    changes = []
    for name in fields:
        before, after = field_value(old, name), field_value(new, name)
        if before != after:
            changes.append((name, before, after))
    return changes


def label(record: dict[str, Any]) -> str:
    """How a message names an initiative: « R-12 « Titre » » or « « Titre » »."""
    title = f"« {record.get('titre') or ''} »"
    return f"{record['reference']} {title}" if record.get("reference") else title


def merge(stored: dict[str, Any], record: dict[str, Any], present: set[str]) -> dict[str, Any]:
    """Fields the source provides come from ``record``, the others keep their stored values.

    Per-funder amounts are kept when the file lists the same funders without amounts (an
    export carries only the total).
    """
    merged = {name: stored.get(name) for name in DATA_FIELDS}
    merged.update({name: record.get(name) for name in present})
    merged.update({k: v for k, v in record.items() if k not in DATA_FIELDS})
    new_funds = merged.get("financements") or []
    old_funds = stored.get("financements") or []
    if (
        "financements" in present
        and [f["financeur"] for f in new_funds] == [f["financeur"] for f in old_funds]
        and all(f.get("montant") is None for f in new_funds)
    ):
        merged["financements"] = old_funds
    return merged


def value_text(value: object) -> str:
    """A stored value as plain text: numbers without thousands separators or « .0 », lists
    joined by « ; », funders with their amount in parentheses, areas as ``level:code``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int | float):
        number = float(value)
        if math.isnan(number):
            return ""
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    if isinstance(value, list):
        return " ; ".join(_item_text(item) for item in value)
    return str(value)


def _item_text(item: object) -> str:
    if isinstance(item, dict) and "financeur" in item:
        amount = item.get("montant")
        return (
            f"{item['financeur']} ({value_text(amount)})"
            if amount is not None
            else item["financeur"]
        )
    if isinstance(item, dict) and "level" in item:
        return f"{item['level']}:{item['code']}"
    return value_text(item)
