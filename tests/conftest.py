"""Shared tiny fixtures. Every test uses small synthetic data and no network."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from territoires.geo.reference import GeoReference, NamedTerritory

SHARED_REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference"


def tiny_communes() -> gpd.GeoDataFrame:
    """Twelve square communes (0.1° side) in a 4 x 3 grid near Rostrenen.

    - departement 22 (region 53): columns 0-1; departement 56 (region 53): columns 2-3
    - EPCI 200000001: x 0-1, y 0-1 ; 200000002: x 0-1, y 2 ; 200000003: x 2-3 ; none for 56004
    - population grows with the index; the last row (y=2) is dense-ish.
    """
    rows = []
    index = 0
    for y in range(3):
        for x in range(4):
            index += 1
            dep = "22" if x < 2 else "56"
            code = f"{dep}{index:03d}"
            if x < 2:
                epci = "200000001" if y < 2 else "200000002"
            else:
                epci = "200000003" if code != "56004" else None
            geometry = box(-3.5 + 0.1 * x, 48.0 + 0.1 * y, -3.4 + 0.1 * x, 48.1 + 0.1 * y)
            population = 100 * index if y < 2 else 20000 * index
            rows.append(
                {
                    "code_insee": code,
                    "nom": f"Commune {index}",
                    "departement_code": dep,
                    "departement_nom": "Côtes-d'Armor" if dep == "22" else "Morbihan",
                    "region_code": "53",
                    "region_nom": "Bretagne",
                    "epci_code": epci,
                    "epci_nom": {
                        "200000001": "CC Un",
                        "200000002": "CC Deux",
                        "200000003": "CC Trois",
                        None: None,
                    }[epci],
                    "population": population,
                    "geometry": geometry,
                }
            )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    frame["superficie_km2"] = frame.to_crs("EPSG:2154").area / 1e6
    frame["densite"] = frame["population"] / frame["superficie_km2"]
    return frame


@pytest.fixture
def tiny_reference() -> GeoReference:
    """A 12-commune reference with one named territory (``tiny-ouest``: EPCI 200000001)."""
    territories = {
        "tiny-ouest": NamedTerritory(
            id="tiny-ouest",
            label="Tiny Ouest",
            description="EPCI 200000001",
            status="test",
            epci=("200000001",),
        )
    }
    aliases = pd.DataFrame([{"nom": "Ancienne Commune", "code_insee": "22001", "type": "COMD"}])
    postal = pd.DataFrame(
        [
            {"code_postal": f"22{i:03d}", "code_insee": c}
            for i, c in enumerate(tiny_communes()["code_insee"])
        ]
    )
    return GeoReference.from_frames(
        tiny_communes(), aliases=aliases, postal_codes=postal, territories=territories
    )


@pytest.fixture
def shared_reference_dir() -> Path:
    """The ``../shared/reference`` folder, or skip when it is absent."""
    if not SHARED_REFERENCE.is_dir():
        pytest.skip("../shared/reference absent : fichiers officiels de référence non disponibles")
    return SHARED_REFERENCE


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


PG_ENV = "TERRITOIRES_TEST_DATABASE_URL"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped after the test."""
    base = os.environ.get(PG_ENV)
    if not base:
        message = f"PostgreSQL non configuré : définissez {PG_ENV} (voir .ci/run)"
        if in_ci():
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


@pytest.fixture(scope="session")
def ci() -> bool:
    """Whether the tests run in CI (``CI=true``), where a missing tool fails instead of skipping."""
    return in_ci()


@pytest.fixture(scope="session")
def geodata_ready() -> Path:
    """The built geodata cache (``make test`` builds it first), or skip when absent locally."""
    from territoires.geo.cache import cache_is_complete
    from territoires.settings import get_settings

    directory = get_settings().geodata_dir
    if not cache_is_complete(directory):
        if in_ci():
            pytest.fail("Cache géographique absent en CI : `make test` doit le construire.")
        pytest.skip("Cache géographique absent : lancez `python -m territoires geodata build`.")
    return directory


@pytest.fixture
def app_env(tmp_path, monkeypatch, geodata_ready):
    """The app's environment for ``AppTest`` runs: a temporary data folder (demo data on first
    start), the default access settings, and Streamlit's caches emptied."""
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(tmp_path / "data"))
    for name in (
        "TERRITOIRES_DATABASE_URL",
        "TERRITOIRES_ACCES_PUBLIC",
        "TERRITOIRES_ROLE_PAR_DEFAUT",
        "TERRITOIRES_CONTACT_ACCES",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERRITOIRES_DEMO", "1")
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    import streamlit as st

    # Each test gets its own empty database: forget what earlier tests cached in-process.
    st.cache_data.clear()
    st.cache_resource.clear()
    return tmp_path
