"""Backup and restore of the whole store in one portable file (gzip-compressed JSON lines).

The file holds a header (format, schema version, date, source backend), then each table: a
line naming it with its columns and row count, and one JSON array per row; a last line marks
its end, so that a truncated file is refused. Values are plain
JSON (floats exactly, booleans as booleans), so a backup restores losslessly into SQLite or
PostgreSQL, whichever it came from.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from territoires.errors import StoreError
from territoires.store.backends import Backend
from territoires.store.records import now
from territoires.store.schema import SCHEMA_VERSION, current_version

FORMAT = "territoires-sauvegarde"
FORMAT_VERSION = 1
# Every table a backup holds, parents before children, each with the columns that order it.
TABLES: tuple[tuple[str, str], ...] = (
    ("themes", "code"),
    ("theme_aliases", "alias, code"),
    ("funders", "nom"),
    ("funder_aliases", "alias, nom"),
    ("import_aliases", "colonne, cle"),
    ("initiatives", "id"),
    ("initiative_themes", "initiative_id, position"),
    ("initiative_funders", "initiative_id, position"),
    ("imports", "id"),
    ("history", "id"),
    ("users", "email"),
    ("meta", "cle"),
    ("indicators", "id"),
    ("indicator_values", "indicator_id, code"),
)
BOOLEAN_COLUMNS: dict[str, tuple[str, ...]] = {
    "funders": ("configure",),
    "initiatives": ("fictif",),
}
# Tables whose ids a database generates: their counters move past the restored ids.
IDENTITY_TABLES: tuple[str, ...] = ("initiatives", "imports", "history", "indicators")
# What makes a database « not empty » for a restore (seeded themes and funders do not count).
CONTENT_TABLES: tuple[str, ...] = ("initiatives", "imports", "history", "users", "indicators")
_CHUNK = 5_000


# --- writing ---------------------------------------------------------------------------------
def write_backup(db: Backend, path: Path) -> Path:
    """Write every table of the store to ``path`` (inside the caller's lock)."""
    header = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "schema": current_version(db),
        "cree_le": now(),
        "base": db.name,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with db.transaction(), gzip.open(path, "wt", encoding="utf-8") as out:
            if db.name == "postgresql":  # one snapshot for every table
                db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            _line(out, header)
            for table, order in TABLES:
                _write_table(db, out, table, order)
            _line(out, {"fin": len(TABLES)})
    except OSError as exc:
        raise StoreError(f"Impossible d'écrire la sauvegarde {path} ({exc}).") from exc
    return path


def _write_table(db: Backend, out: IO[str], table: str, order: str) -> None:
    cursor = db.execute(f"SELECT * FROM {table} ORDER BY {order}")
    columns = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    _line(out, {"table": table, "colonnes": columns, "lignes": len(rows)})
    booleans = [columns.index(c) for c in BOOLEAN_COLUMNS.get(table, ())]
    for row in rows:
        values = list(row)
        for index in booleans:
            values[index] = bool(values[index])
        _line(out, values)


def _line(out: IO[str], value: Any) -> None:
    out.write(json.dumps(value, ensure_ascii=False, allow_nan=False))
    out.write("\n")


# --- reading ---------------------------------------------------------------------------------
def read_header(path: Path) -> dict[str, Any]:
    """The header of a backup file; a French error when it is not one."""
    with _open(path) as lines:
        return _header(next(lines, None), path)


def _header(line: str | None, path: Path) -> dict[str, Any]:
    try:
        header = json.loads(line or "")
    except json.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise StoreError(f"« {path} » n'est pas une sauvegarde de Territoires d'engagement.")
    if int(header.get("schema", 0)) > SCHEMA_VERSION:
        raise StoreError(
            f"La sauvegarde est au schéma {header['schema']}, plus récent que celui de "
            f"l'application ({SCHEMA_VERSION}) : mettez l'application à jour."
        )
    return header


def _open(path: Path) -> Any:
    try:
        return gzip.open(path, "rt", encoding="utf-8")
    except OSError as exc:
        raise StoreError(f"Sauvegarde illisible : {path} ({exc}).") from exc


def tables(path: Path) -> Iterator[tuple[str, list[str], list[list[Any]]]]:
    """``(table, columns, rows)`` of a backup, in its order."""
    try:
        with _open(path) as lines:
            _header(next(lines, None), path)
            for line in lines:
                meta = json.loads(line)
                if "fin" in meta:
                    return
                rows = [json.loads(next(lines)) for _ in range(int(meta["lignes"]))]
                yield meta["table"], list(meta["colonnes"]), rows
            raise EOFError("fin du fichier absente")
    except (OSError, EOFError, StopIteration, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise StoreError(f"Sauvegarde illisible ou tronquée : {path} ({exc}).") from exc


def _columns(db: Backend, table: str) -> list[str]:
    """The columns the database has for one of ``TABLES``."""
    return [d[0] for d in db.execute(f"SELECT * FROM {table} LIMIT 0").description]


def content_counts(db: Backend) -> dict[str, int]:
    """Rows in the tables that make a database « not empty »."""
    return {
        table: int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
        for table in CONTENT_TABLES
    }


def load_backup(db: Backend, path: Path) -> dict[str, int]:
    """Replace every table's rows by the backup's (inside the caller's transaction)."""
    known = {table for table, _ in TABLES}
    for table, _ in reversed(TABLES):
        db.execute(f"DELETE FROM {table}")
    counts: dict[str, int] = {}
    for table, columns, rows in tables(path):
        if table not in known:
            raise StoreError(f"Sauvegarde : table inconnue « {table} ».")
        unknown = sorted(set(columns) - set(_columns(db, table)))
        if unknown:
            raise StoreError(f"Sauvegarde : colonnes inconnues dans « {table} » : {unknown}.")
        query = db.sql(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        )
        for start in range(0, len(rows), _CHUNK):
            db.executemany(query, rows[start : start + _CHUNK])
        counts[table] = len(rows)
    if db.name == "postgresql":
        for table in IDENTITY_TABLES:
            db.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}"
            )
    return counts
