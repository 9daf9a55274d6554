"""The app run through AppTest on the built geodata cache and the demo data, in a temporary
data folder: the pages as a hostile or careless visitor would open them."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _isolated(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
    monkeypatch.setenv("TERRITOIRES_DEMO", "1")
    monkeypatch.chdir(ROOT)
    import streamlit as st

    st.cache_data.clear()  # each database is new: forget what earlier tests cached
    st.cache_resource.clear()
    return tmp_path


@pytest.fixture
def app_env(tmp_path, monkeypatch, geodata_ready):
    """A fresh data folder (its own SQLite base, the demo loaded on the first run)."""
    return _isolated(tmp_path, monkeypatch)


@pytest.fixture(scope="module")
def shared_app_env(tmp_path_factory, geodata_ready):
    """One data folder for a whole module: the demo is loaded once, caches stay warm."""
    monkeypatch = pytest.MonkeyPatch()
    try:
        yield _isolated(tmp_path_factory.mktemp("app"), monkeypatch)
    finally:
        monkeypatch.undo()
