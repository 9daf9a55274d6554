"""Greedy suggestions on the tiny reference.

Neighbours left/right are 7.4 km apart, up/down 11.1 km, diagonal 13.4 km. With a reach of 8 km
a site covers itself and its left and right neighbours only. Row y=2 holds
22009 (180,000), 22010 (200,000), 56011 (220,000), 56012 (240,000) inhabitants.
"""

from __future__ import annotations

import numpy as np
import pytest

from territoires.analysis.suggest import commune_need, greedy_cover, suggest_sites
from territoires.analysis.synthetic import initiatives_frame, sample_indicator
from territoires.errors import AnalysisError
from territoires.geo.reference import Scope

ROW0 = ["22001", "22002", "56003", "56004"]  # 100, 200, 300, 400
ROW1 = ["22005", "22006", "56007", "56008"]  # 500, 600, 700, 800


def test_greedy_order_is_known(tiny_reference):
    result = suggest_sites(initiatives_frame([]), tiny_reference, k=6, radius_km=8)
    # 56011 covers 22010 + 56011 + 56012 = 660,000; then 22009 alone (180,000, first of a tie
    # with 22010); then row 1: 56007 covers 22006 + 56007 + 56008 = 2,100; then row 0: 56003
    # covers 22002 + 56003 + 56004 = 900, more than 22005 (500); then 22005; then 22001 (100).
    assert list(result["code_insee"]) == ["56011", "22009", "56007", "56003", "22005", "22001"]
    assert list(result["population_nouvellement_couverte"]) == [
        660_000,
        180_000,
        2_100,
        900,
        500,
        100,
    ]
    assert list(result["population_cumulee"]) == list(
        np.cumsum([660_000, 180_000, 2_100, 900, 500, 100])
    )
    total = result.attrs["population_a_couvrir"]
    assert total == 843_600
    assert result["part_cumulee"].iloc[-1] == pytest.approx(1.0)
    assert sorted(result["codes_couverts"].iloc[0]) == ["22010", "56011", "56012"]
    assert list(result["rang"]) == [1, 2, 3, 4, 5, 6]


def test_stops_when_nothing_left(tiny_reference):
    result = suggest_sites(initiatives_frame([]), tiny_reference, k=50, radius_km=8)
    assert len(result) == 6


def test_only_rural_uncovered_population_counts(tiny_reference):
    # an initiative in 56011 covers the whole row 2 within 8 km except 22009
    initiatives = initiatives_frame([{"commune_code": "56011"}])
    rural = set(ROW0) | set(ROW1) | {"22009"}
    result = suggest_sites(initiatives, tiny_reference, k=3, radius_km=8, rural_codes=rural)
    assert result["code_insee"].iloc[0] in {"22009", "22010"}
    assert result["population_nouvellement_couverte"].iloc[0] == 180_000
    assert result["code_insee"].iloc[1] == "56007"


def test_scope_limits_demand_and_candidates(tiny_reference):
    result = suggest_sites(
        initiatives_frame([]), tiny_reference, k=10, radius_km=8, scope=Scope("departement", "56")
    )
    assert all(code.startswith("56") for code in result["code_insee"])
    covered = {code for codes in result["codes_couverts"] for code in codes}
    assert all(code.startswith("56") for code in covered)
    assert result.attrs["population_a_couvrir"] == 300 + 400 + 700 + 800 + 220_000 + 240_000


def test_frr_only(tiny_reference):
    frr = {"22005", "22009"}
    result = suggest_sites(
        initiatives_frame([]), tiny_reference, k=5, radius_km=8, frr_codes=frr, frr_only=True
    )
    assert set(result["code_insee"]) <= frr
    assert list(result["code_insee"]) == ["22009", "22005"]
    with pytest.raises(AnalysisError):
        suggest_sites(initiatives_frame([]), tiny_reference, frr_only=True)
    with pytest.raises(AnalysisError):
        suggest_sites(initiatives_frame([]), tiny_reference, k=0)


def test_greedy_cover_core():
    # candidate 0 covers demands {0, 1}, candidate 1 covers {1, 2}, candidate 2 covers {3}
    pair_c = np.array([0, 0, 1, 1, 2])
    pair_d = np.array([0, 1, 1, 2, 3])
    weights = np.array([5.0, 10.0, 4.0, 6.0])
    steps = greedy_cover(pair_c, pair_d, weights, 3, 3)
    assert [s[0] for s in steps] == [0, 2, 1]
    assert [s[2] for s in steps] == [15.0, 6.0, 4.0]
    assert list(steps[2][1]) == [2]


def test_coverage_status(tiny_reference):
    from territoires.analysis.coverage import commune_coverage
    from territoires.analysis.suggest import coverage_status

    initiatives = initiatives_frame([{"commune_code": "22001"}])
    communes = commune_coverage(initiatives, tiny_reference, radius_km=8)
    rural = set(ROW0) | set(ROW1)
    sites = suggest_sites(
        initiatives, tiny_reference, k=1, radius_km=8, rural_codes=rural, communes=communes
    )
    status = coverage_status(communes, sites, tiny_reference, rural_codes=rural)
    by_code = dict(zip(status["code_insee"], status["statut"], strict=True))
    assert by_code["22001"] == "deja" and by_code["22002"] == "deja"
    # first proposal: 56007 covers 22006, 56007, 56008 (2,100 inhabitants)
    assert {c for c, s in by_code.items() if s == "nouveau"} == {"22006", "56007", "56008"}
    assert by_code["22005"] == "reste"
    assert by_code["56012"] == "autre"  # not rural


def test_commune_without_outline_is_skipped(tiny_reference):
    from shapely.geometry import Polygon

    reference = tiny_reference
    reference.communes.loc[reference.communes["code_insee"] == "56012", "geometry"] = Polygon()
    result = suggest_sites(initiatives_frame([]), reference, k=1, radius_km=8)
    # 56012 has no point: 56011 now covers 22010 + 56011 only, less than 22010's 600,000
    assert result["code_insee"].iloc[0] == "22010"


def test_candidates_are_rural_communes_by_default(tiny_reference):
    """Only 22005 is rural: it is the only candidate by default. With every commune allowed,
    the first of those within 12 km of it (by code) covers it just as well."""
    arguments = {"k": 3, "radius_km": 12, "rural_codes": {"22005"}}
    by_default = suggest_sites(initiatives_frame([]), tiny_reference, **arguments)
    assert list(by_default["code_insee"]) == ["22005"]
    anywhere = suggest_sites(
        initiatives_frame([]), tiny_reference, rural_candidates=False, **arguments
    )
    assert list(anywhere["code_insee"]) == ["22001"]  # 11.1 km from 22005, not rural
    assert list(anywhere["codes_couverts"].iloc[0]) == ["22005"]  # only rural people count


def test_the_need_objective_weights_people_by_need(tiny_reference):
    """8 km: 56007 covers 22006 + 56007 + 56008 (2,100 people), 56003 covers 22002 + 56003 +
    56004 (900). Need is high in row 0: ranked again among the 12 inhabited communes (row 2,
    unknown, in the middle), row 0 takes 19/22 and row 1 3/22: 900 × 19/22 ≈ 777 beats
    2,100 × 3/22 ≈ 286."""
    rural = set(ROW0) | set(ROW1)
    need = sample_indicator({code: 1.0 if code in ROW0 else 0.0 for code in rural})
    arguments = {"k": 1, "radius_km": 8, "rural_codes": rural}
    people = suggest_sites(initiatives_frame([]), tiny_reference, **arguments)
    assert people["code_insee"].iloc[0] == "56007"
    assert people["population_ponderee_nouvellement_couverte"].iloc[0] == 2_100
    weighted = suggest_sites(
        initiatives_frame([]),
        tiny_reference,
        objective="besoin",
        indicators=[need],
        need_weights={"test": 1.0},
        **arguments,
    )
    assert weighted["code_insee"].iloc[0] == "56003"
    assert weighted["population_ponderee_nouvellement_couverte"].iloc[0] == pytest.approx(
        900 * 19 / 22, abs=0.1
    )
    assert weighted["population_nouvellement_couverte"].iloc[0] == 900  # people, as people
    assert weighted["besoin"].iloc[0] == pytest.approx(19 / 22)
    assert weighted.attrs["objectif"] == "besoin"


def test_commune_need_ranks_within_the_mask(tiny_reference):
    need = sample_indicator({"22001": 1.0, "22002": 2.0, "56003": 3.0}, direction="faible")
    mask = tiny_reference.communes["code_insee"].isin(["22001", "22002", "56003"]).to_numpy()
    values = dict(
        zip(
            tiny_reference.communes["code_insee"],
            commune_need([need], {"test": 1.0}, tiny_reference, mask),
            strict=True,
        )
    )
    # a low value means need: 22001 (1.0) is the most in need
    assert values["22001"] == 1.0 and values["22002"] == 0.5 and values["56003"] == 0.0
    assert np.isnan(values["56004"])


def _plain_greedy(pair_c, pair_d, weights, n, k):
    """Every candidate's gain recomputed at each step (the definition)."""
    covered = np.zeros(len(weights), dtype=bool)
    steps = []
    for _ in range(k):
        open_pairs = ~covered[pair_d]
        gains = np.bincount(pair_c[open_pairs], weights=weights[pair_d[open_pairs]], minlength=n)
        if not len(gains) or gains.max() <= 0:
            break
        best = int(np.argmax(gains))
        newly = np.unique(pair_d[(pair_c == best) & open_pairs])
        covered[newly] = True
        steps.append((best, list(newly), float(gains[best])))
    return steps


def test_lazy_greedy_matches_the_plain_greedy():
    rng = np.random.default_rng(0)
    for _ in range(200):
        n, m = int(rng.integers(1, 30)), int(rng.integers(1, 40))
        pairs = {(int(rng.integers(0, n)), int(rng.integers(0, m))) for _ in range(150)}
        pair_c = np.array([c for c, _ in pairs], dtype=np.int64)
        pair_d = np.array([d for _, d in pairs], dtype=np.int64)
        weights = rng.integers(0, 5, size=m).astype(float)  # many ties
        k = int(rng.integers(1, 8))
        lazy = [(c, list(d), g) for c, d, g in greedy_cover(pair_c, pair_d, weights, n, k)]
        assert lazy == _plain_greedy(pair_c, pair_d, weights, n, k)
