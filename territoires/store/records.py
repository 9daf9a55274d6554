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


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


def _clean_funds(funds: object) -> list[dict[str, Any]]:
    return [
        {"financeur": f["financeur"], "montant": clean_float(f.get("montant"))}
        for f in funds or []  # type: ignore[attr-defined]
    ]


def _clean_zone(zone: object) -> list[dict[str, str]]:
    return [{"level": z["level"], "code": z["code"]} for z in zone or []]  # type: ignore[attr-defined]


def _list(value: object) -> list[Any]:
    return list(value or [])  # type: ignore[call-overload]


# How each field is normalised before it is stored, compared or hashed (others: as they are).
_NORMALIZERS: dict[str, Any] = {
    **{name: clean_float for name in FLOAT_FIELDS},
    "annee": _int_or_none,
    "source_ligne": _int_or_none,
    "themes": _list,
    "financements": _clean_funds,
    "zone_intervention": _clean_zone,
}
_NORMALIZER_ITEMS = tuple(_NORMALIZERS.items())
_TRACKED_DEFAULTS = tuple((name, DEFAULTS.get(name)) for name in TRACKED_FIELDS)
_FUNDS_AT = DATA_FIELDS.index("financements")
_ZONE_AT = DATA_FIELDS.index("zone_intervention")


def field_value(record: dict[str, Any], name: str) -> Any:
    """A record's field as stored and compared: floats without NaN, lists as plain lists."""
    value = record.get(name, DEFAULTS.get(name))
    normalize = _NORMALIZERS.get(name)
    return value if normalize is None else normalize(value)


def snapshot(record: dict[str, Any]) -> dict[str, Any]:
    """A record's tracked fields (normalised) and demo flag: what a creation records, and what
    a row and its fingerprint are written from."""
    get = record.get
    values = {name: get(name, default) for name, default in _TRACKED_DEFAULTS}
    for name, normalize in _NORMALIZER_ITEMS:
        values[name] = normalize(values[name])
    values["fictif"] = bool(get("fictif", False))
    return values


def compact(values: dict[str, Any]) -> dict[str, Any]:
    """A snapshot without its empty fields (None, []), which ``field_value`` reads back as
    they were: what the history stores for a creation."""
    return {name: value for name, value in values.items() if value is not None and value != []}


def snapshot_print(values: dict[str, Any]) -> str:
    """The fingerprint of a ``snapshot`` (see ``fingerprint``)."""
    data = [values[name] for name in DATA_FIELDS]
    data[_FUNDS_AT] = [(f["financeur"], f["montant"]) for f in data[_FUNDS_AT]]
    data[_ZONE_AT] = [(z["level"], z["code"]) for z in data[_ZONE_AT]]
    return hashlib.sha1(repr(data).encode("utf-8")).hexdigest()


def fingerprint(record: dict[str, Any]) -> str:
    """Hash of a record's data fields, to tell an update from an unchanged row."""
    return snapshot_print(snapshot(record))


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
