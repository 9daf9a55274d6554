"""The COG's history tables, codes carried to the current COG, and INSEE's zonings."""

from __future__ import annotations

import importlib.util

import pandas as pd
import pytest

from territoires.errors import ImportFileError
from territoires.geo.history import read_merges, read_restored, to_current
from territoires.geo.official import parse_zonings
from territoires.geo.sources import GEODATA_SOURCE_DIR, read_communes_table
from territoires.settings import ROOT


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "geodata" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def current_codes() -> set[str]:
    table = read_communes_table()
    return set(table.loc[table["type"] == "COM", "code"])


# --- carrying an older COG's rows over to the current communes ------------------------------

MERGES = pd.DataFrame(
    {
        "code_ancien": ["26371", "12076", "12114"],
        "code_insee": ["26289", "12218", "12218"],
        "nom_ancien": ["Véronne", "Conques", "Grand-Vabre"],
        "dernier_cog": ["2024", "2024", ""],
    }
)
RESTORED = pd.DataFrame({"code_insee": ["15031"], "code_porteur": ["15141"]})


def test_to_current_keeps_own_codes_and_carries_former_and_restored_ones():
    older = pd.DataFrame(
        {
            "code_insee": ["26289", "26371", "12076", "15141", "99999"],
            "aav2020": ["342", "000", "103", "000", "001"],
        }
    )
    current = {"26289", "12218", "15141", "15031"}
    result = to_current(older, current, MERGES, RESTORED).set_index("code_insee")
    assert sorted(result.index) == ["12218", "15031", "15141", "26289"]
    # Saillans keeps its own row; Véronne, merged into it, gives nothing.
    assert result.loc["26289", "aav2020"] == "342"
    assert result.loc["26289", "code_source"] == "26289"
    # A commune nouvelle under a new code takes its former commune's row.
    assert result.loc["12218", "code_source"] == "12076"
    # A restored commune takes the row of the commune it belonged to.
    assert result.loc["15031", "code_source"] == "15141"
    assert result.loc["15031", "aav2020"] == "000"


# --- committed history tables -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("former", "absorbing"),
    [
        ("26371", "26289"),  # Véronne -> Saillans
        ("25297", "25364"),  # Le Gratteris -> Mamirolle (Grand Besançon)
        ("71131", "71566"),  # Ciel -> Verdun-Ciel
        ("42072", "42217"),  # La Côte-en-Couzan -> La Côte-Saint-Didier
        ("02311", "02589"),  # Filain -> Pargny-et-Filain
    ],
)
def test_merges_table_holds_the_issue_cases(former, absorbing):
    merges = read_merges().set_index("code_ancien")
    assert merges.loc[former, "code_insee"] == absorbing
    assert merges.loc[former, "dernier_cog"] == "2024"  # merged on 1 January 2025


def test_history_tables_match_the_current_cog(current_codes):
    merges = read_merges()
    assert merges["code_ancien"].is_unique
    assert merges["code_insee"].isin(current_codes).all()
    assert not merges["code_ancien"].isin(current_codes).any()
    restored = read_restored()
    assert restored.set_index("code_insee")["code_porteur"].to_dict() == {
        "15031": "15141",
        "15035": "15141",
        "15047": "15141",
        "15171": "15141",
    }


def test_history_derivation_from_package_records():
    module = _script("derive_communes_history")
    records_2026 = [
        {"code": "26289", "type": "commune-actuelle", "anciensCodes": ["26371"]},
        {"code": "15141", "type": "commune-actuelle"},
        {"code": "15031", "type": "commune-actuelle"},
        {"code": "26372", "type": "commune-deleguee", "nom": "Ancienne", "chefLieu": "26289"},
    ]
    records_2024 = [
        {"code": "26371", "type": "commune-actuelle", "nom": "Véronne"},
        {"code": "15141", "type": "commune-actuelle"},
        {"code": "15031", "type": "commune-deleguee", "chefLieu": "15141"},
    ]
    current = {"26289", "15141", "15031"}
    assert module.derive_merges(records_2026, records_2024, current) == [
        ("26371", "26289", "Véronne", "2024")
    ]
    assert module.derive_restored(records_2026, records_2024, current) == [("15031", "15141")]


# --- INSEE's zonings ------------------------------------------------------------------------


def _insee_like_workbook(path, header, rows):
    """An XLSX laid out like INSEE's table d'appartenance: title rows, labels, codes."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("COM")
    lines = [
        ["Liste des communes au 1er janvier 2024"],
        ["Source(s) : Insee, Code officiel géographique"],
        ["Code géographique", "Libellé", "Unité urbaine 2020", "Aire 2020"],
        header,
        *rows,
    ]
    for index, line in enumerate(lines):
        sheet.write_row(index, 0, line)
    book.close()


def test_parse_zonings_reads_an_insee_workbook(tmp_path):
    path = tmp_path / "table-appartenance.xlsx"
    _insee_like_workbook(
        path,
        ["CODGEO", "LIBGEO", "UU2020", "AAV2020"],
        [["01001", "L'Abergement", "01000", "524"], ["2A004", "Ajaccio", "2A501", "000"]],
    )
    parsed = parse_zonings(path)
    assert parsed.vintage_hint == "2024"
    assert parsed.frame.to_dict("records") == [
        {"code_insee": "01001", "uu2020": "01000", "aav2020": "524", "cateaav2020": ""},
        {"code_insee": "2A004", "uu2020": "2A501", "aav2020": "000", "cateaav2020": "30"},
    ]


def test_parse_zonings_keeps_a_given_category(tmp_path):
    path = tmp_path / "aav.csv"
    path.write_text("CODGEO;UU2020;AAV2020;CATEAAV2020\n1001;01000;524;20\n", encoding="utf-8")
    frame = parse_zonings(path).frame
    assert frame.to_dict("records") == [
        {"code_insee": "01001", "uu2020": "01000", "aav2020": "524", "cateaav2020": "20"}
    ]


def test_parse_zonings_names_the_missing_column(tmp_path):
    path = tmp_path / "zonages.csv"
    path.write_text("CODGEO;UU2020\n01001;01000\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as error:
        parse_zonings(path)
    assert "AAV2020" in error.value.user_message


def test_committed_zonings_cover_every_current_commune(current_codes):
    table = pd.read_csv(GEODATA_SOURCE_DIR / "zonages_2024.csv", dtype=str, keep_default_na=False)
    assert list(table.columns) == ["code_insee", "uu2020", "aav2020", "cateaav2020"]
    assert set(table["code_insee"]) == current_codes and table["code_insee"].is_unique
    outside = table["aav2020"] == "000"
    assert (table.loc[outside, "cateaav2020"] == "30").all()
    assert (table.loc[~outside, "cateaav2020"] == "").all()


def test_derivation_reproduces_the_committed_zonings(shared_reference_dir):
    module = _script("derive_zonages_2024")
    derived = module.derive(shared_reference_dir / "table-appartenance-geo-communes-2024.xlsx")
    committed = pd.read_csv(module.OUTPUT, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(derived.reset_index(drop=True), committed)
