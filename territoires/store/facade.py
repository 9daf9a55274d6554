"""``Store``: the one object pages and commands use; a thin facade over the repositories.

It holds the connection, a lock (the store is thread-safe) and the transactions; the SQL lives
in the modules it calls. Every write takes the acting ``Actor``, whose role the repository
checks, runs in one transaction, is recorded in the history and bumps the data version.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from territoires.errors import StoreError
from territoires.settings import get_settings
from territoires.store import (
    backup,
    batches,
    editing,
    history,
    initiatives,
    merges,
    reconciliation,
    undo,
    users,
)
from territoires.store import indicators as indicator_rows
from territoires.store.backends import BUSY_MESSAGE, backend_for
from territoires.store.freshness import bump, data_version
from territoires.store.records import (
    DATA_FIELDS,
    DELETION_COLUMNS,
    INITIATIVE_COLUMNS,
    BatchResult,
    now,
)
from territoires.store.referentiels import Referentiels, load_referentiels, seed, seed_needed
from territoires.store.schema import SCHEMA_VERSION, current_version, migrate
from territoires.store.undo import UndoResult
from territoires.store.users import Actor, Role, require


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

    def saved_correspondences(self) -> pd.DataFrame:
        """The correspondences confirmed at imports and kept for the next ones: ``colonne``
        (``financeurs, themes, commune, type``), ``cle`` (with ``colonne`` and
        ``proposition``, what ``remove_correspondence`` takes), ``valeur`` (as written),
        ``proposition`` (a funder, a theme code, an INSEE code, a type), ``cree_le``,
        ``cree_par`` (empty for funders and themes)."""
        with self._lock:
            return reconciliation.saved_correspondences(self._db)

    def remove_correspondence(
        self, colonne: str, cle: str, proposition: str, *, actor: Actor
    ) -> bool:
        """Forget one saved correspondence (editeur): the next import asks again. The history
        says what it was; False when there was none."""
        require(actor, "editeur")
        with self._writing("La correspondance n'a pas été retirée"):
            removed = reconciliation.remove_correspondence(self._db, colonne, cle, proposition)
            if removed is not None:
                entry = history.Entry(
                    "correspondance", None, None, None, "correspondance", removed, None
                )
                history.write(self._db, [entry], stamp=now(), user=actor.user)
        return removed is not None

    # -- reading initiatives ---------------------------------------------------------------

    def import_aliases(self) -> list[tuple[str, str, str]]:
        """Commune and type correspondences confirmed by earlier imports:
        ``(colonne, value as written, target)`` (an INSEE code, a type)."""
        with self._lock:
            return reconciliation.import_aliases(self._db)

    def identities(self) -> pd.DataFrame:
        """Id, reference, title, porteur, commune and year of every initiative not deleted (what
        an import checks reference collisions and probable duplicates against)."""
        with self._lock:
            return reconciliation.identities(self._db)

    def count(self, *, fictif: bool | None = None) -> int:
        """Number of initiatives, deleted ones apart (only fictional or only real ones when
        ``fictif`` is set)."""
        query = "SELECT COUNT(*) FROM initiatives WHERE supprime_le IS NULL"
        if fictif is None:
            rows = self._fetch(query)
        else:
            rows = self._fetch(f"{query} AND fictif = ?", (fictif,))
        return int(rows[0][0])

    def is_empty(self) -> bool:
        """Whether the store never held an initiative (deleted ones count) nor an import."""
        rows = self._fetch(
            "SELECT (SELECT COUNT(*) FROM initiatives) + (SELECT COUNT(*) FROM imports)"
        )
        return int(rows[0][0]) == 0

    def has_real_data(self) -> bool:
        """Whether any non-fictional initiative is stored (deleted ones apart)."""
        return self.count(fictif=False) > 0

    def list_initiatives(self) -> pd.DataFrame:
        """All initiatives but the deleted ones, as described in ``docs/architecture.md``."""
        return initiatives.initiatives_frame(self._read(initiatives.records, "active"))

    def read_initiatives(
        self, known: list[tuple] | None = None, *, most: float = 0.25
    ) -> InitiativesRead:
        """The initiatives but the deleted ones, read again only where they changed.

        ``known`` holds the ``signatures`` of an earlier read (``InitiativesRead``). The rows
        whose signature is still the same are not read again: the result lists their ids in
        ``kept``, and ``frame`` holds the others (new or changed). Without ``known``, or when
        more than ``most`` of the rows changed, every row is read (``full``).

        The signatures are read before the rows: a row that changes in between keeps the
        signature read first, and is read again the next time.
        """
        return self._read(_read_initiatives, known, most)

    def list_deleted(self) -> pd.DataFrame:
        """The soft-deleted initiatives: the same columns plus ``supprime_le, supprime_par``."""
        rows = self._read(initiatives.records, "deleted")
        return initiatives.initiatives_frame(rows, DELETION_COLUMNS)

    def get_initiative(self, ident: int) -> dict[str, Any] | None:
        """One initiative (deleted ones included) as a dict with the frame's keys plus
        ``supprime_le`` and ``supprime_par``; None when there is none."""
        record = self._read(initiatives.get, int(ident))
        if record is None:
            return None
        return {k: record[k] for k in (*INITIATIVE_COLUMNS, *DELETION_COLUMNS)}

    def last_imports(self, limit: int = 10) -> pd.DataFrame:
        """The most recent imports that were not undone: ``fichier, importe_le, nouvelles,
        modifiees, inchangees`` (``imports()`` lists them all)."""
        columns = ["fichier", "importe_le", "nouvelles", "modifiees", "inchangees"]
        rows = self._fetch(
            f"SELECT {', '.join(columns)} FROM imports WHERE annule_le IS NULL "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return pd.DataFrame(rows, columns=columns)

    # -- history ---------------------------------------------------------------------------
    def history(
        self,
        *,
        initiative_id: int | None = None,
        user: str | None = None,
        since: object = None,
        until: object = None,
        lot: int | None = None,
        reference: str | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """The history, newest first: ``id, date, utilisateur, action, initiative_id,
        reference, champ, avant, apres, lot, titre``.

        ``since``/``until`` take a date (whole days, inclusive), a datetime or ISO text;
        ``user`` is compared case-insensitively; ``reference`` also finds the rows written
        before the initiative had that reference. A creation shows as one row per field it
        set (same ``id``), so the frame may hold more rows than ``limit``, which counts
        recorded actions. ``avant``/``apres`` are Python values (None, str, float, int, list).
        """
        return self._read(
            lambda db: history.history_frame(
                db,
                initiative_id=initiative_id,
                user=user,
                since=since,
                until=until,
                lot=lot,
                reference=reference,
                limit=limit,
            )
        )

    def imports(self, limit: int | None = None) -> pd.DataFrame:
        """The import journal, newest first: ``lot, date, utilisateur, fichier, nouvelles,
        modifiees, inchangees, rejetees, annule, annule_le, annule_par``."""
        return self._read(history.imports_frame, limit)

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
            address, previous = users.set_user(self._db, email, role, actor)
            if previous != role:
                self._record_role(actor, address, previous, role)

    def remove_user(self, email: str, *, actor: Actor) -> bool:
        """Remove a user (admin); False when the e-mail had no role. The last admin stays."""
        with self._writing("L'utilisateur n'a pas été retiré"):
            address, previous = users.remove_user(self._db, email, actor)
            if previous is not None:
                self._record_role(actor, address, previous, None)
        return previous is not None

    def _record_role(self, actor: Actor, email: str, before: str | None, after: str | None) -> None:
        entry = history.Entry(
            "utilisateur",
            None,
            None,
            None,
            "role",
            None if before is None else f"{email} : {before}",
            None if after is None else f"{email} : {after}",
        )
        history.write(self._db, [entry], stamp=now(), user=actor.user)

    # -- need indicators imported by users --------------------------------------------------
    def indicators(self) -> pd.DataFrame:
        """The imported need indicators, oldest first (``store.indicators.INDICATOR_COLUMNS``)."""
        return self._read(indicator_rows.frame)

    def indicator_values(self, indicator_id: int) -> pd.Series:
        """One imported indicator's values: float per commune INSEE code or EPCI SIREN."""
        return self._read(indicator_rows.values, indicator_id)

    def save_indicator(self, record: dict[str, Any], values: pd.Series, *, actor: Actor) -> int:
        """Store an imported indicator and its values (editeur); return its id.

        ``record`` holds ``libelle, unite, sens, niveau, source, millesime, fichier``
        (``IndicatorTable.record``). An indicator with the same ``libelle`` is replaced, values
        included, in one transaction; the history says so.
        """
        require(actor, "editeur")
        with self._writing("L'indicateur n'a pas été enregistré et la base n'a pas été modifiée"):
            stamp = now()
            ident, replaced = indicator_rows.save(
                self._db, record, values, stamp=stamp, user=actor.user
            )
            added = indicator_rows.describe(record, int(values.astype(float).notna().sum()))
            self._record_indicator(actor, stamp, replaced, added)
        return ident

    def remove_indicator(self, indicator_id: int, *, actor: Actor) -> bool:
        """Delete an imported indicator and its values (editeur); False when there is none."""
        require(actor, "editeur")
        with self._writing("L'indicateur n'a pas été retiré"):
            stamp = now()
            removed = indicator_rows.remove(self._db, indicator_id)
            if removed is not None:
                self._record_indicator(actor, stamp, removed, None)
        return removed is not None

    def _record_indicator(
        self, actor: Actor, stamp: str, before: str | None, after: str | None
    ) -> None:
        entry = history.Entry("indicateur", None, None, None, "indicateur", before, after)
        history.write(self._db, [entry], stamp=stamp, user=actor.user)

    # -- writing initiatives ---------------------------------------------------------------
    def import_batch(
        self,
        records: Sequence[dict[str, Any]],
        *,
        actor: Actor,
        fields: Iterable[str] | None = None,
        new_funders: Iterable[str] = (),
        source: str | None = None,
        replace_demo: bool = False,
        dry_run: bool = False,
        rejected: int = 0,
        aliases: Iterable[reconciliation.Alias] = (),
        if_empty: bool = False,
    ) -> BatchResult:
        """Apply a whole batch of records in one transaction (nothing is written on failure).

        Parameters
        ----------
        records : sequence of dict
            Keys among ``DATA_FIELDS`` plus ``source_fichier``, ``source_ligne``, ``fictif``.
        actor : Actor
            Who imports (``editeur`` or ``admin``), written in the history and the journal.
        fields : iterable of str, optional
            The data fields the source provides. On update, the other fields keep their stored
            values (re-importing an export does not erase the area served). Default: all.
        new_funders : iterable of str
            Funders' names to create before linking.
        source : str, optional
            File name recorded in the import journal.
        replace_demo : bool
            Delete the fictional demo records first, in the same transaction (recorded in the
            batch's history, so that undoing the batch brings them back).
        dry_run : bool
            Compute everything, field-level changes included, then roll back.
        rejected : int
            Rows the importer rejected, recorded in the journal.
        aliases : iterable of (colonne, key, value, target)
            Correspondences confirmed for this import, saved for the next ones (funders and
            themes as aliases, communes and types in ``import_aliases``); targets exist or are
            among ``new_funders``.
        if_empty : bool
            Only into a store that never held an initiative nor an import (``is_empty``),
            checked under the import lock: app processes that start at once on an empty
            database load the demo once. Otherwise nothing is written (zero counts, no lot).

        Upsert rule: a record matches a stored one by ``ref:<reference>``; a record with a
        reference that matches nothing, or one without a reference, matches by ``content_key``
        (title, porteur, commune, year). A match whose fingerprint is equal is « unchanged ». A
        match with a deleted initiative is left deleted and named in ``supprimees_ignorees``.
        """
        require(actor, "editeur")
        given = batches.BatchInput(
            frozenset(set(DATA_FIELDS if fields is None else fields) & set(DATA_FIELDS)),
            tuple(dict.fromkeys(new_funders)),
            source,
            replace_demo,
            int(rejected),
            tuple(aliases),
        )
        result = BatchResult(nouvelles=0, modifiees=0, inchangees=0)  # if_empty, not empty
        try:
            with self._writing("L'import a échoué et la base n'a pas été modifiée"):
                self._db.lock_imports()  # two imports at once: the second waits its turn
                if if_empty and not self.is_empty():
                    raise _Rollback
                result = batches.apply_batch(self._db, records, given, actor)
                if dry_run:
                    raise _Rollback
        except _Rollback:
            return dataclasses.replace(result, dry_run=dry_run, lot=None)
        return result

    def create_initiative(self, record: dict[str, Any], *, actor: Actor) -> int:
        """Create an initiative from ``DATA_FIELDS`` values (as the importer validates them);
        return its id."""
        with self._writing("L'initiative n'a pas été créée"):
            return editing.create(self._db, record, actor)

    def update_initiative(
        self, ident: int, changes: dict[str, Any], *, expected_version: int, actor: Actor
    ) -> int:
        """Change some ``DATA_FIELDS`` of an initiative opened at ``expected_version``;
        return its new version. Raises ``VersionConflictError`` (nothing written) when someone
        changed it since."""
        with self._writing("L'initiative n'a pas été modifiée"):
            return editing.update(self._db, ident, changes, expected_version, actor)

    def delete_initiative(self, ident: int, *, expected_version: int, actor: Actor) -> None:
        """Soft-delete an initiative (an admin may restore it)."""
        with self._writing("L'initiative n'a pas été supprimée"):
            editing.delete(self._db, ident, expected_version, actor)

    def restore_initiative(self, ident: int, *, actor: Actor) -> None:
        """Bring back a deleted initiative (admin)."""
        with self._writing("L'initiative n'a pas été restaurée"):
            editing.restore(self._db, ident, actor)

    def merge_funders(self, source: str, target: str, *, actor: Actor) -> int:
        """Merge funder ``source`` into ``target`` (admin); return the initiatives changed.
        ``source`` stays an alias of ``target`` for the next imports."""
        with self._writing("La fusion des financeurs n'a pas été faite"):
            return merges.merge_funders(self._db, source, target, actor)

    def merge_themes(self, source: str, target: str, *, actor: Actor) -> int:
        """Merge theme ``source`` into ``target`` (codes; admin); return the initiatives
        changed. ``source``'s code and labels stay aliases of ``target``."""
        with self._writing("La fusion des thèmes n'a pas été faite"):
            return merges.merge_themes(self._db, source, target, actor)

    def undo_import(self, lot: int, *, actor: Actor, force: bool = False) -> UndoResult:
        """Undo a whole import batch. Raises ``UndoConflictError`` naming the initiatives
        edited since, and writes nothing, unless ``force``."""
        with self._writing("L'annulation a échoué et la base n'a pas été modifiée"):
            return undo.undo_import(self._db, lot, actor, force)

    def delete_demo(self, *, actor: Actor) -> int:
        """Delete every fictional demo record for good; return how many were deleted."""
        require(actor, "editeur")
        with self._writing("Les données de démonstration n'ont pas été supprimées"):
            removed = initiatives.demo_records(self._db)
            initiatives.remove(self._db, [r["id"] for r in removed])
            entries = [
                history.whole_entry("suppression", r, avant=initiatives.full(r)) for r in removed
            ]
            history.write(self._db, entries, stamp=now(), user=actor.user)
        return len(removed)

    # -- backup ----------------------------------------------------------------------------
    def backup(self, path: str | Path) -> Path:
        """Write the whole store (history and users included) to one portable file."""
        return self._read(backup.write_backup, Path(path))

    def restore(self, path: str | Path, *, actor: Actor, force: bool = False) -> dict[str, int]:
        """Replace the store's contents by a backup's (admin); return the rows per table.

        A database holding initiatives, imports, history or users is refused unless ``force``.
        """
        require(actor, "admin")
        path = Path(path)
        backup.read_header(path)
        with self._writing("La restauration a échoué et la base n'a pas été modifiée"):
            counts = backup.content_counts(self._db)
            if any(counts.values()) and not force:
                raise StoreError(
                    "La base n'est pas vide ("
                    + ", ".join(f"{table} : {count}" for table, count in counts.items() if count)
                    + ") : la restauration remplacerait son contenu. Pour la remplacer, "
                    "confirmez (ligne de commande : --force)."
                )
            return backup.load_backup(self._db, path)

    # -- plumbing --------------------------------------------------------------------------
    def _fetch(self, query: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self._read(initiatives.fetch, query, params)

    def _read(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run a read function on the connection, under the lock; French error on failure."""
        with self._lock:
            try:
                return function(self._db, *args)
            except self._db.errors as exc:
                raise StoreError(f"Lecture de la base impossible ({exc}).") from exc

    @contextmanager
    def _writing(self, failure: str) -> Iterator[None]:
        """One write transaction under the lock, bumping the data version before it commits;
        a driver error becomes a French error and nothing is written."""
        try:
            with self._lock, self._db.transaction():
                yield
                bump(self._db)
        except self._db.errors as exc:
            if self._db.is_busy(exc):
                raise StoreError(f"{failure} : {BUSY_MESSAGE}") from exc
            raise StoreError(f"{failure} ({exc}).") from exc

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()


@dataclasses.dataclass(frozen=True)
class InitiativesRead:
    """What ``Store.read_initiatives`` read: ``frame``, the rows read (as
    ``list_initiatives``); ``kept``, the ids of the earlier read's rows that did not change
    (increasing); ``signatures``, the ``(id, *SIGNATURE_COLUMNS)`` of both in id order; and
    ``full`` when every row was read."""

    frame: pd.DataFrame
    kept: np.ndarray
    signatures: list[tuple]
    full: bool


def _read_initiatives(db, known: list[tuple] | None, most: float) -> InitiativesRead:
    current = initiatives.signatures(db)
    ids = np.array([row[0] for row in current], dtype=np.int64)
    if known is not None:
        same_ids = len(known) == len(current) and np.array_equal(ids, [row[0] for row in known])
        if same_ids:  # row by row
            changed = [row[0] for row, was in zip(current, known, strict=True) if row != was]
        else:
            before = set(known)
            changed = [row[0] for row in current if row not in before]
        if len(changed) <= most * max(len(current), 1):
            frame = initiatives.initiatives_frame(initiatives.active_records(db, changed))
            read = frame["id"].to_numpy(dtype=np.int64)
            kept = ids[~np.isin(ids, changed)]
            if len(read) < len(changed):  # removed meanwhile
                present = np.isin(ids, np.concatenate([kept, read]))
                current = [row for row, keep in zip(current, present.tolist(), strict=True) if keep]
            return InitiativesRead(frame, kept, current, full=False)
    frame = initiatives.initiatives_frame(initiatives.records(db, "active"))
    present = np.isin(ids, frame["id"].to_numpy(dtype=np.int64))
    if not present.all():  # removed between the two reads
        current = [row for row, keep in zip(current, present.tolist(), strict=True) if keep]
    return InitiativesRead(frame, np.empty(0, dtype=np.int64), current, full=True)


def restore_backup(
    path: str | Path, url: str | None = None, *, actor: Actor, force: bool = False
) -> dict[str, int]:
    """Restore a backup file into the database at ``url`` (admin); see ``Store.restore``."""
    store = open_store(url)
    try:
        return store.restore(path, actor=actor, force=force)
    finally:
        store.close()


def open_store(url: str | None = None, *, referentiels: Referentiels | None = None) -> Store:
    """Open the initiatives store, creating or upgrading its schema.

    Parameters
    ----------
    url : str, optional
        ``sqlite:///relative.db`` (relative to the working directory), ``sqlite:////abs.db``,
        a plain file path, or ``postgresql://...``. Default: the ``TERRITOIRES_DATABASE_URL``
        setting (SQLite in the data folder when empty).
    referentiels : Referentiels, optional
        Themes and funders to seed; default ``config/referentiels.toml``.
    """
    return Store(url or get_settings().database_url, referentiels=referentiels)
