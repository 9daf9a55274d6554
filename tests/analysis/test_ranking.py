"""The ranking end to end on the tiny reference: reference territories and their values."""

from __future__ import annotations

import pandas as pd
import pytest

from territoires.analysis.aggregate import membership
from territoires.analysis.coverage import commune_coverage, coverage
from territoires.analysis.ranking import (
    main_parents,
    rank_territories,
    reference_level_for,
    reference_values,
)
from territoires.analysis.score import ScoreSettings
from territoires.analysis.synthetic import initiatives_frame, sample_indicator
from territoires.geo.reference import Scope

NEED = sample_indicator({"22001": 1.0, "22002": 0.0, "56003": 1.0})


def test_reference_level_goes_up_when_not_above_the_rows():
    assert reference_level_for("epci", "departement") == "departement"
    assert reference_level_for("departement", "departement") == "region"
    assert reference_level_for("region", "departement") == "france"
    assert reference_level_for("commune", "france") == "france"
    with pytest.raises(ValueError):
        reference_level_for("epci", "canton")


def test_main_parent_holds_most_of_the_population(tiny_reference):
    members = membership(tiny_reference, "territoire")
    assert main_parents(tiny_reference, members, "departement").to_dict() == {"tiny-ouest": "22"}
    # EPCI 200000003 spans 56 only; with a commune of 22 moved in, 56 still weighs most
    members = pd.concat(
        [
            membership(tiny_reference, "epci"),
            pd.DataFrame({"code_insee": ["22001"], "code": ["200000003"]}),
        ]
    )
    parents = main_parents(tiny_reference, members, "departement")
    assert parents["200000003"] == "56" and parents["200000001"] == "22"
    assert set(main_parents(tiny_reference, members, "france")) == {"FR"}


def test_reference_values_are_those_of_the_whole_reference_territory(tiny_reference):
    initiatives = initiatives_frame([{"commune_code": "22001", "themes": ["prendre-soin"]}])
    communes = commune_coverage(initiatives, tiny_reference)
    members = membership(tiny_reference, "commune")
    values = reference_values(
        initiatives, tiny_reference, members, "departement", indicators=[NEED], communes=communes
    )
    departements = coverage(initiatives, tiny_reference, "departement", communes=communes)
    expected = departements.set_index("code").loc["22", "initiatives_accessibles_10k_hab"]
    assert values.loc["22001", "reference_nom"] == "Côtes-d'Armor"
    assert values.loc["22001", "initiatives_accessibles_10k_hab"] == pytest.approx(expected)
    assert values.loc["56003", "reference_code"] == "56"
    # the need value of Morbihan: 56003 (300 inhabitants at 1) among its known communes only
    assert values.loc["56003", "besoin_test"] == pytest.approx(1.0)
    assert values.loc["22002", "besoin_test"] == pytest.approx(100 / 300)


def test_rank_territories_names_the_reference_in_the_reasons(tiny_reference):
    initiatives = initiatives_frame([{"commune_code": "22001", "themes": ["prendre-soin"]}])
    rural = set(tiny_reference.communes["code_insee"])
    scored = rank_territories(
        initiatives,
        tiny_reference,
        "commune",
        indicators=[NEED],
        settings=ScoreSettings(need_weights=(("test", 1.0),)),
        rural_codes=rural,
        reference_level="departement",
    ).set_index("code")
    assert "(Côtes-d'Armor : " in scored.loc["22002", "raisons"]
    assert "(Morbihan : " in scored.loc["56003", "raisons"]
    assert "part test" in scored.loc["56003", "raisons"].lower()
    region = rank_territories(
        initiatives, tiny_reference, "epci", rural_codes=rural, reference_level="region"
    )
    assert region.loc[region["eligible"], "raisons"].str.contains(r"\(Bretagne : ").all()


def test_the_need_side_is_kept_for_the_same_indicators_and_recomputed_for_others(tiny_reference):
    from territoires.analysis.ranking import need_side, reference_side

    scope = Scope("france", "")
    kept = need_side(tiny_reference, "epci", scope, "departement", [NEED])
    assert need_side(tiny_reference, "epci", scope, "departement", [NEED]) is kept
    other = sample_indicator({"22001": 0.0, "22002": 1.0, "56003": 0.0})  # same key and label
    changed = need_side(tiny_reference, "epci", scope, "departement", [other])
    assert changed is not kept
    assert not changed.needs.equals(kept.needs)  # its own values, not the first indicator's
    members = membership(tiny_reference, "epci", scope)
    pd.testing.assert_frame_equal(changed.members, members)
    fresh = reference_side(tiny_reference, members, "departement", [other])
    pd.testing.assert_frame_equal(changed.references.needs, fresh.needs)
    pd.testing.assert_series_equal(changed.references.parents, fresh.parents)
    assert need_side(tiny_reference, "epci", scope, "region", [NEED]) is not kept


def test_a_ranking_computed_again_for_new_initiatives_equals_one_from_scratch(
    tiny_reference, monkeypatch
):
    from territoires.analysis import ranking
    from territoires.analysis.indicators import commune_table
    from territoires.analysis.ranking import NeedSide, need_table, reference_side

    def fresh_side(reference, level, scope, reference_level, indicators):  # nothing kept
        members = membership(reference, level, scope)
        return NeedSide(
            members=members,
            needs=need_table(indicators, reference, members, commune_table(indicators, reference)),
            references=reference_side(reference, members, reference_level, indicators),
        )

    rural = set(tiny_reference.communes["code_insee"])
    settings = ScoreSettings(need_weights=(("test", 1.0),))
    first = initiatives_frame([{"commune_code": "22001", "themes": ["prendre-soin"]}])
    second = initiatives_frame([{"commune_code": "56003", "themes": ["prendre-soin"]}])
    results = []
    for initiatives in (first, second, first):  # the need side kept between them
        results.append(
            rank_territories(
                initiatives, tiny_reference, "epci", indicators=[NEED], settings=settings,
                rural_codes=rural,
            )
        )  # fmt: skip
    monkeypatch.setattr(ranking, "need_side", fresh_side)
    for initiatives, kept in zip((first, second, first), results, strict=True):
        alone = rank_territories(
            initiatives, tiny_reference, "epci", indicators=[NEED], settings=settings,
            rural_codes=rural,
        )  # fmt: skip
        pd.testing.assert_frame_equal(kept, alone)
    assert not results[0].equals(results[1])  # the initiatives do change the ranking
