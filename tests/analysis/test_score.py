from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from territoires.analysis.coverage import coverage
from territoires.analysis.score import ScoreWeights, underserved_score
from territoires.analysis.synthetic import initiatives_frame
from territoires.errors import AnalysisError


def table(with_frr: bool = True) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "code": ["B", "A", "C", "D"],
            "nom": ["Bien servi", "Absent", "Central", "Urbain"],
            "population": [1000, 1000, 1000, 50000],
            "part_rurale": [1.0, 0.9, 0.6, 0.2],
            "initiatives_10k_hab": [4.0, 0.0, 2.0, 0.0],
            "distance_moyenne_km": [0.0, 30.0, 15.0, 40.0],
            "nb_themes_manquants": [0, 3, 1, 3],
            "themes_manquants": [
                "",
                "Prendre soin, Cultures et savoirs, Espaces de coopération",
                "Prendre soin",
                "Prendre soin, Cultures et savoirs, Espaces de coopération",
            ],
            "part_population_frr": [0.0, 1.0, 0.5, 0.0],
        }
    )
    if not with_frr:
        frame["part_population_frr"] = np.nan
    return frame


def test_components_score_and_ranking():
    result = underserved_score(table(), radius_km=15).set_index("code")
    # mean rate over ranked territories (A, B, C) = 2: A -> 1, B -> 0, C -> 0
    # distance d / (d + 15): A (30 km) -> 2/3, B -> 0, C (15 km) -> 0.5
    assert result.loc["A", "score"] == pytest.approx(100 * (0.4 + 0.3 * 2 / 3 + 0.2 + 0.1))
    assert result.loc["B", "score"] == pytest.approx(0)
    expected_c = 100 * (0.4 * 0 + 0.3 * 0.5 + 0.2 * (1 / 3) + 0.1 * 0.5)
    assert result.loc["C", "score"] == pytest.approx(expected_c)
    assert result.loc["C", "composante_distance"] == pytest.approx(0.5)
    assert math.isnan(result.loc["D", "score"])  # urban: not ranked
    assert not result.loc["D", "eligible"]
    assert list(result.index) == ["A", "C", "B", "D"]
    assert list(result["rang"].iloc[:3]) == [1, 2, 3]
    assert pd.isna(result.loc["D", "rang"])
    assert list(result.index[result["signale"]]) == ["A"]


def test_reasons_compare_with_mean_strongest_first():
    result = underserved_score(table()).set_index("code")
    reasons_a = result.loc["A", "raisons"]
    assert reasons_a.startswith("0,0 initiative pour 10\u00a0000 habitants (moyenne : 2,0)")
    assert (
        "distance moyenne à l'initiative la plus proche : 30,0\u00a0km (moyenne : 15,0\u00a0km)"
        in (reasons_a)
    )
    assert "thèmes manquants : Prendre soin, Cultures et savoirs, Espaces de coopération" in (
        reasons_a
    )
    assert "(3 sur 3, moyenne : 1,3)" in reasons_a
    assert "population en FRR : 100\u00a0% (moyenne : 50\u00a0%)" in reasons_a
    # C: distance (0.15) > themes (0.067) > FRR (0.05) > initiatives (0)
    parts = result.loc["C", "raisons"].split(" ; ")
    assert parts[0].startswith("Distance moyenne")
    assert parts[1].startswith("thèmes manquants")
    assert parts[2].startswith("population en FRR")
    assert parts[3].startswith("2,0 initiatives pour")


def test_without_frr_the_weights_are_renormalised():
    result = underserved_score(table(with_frr=False)).set_index("code")
    expected_c = 100 * (0.3 * 0.5 + 0.2 / 3) / 0.9
    assert result.loc["C", "score"] == pytest.approx(expected_c)
    assert "FRR" not in result.loc["C", "raisons"]
    assert result["composante_frr"].isna().all()


def test_weights_change_the_order():
    only_frr = underserved_score(table(), ScoreWeights(0, 0, 0, 1)).set_index("code")
    assert only_frr.loc["C", "score"] == pytest.approx(50)
    only_distance = underserved_score(table(), ScoreWeights(0, 1, 0, 0))
    assert list(only_distance["code"][:3]) == ["A", "C", "B"]


def test_invalid_weights():
    with pytest.raises(AnalysisError):
        ScoreWeights(0, 0, 0, 0)
    with pytest.raises(AnalysisError):
        ScoreWeights(-1, 1, 1, 1)
    with pytest.raises(AnalysisError):
        underserved_score(table(with_frr=False), ScoreWeights(0, 0, 0, 1))


def test_input_not_mutated():
    frame = table()
    before = frame.copy()
    underserved_score(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_end_to_end_on_tiny_reference(tiny_reference):
    initiatives = initiatives_frame(
        [
            {"commune_code": "22001", "themes": ["prendre-soin", "cultures-savoirs"]},
            {"commune_code": "22002", "themes": ["espaces-cooperation"]},
        ]
    )
    rural = set(tiny_reference.communes["code_insee"])
    cov = coverage(initiatives, tiny_reference, "epci", rural_codes=rural)
    result = underserved_score(cov)
    # EPCI 200000003 (east, nothing) is least served, then 200000002, then the served one
    assert list(result["code"]) == ["200000003", "200000002", "200000001"]
    assert result["score"].is_monotonic_decreasing


def test_infinite_distance_and_ties():
    frame = table().iloc[:2].copy()
    frame["distance_moyenne_km"] = [np.inf, np.inf]
    frame["initiatives_10k_hab"] = [0.0, 0.0]
    frame["nb_themes_manquants"] = [3, 3]
    frame["part_population_frr"] = [1.0, 1.0]
    frame["population_non_couverte"] = [200, 900]
    result = underserved_score(frame)
    assert list(result["composante_distance"]) == [1.0, 1.0]
    assert list(result["score"]) == [100.0, 100.0]
    # tie: the territory with more uncovered inhabitants first
    assert list(result["code"]) == ["A", "B"]
    assert "aucune initiative dans la zone" in result["raisons"].iloc[0]


def test_an_unknown_distance_takes_the_mean_component():
    frame = table()
    frame.loc[frame["code"] == "C", "distance_moyenne_km"] = np.nan
    result = underserved_score(frame, radius_km=15).set_index("code")
    known = result.drop(index="C")
    known = known.loc[known["eligible"], "composante_distance"]
    assert result.loc["C", "composante_distance"] == pytest.approx(known.mean())
    assert "inconnue (commune sans contour)" in result.loc["C", "raisons"]
