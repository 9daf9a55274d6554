"""Filters on the 12-commune tiny reference (layout in tests/conftest.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from territoires.analysis.synthetic import initiatives_frame
from territoires.filters import (
    Filters,
    apply_filters,
    count_label,
    describe_filters,
    filter_options,
    filters_from_params,
    filters_to_params,
    normalize_text,
    parse_filter_params,
    unknown_scope,
    with_known_scope,
)
from territoires.geo.reference import Scope

CARASSO = "Fondation Daniel et Nina Carasso"
BRUNEAU = "Fondation JM Bruneau"
FDF = "Fondation de France"


@pytest.fixture
def sample() -> pd.DataFrame:
    return initiatives_frame(
        [
            {
                "titre": "Café des Âges",
                "porteur": "Association L'Écluse",
                "description": "Lieu de rencontre intergénérationnel",
                "commune_code": "22001",
                "themes": ["prendre-soin"],
                "financeurs": [CARASSO],
                "montant": 10_000.0,
                "annee": 2021,
            },
            {
                "titre": "Tiers-lieu rural",
                "porteur": "Collectif Kreiz",
                "commune_code": "56011",
                "zone_intervention": [{"level": "epci", "code": "200000001"}],
                "themes": ["prendre-soin", "espaces-cooperation"],
                "financeurs": [CARASSO, BRUNEAU],
                "montant": 50_000.0,
                "annee": 2023,
                "type": "fondation territoriale",
            },
            {
                "titre": "Bibliothèque mobile",
                "porteur": "Lire en Poher",
                "commune_code": "56012",
                "themes": ["cultures-savoirs"],
                "financeurs": [FDF],
                "annee": 2024,
            },
        ]
    )


def ids(frame: pd.DataFrame) -> list[int]:
    return sorted(frame["id"].tolist())


def test_default_filters_keep_everything_and_do_not_mutate(sample, tiny_reference):
    before = sample.copy(deep=True)
    result = apply_filters(sample, Filters(), tiny_reference)
    assert ids(result) == [1, 2, 3]
    assert result is not sample
    pd.testing.assert_frame_equal(sample, before)
    assert Filters().is_default and Filters().active_count() == 0


def test_themes_any_and_all(sample, tiny_reference):
    any_ = Filters(themes=("prendre-soin", "cultures-savoirs"))
    assert ids(apply_filters(sample, any_, tiny_reference)) == [1, 2, 3]
    all_ = Filters(themes=("prendre-soin", "espaces-cooperation"), themes_logic="all")
    assert ids(apply_filters(sample, all_, tiny_reference)) == [2]


def test_funders_or_and_and_cofunded(sample, tiny_reference):
    either = Filters(funders=(BRUNEAU, FDF))
    assert ids(apply_filters(sample, either, tiny_reference)) == [2, 3]
    both = Filters(funders=(CARASSO, BRUNEAU), funders_logic="and")
    assert ids(apply_filters(sample, both, tiny_reference)) == [2]
    assert ids(apply_filters(sample, Filters(cofunded_only=True), tiny_reference)) == [2]


def test_year_type_and_amount_ranges(sample, tiny_reference):
    years = Filters(year_min=2022, year_max=2023)
    assert ids(apply_filters(sample, years, tiny_reference)) == [2]
    kind = Filters(types=("projet associatif",))
    assert ids(apply_filters(sample, kind, tiny_reference)) == [1, 3]
    # unknown amounts are left out once an amount bound is set
    amounts = Filters(amount_min=5_000)
    assert ids(apply_filters(sample, amounts, tiny_reference)) == [1, 2]
    assert ids(apply_filters(sample, Filters(amount_max=20_000), tiny_reference)) == [1]


def test_scope_uses_the_communes_served(sample, tiny_reference):
    # initiative 2 is based in 56011 but serves EPCI 200000001 (22001, 22002, 22005, 22006)
    dep22 = Filters(scope=Scope("departement", "22"))
    assert ids(apply_filters(sample, dep22, tiny_reference)) == [1, 2]
    dep56 = Filters(scope=Scope("departement", "56"))
    assert ids(apply_filters(sample, dep56, tiny_reference)) == [3]
    territory = Filters(scope=Scope("territoire", "tiny-ouest"))
    assert ids(apply_filters(sample, territory, tiny_reference)) == [1, 2]


def test_rural_only_uses_the_injected_rurality_within_the_scope(sample, tiny_reference):
    rurality = pd.DataFrame(
        {"code_insee": ["22005", "56012"], "rural": [True, True]},
    )
    rural = Filters(rural_only=True)
    assert ids(apply_filters(sample, rural, tiny_reference, rurality=rurality)) == [2, 3]
    # 56012 is rural but outside departement 22
    rural_22 = Filters(rural_only=True, scope=Scope("departement", "22"))
    assert ids(apply_filters(sample, rural_22, tiny_reference, rurality=rurality)) == [2]


def test_search_ignores_accents_case_and_needs_every_word(sample, tiny_reference):
    assert ids(apply_filters(sample, Filters(search="cafe AGES"), tiny_reference)) == [1]
    assert ids(apply_filters(sample, Filters(search="ecluse"), tiny_reference)) == [1]
    assert ids(apply_filters(sample, Filters(search="intergenerationnel"), tiny_reference)) == [1]
    assert ids(apply_filters(sample, Filters(search="poher"), tiny_reference)) == [3]
    assert ids(apply_filters(sample, Filters(search="cafe poher"), tiny_reference)) == []
    assert normalize_text("  Éléphant  ROSE ") == "elephant rose"


def test_precomputed_placement_gives_the_same_answer(sample, tiny_reference):
    from territoires.analysis.placement import served_communes

    placement = served_communes(sample, tiny_reference)
    dep22 = Filters(scope=Scope("departement", "22"), themes=("prendre-soin",))
    direct = apply_filters(sample, dep22, tiny_reference)
    cached = apply_filters(sample, dep22, tiny_reference, placement=placement)
    assert ids(direct) == ids(cached) == [1, 2]


def test_params_round_trip_is_lossless():
    filters = Filters(
        themes=("prendre-soin", "cultures-savoirs"),
        themes_logic="all",
        funders=("Fonds, dit « 100 % » rural", FDF),
        funders_logic="and",
        cofunded_only=True,
        year_min=2020,
        year_max=2024,
        types=("autre",),
        amount_min=1500.5,
        amount_max=20_000,
        scope=Scope("territoire", "centre-bretagne"),
        rural_only=True,
        search="café & co",
    )
    params = filters_to_params(filters)
    assert all(isinstance(v, str) for v in params.values())
    assert filters_from_params(params) == filters
    assert filters_to_params(Filters()) == {}
    assert filters_from_params({}) == Filters()
    assert filters_from_params({"perimetre": "epci:200000001"}).scope == Scope("epci", "200000001")


def test_bad_params_are_ignored_with_a_french_message():
    filters, problems = parse_filter_params(
        {"annee_min": "deux mille", "perimetre": "planete:3", "themes_mode": "all", "x": "y"}
    )
    assert filters == Filters(themes_logic="all")
    assert len(problems) == 2
    assert any("annee_min" in p for p in problems)
    assert any("Périmètre" in p for p in problems)


def test_inverted_ranges_in_a_link_are_read_in_order_and_reported():
    filters, problems = parse_filter_params(
        {"annee_min": "2030", "annee_max": "2000", "montant_min": "500000", "montant_max": "10"}
    )
    assert (filters.year_min, filters.year_max) == (2000, 2030)
    assert (filters.amount_min, filters.amount_max) == (10.0, 500000.0)
    assert problems == [
        "Années inversées dans le lien : lues de 2000 à 2030.",
        "Montants inversés dans le lien : lus de 10\u00a0€ à 500\u202f000\u00a0€.",
    ]
    ordered, problems = parse_filter_params({"annee_min": "2020", "annee_max": "2020"})
    assert (ordered.year_min, ordered.year_max, problems) == (2020, 2020, [])


@pytest.mark.parametrize(
    ("scope", "named"),
    [
        (Scope("epci", "999999999"), "« 999999999 »"),  # an EPCI merged since, or a typo
        (Scope("region", "99"), "« 99 »"),
        (Scope("commune", "00000"), "« 00000 »"),
        (Scope("territoire", "supprime"), "« supprime »"),  # a named territory removed since
    ],
)
def test_a_link_to_an_unknown_territory_falls_back_to_france(tiny_reference, scope, named):
    shared = Filters(scope=scope, themes=("prendre-soin",))
    filters, problems = with_known_scope(shared, tiny_reference)
    assert filters == Filters(themes=("prendre-soin",))  # the rest of the link is kept
    assert len(problems) == 1 and named in problems[0] and "inconnu" in problems[0]


def test_known_territories_are_kept(tiny_reference):
    for scope in (
        Scope(),
        Scope("epci", "200000001"),
        Scope("departement", "56"),
        Scope("territoire", "tiny-ouest"),
        Scope("commune", "22001"),
    ):
        assert unknown_scope(scope, tiny_reference) is None
        assert with_known_scope(Filters(scope=scope), tiny_reference) == (Filters(scope=scope), [])


def test_options_and_count_label(sample):
    options = filter_options(sample)
    assert options.themes == ("cultures-savoirs", "espaces-cooperation", "prendre-soin")
    assert options.funders == (CARASSO, FDF, BRUNEAU)
    assert options.year_range == (2021, 2024)
    assert options.amount_range == (10_000.0, 50_000.0)
    assert count_label(1, 3) == "1 initiative sur 3"
    assert count_label(1200, 3400) == "1\u202f200 initiatives sur 3\u202f400"


def test_filters_are_described_in_one_french_line():
    assert describe_filters(Filters()) == ""
    assert describe_filters(Filters(scope=Scope("region", "53"))) == ""  # said by the title
    assert describe_filters(
        Filters(
            themes=("prendre-soin", "cultures-savoirs"),
            funders=("Fondation de France",),
            year_min=2022,
            year_max=2024,
            rural_only=True,
            search="café <b>",
        )
    ) == (
        "thèmes Prendre soin ou Cultures et savoirs · financeur Fondation de France · "
        "années de 2022 à 2024 · communes rurales · recherche « café <b> »"
    )
    assert describe_filters(
        Filters(
            themes=("prendre-soin", "cultures-savoirs", "espaces-cooperation"),
            themes_logic="all",
            funders=("A", "B"),
            funders_logic="and",
            cofunded_only=True,
            year_max=2023,
            types=("projet associatif",),
            amount_min=1000,
        )
    ) == (
        "thèmes Prendre soin, Cultures et savoirs et Espaces de coopération · financeurs A et B"
        " · co-financées · années jusqu'à 2023 · type projet associatif"
        " · montant à partir de 1\u202f000\u00a0€"
    )
    assert describe_filters(Filters(year_min=2022, year_max=2022)) == "année 2022"
