"""Import batches: plan a whole batch against the store, apply it, record it in the history.

Runs inside the caller's transaction (``Store.import_batch``): an error rolls everything back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from territoires.store import history, initiatives, reconciliation
from territoires.store.backends import Backend
from territoires.store.history import Entry
from territoires.store.records import (
    DATA_FIELDS,
    DEFAULTS,
    BatchResult,
    compact,
    content_key,
    field_diff,
    fingerprint,
    label,
    merge,
    now,
    record_key,
    snapshot,
)
from territoires.store.users import Actor


@dataclass
class _Plan:
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    stored: dict[int, dict[str, Any]] | None = None  # read when needed, once

    def stored_records(self, db: Backend) -> dict[int, dict[str, Any]]:
        """Every stored initiative by id (read on first use)."""
        if self.stored is None:
            self.stored = {r["id"]: r for r in initiatives.records(db, "all")}
        return self.stored


@dataclass(frozen=True)
class BatchInput:
    """What an import hands to the store, besides the records."""

    present: frozenset[str]
    new_funders: tuple[str, ...]
    source: str | None
    replace_demo: bool
    rejected: int = 0
    aliases: tuple[reconciliation.Alias, ...] = ()


def apply_batch(
    db: Backend, batch: Sequence[dict[str, Any]], given: BatchInput, actor: Actor
) -> BatchResult:
    """Apply a batch inside the caller's transaction; return its counts, lot and changes."""
    stamp = now()
    created = create_funders(db, given.new_funders, stamp)
    reconciliation.save_aliases(db, given.aliases, actor.user)
    removed = initiatives.demo_records(db) if given.replace_demo else []
    initiatives.remove(db, [r["id"] for r in removed])
    plan = _plan(db, batch, set(given.present))
    stored = plan.stored_records(db) if plan.updates else {}
    created_values = [snapshot(r) for r in plan.inserts]
    ids = initiatives.insert(db, plan.inserts, stamp, actor.user, created_values)
    initiatives.update(db, plan.updates, stamp, actor.user)
    counts = (len(ids), len(plan.updates), plan.unchanged, given.rejected, len(removed))
    lot = history.open_lot(
        db,
        source=given.source,
        stamp=stamp,
        user=actor.user,
        counts=counts,
        created_funders=created,
    )
    changed = _update_entries(plan.updates, stored)
    entries = batch_entries(
        removed, list(zip(ids, plan.inserts, created_values, strict=True)), changed
    )
    history.write(db, entries, stamp=stamp, user=actor.user, lot=lot)
    return BatchResult(
        *counts[:3],
        len(removed),
        created,
        lot=lot,
        changes=history.as_field_changes(changed),
        supprimees_ignorees=tuple(plan.skipped),
    )


def batch_entries(
    removed: list[dict[str, Any]],
    created: list[tuple[int, dict[str, Any], dict[str, Any]]],
    changed: list[Entry],
) -> list[Entry]:
    """The history rows of a batch: demo records removed, records created (id, record,
    snapshot), fields changed."""
    return [
        *(history.whole_entry("suppression", r, avant=initiatives.full(r)) for r in removed),
        *(
            Entry("import", i, r.get("reference"), r.get("titre"), "", None, compact(values), 1)
            for i, r, values in created
        ),
        *changed,
    ]


def create_funders(db: Backend, names: tuple[str, ...], stamp: str) -> tuple[str, ...]:
    """Create the funders not known yet (not configured); return those created."""
    known = {row[0] for row in db.execute("SELECT nom FROM funders").fetchall()}
    created = tuple(name for name in dict.fromkeys(names) if name not in known)
    db.executemany(
        db.sql(
            "INSERT INTO funders (nom, court, configure, ordre, cree_le) VALUES (?, ?, ?, ?, ?)"
        ),
        [(name, name, False, 1000, stamp) for name in created],
    )
    return created


def _update_entries(
    updates: list[tuple[int, dict[str, Any]]], stored: dict[int, dict[str, Any]]
) -> list[Entry]:
    entries: list[Entry] = []
    for ident, merged in updates:
        old = stored[ident]
        after = {**merged, "id": ident}
        version = int(old["version"]) + 1
        entries.extend(history.field_entries("import", after, field_diff(old, merged), version))
    return entries


def _plan(db: Backend, batch: Sequence[dict[str, Any]], present: set[str]) -> _Plan:
    existing = initiatives.keys(db)
    plan = _Plan()
    for record in batch:
        key = record_key(record)
        match = existing.get(key)
        if match is None and existing:  # a new database has nothing to match
            match = existing.get(content_key(record))
        if match is None:
            plan.inserts.append({**DEFAULTS, **record, "cle": key})
            continue
        ident, old_print, deleted = match
        if deleted:
            plan.skipped.append(label(record))
            continue
        merged = dict(record)
        if present != set(DATA_FIELDS):
            merged = merge(plan.stored_records(db)[ident], record, present)
        merged["cle"] = key
        if fingerprint(merged) == old_print:
            plan.unchanged += 1
        else:
            plan.updates.append((ident, merged))
    return plan
