"""The initiatives store: all the app's SQL, one interface for SQLite and PostgreSQL.

- ``open_store(url)`` opens (and creates or upgrades) a database. ``sqlite:///path`` or a plain
  path selects SQLite (the file is created on first use); ``postgresql://...`` selects PostgreSQL
  through psycopg 3.
- Schema changes are versioned migrations recorded in ``schema_version``: an existing database
  is upgraded in place, without loss.
- Themes and funders are reference tables seeded on every open from ``config/referentiels.toml``.
- ``Store.import_batch`` applies a whole batch in one transaction and upserts: by ``reference``
  when given, else by the *content key* (see ``content_key``).

Every query is parameterised and written with ``?`` placeholders; the PostgreSQL backend
rewrites them to ``%s``. No SQL is built from user data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import sqlite3
import threading
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from territoires.errors import StoreError
from territoires.settings import ROOT, get_settings

REFERENTIELS_PATH = ROOT / "config" / "referentiels.toml"

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
)

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

_SCALAR_FIELDS: tuple[str, ...] = tuple(
    f for f in DATA_FIELDS if f not in ("themes", "financements", "zone_intervention")
)
_DEFAULTS: dict[str, Any] = {
    "type": "projet associatif",
    "themes": [],
    "financements": [],
    "zone_intervention": [],
}

# --- migrations ------------------------------------------------------------------------------
# Each migration is (version, description, statements). ``{pk}`` is the dialect's
# auto-increment primary key. Never edit a released migration: append a new one.
MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (
        1,
        "initial schema: reference tables and initiatives",
        (
            """CREATE TABLE themes (
                code TEXT PRIMARY KEY,
                libelle TEXT NOT NULL,
                court TEXT,
                ordre INTEGER NOT NULL DEFAULT 0)""",
            """CREATE TABLE theme_aliases (
                alias TEXT NOT NULL,
                code TEXT NOT NULL REFERENCES themes(code),
                PRIMARY KEY (alias, code))""",
            """CREATE TABLE funders (
                nom TEXT PRIMARY KEY,
                court TEXT,
                configure BOOLEAN NOT NULL DEFAULT FALSE,
                ordre INTEGER NOT NULL DEFAULT 1000,
                cree_le TEXT NOT NULL)""",
            """CREATE TABLE funder_aliases (
                alias TEXT NOT NULL,
                nom TEXT NOT NULL REFERENCES funders(nom),
                PRIMARY KEY (alias, nom))""",
            """CREATE TABLE initiatives (
                id {pk},
                cle TEXT NOT NULL UNIQUE,
                empreinte TEXT NOT NULL,
                reference TEXT UNIQUE,
                titre TEXT NOT NULL,
                description TEXT,
                porteur TEXT,
                type TEXT NOT NULL,
                montant DOUBLE PRECISION,
                annee INTEGER,
                date_debut TEXT,
                date_fin TEXT,
                statut TEXT,
                commune_code TEXT NOT NULL,
                zone_intervention TEXT NOT NULL DEFAULT '[]',
                latitude DOUBLE PRECISION,
                longitude DOUBLE PRECISION,
                site_web TEXT,
                contact TEXT,
                source_fichier TEXT,
                source_ligne INTEGER,
                fictif BOOLEAN NOT NULL DEFAULT FALSE,
                cree_le TEXT NOT NULL,
                modifie_le TEXT NOT NULL)""",
            """CREATE TABLE initiative_themes (
                initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                code TEXT NOT NULL REFERENCES themes(code),
                PRIMARY KEY (initiative_id, position))""",
            """CREATE TABLE initiative_funders (
                initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                financeur TEXT NOT NULL REFERENCES funders(nom),
                montant DOUBLE PRECISION,
                PRIMARY KEY (initiative_id, position))""",
        ),
    ),
    (
        2,
        "import journal and lookup indexes",
        (
            """CREATE TABLE imports (
                id {pk},
                fichier TEXT,
                importe_le TEXT NOT NULL,
                nouvelles INTEGER NOT NULL,
                modifiees INTEGER NOT NULL,
                inchangees INTEGER NOT NULL,
                fictives_supprimees INTEGER NOT NULL)""",
            "CREATE INDEX initiatives_commune ON initiatives (commune_code)",
            "CREATE INDEX initiatives_annee ON initiatives (annee)",
        ),
    ),
    (
        3,
        "store metadata (fingerprint of the seeded referentiels)",
        ("CREATE TABLE meta (cle TEXT PRIMARY KEY, valeur TEXT NOT NULL)",),
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


# --- configuration ---------------------------------------------------------------------------
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


# --- keys and fingerprints -------------------------------------------------------------------
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


def _clean_float(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def fingerprint(record: dict[str, Any]) -> str:
    """Hash of a record's data fields, to tell an update from an unchanged row."""
    data = {name: record.get(name, _DEFAULTS.get(name)) for name in DATA_FIELDS}
    for name in ("montant", "latitude", "longitude"):
        data[name] = _clean_float(data[name])
    data["financements"] = [
        {"financeur": f["financeur"], "montant": _clean_float(f.get("montant"))}
        for f in data["financements"] or []
    ]
    data["financements"] = [(f["financeur"], f["montant"]) for f in data["financements"]]
    data["zone_intervention"] = [(z["level"], z["code"]) for z in data["zone_intervention"] or []]
    text = repr([data[name] for name in DATA_FIELDS])
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class BatchResult:
    """Counts of one applied (or previewed) batch."""

    nouvelles: int
    modifiees: int
    inchangees: int
    fictives_supprimees: int = 0
    financeurs_crees: tuple[str, ...] = ()
    dry_run: bool = False


@dataclass
class _Plan:
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    unchanged: int = 0


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class _Rollback(Exception):
    """Raised inside a transaction to roll it back on purpose (dry run)."""


# --- backends --------------------------------------------------------------------------------
class _Backend:
    """Dialect differences: connection, placeholders, primary keys, transactions."""

    pk = ""

    def sql(self, query: str) -> str:
        return query

    def execute(self, query: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    def executemany(self, query: str, rows: Iterable[Sequence[Any]]) -> None:
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[None]:
        raise NotImplementedError
        yield

    def table_exists(self, name: str) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _SqliteBackend(_Backend):
    pk = "INTEGER PRIMARY KEY AUTOINCREMENT"

    def __init__(self, path: str) -> None:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.Error as exc:
            raise StoreError(f"Base SQLite inaccessible : {path} ({exc}).") from exc

    def execute(self, query: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(query, tuple(params))

    def executemany(self, query: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(query, rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def table_exists(self, name: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return row is not None

    def close(self) -> None:
        self.conn.close()


class _PostgresBackend(_Backend):
    pk = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"

    def __init__(self, url: str) -> None:
        import psycopg

        self._errors = psycopg.Error
        try:
            self.conn = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise StoreError(f"Base PostgreSQL inaccessible ({exc}).") from exc

    def sql(self, query: str) -> str:
        return query.replace("?", "%s")

    def execute(self, query: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self.sql(query), tuple(params))  # type: ignore[arg-type]

    def executemany(self, query: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.conn.cursor() as cursor:
            cursor.executemany(self.sql(query), list(rows))  # type: ignore[arg-type]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.conn.transaction():
            yield

    def table_exists(self, name: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM information_schema.tables "
            "WHERE table_name = %s AND table_schema = ANY(current_schemas(false))",
            (name,),
        ).fetchone()
        return row is not None

    def close(self) -> None:
        self.conn.close()


def _backend_for(url: str) -> _Backend:
    if url.startswith(("postgresql://", "postgres://")):
        return _PostgresBackend(url)
    if url.startswith("sqlite://"):
        path = url.removeprefix("sqlite://").removeprefix("/")
        return _SqliteBackend(path if path == ":memory:" else "/" + path.lstrip("/"))
    if "://" in url:
        raise StoreError(
            f"Adresse de base non prise en charge : « {url.split('://')[0]}:// » "
            "(attendu : sqlite:/// ou postgresql://)."
        )
    return _SqliteBackend(url)


# --- the store -------------------------------------------------------------------------------
class Store:
    """Initiatives database. Create it with ``open_store``; thread-safe; close with ``close()``."""

    def __init__(
        self,
        url: str,
        *,
        referentiels: Referentiels | None = None,
        target_version: int | None = None,
    ) -> None:
        self.url = url
        self._db = _backend_for(url)
        self._lock = threading.RLock()
        self._referentiels = referentiels or load_referentiels()
        self._migrate(SCHEMA_VERSION if target_version is None else target_version)
        self._seed()

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return "postgresql" if isinstance(self._db, _PostgresBackend) else "sqlite"

    # -- schema ----------------------------------------------------------------------------
    def schema_version(self) -> int:
        """The database's current schema version (0 for an empty database)."""
        with self._lock:
            if not self._db.table_exists("schema_version"):
                return 0
            row = self._db.execute("SELECT MAX(version) FROM schema_version").fetchone()
            return int(row[0] or 0)

    def _migrate(self, target: int) -> None:
        with self._lock:
            if not self._db.table_exists("schema_version"):
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version "
                    "(version INTEGER PRIMARY KEY, description TEXT, applied_at TEXT NOT NULL)"
                )
            current = self.schema_version()
            if current > SCHEMA_VERSION:
                raise StoreError(
                    f"La base est au schéma {current}, plus récent que celui de l'application "
                    f"({SCHEMA_VERSION}) : mettez l'application à jour."
                )
            for version, description, statements in MIGRATIONS:
                if current < version <= target:
                    with self._db.transaction():
                        for statement in statements:
                            self._db.execute(statement.format(pk=self._db.pk))
                        self._db.execute(
                            "INSERT INTO schema_version (version, description, applied_at) "
                            "VALUES (?, ?, ?)",
                            (version, description, _now()),
                        )

    def _seed(self) -> None:
        """Upsert the configured themes and funders and their aliases, when they changed."""
        ref = self._referentiels
        now = _now()
        digest = hashlib.sha1(repr(ref).encode("utf-8")).hexdigest()
        has_meta = self._db.table_exists("meta")
        if has_meta:
            row = self._db.execute(
                "SELECT valeur FROM meta WHERE cle = ?", ("referentiels",)
            ).fetchone()
            if row is not None and row[0] == digest:
                return
        with self._lock, self._db.transaction():
            if has_meta:
                self._db.execute(
                    "INSERT INTO meta (cle, valeur) VALUES (?, ?) "
                    "ON CONFLICT (cle) DO UPDATE SET valeur = excluded.valeur",
                    ("referentiels", digest),
                )
            for order, theme in enumerate(ref.themes):
                self._db.execute(
                    "INSERT INTO themes (code, libelle, court, ordre) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (code) DO UPDATE SET libelle = excluded.libelle, "
                    "court = excluded.court, ordre = excluded.ordre",
                    (theme.code, theme.libelle, theme.court, order),
                )
            for order, funder in enumerate(ref.funders):
                self._db.execute(
                    "INSERT INTO funders (nom, court, configure, ordre, cree_le) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (nom) DO UPDATE SET "
                    "court = excluded.court, configure = excluded.configure, "
                    "ordre = excluded.ordre",
                    (funder.nom, funder.court, True, order, now),
                )
            self._db.execute("DELETE FROM theme_aliases")
            self._db.executemany(
                self._db.sql("INSERT INTO theme_aliases (alias, code) VALUES (?, ?)"),
                sorted({(a, t.code) for t in ref.themes for a in (t.code, t.court, *t.aliases)}),
            )
            self._db.execute(
                "DELETE FROM funder_aliases WHERE nom IN (SELECT nom FROM funders WHERE configure)"
            )
            self._db.executemany(
                self._db.sql("INSERT INTO funder_aliases (alias, nom) VALUES (?, ?)"),
                sorted({(a, f.nom) for f in ref.funders for a in (f.court, *f.aliases)}),
            )

    # -- reference tables ------------------------------------------------------------------
    def themes(self) -> pd.DataFrame:
        """Themes in configured order: ``code, libelle, court``."""
        rows = self._fetch("SELECT code, libelle, court FROM themes ORDER BY ordre, code")
        return pd.DataFrame(rows, columns=["code", "libelle", "court"], dtype=object)

    def funders(self) -> pd.DataFrame:
        """Funders, configured ones first: ``nom, court, configure``."""
        rows = self._fetch("SELECT nom, court, configure FROM funders ORDER BY ordre, nom")
        frame = pd.DataFrame(rows, columns=["nom", "court", "configure"])
        frame["configure"] = frame["configure"].astype(bool)
        return frame.astype({"nom": object, "court": object})

    def theme_aliases(self) -> list[tuple[str, str]]:
        """``(alias, code)`` pairs, codes and labels included."""
        rows = self._fetch("SELECT alias, code FROM theme_aliases")
        rows += self._fetch("SELECT libelle, code FROM themes")
        return [(str(a), str(c)) for a, c in rows]

    def funder_aliases(self) -> list[tuple[str, str]]:
        """``(alias, nom)`` pairs, every funder's own name included."""
        rows = self._fetch("SELECT alias, nom FROM funder_aliases")
        rows += self._fetch("SELECT nom, nom FROM funders")
        return [(str(a), str(n)) for a, n in rows]

    # -- reading ---------------------------------------------------------------------------
    def count(self, *, fictif: bool | None = None) -> int:
        """Number of initiatives (only fictional or only real ones when ``fictif`` is set)."""
        if fictif is None:
            rows = self._fetch("SELECT COUNT(*) FROM initiatives")
        else:
            rows = self._fetch("SELECT COUNT(*) FROM initiatives WHERE fictif = ?", (fictif,))
        return int(rows[0][0])

    def has_real_data(self) -> bool:
        """Whether any non-fictional initiative is stored."""
        return self.count(fictif=False) > 0

    def list_initiatives(self) -> pd.DataFrame:
        """All initiatives as the DataFrame described in ``docs/architecture.md``."""
        records = self._records()
        frame = pd.DataFrame(records, columns=list(INITIATIVE_COLUMNS), dtype=object)
        frame["id"] = frame["id"].astype("int64")
        for name in ("montant", "latitude", "longitude"):
            frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
        for name in ("annee", "source_ligne"):
            frame[name] = pd.array(
                [None if v is None else int(v) for v in frame[name]], dtype="Int64"
            )
        frame["fictif"] = frame["fictif"].astype(bool)
        return frame

    def last_imports(self, limit: int = 10) -> pd.DataFrame:
        """The most recent imports: ``fichier, importe_le, nouvelles, modifiees, inchangees``."""
        columns = ["fichier", "importe_le", "nouvelles", "modifiees", "inchangees"]
        rows = self._fetch(
            f"SELECT {', '.join(columns)} FROM imports ORDER BY id DESC LIMIT ?", (limit,)
        )
        return pd.DataFrame(rows, columns=columns)

    def _fetch(self, query: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._lock:
            try:
                return [tuple(r) for r in self._db.execute(query, params).fetchall()]
            except (sqlite3.Error, *self._driver_errors()) as exc:
                raise StoreError(f"Lecture de la base impossible ({exc}).") from exc

    def _driver_errors(self) -> tuple[type[Exception], ...]:
        errors = getattr(self._db, "_errors", None)
        return (errors,) if errors else ()

    def _records(self, ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
        scalar = [
            c for c in INITIATIVE_COLUMNS if c not in ("themes", "financeurs", "financements")
        ]
        rows = self._fetch(f"SELECT {', '.join(scalar)} FROM initiatives ORDER BY id")
        themes: dict[int, list[str]] = {}
        for ident, code in self._fetch(
            "SELECT initiative_id, code FROM initiative_themes ORDER BY initiative_id, position"
        ):
            themes.setdefault(int(ident), []).append(code)
        funds: dict[int, list[dict[str, Any]]] = {}
        for ident, name, amount in self._fetch(
            "SELECT initiative_id, financeur, montant FROM initiative_funders "
            "ORDER BY initiative_id, position"
        ):
            funds.setdefault(int(ident), []).append({"financeur": name, "montant": amount})
        wanted = None if ids is None else set(ids)
        records = []
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
            records.append(record)
        return records

    # -- writing ---------------------------------------------------------------------------
    def import_batch(
        self,
        records: Sequence[dict[str, Any]],
        *,
        fields: Iterable[str] | None = None,
        new_funders: Iterable[str] = (),
        source: str | None = None,
        replace_demo: bool = False,
        dry_run: bool = False,
    ) -> BatchResult:
        """Apply a whole batch of records in one transaction (nothing is written on failure).

        Parameters
        ----------
        records : sequence of dict
            Keys among ``DATA_FIELDS`` plus ``source_fichier``, ``source_ligne``, ``fictif``.
        fields : iterable of str, optional
            The data fields the source provides. On update, the other fields keep their stored
            values (re-importing an export does not erase the area served). Default: all.
        new_funders : iterable of str
            Funders' names to create before linking.
        source : str, optional
            File name recorded in the import journal.
        replace_demo : bool
            Delete the fictional demo records first, in the same transaction.
        dry_run : bool
            Compute everything, then roll back.

        Upsert rule: a record matches a stored one by ``ref:<reference>``; a record with a
        reference that matches nothing, or one without a reference, matches by ``content_key``
        (title, porteur, commune, year). A match whose fingerprint is equal is « unchanged ».
        """
        present = set(DATA_FIELDS if fields is None else fields) & set(DATA_FIELDS)
        created = tuple(dict.fromkeys(new_funders))
        try:
            with self._lock, self._db.transaction():
                result = self._apply(records, present, created, source, replace_demo)
                if dry_run:
                    raise _Rollback
        except _Rollback:
            return BatchResult(
                result.nouvelles,
                result.modifiees,
                result.inchangees,
                result.fictives_supprimees,
                result.financeurs_crees,
                dry_run=True,
            )
        except (sqlite3.Error, *self._driver_errors()) as exc:
            raise StoreError(f"L'import a échoué et la base n'a pas été modifiée ({exc}).") from exc
        return result

    def _apply(
        self,
        records: Sequence[dict[str, Any]],
        present: set[str],
        created: tuple[str, ...],
        source: str | None,
        replace_demo: bool,
    ) -> BatchResult:
        now = _now()
        known = {row[0] for row in self._db.execute("SELECT nom FROM funders").fetchall()}
        created = tuple(name for name in created if name not in known)
        self._db.executemany(
            self._db.sql(
                "INSERT INTO funders (nom, court, configure, ordre, cree_le) VALUES (?, ?, ?, ?, ?)"
            ),
            [(name, name, False, 1000, now) for name in created],
        )
        deleted = self._delete_demo() if replace_demo else 0
        plan = self._plan(records, present)
        self._insert(plan.inserts, now)
        self._update(plan.updates, now)
        self._db.execute(
            "INSERT INTO imports (fichier, importe_le, nouvelles, modifiees, inchangees, "
            "fictives_supprimees) VALUES (?, ?, ?, ?, ?, ?)",
            (source, now, len(plan.inserts), len(plan.updates), plan.unchanged, deleted),
        )
        return BatchResult(len(plan.inserts), len(plan.updates), plan.unchanged, deleted, created)

    def _plan(self, records: Sequence[dict[str, Any]], present: set[str]) -> _Plan:
        existing = {
            cle: (int(ident), empreinte)
            for ident, cle, empreinte in self._db.execute(
                "SELECT id, cle, empreinte FROM initiatives"
            ).fetchall()
        }
        stored: dict[int, dict[str, Any]] | None = None
        plan = _Plan()
        for record in records:
            key = record_key(record)
            match = existing.get(key) or existing.get(content_key(record))
            if match is None:
                plan.inserts.append({**_DEFAULTS, **record, "cle": key})
                continue
            ident, old_print = match
            merged = dict(record)
            if present != set(DATA_FIELDS):
                if stored is None:
                    stored = {r["id"]: r for r in self._records()}
                merged = _merge(stored[ident], record, present)
            merged["cle"] = key
            if fingerprint(merged) == old_print:
                plan.unchanged += 1
            else:
                plan.updates.append((ident, merged))
        return plan

    def _row(self, record: dict[str, Any]) -> list[Any]:
        values = [record.get(name) for name in _SCALAR_FIELDS]
        for index, name in enumerate(_SCALAR_FIELDS):
            if name in ("montant", "latitude", "longitude"):
                values[index] = _clean_float(values[index])
        return [
            record["cle"],
            fingerprint(record),
            *values,
            json.dumps(record.get("zone_intervention") or [], ensure_ascii=False),
            record.get("source_fichier"),
            record.get("source_ligne"),
            bool(record.get("fictif", False)),
        ]

    _ROW_COLUMNS = (
        "cle",
        "empreinte",
        *_SCALAR_FIELDS,
        "zone_intervention",
        "source_fichier",
        "source_ligne",
        "fictif",
    )

    def _insert(self, records: list[dict[str, Any]], now: str) -> None:
        if not records:
            return
        columns = [*self._ROW_COLUMNS, "cree_le", "modifie_le"]
        self._db.executemany(
            self._db.sql(
                f"INSERT INTO initiatives ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})"
            ),
            [[*self._row(r), now, now] for r in records],
        )
        ids = {
            cle: int(ident)
            for ident, cle in self._db.execute("SELECT id, cle FROM initiatives").fetchall()
        }
        self._insert_links([(ids[r["cle"]], r) for r in records])

    def _update(self, updates: list[tuple[int, dict[str, Any]]], now: str) -> None:
        if not updates:
            return
        assignments = ", ".join(f"{c} = ?" for c in (*self._ROW_COLUMNS, "modifie_le"))
        self._db.executemany(
            self._db.sql(f"UPDATE initiatives SET {assignments} WHERE id = ?"),
            [[*self._row(r), now, ident] for ident, r in updates],
        )
        self._delete_links([ident for ident, _ in updates])
        self._insert_links(updates)

    def _insert_links(self, pairs: list[tuple[int, dict[str, Any]]]) -> None:
        self._db.executemany(
            self._db.sql(
                "INSERT INTO initiative_themes (initiative_id, position, code) VALUES (?, ?, ?)"
            ),
            [(i, p, c) for i, r in pairs for p, c in enumerate(r.get("themes") or [])],
        )
        self._db.executemany(
            self._db.sql(
                "INSERT INTO initiative_funders (initiative_id, position, financeur, montant) "
                "VALUES (?, ?, ?, ?)"
            ),
            [
                (i, p, f["financeur"], _clean_float(f.get("montant")))
                for i, r in pairs
                for p, f in enumerate(r.get("financements") or [])
            ],
        )

    def _delete_links(self, ids: list[int]) -> None:
        for table in ("initiative_themes", "initiative_funders"):
            self._db.executemany(
                self._db.sql(f"DELETE FROM {table} WHERE initiative_id = ?"), [(i,) for i in ids]
            )

    def _delete_demo(self) -> int:
        ids = [
            int(r[0])
            for r in self._db.execute(
                "SELECT id FROM initiatives WHERE fictif = ?", (True,)
            ).fetchall()
        ]
        self._delete_links(ids)
        self._db.execute("DELETE FROM initiatives WHERE fictif = ?", (True,))
        return len(ids)

    def delete_demo(self) -> int:
        """Delete every fictional demo record; return how many were deleted."""
        with self._lock, self._db.transaction():
            return self._delete_demo()

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()


def _merge(stored: dict[str, Any], record: dict[str, Any], present: set[str]) -> dict[str, Any]:
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


def open_store(url: str | None = None, *, referentiels: Referentiels | None = None) -> Store:
    """Open the initiatives store, creating or upgrading its schema.

    Parameters
    ----------
    url : str, optional
        ``sqlite:///path``, a plain file path, or ``postgresql://...``. Default: the
        ``TERRITOIRES_DATABASE_URL`` setting (SQLite in the data folder when empty).
    referentiels : Referentiels, optional
        Themes and funders to seed; default ``config/referentiels.toml``.
    """
    return Store(url or get_settings().database_url, referentiels=referentiels)
