"""The « zones peu couvertes » score: rank quantiles, parts, flagged share, tie-breaks, reasons."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from territoires.analysis.score import (
    ScoreSettings,
    Selection,
    flagged_count,
    need_column,
    rank_quantile,
    underserved_score,
)
from territoires.analysis.synthetic import sample_indicator
from territoires.errors import AnalysisError

ALL_THEMES = "Prendre soin, Cultures et savoirs, Espaces de coopération"


def table() -> pd.DataFrame:
    """Four rural territories and an urban one; ``besoin_test`` is a need indicator."""
    return pd.DataFrame(
        {
            "code": ["B", "A", "C", "E", "D"],
            "nom": ["Bien servi", "Absent", "Central", "Éloigné", "Urbain"],
            "population": [1000, 1000, 1000, 2000, 50000],
            "part_rurale": [1.0, 0.9, 0.6, 0.8, 0.2],
            "initiatives": [4, 0, 2, 1, 0],
            "initiatives_accessibles_10k_hab": [4.0, 0.0, 2.0, 1.0, 0.0],
            "distance_moyenne_km": [0.0, 30.0, 15.0, 45.0, 40.0],
            "population_non_couverte": [0, 1000, 0, 2000, 50000],
            "nb_themes_manquants": [0, 3, 1, 2, 3],
            "nb_themes_retenus": [3, 3, 3, 3, 3],
            "themes_manquants": ["", ALL_THEMES, "Prendre soin", "Prendre soin, Cultures", ""],
            need_column("test"): [0.1, 0.4, 0.3, 0.2, 0.9],
        }
    )


NEED = sample_indicator()
WITH_NEED = ScoreSettings(need_weights=(("test", 1.0),))


def test_rank_quantile_ties_unknown_and_unranked():
    values = pd.Series([1.0, 3.0, 3.0, np.nan, 9.0])
    eligible = pd.Series([True, True, True, True, False])
    result = rank_quantile(values, eligible, sign=1)
    # ranked known values 1, 3, 3: ranks 1, 2.5, 2.5 -> (r - 1) / 2
    assert list(result[:3]) == [0.0, 0.75, 0.75]
    assert result[3] == 0.5  # unknown: the middle
    assert math.isnan(result[4])  # not ranked
    assert list(rank_quantile(values, eligible, sign=-1)[:3]) == [1.0, 0.25, 0.25]


def test_score_is_the_weighted_mean_of_rank_quantiles():
    settings = ScoreSettings(
        coverage_weights=(("initiatives", 1.0), ("distance", 1.0), ("themes", 0.0)),
        need_weights=(("test", 1.0),),
        need_share=0.5,
    )
    result = underserved_score(table(), settings, indicators=[NEED]).set_index("code")
    # ranked: A, B, C, E (D is urban). Initiatives (fewer = worse): A 1, E 2/3, C 1/3, B 0
    # distance (farther = worse): E 1, A 2/3, C 1/3, B 0 ; need (higher = worse): A 1, C 2/3,
    # E 1/3, B 0
    assert result.loc["A", "composante_initiatives"] == pytest.approx(1.0)
    assert result.loc["E", "composante_distance"] == pytest.approx(1.0)
    assert result.loc["A", "score_couverture"] == pytest.approx(100 * (1 + 2 / 3) / 2)
    assert result.loc["A", "score_besoin"] == pytest.approx(100.0)
    assert result.loc["A", "score"] == pytest.approx(50 * (1 + 2 / 3) / 2 + 50)
    assert result.loc["B", "score"] == pytest.approx(0.0)
    assert math.isnan(result.loc["D", "score"]) and pd.isna(result.loc["D", "rang"])
    assert list(result.index) == ["A", "E", "C", "B", "D"]
    assert list(result["rang"].iloc[:4]) == [1, 2, 3, 4]


def test_the_flagged_share_is_a_setting():
    assert flagged_count(1007, ScoreSettings()) == 202  # 20 % of 1,007, rounded up
    assert flagged_count(1000, ScoreSettings()) == 200
    assert flagged_count(5, ScoreSettings()) == 1  # 0.2 × 5 is not 1.0000000000000002
    assert flagged_count(3, ScoreSettings()) == 1  # at least one
    assert flagged_count(0, ScoreSettings()) == 0
    default = underserved_score(table(), WITH_NEED, indicators=[NEED])
    assert default["signale"].sum() == 1  # 20 % of the 4 ranked territories
    half = underserved_score(table(), replace(WITH_NEED, flagged_share=0.5), indicators=[NEED])
    assert list(half.loc[half["signale"], "code"]) == list(half["code"][:2])
    assert not half.loc[~half["eligible"], "signale"].any()


def test_need_share_balances_the_two_parts():
    only_need = underserved_score(table(), replace(WITH_NEED, need_share=1.0), indicators=[NEED])
    assert list(only_need["score"][:4]) == list(only_need["score_besoin"][:4])
    assert only_need["raisons"].iloc[0].startswith("Part test : 40")
    only_coverage = underserved_score(
        table(), replace(WITH_NEED, need_share=0.0), indicators=[NEED]
    )
    assert list(only_coverage["score"][:4]) == list(only_coverage["score_couverture"][:4])
    assert "part test" not in only_coverage["raisons"].iloc[0]
    unused = underserved_score(table(), indicators=[NEED])  # not among the need weights
    assert unused["score_besoin"].isna().all()
    assert "part test" not in unused["raisons"].iloc[0]
    without_indicator = underserved_score(table())  # no need indicator: coverage only
    assert without_indicator["score_besoin"].isna().all()
    assert without_indicator["score"].max() > 0


def test_ties_are_broken_by_coverage_then_uncovered_population_then_code():
    frame = table().iloc[:4].copy()
    # A and B: same need, and coverage measures that cancel out in the score but not in the
    # coverage part's order? No: make A and B identical, C and E identical but for the
    # uncovered population.
    frame["initiatives_accessibles_10k_hab"] = [1.0, 1.0, 0.0, 0.0]
    frame["distance_moyenne_km"] = [5.0, 5.0, 20.0, 20.0]
    frame["nb_themes_manquants"] = [1, 1, 2, 2]
    frame["population_non_couverte"] = [0, 0, 100, 900]
    frame[need_column("test")] = [0.5, 0.5, 0.5, 0.5]
    result = underserved_score(frame, WITH_NEED, indicators=[NEED], radius_km=15)
    assert list(result["code"]) == ["E", "C", "A", "B"]
    assert result["departage"].iloc[0].startswith("à score égal avec le rang 2, passe devant")
    assert "plus d'habitants à plus de 15\u00a0km" in result["departage"].iloc[0]
    assert result["departage"].iloc[1] == ""  # C and A do not tie
    assert "ordre du code officiel" in result["departage"].iloc[2]  # A, B: complete tie
    assert "ordre du code officiel" in result["raisons"].iloc[2]
    # the same input in another order gives the same ranking
    shuffled = underserved_score(frame.iloc[::-1], WITH_NEED, indicators=[NEED])
    assert list(shuffled["code"]) == ["E", "C", "A", "B"]


def test_ties_on_the_written_score_are_broken_by_the_coverage_part():
    frame = table().iloc[:4].copy()
    settings = ScoreSettings(
        coverage_weights=(("initiatives", 1.0),), need_weights=(("test", 1.0),), need_share=0.5
    )
    # initiatives (fewer = worse): A 1, C 2/3, E 1/3, B 0 ; need: E 1, C 2/3, A 1/3, B 0
    frame["initiatives_accessibles_10k_hab"] = [4.0, 1.0, 2.0, 3.0]
    frame[need_column("test")] = [0.1, 0.2, 0.3, 0.4]
    result = underserved_score(frame, settings, indicators=[NEED])
    assert list(result["score"].round(6)[:3]) == [round(200 / 3, 6)] * 3  # A, C, E tie
    assert list(result["code"]) == ["A", "C", "E", "B"]
    assert result["departage"].iloc[0] == (
        "à score égal avec le rang 2, passe devant : moins couvert (partie « couverture » : "
        "100,0 contre 66,7)"
    )
    assert result["departage"].iloc[1].startswith("à score égal avec le rang 3")
    assert result["departage"].iloc[2] == ""


def test_reasons_name_each_component_against_the_reference():
    references = pd.DataFrame(
        {
            "reference_nom": ["Finistère"] * 4,
            "initiatives_accessibles_10k_hab": [1.25] * 4,
            "distance_moyenne_km": [8.0] * 4,
            "nb_themes_manquants": [0.0] * 4,
            need_column("test"): [0.15] * 4,
        },
        index=["A", "B", "C", "E"],
    )
    result = underserved_score(table(), WITH_NEED, indicators=[NEED], references=references)
    reasons = result.set_index("code").loc["A", "raisons"]
    # the strongest contribution first: the need part (0.4 × 1) before initiatives (0.6 × 0.5)
    assert reasons.startswith("Part test : 40\u00a0% (Finistère : 15\u00a0% ; 1er sur 4) ; ")
    assert "aucune initiative accessible (Finistère : 1,25 pour 10\u00a0000 habitants ; 1er" in (
        reasons
    )
    assert "distance moyenne à l'initiative la plus proche : 30,0\u00a0km (Finistère : 8,0" in (
        reasons
    )
    assert f"3 thèmes retenus sur 3 sans initiative : {ALL_THEMES} (Finistère : 0,0 sur 3" in (
        reasons
    )
    urban = result.set_index("code").loc["D", "raisons"]
    assert urban == ""


def test_reasons_follow_the_selected_themes_and_funders():
    frame = table()
    frame["nb_themes_retenus"] = 1
    frame["nb_themes_manquants"] = [0, 1, 1, 0, 1]
    frame["themes_manquants"] = ["", "Prendre soin", "Prendre soin", "", "Prendre soin"]
    selection = Selection(themes=("prendre-soin",), funders=("Fondation de France",))
    result = underserved_score(frame, indicators=[NEED], selection=selection)
    assert "composante_themes" not in result  # one theme: it would repeat « no initiative »
    for reasons in result.loc[result["eligible"], "raisons"]:
        assert "Cultures" not in reasons and "coopération" not in reasons
        assert "« Prendre soin » financée" in reasons or "« Prendre soin » financées" in reasons
        assert "Fondation de France" in reasons
    absent = result.set_index("code").loc["A", "raisons"]
    assert absent.startswith("Aucune initiative « Prendre soin » financée par Fondation de France")


def test_an_unknown_value_counts_in_the_middle():
    frame = table()
    frame.loc[frame["code"] == "C", "distance_moyenne_km"] = np.nan
    result = underserved_score(frame, indicators=[NEED]).set_index("code")
    assert result.loc["C", "composante_distance"] == 0.5
    assert "inconnue (commune sans contour)" in result.loc["C", "raisons"]


def test_no_initiative_in_the_zone_ranks_farthest():
    frame = table()
    frame.loc[frame["code"] == "B", "distance_moyenne_km"] = np.inf
    result = underserved_score(frame, indicators=[NEED]).set_index("code")
    assert result.loc["B", "composante_distance"] == 1.0
    assert "aucune initiative dans la zone" in result.loc["B", "raisons"].lower()


def test_settings_are_checked():
    with pytest.raises(AnalysisError):
        ScoreSettings(coverage_weights=(("initiatives", -1.0),))
    with pytest.raises(AnalysisError):
        ScoreSettings(flagged_share=0)
    with pytest.raises(AnalysisError):
        ScoreSettings(need_share=1.5)
    nothing = ScoreSettings(coverage_weights=(("initiatives", 0.0),), need_weights=())
    with pytest.raises(AnalysisError, match="Aucune composante"):
        underserved_score(table(), nothing)


def test_input_not_mutated():
    frame = table()
    before = frame.copy()
    underserved_score(frame, indicators=[NEED])
    pd.testing.assert_frame_equal(frame, before)
