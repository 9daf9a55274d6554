"""Undo a whole import batch (« lot »).

The records it created are removed, the records it changed get their previous values back,
the demo records it replaced come back, and the funders it created go when nothing uses them.
A record edited since the import (by hand, by a merge or by a later import) is a conflict:
the undo names it and writes nothing, unless forced.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from territoires.errors import PermissionDeniedError, StoreError, UndoConflictError
from territoires.store import history, initiatives
from territoires.store.backends import Backend
from territoires.store.history import Entry, load
from territoires.store.records import (
    TRACKED_FIELDS,
    field_diff,
    field_value,
    label,
    now,
    record_key,
)
from territoires.store.users import Actor, normalize_email, require

_SHOWN_CONFLICTS = 10


@dataclass(frozen=True)
class UndoConflict:
    """An initiative that undoing would overwrite: who changed it since, and how."""

    initiative_id: int
    reference: str | None
    titre: str | None
    raison: str


@dataclass(frozen=True)
class UndoResult:
    """What an undo did."""

    lot: int
    supprimees: int
    retablies: int
    fictives_restaurees: int
    financeurs_supprimes: tuple[str, ...] = ()
    forcees: tuple[UndoConflict, ...] = ()


@dataclass
class _Batch:
    """What an import did, read back from its history rows."""

    last_row: int = 0
    created: dict[int, dict[str, Any]] = field(default_factory=dict)
    changed: dict[int, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    removed: list[dict[str, Any]] = field(default_factory=list)


def undo_import(db: Backend, lot: int, actor: Actor, force: bool) -> UndoResult:
    """Undo import batch ``lot`` inside the caller's transaction (see the module's doc)."""
    require(actor, "editeur")
    funders = _journal(db, int(lot), actor)
    batch = _read_batch(db, int(lot))
    current = {r["id"]: r for r in initiatives.records(db, "all")}
    conflicts = _conflicts(db, batch, current)
    if conflicts and not force:
        raise _refusal(int(lot), conflicts)
    stamp = now()
    entries: list[Entry] = []
    gone = [current[i] for i in batch.created if i in current]
    initiatives.remove(db, [r["id"] for r in gone])
    entries += [history.whole_entry("annulation", r, avant=initiatives.full(r)) for r in gone]
    restored, changed = _restore_changed(db, batch, current, stamp, actor)
    entries += changed
    blocked = {c.initiative_id for c in conflicts}
    back = [r for r in batch.removed if r["id"] not in blocked]
    initiatives.reinsert(db, back)
    entries += [history.whole_entry("annulation", r, apres=r) for r in back]
    dropped = _drop_unused_funders(db, funders)
    db.execute(
        "UPDATE imports SET annule_le = ?, annule_par = ? WHERE id = ?", (stamp, actor.user, lot)
    )
    history.write(db, entries, stamp=stamp, user=actor.user, lot=int(lot))
    return UndoResult(int(lot), len(gone), restored, len(back), dropped, tuple(conflicts))


def _journal(db: Backend, lot: int, actor: Actor) -> tuple[str, ...]:
    """Check that ``lot`` can be undone by ``actor``; return the funders it created."""
    row = db.execute(
        "SELECT utilisateur, annule_le, annule_par, financeurs_crees FROM imports WHERE id = ?",
        (lot,),
    ).fetchone()
    if row is None:
        raise StoreError(f"Lot d'import inconnu : {lot} (voir « imports »).")
    user, undone_at, undone_by, funders = row
    if undone_at is not None:
        raise StoreError(f"Le lot {lot} a déjà été annulé le {undone_at} par {undone_by}.")
    if not actor.can("admin") and normalize_email(user or "") != normalize_email(actor.user):
        raise PermissionDeniedError(
            f"Vous ne pouvez annuler que vos propres imports : le lot {lot} a été importé par "
            f"{user or 'un utilisateur inconnu'} (annulation réservée aux administrateurs)."
        )
    return tuple(json.loads(funders or "[]"))


def _read_batch(db: Backend, lot: int) -> _Batch:
    batch = _Batch()
    rows = db.execute(
        "SELECT id, initiative_id, champ, avant, apres FROM history "
        "WHERE lot = ? AND action <> ? ORDER BY id",
        (lot, "annulation"),
    ).fetchall()
    for row_id, ident, champ, avant, apres in rows:
        batch.last_row = max(batch.last_row, int(row_id))
        before, after = load(avant), load(apres)
        if ident is None:
            continue
        if champ:
            batch.changed.setdefault(int(ident), {})[champ] = (before, after)
        elif before is None:
            batch.created[int(ident)] = after
        else:
            batch.removed.append(before)
    return batch


def _conflicts(
    db: Backend, batch: _Batch, current: dict[int, dict[str, Any]]
) -> list[UndoConflict]:
    conflicts = []
    for ident, created in batch.created.items():
        now_ = current.get(ident)
        if now_ is not None and (now_["supprime_le"] or field_diff(created, now_, TRACKED_FIELDS)):
            conflicts.append(_conflict(db, now_, batch.last_row))
    for ident, fields in batch.changed.items():
        now_ = current.get(ident)
        if now_ is not None and (
            now_["supprime_le"]
            or any(field_value(now_, c) != field_value({c: a}, c) for c, (_, a) in fields.items())
        ):
            conflicts.append(_conflict(db, now_, batch.last_row))
    taken = {r["cle"]: r for r in current.values() if r["id"] not in batch.created}
    for record in batch.removed:
        holder = taken.get(record.get("cle"))
        if holder is not None:
            conflicts.append(
                UndoConflict(
                    int(record["id"]),
                    record.get("reference"),
                    record.get("titre"),
                    f"sa place est prise par {label(holder)}, qui reste",
                )
            )
    return conflicts


def _conflict(db: Backend, record: dict[str, Any], after_row: int) -> UndoConflict:
    if record["supprime_le"]:
        reason = f"supprimée le {record['supprime_le']} par {record['supprime_par']}"
    else:
        change = history.last_change(db, int(record["id"]), after_row)
        reason = (
            f"modifiée par {change.utilisateur} le {change.date}"
            if change is not None
            else "modifiée depuis"
        )
    return UndoConflict(int(record["id"]), record.get("reference"), record.get("titre"), reason)


def _refusal(lot: int, conflicts: list[UndoConflict]) -> UndoConflictError:
    shown = "; ".join(
        f"{label({'reference': c.reference, 'titre': c.titre})} ({c.raison})"
        for c in conflicts[:_SHOWN_CONFLICTS]
    )
    more = len(conflicts) - _SHOWN_CONFLICTS
    if more > 0:
        shown += f" ; et {more} autres"
    return UndoConflictError(
        f"Annuler le lot {lot} écraserait des modifications faites depuis sur "
        f"{len(conflicts)} initiative{'s' if len(conflicts) > 1 else ''} : {shown}. "
        "Rien n'a été annulé. Pour annuler quand même en écrasant ces modifications, "
        "confirmez l'annulation (ligne de commande : --force).",
        conflicts=tuple(conflicts),
    )


def _restore_changed(
    db: Backend,
    batch: _Batch,
    current: dict[int, dict[str, Any]],
    stamp: str,
    actor: Actor,
) -> tuple[int, list[Entry]]:
    """Give the records the import changed their previous values; return how many."""
    updates, entries = [], []
    for ident, fields in batch.changed.items():
        now_ = current.get(ident)
        if now_ is None:
            continue
        restored = {**now_, **{champ: before for champ, (before, _) in fields.items()}}
        diff = field_diff(now_, restored)
        if not diff:
            continue
        restored["cle"] = record_key(restored)
        updates.append((ident, restored))
        entries += history.field_entries("annulation", restored, diff, int(now_["version"]) + 1)
    initiatives.update(db, updates, stamp, actor.user)
    return len(updates), entries


def _drop_unused_funders(db: Backend, names: tuple[str, ...]) -> tuple[str, ...]:
    """Remove the funders an import created when nothing refers to them any more (the
    correspondences confirmed towards them at import, aliases of origin « import », go too)."""
    dropped = []
    for name in names:
        used = db.execute(
            "SELECT 1 FROM initiative_funders WHERE financeur = ? UNION ALL "
            "SELECT 1 FROM funder_aliases WHERE nom = ? AND origine <> ? UNION ALL "
            "SELECT 1 FROM funders WHERE nom = ? AND configure",
            (name, name, "import", name),
        ).fetchone()
        exists = db.execute("SELECT 1 FROM funders WHERE nom = ?", (name,)).fetchone()
        if used is None and exists is not None:
            db.execute("DELETE FROM funder_aliases WHERE nom = ?", (name,))
            db.execute("DELETE FROM funders WHERE nom = ?", (name,))
            dropped.append(name)
    return tuple(dropped)
