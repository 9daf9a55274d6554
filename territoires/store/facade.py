"""``Store``: the one object pages and commands use; a thin facade over the repositories.

It holds the connection, a lock (the store is thread-safe) and the transactions; the SQL lives
in the modules it calls.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd

from territoires.errors import StoreError
from territoires.settings import get_settings
from territoires.store import initiatives, users
from territoires.store.backends import backend_for
from territoires.store.freshness import bump, data_version
from territoires.store.records import DATA_FIELDS, BatchResult
from territoires.store.referentiels import Referentiels, load_referentiels, seed, seed_needed
from territoires.store.schema import SCHEMA_VERSION, current_version, migrate
from territoires.store.users import Actor, Role


class _Rollback(Exception):
    """Raised inside a transaction to roll it back on purpose (dry run)."""


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
        self._db = backend_for(url)
        self._lock = threading.RLock()
        self._referentiels = referentiels or load_referentiels()
        self._prepare(SCHEMA_VERSION if target_version is None else target_version)

    def _prepare(self, target: int) -> None:
        """Migrate and seed under the migration lock, unless both are already done."""
        with self._lock:
            try:
                if current_version(self._db) == target and not seed_needed(
                    self._db, self._referentiels
                ):
                    return
                with self._db.migration_lock():
                    migrate(self._db, target)
                    seed(self._db, self._referentiels)
            except self._db.errors as exc:
                raise StoreError(f"Mise à niveau de la base impossible ({exc}).") from exc

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._db.name

    def schema_version(self) -> int:
        """The database's current schema version (0 for an empty database)."""
        with self._lock:
            return current_version(self._db)

    def data_version(self) -> int:
        """A counter bumped in the same transaction as every write (one primary-key read).

        Compare it with the value read earlier to know whether anything changed, from this
        process or another one.
        """
        return self._read(data_version)

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
        return initiatives.initiatives_frame(self._read(initiatives.records))

    def last_imports(self, limit: int = 10) -> pd.DataFrame:
        """The most recent imports: ``fichier, importe_le, nouvelles, modifiees, inchangees``."""
        columns = ["fichier", "importe_le", "nouvelles", "modifiees", "inchangees"]
        rows = self._fetch(
            f"SELECT {', '.join(columns)} FROM imports ORDER BY id DESC LIMIT ?", (limit,)
        )
        return pd.DataFrame(rows, columns=columns)

    def _fetch(self, query: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self._read(initiatives.fetch, query, params)

    def _read(self, function: Any, *args: Any) -> Any:
        """Run a read function on the connection, under the lock; French error on failure."""
        with self._lock:
            try:
                return function(self._db, *args)
            except self._db.errors as exc:
                raise StoreError(f"Lecture de la base impossible ({exc}).") from exc

    # -- users and roles --------------------------------------------------------------------
    def role_of(self, email: str) -> Role | None:
        """The role of an e-mail (compared case-insensitively, trimmed), or None."""
        return self._read(users.role_of, email)

    def users(self) -> pd.DataFrame:
        """Every user with a role: ``email, role, cree_le, cree_par``."""
        return self._read(users.users_frame)

    def set_user(self, email: str, role: Role, *, actor: Actor) -> None:
        """Give an e-mail a role, or change it (admin). Demoting the last admin is refused."""
        with self._writing("L'utilisateur n'a pas été enregistré"):
            users.set_user(self._db, email, role, actor)

    def remove_user(self, email: str, *, actor: Actor) -> bool:
        """Remove a user (admin); False when the e-mail had no role. The last admin stays."""
        with self._writing("L'utilisateur n'a pas été retiré"):
            _, previous = users.remove_user(self._db, email, actor)
        return previous is not None

    # -- writing ---------------------------------------------------------------------------
    @contextmanager
    def _writing(self, failure: str) -> Iterator[None]:
        """One write transaction under the lock, bumping the data version before it commits;
        a driver error becomes a French error and nothing is written."""
        try:
            with self._lock, self._db.transaction():
                yield
                bump(self._db)
        except self._db.errors as exc:
            raise StoreError(f"{failure} ({exc}).") from exc

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
            with self._writing("L'import a échoué et la base n'a pas été modifiée"):
                result = initiatives.apply_batch(
                    self._db, records, present, created, source, replace_demo
                )
                if dry_run:
                    raise _Rollback
        except _Rollback:
            return dataclasses.replace(result, dry_run=True)
        return result

    def delete_demo(self) -> int:
        """Delete every fictional demo record; return how many were deleted."""
        with self._writing("Les données de démonstration n'ont pas été supprimées"):
            return initiatives.delete_demo(self._db)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()


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
