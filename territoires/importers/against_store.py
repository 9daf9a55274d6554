"""What a file's records mean next to the stored initiatives: reference collisions and
probable duplicates (pure: the stored identities come in as a table, ``Store.identities``).

- A **reference collision**: a reference already stored now comes with at least two of its
  title, porteur and commune different. It is probably another initiative under a reused
  number (« N° 1 » of 2025 is not « N° 1 » of 2024): the row is rejected with both versions,
  unless the update is confirmed. One of the three changed alone is an ordinary update.
- A **probable duplicate**: a record with the same title, porteur, commune and year as a
  stored one under another reference: a warning names both references.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from territoires.importers.normalize import words_key

_COMPARED: tuple[tuple[str, str], ...] = (
    ("titre", "titre"),
    ("porteur", "porteur"),
    ("commune_code", "commune"),
)


@dataclass(frozen=True)
class Collision:
    """A stored reference that now names, probably, another initiative."""

    line: int
    reference: str
    stored: dict[str, Any]
    incoming: dict[str, Any]
    differing: tuple[str, ...]  # « titre », « porteur », « commune »


def identity_key(record: Mapping[str, Any]) -> tuple[str, str, str, int | None]:
    """What makes two initiatives probably the same: title, porteur (compared without case,
    accents or punctuation), commune after resolution (a renamed commune is the same) and
    year."""
    return (
        words_key(str(record.get("titre") or "")),
        words_key(str(record.get("porteur") or "")),
        *_place(record),
    )


def _place(record: Mapping[str, Any]) -> tuple[str, int | None]:
    """The commune and year of ``identity_key`` (cheap: nothing to normalise)."""
    annee = record.get("annee")
    return (
        str(record.get("commune_code") or ""),
        None if annee is None or pd.isna(annee) else int(annee),
    )


class IdentityIndex:
    """Values filed under records' ``identity_key``, found back in the order they were added.

    Records are grouped by commune and year first: a title and a porteur are normalised only
    when another record of the same commune and year is looked up, so that checking 50,000
    records against 50,000 stored ones normalises a few texts, not 200,000.
    """

    def __init__(self) -> None:
        self._groups: dict[tuple[str, int | None], list[list[Any]]] = {}

    def add(self, record: Mapping[str, Any], value: Any) -> None:
        """File ``value`` under ``record``'s identity."""
        self._groups.setdefault(_place(record), []).append([record, value, None])

    def near(self, record: Mapping[str, Any]) -> list[Any]:
        """The values filed under records of ``record``'s commune and year (nothing
        normalised): a superset of ``find``'s."""
        return [item[1] for item in self._groups.get(_place(record), ())]

    def find(self, record: Mapping[str, Any]) -> list[Any]:
        """The values filed under ``record``'s identity, oldest first."""
        group = self._groups.get(_place(record))
        if not group:
            return []
        key = identity_key(record)
        found = []
        for item in group:
            if item[2] is None:
                item[2] = identity_key(item[0])
            if item[2] == key:
                found.append(item[1])
        return found


def differing_fields(stored: Mapping[str, Any], incoming: Mapping[str, Any]) -> tuple[str, ...]:
    """Which of title, porteur and commune differ (title and porteur compared as words)."""
    differ = []
    for name, label in _COMPARED:
        old, new = stored.get(name), incoming.get(name)
        if old == new:
            continue  # the same text is the same words
        if name != "commune_code":
            old, new = words_key(str(old or "")), words_key(str(new or ""))
        if (old or "") != (new or ""):
            differ.append(label)
    return tuple(differ)


def find_collisions(
    records: list[dict[str, Any]],
    stored: pd.DataFrame,
    confirmed: bool | Collection[str] = False,
) -> list[Collision]:
    """Records whose reference is stored for an initiative that differs in at least two of
    title, porteur and commune; ``confirmed`` (all, or these references) lets them update."""
    by_reference = {
        str(row["reference"]): row for row in stored_rows(stored) if row.get("reference")
    }
    found = []
    for record in records:
        reference = record.get("reference")
        if not reference or str(reference) not in by_reference:
            continue
        if confirmed is True or (not isinstance(confirmed, bool) and reference in confirmed):
            continue
        old = by_reference[str(reference)]
        differ = differing_fields(old, record)
        if len(differ) >= 2:
            found.append(Collision(record["source_ligne"], str(reference), old, record, differ))
    return found


def stored_rows(stored: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``Store.identities()`` as dicts (``to_dict("records")``, faster)."""
    columns = [str(c) for c in stored.columns]
    values = zip(*(stored[c].tolist() for c in columns), strict=True)
    return [dict(zip(columns, row, strict=True)) for row in values]


def collision_reason(collision: Collision, commune_name: Callable[[str], str]) -> str:
    """« Référence « 1 » déjà enregistrée pour une autre initiative ? … » with both versions."""

    def version(record: Mapping[str, Any]) -> str:
        code = str(record.get("commune_code") or "")
        annee = record.get("annee")
        year = "" if annee is None or pd.isna(annee) else f", {int(annee)}"
        return (
            f"« {record.get('titre') or ''} », {record.get('porteur') or '(sans porteur)'}, "
            f"{commune_name(code)} ({code}){year}"
        )

    return (
        f"Référence « {collision.reference} » déjà enregistrée pour une autre initiative ? "
        f"{', '.join(collision.differing)} différents — enregistrée : {version(collision.stored)} "
        f"; fichier : {version(collision.incoming)}. Confirmez la mise à jour "
        "(« Mises à jour à confirmer » dans l'application, --confirm-updates en ligne de "
        "commande) ou changez la référence"
    )


def store_duplicates(records: list[dict[str, Any]], stored: pd.DataFrame) -> list[str]:
    """Warnings for records that probably duplicate a stored initiative of another reference."""
    by_identity = IdentityIndex()
    for row in stored_rows(stored):
        if row.get("reference"):
            by_identity.add(row, str(row["reference"]))
    warnings = []
    for record in records:
        mine = str(record.get("reference") or "")
        if all(reference == mine for reference in by_identity.near(record)):
            continue  # no other initiative of its commune and year: nothing to normalise
        references = by_identity.find(record)
        others = [r for r in references if r != mine]
        if others and str(record.get("reference") or "") not in references:
            listed = ", ".join(f"« {r} »" for r in others)
            mine = record.get("reference")
            warnings.append(
                f"ligne {record['source_ligne']} : doublon probable de l'initiative enregistrée "
                f"sous la référence {listed} (même titre, porteur, commune et année), "
                f"référence du fichier {f'« {mine} »' if mine else '(aucune)'}"
            )
    return warnings
