"""Merging a funder into another, or a theme into another (admin).

The initiatives that named the old one name the target instead (one history row each); the
old label becomes an alias of the target, so that the next imports file it there; the old
funder or theme is removed. A merged configured one stays merged when the configuration is
seeded again (``referentiels.seed`` follows the aliases of origin « fusion »).
"""

from __future__ import annotations

from typing import Any

from territoires.errors import StoreError
from territoires.store import history, initiatives
from territoires.store.backends import Backend
from territoires.store.history import Entry
from territoires.store.records import now
from territoires.store.users import Actor, require

# (alias table, key column, table) of what can be merged.
_FUNDERS = ("funder_aliases", "nom", "funders")
_THEMES = ("theme_aliases", "code", "themes")


def merge_funders(db: Backend, source: str, target: str, actor: Actor) -> int:
    """Merge funder ``source`` into ``target``; return how many initiatives changed."""
    require(actor, "admin")
    rows = {n: c for n, c in db.execute("SELECT nom, court FROM funders").fetchall()}
    _check_pair(source, target, rows, "Financeur")
    changed = [
        (r, _merged_funds(r["financements"], source, target))
        for r in initiatives.records(db, "all")
        if source in r["financeurs"]
    ]
    _repoint(db, _FUNDERS, source, target, {source, rows[source]} - {target})
    _rewrite(db, changed, "financements", actor, ("financeur", source, target))
    _remove(db, _FUNDERS, source)
    return len(changed)


def merge_themes(db: Backend, source: str, target: str, actor: Actor) -> int:
    """Merge theme ``source`` into ``target`` (codes); return how many initiatives changed."""
    require(actor, "admin")
    rows = {
        code: (libelle, court)
        for code, libelle, court in db.execute("SELECT code, libelle, court FROM themes")
    }
    _check_pair(source, target, rows, "Thème")
    changed = [
        (r, list(dict.fromkeys(target if c == source else c for c in r["themes"])))
        for r in initiatives.records(db, "all")
        if source in r["themes"]
    ]
    _repoint(db, _THEMES, source, target, {source, *rows[source]} - {None, target})
    _rewrite(db, changed, "themes", actor, ("theme", source, target))
    _remove(db, _THEMES, source)
    return len(changed)


def _check_pair(source: str, target: str, known: dict[str, Any], what: str) -> None:
    for name in (source, target):
        if name not in known:
            raise StoreError(f"{what} inconnu : « {name} ».")
    if source == target:
        raise StoreError(f"{what} identique : « {source} » ne peut être fusionné avec lui-même.")


def _merged_funds(funds: list[dict[str, Any]], source: str, target: str) -> list[dict[str, Any]]:
    """Funds with ``source`` renamed ``target``; a funder named twice is listed once, with
    the sum of its known amounts."""
    merged: list[dict[str, Any]] = []
    for fund in funds:
        name = target if fund["financeur"] == source else fund["financeur"]
        same = next((m for m in merged if m["financeur"] == name), None)
        if same is None:
            merged.append({"financeur": name, "montant": fund.get("montant")})
        elif fund.get("montant") is not None:
            same["montant"] = (same["montant"] or 0.0) + fund["montant"]
    return merged


def _repoint(
    db: Backend, kind: tuple[str, str, str], source: str, target: str, aliases: set[str]
) -> None:
    """Point ``source``'s aliases at ``target`` and add ``aliases`` (its own names) to them."""
    table, column, _ = kind
    db.execute(
        f"DELETE FROM {table} WHERE {column} = ? AND alias IN "
        f"(SELECT alias FROM {table} WHERE {column} = ?)",
        (source, target),
    )
    db.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (target, source))
    db.executemany(
        db.sql(
            f"INSERT INTO {table} (alias, {column}, origine) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING"
        ),
        [(alias, target, "fusion") for alias in sorted(aliases)],
    )


def _remove(db: Backend, kind: tuple[str, str, str], source: str) -> None:
    _, column, table = kind
    db.execute(f"DELETE FROM {table} WHERE {column} = ?", (source,))


def _rewrite(
    db: Backend,
    changed: list[tuple[dict[str, Any], Any]],
    name: str,
    actor: Actor,
    what: tuple[str, str, str],
) -> None:
    stamp = now()
    updates = [(r["id"], {**r, name: value}) for r, value in changed]
    initiatives.update(db, updates, stamp, actor.user)
    entries = [
        Entry("fusion", None, None, None, what[0], what[1], what[2]),
        *(
            e
            for r, value in changed
            for e in history.field_entries(
                "fusion", r, [(name, r[name], value)], int(r["version"]) + 1
            )
        ),
    ]
    history.write(db, entries, stamp=stamp, user=actor.user)
