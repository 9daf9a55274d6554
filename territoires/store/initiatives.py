"""The repository of initiatives: reads, and row-level writes inside the caller's transaction.

Every function takes the open ``Backend``; the caller (``Store``) holds the lock and the
transaction. Soft-deleted initiatives keep their row (``supprime_le`` set): they hold their key,
so that a re-import does not bring them back behind an admin's back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

import pandas as pd

from territoires.store.backends import Backend
from territoires.store.records import (
    DELETION_COLUMNS,
    FLOAT_FIELDS,
    INITIATIVE_COLUMNS,
    SCALAR_FIELDS,
    clean_float,
    snapshot,
    snapshot_print,
)

Which = Literal["active", "deleted", "all"]
_JSON = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(…, ensure_ascii=False), reused
_LINKS = ("themes", "financeurs", "financements")
_SELECTED: tuple[str, ...] = (
    *(c for c in INITIATIVE_COLUMNS if c not in _LINKS),
    *DELETION_COLUMNS,
    "cle",
)
_FILTERS: dict[str, str] = {
    "active": "WHERE supprime_le IS NULL",
    "deleted": "WHERE supprime_le IS NOT NULL",
    "all": "",
    "one": "WHERE id = ?",
}
_ROW_COLUMNS: tuple[str, ...] = (
    "cle",
    "empreinte",
    *SCALAR_FIELDS,
    "zone_intervention",
    "source_fichier",
    "source_ligne",
    "fictif",
)
# Every column of a row, to put an initiative back exactly as it was (undo, backup).
_FULL_COLUMNS: tuple[str, ...] = (
    "id",
    *_ROW_COLUMNS,
    "cree_le",
    "modifie_le",
    "version",
    "cree_par",
    "modifie_par",
    *DELETION_COLUMNS,
)


# --- reading ---------------------------------------------------------------------------------
def fetch(db: Backend, query: str, params: Sequence[Any] = ()) -> list[tuple]:
    """Every row of a query, as tuples."""
    return [tuple(r) for r in db.execute(query, params).fetchall()]


def records(db: Backend, which: Which = "active") -> list[dict[str, Any]]:
    """Stored initiatives as records, ordered by id.

    Keys: ``INITIATIVE_COLUMNS``, ``supprime_le``, ``supprime_par`` and the upsert key ``cle``.
    """
    rows = fetch(
        db, f"SELECT {', '.join(_SELECTED)} FROM initiatives {_FILTERS[which]} ORDER BY id"
    )
    return _with_links(db, rows)


def get(db: Backend, ident: int) -> dict[str, Any] | None:
    """One initiative as a record (deleted ones included), or None."""
    rows = fetch(db, f"SELECT {', '.join(_SELECTED)} FROM initiatives {_FILTERS['one']}", (ident,))
    found = _with_links(db, rows, ("WHERE initiative_id = ? ", (ident,)))
    return found[0] if found else None


# What tells a stored row from its earlier state: its version, last change and fingerprint
# (of every data field, themes and funders included). Every write raises the version and the
# change time and writes the fingerprint anew; an undo or a restore puts back an earlier
# state with its own.
SIGNATURE_COLUMNS: tuple[str, ...] = ("version", "modifie_le", "empreinte")
_CHUNK = 500  # ids per ``IN (…)`` list


def signatures(db: Backend) -> list[tuple]:
    """Every active initiative's ``(id, *SIGNATURE_COLUMNS)``, in id order."""
    query = (
        f"SELECT id, {', '.join(SIGNATURE_COLUMNS)} FROM initiatives "
        f"{_FILTERS['active']} ORDER BY id"
    )
    return fetch(db, query)


def active_records(db: Backend, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The active initiatives among ``ids`` as records (see ``records``), ordered by id."""
    result: list[dict[str, Any]] = []
    ordered = sorted(int(i) for i in ids)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        rows = fetch(
            db,
            f"SELECT {', '.join(_SELECTED)} FROM initiatives "
            f"{_FILTERS['active']} AND id IN ({marks}) ORDER BY id",
            chunk,
        )
        result.extend(_with_links(db, rows, (f"WHERE initiative_id IN ({marks}) ", chunk)))
    return result


def _with_links(
    db: Backend, rows: list[tuple], where: tuple[str, Sequence[Any]] = ("", ())
) -> list[dict[str, Any]]:
    where, params = where
    themes: dict[int, list[str]] = {}
    for owner, code in fetch(
        db,
        f"SELECT initiative_id, code FROM initiative_themes {where}"
        "ORDER BY initiative_id, position",
        params,
    ):
        themes.setdefault(int(owner), []).append(code)
    funds: dict[int, list[dict[str, Any]]] = {}
    for owner, name, amount in fetch(
        db,
        f"SELECT initiative_id, financeur, montant FROM initiative_funders {where}"
        "ORDER BY initiative_id, position",
        params,
    ):
        funds.setdefault(int(owner), []).append({"financeur": name, "montant": amount})
    result = []
    for row in rows:
        record = dict(zip(_SELECTED, row, strict=True))
        owner = int(record["id"])
        record["id"] = owner
        zone = record["zone_intervention"]  # "[]" for most: no parser for those
        record["zone_intervention"] = json.loads(zone) if zone and zone != "[]" else []
        record["themes"] = themes.get(owner, [])
        record["financements"] = funds.get(owner, [])
        record["financeurs"] = [f["financeur"] for f in record["financements"]]
        record["fictif"] = bool(record["fictif"])
        result.append(record)
    return result


def full(record: dict[str, Any]) -> dict[str, Any]:
    """Every stored column of a record, to put it back exactly as it was (undo)."""
    return {k: v for k, v in record.items() if k != "financeurs"}


def initiatives_frame(rows: list[dict[str, Any]], extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Records as the DataFrame described in ``docs/architecture.md`` (plus ``extra``)."""
    frame = pd.DataFrame(rows, columns=[*INITIATIVE_COLUMNS, *extra], dtype=object)
    frame["id"] = frame["id"].astype("int64")
    for name in FLOAT_FIELDS:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    for name in ("annee", "source_ligne"):
        frame[name] = pd.array([None if v is None else int(v) for v in frame[name]], dtype="Int64")
    frame["version"] = frame["version"].astype("int64")
    frame["fictif"] = frame["fictif"].astype(bool)
    return frame


def keys(db: Backend) -> dict[str, tuple[int, str, bool]]:
    """Every stored upsert key → ``(id, fingerprint, deleted)``."""
    return {
        cle: (int(ident), empreinte, deleted is not None)
        for ident, cle, empreinte, deleted in db.execute(
            "SELECT id, cle, empreinte, supprime_le FROM initiatives"
        ).fetchall()
    }


def key_owner(db: Backend, cle: str, reference: str | None) -> dict[str, Any] | None:
    """The initiative that already holds this key or reference (deleted ones included)."""
    row = db.execute(
        "SELECT id FROM initiatives WHERE cle = ? OR reference = ? ORDER BY id",
        (cle, reference),
    ).fetchone()
    return None if row is None else get(db, int(row[0]))


# --- writing ---------------------------------------------------------------------------------
def _row(record: dict[str, Any], values: dict[str, Any] | None = None) -> list[Any]:
    """The ``_ROW_COLUMNS`` values of a record (``values``: its snapshot, when known)."""
    values = values or snapshot(record)
    return [
        record["cle"],
        snapshot_print(values),
        *(values[name] for name in SCALAR_FIELDS),
        _JSON(values["zone_intervention"]),
        values["source_fichier"],
        values["source_ligne"],
        values["fictif"],
    ]


def insert(
    db: Backend,
    batch: list[dict[str, Any]],
    stamp: str,
    user: str,
    snapshots: list[dict[str, Any]] | None = None,
) -> list[int]:
    """Insert new initiatives (each with its ``cle``; ``snapshots`` of them when already
    computed); return their ids, in order."""
    if not batch:
        return []
    columns = [*_ROW_COLUMNS, "cree_le", "modifie_le", "cree_par", "modifie_par"]
    values = snapshots or [snapshot(r) for r in batch]
    db.insert_rows(
        "initiatives",
        columns,
        ([*_row(r, v), stamp, stamp, user, user] for r, v in zip(batch, values, strict=True)),
    )
    ids = {cle: int(ident) for ident, cle in db.execute("SELECT id, cle FROM initiatives")}
    created = [ids[r["cle"]] for r in batch]
    insert_links(db, list(zip(created, batch, strict=True)))
    return created


def reinsert(db: Backend, rows: list[dict[str, Any]]) -> None:
    """Put back initiatives removed earlier, with their own ids and every column."""
    if not rows:
        return
    values = [
        [r["id"], *_row(r), *(r.get(c) for c in _FULL_COLUMNS[len(_ROW_COLUMNS) + 1 :])]
        for r in rows
    ]
    db.insert_rows("initiatives", _FULL_COLUMNS, values)
    insert_links(db, [(int(r["id"]), r) for r in rows])


def update(
    db: Backend,
    updates: list[tuple[int, dict[str, Any]]],
    stamp: str,
    user: str,
    *,
    bump_version: bool = True,
) -> None:
    """Rewrite initiatives (each record with its ``cle``); their version goes up by one
    (unless the caller already raised it)."""
    if not updates:
        return
    assignments = ", ".join(f"{c} = ?" for c in (*_ROW_COLUMNS, "modifie_le", "modifie_par"))
    bump = ", version = version + 1" if bump_version else ""
    db.executemany(
        db.sql(f"UPDATE initiatives SET {assignments}{bump} WHERE id = ?"),
        [[*_row(r), stamp, user, ident] for ident, r in updates],
    )
    delete_links(db, [ident for ident, _ in updates])
    insert_links(db, updates)


def set_deleted(
    db: Backend, ident: int, version: int, *, deleted: bool, stamp: str, user: str
) -> bool:
    """Soft-delete or restore an initiative that is at ``version``; its version goes up.

    Returns False when its version moved meanwhile (nothing written).
    """
    cursor = db.execute(
        "UPDATE initiatives SET supprime_le = ?, supprime_par = ?, version = version + 1, "
        "modifie_le = ?, modifie_par = ? WHERE id = ? AND version = ?",
        (stamp if deleted else None, user if deleted else None, stamp, user, ident, version),
    )
    return cursor.rowcount == 1


def remove(db: Backend, ids: list[int]) -> None:
    """Delete initiatives for good (their history stays)."""
    delete_links(db, ids)
    db.executemany(db.sql("DELETE FROM initiatives WHERE id = ?"), [(i,) for i in ids])


def insert_links(db: Backend, pairs: list[tuple[int, dict[str, Any]]]) -> None:
    """Write the themes and funders of initiatives, in their order."""
    db.insert_rows(
        "initiative_themes",
        ("initiative_id", "position", "code"),
        [(i, p, c) for i, r in pairs for p, c in enumerate(r.get("themes") or [])],
    )
    db.insert_rows(
        "initiative_funders",
        ("initiative_id", "position", "financeur", "montant"),
        [
            (i, p, f["financeur"], clean_float(f.get("montant")))
            for i, r in pairs
            for p, f in enumerate(r.get("financements") or [])
        ],
    )


def delete_links(db: Backend, ids: list[int]) -> None:
    """Remove the themes and funders of initiatives."""
    for table in ("initiative_themes", "initiative_funders"):
        db.executemany(db.sql(f"DELETE FROM {table} WHERE initiative_id = ?"), [(i,) for i in ids])


def demo_records(db: Backend) -> list[dict[str, Any]]:
    """Every fictional demo record (deleted ones included)."""
    return [r for r in records(db, "all") if r["fictif"]]
