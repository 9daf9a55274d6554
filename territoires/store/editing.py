"""Editing one initiative: create, update (optimistic concurrency), soft delete, restore.

Each function checks the actor's role, writes inside the caller's transaction and records the
change in the history.
"""

from __future__ import annotations

from typing import Any

from territoires.errors import StoreError, VersionConflictError
from territoires.store import history, initiatives
from territoires.store.backends import Backend
from territoires.store.records import (
    DATA_FIELDS,
    DEFAULTS,
    compact,
    field_diff,
    label,
    now,
    record_key,
    snapshot,
    value_text,
)
from territoires.store.users import Actor, require


def create(db: Backend, record: dict[str, Any], actor: Actor) -> int:
    """Create an initiative from ``DATA_FIELDS`` values; return its id."""
    require(actor, "editeur")
    _check_fields(record)
    values = {**DEFAULTS, **{name: record[name] for name in DATA_FIELDS if name in record}}
    _check_content(values)
    values["cle"] = record_key(values)
    _refuse_taken(db, values, None)
    stamp = now()
    _ensure_funders(db, values, stamp)
    [ident] = initiatives.insert(db, [values], stamp, actor.user)
    entry = history.whole_entry(
        "creation", {**values, "id": ident, "version": 1}, apres=compact(snapshot(values))
    )
    history.write(db, [entry], stamp=stamp, user=actor.user)
    return ident


def update(
    db: Backend, ident: int, changes: dict[str, Any], expected_version: int, actor: Actor
) -> int:
    """Change some fields of an initiative opened at ``expected_version``; return its version.

    Raises ``VersionConflictError`` (nothing written) when someone changed it since.
    """
    require(actor, "editeur")
    _check_fields(changes)
    current = _live(db, ident)
    merged = {**current, **changes}
    _check_content(merged)
    diff = field_diff(current, merged, DATA_FIELDS)
    if int(current["version"]) != int(expected_version):
        raise _conflict(db, current, int(expected_version), changes)
    if not diff:
        return int(current["version"])
    merged["cle"] = record_key(merged)
    _refuse_taken(db, merged, ident)
    _claim(db, current, int(expected_version), changes)
    stamp = now()
    _ensure_funders(db, changes, stamp)
    version = int(expected_version) + 1
    initiatives.update(db, [(ident, merged)], stamp, actor.user, bump_version=False)
    entries = history.field_entries("modification", {**merged, "id": ident}, diff, version)
    history.write(db, entries, stamp=stamp, user=actor.user)
    return version


def delete(db: Backend, ident: int, expected_version: int, actor: Actor) -> None:
    """Soft-delete an initiative opened at ``expected_version`` (an admin may restore it)."""
    require(actor, "editeur")
    current = _live(db, ident)
    stamp = now()
    if not initiatives.set_deleted(
        db, ident, int(expected_version), deleted=True, stamp=stamp, user=actor.user
    ):
        raise _conflict(db, current, int(expected_version), {})
    entry = history.whole_entry("suppression", {**current, "version": int(expected_version) + 1})
    history.write(db, [entry], stamp=stamp, user=actor.user)


def restore(db: Backend, ident: int, actor: Actor) -> None:
    """Bring back a soft-deleted initiative (admin)."""
    require(actor, "admin")
    current = _existing(db, ident)
    if current["supprime_le"] is None:
        raise StoreError(f"L'initiative {label(current)} n'est pas supprimée.")
    stamp = now()
    version = int(current["version"])
    initiatives.set_deleted(db, ident, version, deleted=False, stamp=stamp, user=actor.user)
    entry = history.whole_entry("restauration", {**current, "version": version + 1})
    history.write(db, [entry], stamp=stamp, user=actor.user)


# --- checks ----------------------------------------------------------------------------------
def _check_fields(values: dict[str, Any]) -> None:
    unknown = sorted(set(values) - set(DATA_FIELDS))
    if unknown:
        raise StoreError(f"Champs inconnus : {', '.join(unknown)}.")


def _ensure_funders(db: Backend, values: dict[str, Any], stamp: str) -> None:
    """Create the funders a record names that are not known yet, as an import does (the form
    offers a new funder's name, like a file)."""
    from territoires.store.batches import create_funders

    names = tuple(str(f["financeur"]) for f in values.get("financements") or ())
    create_funders(db, names, stamp)


def _check_content(values: dict[str, Any]) -> None:
    if not str(values.get("titre") or "").strip():
        raise StoreError("Titre manquant : une initiative a toujours un titre.")
    if not str(values.get("commune_code") or "").strip():
        raise StoreError("Commune manquante : une initiative a toujours une commune.")


def _existing(db: Backend, ident: int) -> dict[str, Any]:
    current = initiatives.get(db, int(ident))
    if current is None:
        raise StoreError(f"Initiative introuvable (n° {ident}).")
    return current


def _live(db: Backend, ident: int) -> dict[str, Any]:
    current = _existing(db, ident)
    if current["supprime_le"] is not None:
        raise StoreError(
            f"L'initiative {label(current)} a été supprimée le {current['supprime_le']} par "
            f"{current['supprime_par']} : un administrateur peut la restaurer."
        )
    return current


def _refuse_taken(db: Backend, values: dict[str, Any], ident: int | None) -> None:
    owner = initiatives.key_owner(db, values["cle"], values.get("reference"))
    if owner is None or owner["id"] == ident:
        return
    state = " (supprimée : un administrateur peut la restaurer)" if owner["supprime_le"] else ""
    what = (
        "la même référence"
        if values.get("reference")
        else "le même titre, porteur, commune et année"
    )
    raise StoreError(f"L'initiative {label(owner)}{state} a déjà {what}.")


def _claim(db: Backend, current: dict[str, Any], version: int, changes: dict[str, Any]) -> None:
    """Take the initiative at ``version`` (its version goes up), or refuse: someone else did."""
    cursor = db.execute(
        "UPDATE initiatives SET version = version + 1 WHERE id = ? AND version = ?",
        (current["id"], version),
    )
    if cursor.rowcount != 1:
        raise _conflict(db, current, version, changes)


def _conflict(
    db: Backend, current: dict[str, Any], version: int, changes: dict[str, Any]
) -> VersionConflictError:
    theirs = history.changes_since(db, int(current["id"]), version)
    done = "; ".join(
        f"{c.utilisateur} le {c.date} : "
        + (f"{c.champ} {value_text(c.avant)} → {value_text(c.apres)}" if c.champ else c.action)
        for c in theirs
    )
    yours = "; ".join(f"{name} → {value_text(value)}" for name, value in changes.items())
    return VersionConflictError(
        f"L'initiative {label(current)} a été modifiée depuis que vous l'avez ouverte"
        + (f" ({done})" if done else "")
        + ". Vos modifications n'ont pas été enregistrées"
        + (f" ({yours})" if yours else "")
        + " : rouvrez l'initiative pour les reprendre.",
        theirs=theirs,
        yours=changes,
    )
