"""The initiatives store: all the app's SQL, one interface for SQLite and PostgreSQL.

This package's one public entry point. ``open_store(url)`` opens (and creates or upgrades,
under a lock) a database: ``sqlite:///relative.db``, ``sqlite:////absolute.db`` or a plain path
selects SQLite (the file is created on first use); ``postgresql://...`` selects PostgreSQL.

Every write of ``Store`` takes the acting ``Actor`` (whose role the store checks), runs in one
transaction, is recorded in the field-level history and bumps ``data_version()``. See
docs/architecture.md (« The store ») for the modules, tables and history model.
"""

from territoires.store.facade import Store, open_store, restore_backup
from territoires.store.history import HISTORY_COLUMNS, IMPORT_COLUMNS, RecordedChange
from territoires.store.records import (
    DATA_FIELDS,
    DELETION_COLUMNS,
    INITIATIVE_COLUMNS,
    TRACKED_FIELDS,
    BatchResult,
    FieldChange,
    content_key,
    fingerprint,
    record_key,
    value_text,
)
from territoires.store.referentiels import (
    REFERENTIELS_PATH,
    FunderSpec,
    Referentiels,
    ThemeSpec,
    load_referentiels,
)
from territoires.store.schema import MIGRATIONS, SCHEMA_VERSION
from territoires.store.undo import UndoConflict, UndoResult
from territoires.store.users import ROLES, Actor, Role, cli_actor, local_actor

__all__ = [
    "DATA_FIELDS",
    "DELETION_COLUMNS",
    "HISTORY_COLUMNS",
    "IMPORT_COLUMNS",
    "INITIATIVE_COLUMNS",
    "MIGRATIONS",
    "REFERENTIELS_PATH",
    "ROLES",
    "SCHEMA_VERSION",
    "TRACKED_FIELDS",
    "Actor",
    "BatchResult",
    "FieldChange",
    "FunderSpec",
    "RecordedChange",
    "Referentiels",
    "Store",
    "Role",
    "ThemeSpec",
    "UndoConflict",
    "UndoResult",
    "cli_actor",
    "content_key",
    "fingerprint",
    "load_referentiels",
    "local_actor",
    "open_store",
    "record_key",
    "restore_backup",
    "value_text",
]
