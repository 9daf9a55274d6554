"""Two imports at once on each backend: the second waits its turn, or is told in French that
another import is running; never a driver's English error. NUL and control characters are
removed on each backend."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from territoires.errors import StoreError
from territoires.importers.pipeline import import_file
from territoires.store import Actor, backends, initiatives, open_store

ACTOR = Actor("test@exemple.fr", "editeur")
DATA = "Réf;Titre;Commune;Année\nA1;Jardin;Commune 1;2023\nA2;Café;Commune 2;2024\n".encode()


def _import(url: str, reference, results: dict, name: str) -> None:
    store = open_store(url)
    try:
        results[name] = import_file(DATA, store, reference, name="f.csv", actor=ACTOR)
    except Exception as exc:  # noqa: BLE001 (the test reports whatever the thread met)
        results[name] = exc
    finally:
        store.close()


def test_the_second_of_two_imports_at_once_waits_its_turn(
    store_url: str, tiny_reference, monkeypatch
) -> None:
    open_store(store_url).close()  # schema ready before both start
    inserted = threading.Event()
    original = initiatives.insert

    def slow_insert(*args, **kwargs):
        ids = original(*args, **kwargs)
        if threading.current_thread().name == "premier":
            inserted.set()
            time.sleep(1.0)  # the first import is still running when the second starts
        return ids

    monkeypatch.setattr(initiatives, "insert", slow_insert)
    results: dict = {}
    first = threading.Thread(
        target=_import, args=(store_url, tiny_reference, results, "premier"), name="premier"
    )
    first.start()
    assert inserted.wait(30)
    second = threading.Thread(
        target=_import, args=(store_url, tiny_reference, results, "second"), name="second"
    )
    second.start()
    first.join(60)
    second.join(60)
    assert not isinstance(results["second"], Exception), results["second"]
    assert results["premier"].nouvelles == 2
    assert (results["second"].nouvelles, results["second"].inchangees) == (0, 2)


def test_an_import_kept_waiting_too_long_is_told_in_french(
    store_url: str, tiny_reference, monkeypatch
) -> None:
    store = open_store(store_url)
    with _another_writer(store, monkeypatch), pytest.raises(StoreError) as error:
        import_file(DATA, store, tiny_reference, name="f.csv", actor=ACTOR)
    message = error.value.user_message
    assert message == (
        "L'import a échoué et la base n'a pas été modifiée : un autre import ou une autre "
        "modification est en cours sur cette base et ne s'est pas terminé à temps. Rien n'a été "
        "enregistré : réessayez dans un instant."
    )
    assert store.count() == 0
    # Once the other one is done, the same import goes through.
    assert import_file(DATA, store, tiny_reference, name="f.csv", actor=ACTOR).nouvelles == 2
    store.close()


class _another_writer:  # noqa: N801 (a context manager used as a phrase)
    """Another process holding the database's import lock (PostgreSQL) or its write lock
    (SQLite), with waits shortened to a fraction of a second."""

    def __init__(self, store, monkeypatch) -> None:
        self.url, self.store, self.monkeypatch = store.url, store, monkeypatch

    def __enter__(self) -> None:
        if self.url.startswith("sqlite"):
            self.store._db.conn.execute("PRAGMA busy_timeout = 300")
            self.conn = sqlite3.connect(backends.sqlite_path(self.url), isolation_level=None)
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            import psycopg

            self.monkeypatch.setattr(backends, "IMPORT_WAIT_S", 1)
            self.conn = psycopg.connect(self.url, autocommit=True)
            self.conn.execute(
                "SELECT pg_advisory_lock(hashtext(%s || current_schema()))",
                (backends.IMPORT_LOCK,),
            )

    def __exit__(self, *exc: object) -> None:
        if self.url.startswith("sqlite"):
            self.conn.execute("ROLLBACK")
        self.conn.close()


def test_control_characters_never_reach_the_database(store_url: str, tiny_reference) -> None:
    data = "Titre;Porteur;Commune\nCaf\x00é;Asso\x01;Commune 1\n".encode()
    store = open_store(store_url)
    try:
        report = import_file(data, store, tiny_reference, name="nul.csv", actor=ACTOR)
        frame = store.list_initiatives()
    finally:
        store.close()
    assert (report.nouvelles, report.rejected) == (1, [])
    assert (frame.loc[0, "titre"], frame.loc[0, "porteur"]) == ("Café", "Asso")
    assert "caractères de contrôle invisibles" in report.plan.warnings[0]
