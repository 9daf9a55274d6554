"""The history: one row per change of one field of one initiative, and the import journal.

A row says when, who, which action, which initiative and field, the value before and after
(stored exactly, as JSON, so that an undo puts them back bit for bit) and the import batch
(« lot ») when there is one. A creation is stored as one row holding the whole record and
shown as one row per field it set; a whole-record action (deletion, restoration) has an empty
``champ``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import pandas as pd

from territoires.store.backends import Backend
from territoires.store.records import TRACKED_FIELDS, FieldChange

Action = Literal[
    "import",
    "creation",
    "modification",
    "suppression",
    "restauration",
    "fusion",
    "annulation",
    "utilisateur",
    "indicateur",
    "correspondance",
]
HISTORY_COLUMNS: tuple[str, ...] = (
    "id",
    "date",
    "utilisateur",
    "action",
    "initiative_id",
    "reference",
    "champ",
    "avant",
    "apres",
    "lot",
    "titre",
)
IMPORT_COLUMNS: tuple[str, ...] = (
    "lot",
    "date",
    "utilisateur",
    "fichier",
    "nouvelles",
    "modifiees",
    "inchangees",
    "rejetees",
    "annule",
    "annule_le",
    "annule_par",
)
_STORED: tuple[str, ...] = (
    "date",
    "utilisateur",
    "action",
    "initiative_id",
    "reference",
    "titre",
    "champ",
    "avant",
    "apres",
    "lot",
    "version",
)


class Entry(NamedTuple):
    """One history row to write (the caller gives when, who and the batch). A named tuple,
    not a dataclass: an import makes one per record, and tuples are built fastest."""

    action: Action
    initiative_id: int | None
    reference: str | None
    titre: str | None
    champ: str = ""
    avant: object = None
    apres: object = None
    version: int | None = None


@dataclass(frozen=True)
class RecordedChange:
    """A change read back from the history: who, when, which action and field, values."""

    date: str
    utilisateur: str
    action: str
    champ: str
    avant: object
    apres: object


def field_entries(
    action: Action,
    record: dict[str, Any],
    changes: Iterable[tuple[str, Any, Any]],
    version: int | None,
) -> list[Entry]:
    """One entry per changed field of ``record`` (its reference and title after the change)."""
    return [
        Entry(action, record["id"], record.get("reference"), record.get("titre"), *c, version)
        for c in changes
    ]


def whole_entry(
    action: Action, record: dict[str, Any], *, avant: object = None, apres: object = None
) -> Entry:
    """An entry about a whole record (creation, deletion, restoration)."""
    return Entry(
        action,
        int(record["id"]),
        record.get("reference"),
        record.get("titre"),
        "",
        avant,
        apres,
        record.get("version"),
    )


def as_field_changes(entries: Iterable[Entry]) -> tuple[FieldChange, ...]:
    """Field entries as the ``FieldChange`` values a batch result carries."""
    return tuple(
        FieldChange(int(e.initiative_id), e.reference, e.champ, e.avant, e.apres)
        for e in entries
        if e.champ and e.initiative_id is not None
    )


def _plain(value: object) -> object:
    if hasattr(value, "item"):
        return value.item()  # numpy scalars
    raise TypeError(f"expected a JSON value, got {type(value).__name__}")


_ENCODER = json.JSONEncoder(ensure_ascii=False, default=_plain)


def dump(value: object) -> str | None:
    """A value as stored: exact JSON (None stays NULL)."""
    return None if value is None else _ENCODER.encode(value)


def load(text: str | None) -> object:
    """A stored value back as Python."""
    return None if text is None else json.loads(text)


def write(
    db: Backend, entries: Iterable[Entry], *, stamp: str, user: str, lot: int | None = None
) -> None:
    """Append entries to the history, all with the same date, user and batch."""
    db.insert_rows(
        "history",
        _STORED,
        [
            (
                stamp,
                user,
                e.action,
                e.initiative_id,
                e.reference,
                e.titre,
                e.champ,
                dump(e.avant),
                dump(e.apres),
                lot,
                e.version,
            )
            for e in entries
        ],
    )


# --- reading ---------------------------------------------------------------------------------
def _bound(value: object, *, end: bool) -> tuple[str, str]:
    """``(operator, ISO text)`` comparing stored UTC dates with a date, datetime or text."""
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.astimezone()
        return ("<=" if end else ">="), moment.astimezone(dt.UTC).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return ("<", (value + dt.timedelta(days=1)).isoformat()) if end else (">=", str(value))
    text = str(value)
    if end and len(text) == 10:
        return "<", (dt.date.fromisoformat(text) + dt.timedelta(days=1)).isoformat()
    return ("<=" if end else ">="), text


def _conditions(
    initiative_id: int | None,
    user: str | None,
    since: object,
    until: object,
    lot: int | None,
    reference: str | None,
) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    if initiative_id is not None:
        parts.append("initiative_id = ?")
        params.append(int(initiative_id))
    if user:
        parts.append("LOWER(utilisateur) = ?")
        params.append(user.strip().lower())
    for value, end in ((since, False), (until, True)):
        if value is not None and value != "":
            operator, text = _bound(value, end=end)
            parts.append(f"date {operator} ?")
            params.append(text)
    if lot is not None:
        parts.append("lot = ?")
        params.append(int(lot))
    if reference:
        parts.append(
            "(reference = ? OR initiative_id IN (SELECT id FROM initiatives WHERE reference = ?))"
        )
        params.extend([reference, reference])
    return (f"WHERE {' AND '.join(parts)}" if parts else ""), params


def history_frame(
    db: Backend,
    *,
    initiative_id: int | None = None,
    user: str | None = None,
    since: object = None,
    until: object = None,
    lot: int | None = None,
    reference: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """The history, newest first, as ``HISTORY_COLUMNS`` (see ``Store.history``)."""
    where, params = _conditions(initiative_id, user, since, until, lot, reference)
    tail = ""
    if limit is not None:
        tail = " LIMIT ?"
        params.append(int(limit))
    rows = db.execute(
        "SELECT id, date, utilisateur, action, initiative_id, reference, champ, avant, apres, "
        f"lot, titre FROM history {where} ORDER BY id DESC{tail}",
        params,
    ).fetchall()
    shown = [line for row in rows for line in _display(tuple(row))]
    frame = pd.DataFrame(shown, columns=list(HISTORY_COLUMNS), dtype=object)
    for name in ("id", "initiative_id", "lot"):
        frame[name] = pd.array([None if v is None else int(v) for v in frame[name]], "Int64")
    return frame


def _display(row: tuple) -> list[tuple]:
    """A stored row as shown: a creation becomes one row per field it set."""
    ident, date, user, action, owner, reference, champ, avant, apres, lot, titre = row
    before, after = load(avant), load(apres)
    if champ == "" and before is None and isinstance(after, dict):
        return [
            (ident, date, user, action, owner, reference, name, None, after[name], lot, titre)
            for name in TRACKED_FIELDS
            if after.get(name) not in (None, "", [])
        ]
    if champ == "":
        before = after = None
    return [(ident, date, user, action, owner, reference, champ, before, after, lot, titre)]


def changes_since(db: Backend, ident: int, version: int) -> tuple[RecordedChange, ...]:
    """The changes of one initiative after ``version``, oldest first."""
    rows = db.execute(
        "SELECT date, utilisateur, action, champ, avant, apres FROM history "
        "WHERE initiative_id = ? AND version > ? ORDER BY id",
        (ident, version),
    ).fetchall()
    return tuple(RecordedChange(d, u, a, c, load(b), load(f)) for d, u, a, c, b, f in rows)


def last_change(db: Backend, ident: int, after_id: int) -> RecordedChange | None:
    """The latest change of one initiative recorded after history row ``after_id``."""
    row = db.execute(
        "SELECT date, utilisateur, action, champ, avant, apres FROM history "
        "WHERE initiative_id = ? AND id > ? ORDER BY id DESC LIMIT 1",
        (ident, after_id),
    ).fetchone()
    return None if row is None else RecordedChange(*row[:4], load(row[4]), load(row[5]))


# --- the import journal ----------------------------------------------------------------------
def open_lot(
    db: Backend,
    *,
    source: str | None,
    stamp: str,
    user: str,
    counts: tuple[int, int, int, int, int],
    created_funders: tuple[str, ...],
) -> int:
    """Record an import in the journal; return its batch number (« lot »).

    ``counts``: new, updated, unchanged, rejected, demo records removed.
    """
    row = db.execute(
        "INSERT INTO imports (fichier, importe_le, utilisateur, nouvelles, modifiees, "
        "inchangees, rejetees, fictives_supprimees, financeurs_crees) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (source, stamp, user, *counts, json.dumps(list(created_funders), ensure_ascii=False)),
    ).fetchone()
    return int(row[0])


def imports_frame(db: Backend, limit: int | None = None) -> pd.DataFrame:
    """The import journal, newest first, as ``IMPORT_COLUMNS``."""
    tail, params = ("", ()) if limit is None else (" LIMIT ?", (int(limit),))
    rows = db.execute(
        "SELECT id, importe_le, utilisateur, fichier, nouvelles, modifiees, inchangees, "
        f"rejetees, annule_le, annule_par FROM imports ORDER BY id DESC{tail}",
        params,
    ).fetchall()
    frame = pd.DataFrame(
        [(*r[:8], r[8] is not None, *r[8:]) for r in rows], columns=list(IMPORT_COLUMNS)
    )
    for name in ("lot", "nouvelles", "modifiees", "inchangees", "rejetees"):
        frame[name] = frame[name].astype("int64")
    frame["annule"] = frame["annule"].astype(bool)
    for name in ("date", "utilisateur", "fichier", "annule_le", "annule_par"):
        frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return frame
