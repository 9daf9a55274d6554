"""The data version: bumped in the same transaction as every write, read by any process."""

from __future__ import annotations

import pytest
from test_store import record

from territoires.errors import StoreError
from territoires.store import Actor, Store, open_store

ACTOR = Actor("test@exemple.fr", "editeur")

ADMIN = Actor("admin@exemple.fr", "admin")


def test_every_write_bumps_the_version_and_reads_do_not(store: Store) -> None:
    start = store.data_version()
    store.list_initiatives()
    store.users()
    assert store.data_version() == start
    store.import_batch([record("A")], actor=ACTOR)
    assert store.data_version() == start + 1
    store.set_user("jean@exemple.fr", "editeur", actor=ADMIN)
    assert store.data_version() == start + 2
    store.remove_user("jean@exemple.fr", actor=ADMIN)
    assert store.data_version() == start + 3
    store.import_batch([record("Démo", fictif=True)], actor=ACTOR)
    store.delete_demo(actor=ACTOR)
    assert store.data_version() == start + 5


def test_a_dry_run_or_a_failed_write_leaves_the_version(store: Store) -> None:
    start = store.data_version()
    store.import_batch([record("A")], dry_run=True, actor=ACTOR)
    assert store.data_version() == start
    with pytest.raises(StoreError):
        store.import_batch([record("B", themes=["pas-un-theme"])], actor=ACTOR)
    assert store.data_version() == start
    with pytest.raises(StoreError):
        store.set_user("pas une adresse", "admin", actor=ADMIN)
    assert store.data_version() == start


def test_another_connection_sees_the_new_version(store: Store, store_url: str) -> None:
    other = open_store(store_url)
    try:
        seen = other.data_version()
        store.import_batch([record("A")], actor=ACTOR)
        assert other.data_version() == seen + 1
        assert other.count() == 1
    finally:
        other.close()
