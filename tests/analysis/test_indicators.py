"""Need indicators on the tiny reference: population-weighted means, EPCI-level values,
remoteness, the FRR list (committed or imported) and how values are written."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from territoires.analysis.aggregate import membership
from territoires.analysis.indicators import (
    Indicator,
    format_value,
    frr_indicator,
    territory_means,
    town_distance_km,
    zonage_indicators,
)
from territoires.analysis.synthetic import sample_indicator
from territoires.geo.reference import Scope

# tiny reference: 22001 … 56012 have 100, 200, …, 800 inhabitants (rows 0-1), then 180,000,
# 200,000, 220,000, 240,000 (row 2); EPCI 200000001 = 22001, 22002, 22005, 22006.


def indicator(values: dict[str, float], level: str = "commune", **extra) -> Indicator:
    return sample_indicator(values, level=level, unit="valeur", **extra)


def test_territory_mean_is_population_weighted_and_skips_unknown(tiny_reference):
    values = {"22001": 10.0, "22002": 40.0, "22005": np.nan}  # 22006 absent
    means = territory_means([indicator(values)], tiny_reference, membership(tiny_reference, "epci"))
    # EPCI 200000001: (100 × 10 + 200 × 40) / 300, unknown 22005 and 22006 left out
    assert means.loc["200000001", "test"] == pytest.approx(9_000 / 300)
    assert math.isnan(means.loc["200000003", "test"])  # no value at all


def test_epci_values_reach_their_communes_and_weights_can_be_given(tiny_reference):
    epci = indicator({"200000001": 5.0, "200000002": 1.0}, level="epci")
    dep = territory_means([epci], tiny_reference, membership(tiny_reference, "departement"))
    # departement 22: 1,400 inhabitants at 5, 380,000 at 1
    assert dep.loc["22", "test"] == pytest.approx((1_400 * 5 + 380_000 * 1) / 381_400)
    weighted = indicator({"22001": 0.1, "22002": -0.2}, weights=pd.Series({"22001": 3, "22002": 1}))
    ouest = territory_means(
        [weighted], tiny_reference, membership(tiny_reference, "territoire")
    ).loc["tiny-ouest", "test"]
    assert ouest == pytest.approx((3 * 0.1 - 0.2) / 4)


def test_town_distance(tiny_reference):
    distances = town_distance_km(tiny_reference)
    # row 2 communes have 180,000 inhabitants or more: distance 0; row 1 is one step (11 km)
    # below, row 0 two steps
    assert distances["22009"] == 0
    assert distances["22005"] == pytest.approx(11.1, abs=0.2)
    assert distances["22001"] == pytest.approx(22.2, abs=0.3)
    nowhere = town_distance_km(tiny_reference, minimum=10**9)
    assert nowhere.isna().all()


def test_frr_indicator_uses_the_committed_list_unless_one_is_imported(tiny_reference):
    builtin = frr_indicator(tiny_reference)
    assert builtin.vintage == "10 juillet 2025"
    assert set(builtin.values.index) == set(tiny_reference.communes["code_insee"])
    tiny_reference.frr = pd.DataFrame(
        {
            "code_insee": ["22001", "22002"],
            "frr": ["FRR socle", "Non classée"],
            "classee": [True, False],
            "millesime": ["2026", "2026"],
        }
    )
    imported = frr_indicator(tiny_reference)
    assert imported.vintage.startswith("2026")
    assert imported.values["22001"] == 1.0 and imported.values["22002"] == 0.0
    share = territory_means([imported], tiny_reference, membership(tiny_reference, "epci"))
    assert share.loc["200000001", "frr"] == pytest.approx(100 / 1_400)


def test_zonage_indicators_read_the_table(tiny_reference, tmp_path, monkeypatch):
    from territoires.analysis import indicators

    table = tmp_path / "zonages.csv"
    table.write_text(
        "code_insee,uu2020,aav2020,cateaav2020\n22001,22000,000,30\n22002,22701,045,12\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(indicators, "ZONAGES_FILE", table)
    monkeypatch.setattr(indicators, "read_zonages", lambda path=table: pd.read_csv(path, dtype=str))
    found = {i.key: i for i in zonage_indicators(tiny_reference)}
    assert found["hors_uu"].values.to_dict() == {"22001": 1.0, "22002": 0.0}
    assert found["hors_aav"].values.to_dict() == {"22001": 1.0, "22002": 0.0}
    monkeypatch.setattr(indicators, "read_zonages", lambda path=None: None)
    assert zonage_indicators(tiny_reference) == []


@pytest.mark.parametrize(
    ("unit", "value", "label", "expected"),
    [
        ("part", 0.25, "", "25\u00a0%"),
        ("km", 12.34, "", "12,3\u00a0km"),
        ("evolution", -0.0532, "", "−5,3\u00a0%"),
        ("evolution", 0.0004, "", "0,0\u00a0%"),
        ("evolution", 0.012, "", "+1,2\u00a0%"),
        ("valeur", 2.456, "consultations", "2,46\u00a0consultations"),
        ("valeur", 1234.5, "", "1\u202f234"),
        ("valeur", float("nan"), "", "inconnue"),
    ],
)
def test_format_value(unit, value, label, expected):
    assert format_value(unit, value, label) == expected


def test_scope_restricts_members(tiny_reference):
    members = membership(tiny_reference, "commune", Scope("departement", "56"))
    means = territory_means([indicator({"56003": 2.0})], tiny_reference, members)
    assert set(means.index) == {"56003", "56004", "56007", "56008", "56011", "56012"}
    assert means["test"].notna().sum() == 1


def test_an_imported_indicator_keeps_its_description():
    from territoires.analysis.indicators import imported_indicator

    meta = {
        "id": 3,
        "libelle": "Taux de pauvreté",
        "unite": "%",
        "sens": "eleve",
        "niveau": "epci",
        "source": "INSEE, Filosofi",
        "millesime": "2021",
        "fichier": "pauvrete.csv",
    }
    indicator = imported_indicator(meta, pd.Series({"200000001": 14.5}))
    assert indicator.key == "import-3" and indicator.imported
    assert indicator.phrase == "taux de pauvreté"
    assert indicator.format(14.5) == "14,50\u00a0%"
    assert indicator.source_line == "Taux de pauvreté : INSEE, Filosofi, millésime 2021"
    apl = imported_indicator({**meta, "libelle": "APL aux généralistes"}, pd.Series(dtype=float))
    assert apl.phrase == "APL aux généralistes"  # an acronym keeps its capitals
