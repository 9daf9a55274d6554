"""The repository of initiatives: reads, and import batches applied inside a transaction.

Every function takes the open ``Backend``; the caller (``Store``) holds the lock and the
transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from territoires.store.backends import Backend
from territoires.store.records import (
    DATA_FIELDS,
    DEFAULTS,
    FLOAT_FIELDS,
    INITIATIVE_COLUMNS,
    SCALAR_FIELDS,
    BatchResult,
    clean_float,
    content_key,
    fingerprint,
    merge,
    now,
    record_key,
)

_ROW_COLUMNS: tuple[str, ...] = (
    "cle",
    "empreinte",
    *SCALAR_FIELDS,
    "zone_intervention",
    "source_fichier",
    "source_ligne",
    "fictif",
)


@dataclass
class _Plan:
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    unchanged: int = 0


# --- reading ---------------------------------------------------------------------------------
def fetch(db: Backend, query: str, params: Sequence[Any] = ()) -> list[tuple]:
    """Every row of a query, as tuples."""
    return [tuple(r) for r in db.execute(query, params).fetchall()]


def records(db: Backend, ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """Stored initiatives as records (``INITIATIVE_COLUMNS`` keys), ordered by id."""
    scalar = [c for c in INITIATIVE_COLUMNS if c not in ("themes", "financeurs", "financements")]
    rows = fetch(db, f"SELECT {', '.join(scalar)} FROM initiatives ORDER BY id")
    themes: dict[int, list[str]] = {}
    for ident, code in fetch(
        db, "SELECT initiative_id, code FROM initiative_themes ORDER BY initiative_id, position"
    ):
        themes.setdefault(int(ident), []).append(code)
    funds: dict[int, list[dict[str, Any]]] = {}
    for ident, name, amount in fetch(
        db,
        "SELECT initiative_id, financeur, montant FROM initiative_funders "
        "ORDER BY initiative_id, position",
    ):
        funds.setdefault(int(ident), []).append({"financeur": name, "montant": amount})
    wanted = None if ids is None else set(ids)
    result = []
    for row in rows:
        record = dict(zip(scalar, row, strict=True))
        ident = int(record["id"])
        if wanted is not None and ident not in wanted:
            continue
        record["zone_intervention"] = json.loads(record["zone_intervention"] or "[]")
        record["themes"] = themes.get(ident, [])
        record["financements"] = funds.get(ident, [])
        record["financeurs"] = [f["financeur"] for f in record["financements"]]
        record["fictif"] = bool(record["fictif"])
        result.append(record)
    return result


def initiatives_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Records as the DataFrame described in ``docs/architecture.md``."""
    frame = pd.DataFrame(rows, columns=list(INITIATIVE_COLUMNS), dtype=object)
    frame["id"] = frame["id"].astype("int64")
    for name in FLOAT_FIELDS:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    for name in ("annee", "source_ligne"):
        frame[name] = pd.array([None if v is None else int(v) for v in frame[name]], dtype="Int64")
    frame["fictif"] = frame["fictif"].astype(bool)
    return frame


# --- import batches --------------------------------------------------------------------------
def apply_batch(
    db: Backend,
    batch: Sequence[dict[str, Any]],
    present: set[str],
    created: tuple[str, ...],
    source: str | None,
    replace_demo: bool,
) -> BatchResult:
    """Apply a batch inside the caller's transaction; return its counts."""
    stamp = now()
    known = {row[0] for row in db.execute("SELECT nom FROM funders").fetchall()}
    created = tuple(name for name in created if name not in known)
    db.executemany(
        db.sql(
            "INSERT INTO funders (nom, court, configure, ordre, cree_le) VALUES (?, ?, ?, ?, ?)"
        ),
        [(name, name, False, 1000, stamp) for name in created],
    )
    deleted = delete_demo(db) if replace_demo else 0
    plan = _plan(db, batch, present)
    _insert(db, plan.inserts, stamp)
    _update(db, plan.updates, stamp)
    db.execute(
        "INSERT INTO imports (fichier, importe_le, nouvelles, modifiees, inchangees, "
        "fictives_supprimees) VALUES (?, ?, ?, ?, ?, ?)",
        (source, stamp, len(plan.inserts), len(plan.updates), plan.unchanged, deleted),
    )
    return BatchResult(len(plan.inserts), len(plan.updates), plan.unchanged, deleted, created)


def _plan(db: Backend, batch: Sequence[dict[str, Any]], present: set[str]) -> _Plan:
    existing = {
        cle: (int(ident), empreinte)
        for ident, cle, empreinte in db.execute(
            "SELECT id, cle, empreinte FROM initiatives"
        ).fetchall()
    }
    stored: dict[int, dict[str, Any]] | None = None
    plan = _Plan()
    for record in batch:
        key = record_key(record)
        match = existing.get(key) or existing.get(content_key(record))
        if match is None:
            plan.inserts.append({**DEFAULTS, **record, "cle": key})
            continue
        ident, old_print = match
        merged = dict(record)
        if present != set(DATA_FIELDS):
            if stored is None:
                stored = {r["id"]: r for r in records(db)}
            merged = merge(stored[ident], record, present)
        merged["cle"] = key
        if fingerprint(merged) == old_print:
            plan.unchanged += 1
        else:
            plan.updates.append((ident, merged))
    return plan


def _row(record: dict[str, Any]) -> list[Any]:
    values = [record.get(name) for name in SCALAR_FIELDS]
    for index, name in enumerate(SCALAR_FIELDS):
        if name in FLOAT_FIELDS:
            values[index] = clean_float(values[index])
    return [
        record["cle"],
        fingerprint(record),
        *values,
        json.dumps(record.get("zone_intervention") or [], ensure_ascii=False),
        record.get("source_fichier"),
        record.get("source_ligne"),
        bool(record.get("fictif", False)),
    ]


def _insert(db: Backend, batch: list[dict[str, Any]], stamp: str) -> None:
    if not batch:
        return
    columns = [*_ROW_COLUMNS, "cree_le", "modifie_le"]
    db.executemany(
        db.sql(
            f"INSERT INTO initiatives ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})"
        ),
        [[*_row(r), stamp, stamp] for r in batch],
    )
    ids = {cle: int(ident) for ident, cle in db.execute("SELECT id, cle FROM initiatives")}
    _insert_links(db, [(ids[r["cle"]], r) for r in batch])


def _update(db: Backend, updates: list[tuple[int, dict[str, Any]]], stamp: str) -> None:
    if not updates:
        return
    assignments = ", ".join(f"{c} = ?" for c in (*_ROW_COLUMNS, "modifie_le"))
    db.executemany(
        db.sql(f"UPDATE initiatives SET {assignments} WHERE id = ?"),
        [[*_row(r), stamp, ident] for ident, r in updates],
    )
    _delete_links(db, [ident for ident, _ in updates])
    _insert_links(db, updates)


def _insert_links(db: Backend, pairs: list[tuple[int, dict[str, Any]]]) -> None:
    db.executemany(
        db.sql("INSERT INTO initiative_themes (initiative_id, position, code) VALUES (?, ?, ?)"),
        [(i, p, c) for i, r in pairs for p, c in enumerate(r.get("themes") or [])],
    )
    db.executemany(
        db.sql(
            "INSERT INTO initiative_funders (initiative_id, position, financeur, montant) "
            "VALUES (?, ?, ?, ?)"
        ),
        [
            (i, p, f["financeur"], clean_float(f.get("montant")))
            for i, r in pairs
            for p, f in enumerate(r.get("financements") or [])
        ],
    )


def _delete_links(db: Backend, ids: list[int]) -> None:
    for table in ("initiative_themes", "initiative_funders"):
        db.executemany(db.sql(f"DELETE FROM {table} WHERE initiative_id = ?"), [(i,) for i in ids])


def delete_demo(db: Backend) -> int:
    """Delete every fictional demo record; return how many were deleted."""
    ids = [
        int(r[0])
        for r in db.execute("SELECT id FROM initiatives WHERE fictif = ?", (True,)).fetchall()
    ]
    _delete_links(db, ids)
    db.execute("DELETE FROM initiatives WHERE fictif = ?", (True,))
    return len(ids)
