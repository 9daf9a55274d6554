"""The initiatives store: all the app's SQL, one interface for SQLite and PostgreSQL.

This package's one public entry point. ``open_store(url)`` opens (and creates or upgrades) a
database: ``sqlite:///path`` or a plain path selects SQLite (the file is created on first use);
``postgresql://...`` selects PostgreSQL through psycopg 3.

- ``backends``: the two dialects; ``schema``: versioned migrations; ``referentiels``: themes
  and funders seeded from ``config/referentiels.toml``; ``records``: pure keys, fingerprints
  and merge; ``initiatives``: the repository of initiatives and import batches; ``users``:
  roles (``Actor``, ``ROLES``) and the table of e-mail → role; ``facade``: ``Store``, which
  holds the connection, the lock and the transactions; ``cli``: the store's commands.
- ``Store.import_batch`` applies a whole batch in one transaction and upserts: by
  ``reference`` when given, else by the *content key* (see ``content_key``).
"""

from territoires.store.facade import Store, open_store
from territoires.store.records import (
    DATA_FIELDS,
    INITIATIVE_COLUMNS,
    BatchResult,
    content_key,
    fingerprint,
    record_key,
)
from territoires.store.referentiels import (
    REFERENTIELS_PATH,
    FunderSpec,
    Referentiels,
    ThemeSpec,
    load_referentiels,
)
from territoires.store.schema import MIGRATIONS, SCHEMA_VERSION
from territoires.store.users import ROLES, Actor, Role, cli_actor

__all__ = [
    "DATA_FIELDS",
    "INITIATIVE_COLUMNS",
    "MIGRATIONS",
    "REFERENTIELS_PATH",
    "ROLES",
    "SCHEMA_VERSION",
    "Actor",
    "BatchResult",
    "FunderSpec",
    "Referentiels",
    "Store",
    "Role",
    "ThemeSpec",
    "cli_actor",
    "content_key",
    "fingerprint",
    "load_referentiels",
    "open_store",
    "record_key",
]
