"""Themes and funders: read from ``config/referentiels.toml``, seeded into the store."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from territoires.errors import StoreError
from territoires.project import project_file
from territoires.store.backends import Backend
from territoires.store.freshness import bump
from territoires.store.records import now

REFERENTIELS_PATH = project_file("config", "referentiels.toml")


@dataclass(frozen=True)
class ThemeSpec:
    """A theme as configured: code, label, short label and aliases."""

    code: str
    libelle: str
    court: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class FunderSpec:
    """A funder as configured: full name, short name and aliases."""

    nom: str
    court: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Referentiels:
    """The configured themes and funders."""

    themes: tuple[ThemeSpec, ...]
    funders: tuple[FunderSpec, ...]


def load_referentiels(path: Path | None = None) -> Referentiels:
    """Read themes and funders (with aliases) from ``config/referentiels.toml``."""
    path = path or REFERENTIELS_PATH
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        themes = tuple(
            ThemeSpec(t["code"], t["libelle"], t.get("court", t["libelle"]), tuple(t["aliases"]))
            for t in data["themes"]
        )
        funders = tuple(
            FunderSpec(f["nom"], f.get("court", f["nom"]), tuple(f.get("aliases", ())))
            for f in data["funders"]
        )
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
        raise StoreError(f"Fichier des référentiels illisible : {path} ({exc}).") from exc
    return Referentiels(themes, funders)


def _digest(ref: Referentiels) -> str:
    return hashlib.sha1(repr(ref).encode("utf-8")).hexdigest()


def seed_needed(db: Backend, ref: Referentiels) -> bool:
    """Whether the configured themes and funders changed since they were last seeded."""
    if not db.table_exists("meta"):
        return True
    row = db.execute("SELECT valeur FROM meta WHERE cle = ?", ("referentiels",)).fetchone()
    return row is None or row[0] != _digest(ref)


def seed(db: Backend, ref: Referentiels) -> None:
    """Upsert the configured themes and funders and their aliases, when they changed.

    Run it inside the caller's transaction (the migration lock).
    """
    if not seed_needed(db, ref):
        return
    if db.table_exists("meta"):
        db.execute(
            "INSERT INTO meta (cle, valeur) VALUES (?, ?) "
            "ON CONFLICT (cle) DO UPDATE SET valeur = excluded.valeur",
            ("referentiels", _digest(ref)),
        )
    _seed_themes(db, ref)
    _seed_funders(db, ref)
    if db.table_exists("data_version"):
        bump(db)


def _fused(db: Backend, table: str, column: str) -> dict[str, str]:
    """Merged-away names → what they were merged into (empty before the history schema)."""
    if not db.table_exists("history"):
        return {}
    rows = db.execute(f"SELECT alias, {column} FROM {table} WHERE origine = ?", ("fusion",))
    return {str(alias): str(target) for alias, target in rows.fetchall()}


def _clear_config_aliases(db: Backend, table: str, legacy: str) -> None:
    if db.table_exists("history"):
        db.execute(f"DELETE FROM {table} WHERE origine = ?", ("config",))
    else:
        db.execute(f"DELETE FROM {table} {legacy}")


def _seed_themes(db: Backend, ref: Referentiels) -> None:
    fused = _fused(db, "theme_aliases", "code")
    for order, theme in enumerate(ref.themes):
        if theme.code in fused:
            continue  # merged into another theme by an admin: stays merged
        db.execute(
            "INSERT INTO themes (code, libelle, court, ordre) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (code) DO UPDATE SET libelle = excluded.libelle, "
            "court = excluded.court, ordre = excluded.ordre",
            (theme.code, theme.libelle, theme.court, order),
        )
    _clear_config_aliases(db, "theme_aliases", "")
    _insert_aliases(
        db,
        "theme_aliases (alias, code)",
        {(a, fused.get(t.code, t.code)) for t in ref.themes for a in (t.code, t.court, *t.aliases)},
    )


def _seed_funders(db: Backend, ref: Referentiels) -> None:
    fused = _fused(db, "funder_aliases", "nom")
    stamp = now()
    for order, funder in enumerate(ref.funders):
        if funder.nom in fused:
            continue  # merged into another funder by an admin: stays merged
        db.execute(
            "INSERT INTO funders (nom, court, configure, ordre, cree_le) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (nom) DO UPDATE SET "
            "court = excluded.court, configure = excluded.configure, "
            "ordre = excluded.ordre",
            (funder.nom, funder.court, True, order, stamp),
        )
    _clear_config_aliases(
        db, "funder_aliases", "WHERE nom IN (SELECT nom FROM funders WHERE configure)"
    )
    _insert_aliases(
        db,
        "funder_aliases (alias, nom)",
        {(a, fused.get(f.nom, f.nom)) for f in ref.funders for a in (f.court, *f.aliases)},
    )


def _insert_aliases(db: Backend, target: str, pairs: set[tuple[str, str]]) -> None:
    db.executemany(
        db.sql(f"INSERT INTO {target} VALUES (?, ?) ON CONFLICT DO NOTHING"), sorted(pairs)
    )
