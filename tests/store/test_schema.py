"""Migrations under a lock, and SQLite URLs following SQLAlchemy's convention."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from territoires.errors import StoreError
from territoires.store import MIGRATIONS, SCHEMA_VERSION, open_store
from territoires.store.backends import sqlite_path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """An empty database of each backend, not yet opened by anyone."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'vide.db'}"
    return request.getfixturevalue("postgres_url")


def _open_at_once(url: str, count: int) -> list[BaseException | int]:
    """Open the store from ``count`` threads, each with its own connection, all at once."""
    barrier = threading.Barrier(count)
    outcomes: list[BaseException | int] = [0] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            store = open_store(url)
            outcomes[index] = store.schema_version()
            store.close()
        except BaseException as exc:  # noqa: BLE001 (reported by the test)
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.parametrize("trial", range(4))
def test_processes_migrating_an_empty_database_at_once_all_succeed(
    empty_url: str, trial: int
) -> None:
    # Without the lock, this fails most times on both backends (« table themes already exists »)
    outcomes = _open_at_once(empty_url, 4)
    assert outcomes == [SCHEMA_VERSION] * 4
    store = open_store(empty_url)
    try:
        versions = [row[0] for row in store._db.execute("SELECT version FROM schema_version")]
        assert sorted(versions) == [version for version, _, _ in MIGRATIONS]
        assert len(store.themes()) == 3
        assert store.data_version() >= 1
    finally:
        store.close()


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///data/x.db", "data/x.db"),
        ("sqlite:///x.db", "x.db"),
        ("sqlite:////srv/data/x.db", "/srv/data/x.db"),
        ("sqlite://", ":memory:"),
        ("sqlite:///:memory:", ":memory:"),
        ("data/x.db", "data/x.db"),
    ],
)
def test_sqlite_urls_follow_sqlalchemy(url: str, path: str) -> None:
    assert sqlite_path(url) == path


@pytest.mark.parametrize("url", ["sqlite:/x.db", "sqlite://hote/x.db", "sqlite:///x.db?mode=ro"])
def test_malformed_sqlite_urls_are_a_french_error(url: str) -> None:
    with pytest.raises(StoreError, match="Adresse SQLite mal formée"):
        sqlite_path(url)


def test_relative_sqlite_url_opens_under_the_working_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_store("sqlite:///data/x.db")
    store.close()
    assert (tmp_path / "data" / "x.db").is_file()


def test_absolute_sqlite_url_has_four_slashes(tmp_path) -> None:
    target = tmp_path / "abs" / "x.db"
    store = open_store(f"sqlite:////{str(target).lstrip('/')}")
    store.close()
    assert target.is_file()


def test_the_default_url_is_absolute(tmp_path, monkeypatch) -> None:
    from territoires.settings import get_settings

    monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", "donnees")
    url = get_settings().database_url
    assert url.startswith("sqlite:////") and Path(sqlite_path(url)).is_absolute()
