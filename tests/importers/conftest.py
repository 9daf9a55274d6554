"""A small hand-built reference with the tricky cases of real spreadsheets."""

from __future__ import annotations

import io
from collections.abc import Callable

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import box

from territoires.geo.reference import GeoReference

COMMUNES = [
    # code, name, departement code, departement name, x, y
    ("22057", "Le Faouët", "22", "Côtes-d'Armor", -3.2, 48.7),
    ("56057", "Le Faouët", "56", "Morbihan", -3.5, 48.0),
    ("22158", "Guerlédan", "22", "Côtes-d'Armor", -3.0, 48.2),
    ("22278", "Saint-Brieuc", "22", "Côtes-d'Armor", -2.8, 48.5),
    ("2A004", "Ajaccio", "2A", "Corse-du-Sud", 8.7, 41.9),
    ("01053", "Bourg-en-Bresse", "01", "Ain", 5.2, 46.2),
    ("56162", "Plœmeur", "56", "Morbihan", -3.4, 47.7),
]


def faouet_communes() -> gpd.GeoDataFrame:
    return communes_frame(COMMUNES)


def communes_frame(communes) -> gpd.GeoDataFrame:  # noqa: ANN001
    """Square communes of Bretagne from ``(code, name, dep, dep name, x, y)`` tuples."""
    rows = [
        {
            "code_insee": code,
            "nom": name,
            "departement_code": dep,
            "departement_nom": dep_name,
            "region_code": "53",
            "region_nom": "Bretagne",
            "epci_code": "200000001",
            "epci_nom": "CC Test",
            "population": 1000,
            "geometry": box(x, y, x + 0.1, y + 0.1),
        }
        for code, name, dep, dep_name, x, y in communes
    ]
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    frame["superficie_km2"] = 80.0
    frame["densite"] = frame["population"] / frame["superficie_km2"]
    return frame


@pytest.fixture
def faouet_reference() -> GeoReference:
    """Two « Le Faouët », a commune nouvelle with a delegated name, Corsica, a 0-led code."""
    aliases = pd.DataFrame(
        [
            {
                "nom": "Mûr-de-Bretagne",
                "code_insee": "22158",
                "type": "COMD",
                "code_ancien": "22153",
            },
            {"nom": "Saint-Guen", "code_insee": "22158", "type": "COMD", "code_ancien": "22307"},
        ]
    )
    postal = pd.DataFrame(
        [
            {"code_postal": "22290", "code_insee": "22057"},
            {"code_postal": "56320", "code_insee": "56057"},
            {"code_postal": "22530", "code_insee": "22158"},
            {"code_postal": "22000", "code_insee": "22278"},
            {"code_postal": "20000", "code_insee": "2A004"},
            {"code_postal": "01000", "code_insee": "01053"},
            {"code_postal": "56270", "code_insee": "56162"},
        ]
    )
    return GeoReference.from_frames(faouet_communes(), aliases=aliases, postal_codes=postal)


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    """An in-memory workbook with the given sheets (title -> rows)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def make_xlsx() -> Callable[[dict[str, list[list[object]]]], bytes]:
    """Build XLSX bytes from ``{sheet title: rows}``."""
    return xlsx_bytes
