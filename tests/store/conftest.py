"""Store fixtures, parametrised over SQLite and PostgreSQL (``postgres_url``, in
``tests/conftest.py``: each test gets its own schema; without ``TERRITOIRES_TEST_DATABASE_URL``
the PostgreSQL variant skips locally, and fails in CI)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from territoires.store import Store, open_store


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A database URL for each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An open store on each backend."""
    opened = open_store(store_url)
    try:
        yield opened
    finally:
        opened.close()
