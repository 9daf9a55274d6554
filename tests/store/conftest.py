"""Store fixtures, parametrised over SQLite and PostgreSQL.

PostgreSQL runs when ``TERRITOIRES_TEST_DATABASE_URL`` is set (``.ci/run`` starts a server);
each test gets its own schema, dropped afterwards. Without the variable the PostgreSQL variant
skips locally, and fails in CI (``CI=true``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from territoires.store import Store, open_store

PG_ENV = "TERRITOIRES_TEST_DATABASE_URL"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped after the test."""
    base = os.environ.get(PG_ENV)
    if not base:
        message = f"PostgreSQL non configuré : définissez {PG_ENV} (voir .ci/run)"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    import psycopg

    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


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
