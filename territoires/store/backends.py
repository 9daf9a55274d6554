"""The two database backends behind the store: SQLite (sqlite3) and PostgreSQL (psycopg 3).

Queries are written once with ``?`` placeholders; the PostgreSQL backend rewrites them to
``%s``. No SQL is built from user data.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from territoires.errors import StoreError

# How long SQLite waits for another process's write lock before giving up.
BUSY_TIMEOUT_S = 30.0
# Name of the PostgreSQL advisory lock taken while migrating (hashed with the schema's name).
MIGRATION_LOCK = "territoires-migrations:"
# Taken by every import batch, so that two imports at once run one after the other.
IMPORT_LOCK = "territoires-imports:"
# How long an import waits for another one (PostgreSQL; SQLite waits BUSY_TIMEOUT_S).
IMPORT_WAIT_S = 120
# What a user reads when the database stays busy with another write (never the driver's text).
BUSY_MESSAGE = (
    "un autre import ou une autre modification est en cours sur cette base et ne s'est pas "
    "terminé à temps. Rien n'a été enregistré : réessayez dans un instant."
)


class Backend:
    """Dialect differences: connection, placeholders, primary keys, transactions."""

    name = ""
    pk = ""
    errors: tuple[type[Exception], ...] = (sqlite3.Error,)

    def sql(self, query: str) -> str:
        return query

    def execute(self, query: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    def executemany(self, query: str, rows: Iterable[Sequence[Any]]) -> None:
        raise NotImplementedError

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        """Append many rows to a table in the current transaction, the fastest way the
        database offers: one prepared ``INSERT`` (SQLite), ``COPY`` (PostgreSQL).

        ``table`` and ``columns`` are the store's own names, never user data.
        """
        placeholders = ", ".join("?" * len(columns))
        self.executemany(
            self.sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"), rows
        )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        raise NotImplementedError
        yield

    @contextmanager
    def migration_lock(self) -> Iterator[None]:
        """A transaction that no other process can run at the same time (migrations)."""
        raise NotImplementedError
        yield

    def lock_imports(self) -> None:
        """Inside a write transaction: wait until no other import runs (PostgreSQL); SQLite's
        write transaction already lets one writer at a time."""

    def is_busy(self, error: Exception) -> bool:
        """Whether a driver error means « another writer held the database too long »."""
        return False

    def table_exists(self, name: str) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class SqliteBackend(Backend):
    name = "sqlite"
    pk = "INTEGER PRIMARY KEY AUTOINCREMENT"

    def __init__(self, path: str) -> None:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_S
            )
            self.conn.execute("PRAGMA foreign_keys = ON")
            self._write_ahead_log()
        except sqlite3.Error as exc:
            raise StoreError(f"Base SQLite inaccessible : {path} ({exc}).") from exc

    def _write_ahead_log(self) -> None:
        """Switch to WAL, waiting up to ``BUSY_TIMEOUT_S`` for another connection: the switch
        of a new database answers « database is locked » at once, without the busy timeout,
        while another process creates or migrates it."""
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if not self.is_busy(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def execute(self, query: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(query, tuple(params))

    def executemany(self, query: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(query, rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._begin("IMMEDIATE"):
            yield

    @contextmanager
    def migration_lock(self) -> Iterator[None]:
        with self._begin("EXCLUSIVE"):
            yield

    def is_busy(self, error: Exception) -> bool:
        return isinstance(error, sqlite3.OperationalError) and "locked" in str(error)

    @contextmanager
    def _begin(self, mode: str) -> Iterator[None]:
        self.conn.execute(f"BEGIN {mode}")
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


class PostgresBackend(Backend):
    name = "postgresql"
    pk = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"

    def __init__(self, url: str) -> None:
        import psycopg

        self.errors = (psycopg.Error,)
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

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with self.conn.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[arg-type]
            for row in rows:
                copy.write_row(row)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.conn.transaction():
            yield

    @contextmanager
    def migration_lock(self) -> Iterator[None]:
        # An advisory lock held until the transaction ends, one per schema (search_path).
        with self.conn.transaction():
            self.conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s || current_schema()))",
                (MIGRATION_LOCK,),
            )
            yield

    def lock_imports(self) -> None:
        # An advisory lock until the transaction ends, one per schema; waits IMPORT_WAIT_S.
        self.conn.execute(f"SET LOCAL lock_timeout = '{int(IMPORT_WAIT_S)}s'")
        self.conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s || current_schema()))", (IMPORT_LOCK,)
        )
        self.conn.execute("SET LOCAL lock_timeout TO DEFAULT")

    def is_busy(self, error: Exception) -> bool:
        from psycopg import errors

        return isinstance(error, errors.LockNotAvailable | errors.SerializationFailure)

    def table_exists(self, name: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM information_schema.tables "
            "WHERE table_name = %s AND table_schema = ANY(current_schemas(false))",
            (name,),
        ).fetchone()
        return row is not None

    def close(self) -> None:
        self.conn.close()


def sqlite_path(url: str) -> str:
    """The file of a SQLite URL, following SQLAlchemy's convention.

    ``sqlite:///relative/path.db`` is relative to the working directory,
    ``sqlite:////absolute/path.db`` is absolute, ``sqlite://`` and ``sqlite:///:memory:`` are
    in memory; anything else (a plain path) is a path.
    """
    if not url.startswith("sqlite:"):
        return url
    rest = url.removeprefix("sqlite:")
    if rest in ("//", "///:memory:"):
        return ":memory:"
    if not rest.startswith("///") or "?" in rest:
        raise StoreError(
            f"Adresse SQLite mal formée : « {url} » (attendu : sqlite:///chemin/relatif.db "
            "ou sqlite:////chemin/absolu.db)."
        )
    return rest.removeprefix("///")


def backend_for(url: str) -> Backend:
    """The backend for a database URL (``sqlite:///…``, ``postgresql://…`` or a plain path)."""
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresBackend(url)
    if url.startswith("sqlite:"):
        return SqliteBackend(sqlite_path(url))
    if "://" in url:
        raise StoreError(
            f"Adresse de base non prise en charge : « {url.split('://')[0]}:// » "
            "(attendu : sqlite:/// ou postgresql://)."
        )
    return SqliteBackend(url)
