"""Aggregation on the 12-commune tiny reference (see tests/conftest.py for its layout).

Populations: 22001=100, 22002=200, 56003=300, 56004=400, 22005=500, 22006=600, 56007=700,
56008=800, 22009=180000, 22010=200000, 56011=220000, 56012=240000.
EPCI 200000001 = 22001, 22002, 22005, 22006 (pop 1,400); 200000002 = 22009, 22010;
200000003 = 56003, 56007, 56008, 56011, 56012; 56004 has no EPCI.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from territoires.analysis.aggregate import (
    aggregate,
    breakdowns,
    communes_in,
    in_set,
    key_figures,
    membership,
)
from territoires.analysis.synthetic import initiatives_frame
from territoires.errors import UnknownCodeError
from territoires.geo.reference import Scope


@pytest.fixture
def sample() -> pd.DataFrame:
    return initiatives_frame(
        [
            # based in 22001, no zone: placed on 22001 only
            {"commune_code": "22001", "montant": 1000.0, "themes": ["prendre-soin"]},
            # zone = EPCI 200000001 (4 communes): 4000 € -> 1000 € each
            {
                "commune_code": "22009",
                "zone_intervention": [{"level": "epci", "code": "200000001"}],
                "montant": 4000.0,
                "themes": ["cultures-savoirs", "prendre-soin"],
            },
            # zone = two communes across two departements and EPCIs, unknown amount
            {
                "commune_code": "56003",
                "zone_intervention": [
                    {"level": "commune", "code": "56003"},
                    {"level": "commune", "code": "22002"},
                ],
                "themes": ["espaces-cooperation"],
            },
        ]
    )


def test_epci_counts_once_per_territory_and_splits_amounts(tiny_reference, sample):
    table = aggregate(sample, tiny_reference, "epci").set_index("code")
    assert list(table.index) == ["200000001", "200000002", "200000003"]
    ouest = table.loc["200000001"]
    # all three initiatives touch EPCI 200000001; the second one only once despite 4 communes
    assert ouest["initiatives"] == 3
    assert ouest["montant"] == pytest.approx(1000 + 4000)
    assert ouest["population"] == 1400
    assert ouest["initiatives_10k_hab"] == pytest.approx(3 / 1400 * 10_000)
    assert ouest["euros_par_hab"] == pytest.approx(5000 / 1400)
    assert ouest["nb_themes"] == 3
    assert ouest["nom"] == "CC Un"
    # the HQ in 22009 (EPCI 200000002) does not count: the zone served is elsewhere
    assert table.loc["200000002", "initiatives"] == 0
    assert table.loc["200000002", "montant"] == 0
    assert table.loc["200000003", "initiatives"] == 1
    assert table.loc["200000003", "nb_themes"] == 1


def test_commune_level_lists_zero_rows_and_amounts_add_up(tiny_reference, sample):
    table = aggregate(sample, tiny_reference, "commune").set_index("code")
    assert len(table) == 12
    assert table.loc["22001", "initiatives"] == 2
    assert table.loc["22001", "montant"] == pytest.approx(2000)
    assert table.loc["56012", "initiatives"] == 0
    assert table["montant"].sum() == pytest.approx(5000)


def test_scope_restricts_rows_and_population(tiny_reference, sample):
    table = aggregate(sample, tiny_reference, "epci", Scope("departement", "56"))
    # only EPCI 200000003 has communes in departement 56 (56004 has no EPCI)
    assert list(table["code"]) == ["200000003"]
    assert table["population"].iloc[0] == 300 + 700 + 800 + 220000 + 240000
    departements = aggregate(sample, tiny_reference, "departement")
    assert departements.set_index("code").loc["22", "initiatives"] == 3
    assert departements.set_index("code").loc["56", "initiatives"] == 1


def test_named_territory_level(tiny_reference, sample):
    table = aggregate(sample, tiny_reference, "territoire")
    assert list(table["code"]) == ["tiny-ouest"]
    assert table["nom"].iloc[0] == "Tiny Ouest"
    assert table["initiatives"].iloc[0] == 3


def test_zero_population_gives_nan_rates(tiny_reference):
    reference = tiny_reference
    reference.communes.loc[reference.communes["code_insee"] == "56004", "population"] = 0
    table = aggregate(initiatives_frame([]), reference, "commune").set_index("code")
    assert math.isnan(table.loc["56004", "initiatives_10k_hab"])
    assert table.loc["22001", "initiatives_10k_hab"] == 0


def test_inputs_not_mutated(tiny_reference, sample):
    before = sample.copy(deep=True)
    communes_before = tiny_reference.communes.copy()
    aggregate(sample, tiny_reference, "region")
    key_figures(sample, tiny_reference)
    pd.testing.assert_frame_equal(sample, before)
    pd.testing.assert_frame_equal(tiny_reference.communes, communes_before)


def test_unknown_scope_raises_typed_error(tiny_reference, sample):
    with pytest.raises(UnknownCodeError):
        aggregate(sample, tiny_reference, "commune", Scope("departement", "99"))


def test_membership_rejects_unknown_level(tiny_reference):
    with pytest.raises(ValueError, match="expected a level"):
        membership(tiny_reference, "canton")  # type: ignore[arg-type]


def test_key_figures(tiny_reference, sample):
    rural = {"22001", "22002", "56003", "56004"}  # population 1,000
    figures = key_figures(sample, tiny_reference, Scope(), rural_codes=rural)
    assert figures["initiatives"] == 3
    assert figures["montant"] == pytest.approx(5000)
    # reached: 22001, 22002, 22005, 22006, 56003
    assert figures["communes_touchees"] == 5
    assert figures["population_touchee"] == 100 + 200 + 500 + 600 + 300
    # rural reached: 22001, 22002, 56003 = 600 of 1,000
    assert figures["part_population_rurale_touchee"] == pytest.approx(0.6)
    in_56 = key_figures(sample, tiny_reference, Scope("departement", "56"), rural_codes=rural)
    assert in_56["initiatives"] == 1
    assert in_56["montant"] == 0
    assert in_56["part_population_rurale_touchee"] == pytest.approx(300 / 700)
    assert key_figures(sample, tiny_reference)["part_population_rurale_touchee"] is None


def test_breakdowns():
    frame = initiatives_frame(
        [
            {
                "themes": ["prendre-soin", "cultures-savoirs"],
                "financeurs": ["Fondation de France", "Fondation JM Bruneau"],
                "financements": [
                    {"financeur": "Fondation de France", "montant": 300.0},
                    {"financeur": "Fondation JM Bruneau", "montant": None},
                ],
                "montant": 500.0,
                "annee": 2023,
            },
            {
                "themes": ["prendre-soin"],
                "financeurs": ["Fondation de France"],
                "montant": 200.0,
                "annee": 2024,
            },
            {"themes": [], "financeurs": [], "annee": None},
        ]
    )
    result = breakdowns(frame)
    themes = result["theme"].set_index("theme")
    assert themes.loc["prendre-soin", "initiatives"] == 2
    assert themes.loc["prendre-soin", "montant"] == pytest.approx(700)
    assert themes.loc["espaces-cooperation", "initiatives"] == 0
    assert themes.loc["cultures-savoirs", "libelle"] == "Cultures et savoirs"
    funders = result["financeur"].set_index("financeur")
    assert list(funders.index) == ["Fondation de France", "Fondation JM Bruneau"]
    assert funders.loc["Fondation de France", "montant"] == pytest.approx(500)
    assert funders.loc["Fondation JM Bruneau", "montant"] == 0
    years = result["annee"]
    assert list(years["annee"]) == [2023, 2024]
    assert list(years["initiatives"]) == [1, 1]


def test_breakdowns_of_no_initiative():
    result = breakdowns(initiatives_frame([]))
    assert list(result["theme"]["initiatives"]) == [0, 0, 0]
    assert result["financeur"].empty
    assert result["annee"].empty


def test_communes_in_a_set_are_kept_by_content_not_by_the_set_object(tiny_reference):
    codes = tiny_reference.communes["code_insee"]
    sets = [{"22001", "56003"}, {"22002"}, set(), {"22001", "56003", "99999"}]
    for _ in range(2):  # the second time from what was kept
        for chosen in sets:
            expected = in_set(codes, chosen)
            assert communes_in(tiny_reference, set(chosen)).tolist() == expected.tolist()
            assert communes_in(tiny_reference, frozenset(chosen)).tolist() == expected.tolist()
    assert communes_in(tiny_reference, {"22002"}).sum() == 1
