"""The data version: a counter bumped in the same transaction as every write.

A running app compares it with the version it last read to know, with one primary-key read,
whether anything changed (another session, another process, the command line).
"""

from __future__ import annotations

from territoires.store.backends import Backend


def data_version(db: Backend) -> int:
    """The current data version (one primary-key read)."""
    row = db.execute("SELECT version FROM data_version WHERE id = ?", (1,)).fetchone()
    return 0 if row is None else int(row[0])


def bump(db: Backend) -> None:
    """Add one to the data version, inside the caller's write transaction."""
    db.execute("UPDATE data_version SET version = version + 1 WHERE id = ?", (1,))
