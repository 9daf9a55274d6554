"""Fixtures for the geographic reference tests: an isolated data folder and the real cache."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from territoires.geo.cache import cache_is_complete, load_reference
from territoires.geo.reference import GeoReference


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path, monkeypatch):
    """Every test gets its own data folder (user territories, imported official files)."""
    folder = tmp_path / "data"
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def real_reference(tmp_path_factory) -> Iterator[GeoReference]:
    """The reference loaded from the built cache (``make test`` builds it first), else skip."""
    if not cache_is_complete():
        pytest.skip("cache géographique absent : lancez `python -m territoires geodata build`")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TERRITOIRES_DATA_DIR", str(tmp_path_factory.mktemp("data")))
        yield load_reference()
