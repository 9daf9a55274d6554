from __future__ import annotations

import pytest

from territoires.analysis.profile import (
    parse_territory,
    reference_choices,
    territory_key,
    territory_profile,
)
from territoires.analysis.synthetic import initiatives_frame
from territoires.errors import UnknownCodeError


@pytest.fixture
def sample():
    return initiatives_frame(
        [
            {
                "commune_code": "22001",
                "themes": ["prendre-soin"],
                "financeurs": ["Fondation de France"],
                "montant": 1000.0,
                "annee": 2024,
            },
            {
                "commune_code": "56012",
                "themes": ["cultures-savoirs"],
                "financeurs": ["Fondation JM Bruneau"],
                "montant": 3000.0,
                "annee": 2023,
            },
        ]
    )


def test_profile_of_an_epci_against_its_departement(tiny_reference, sample):
    profile = territory_profile(
        sample, tiny_reference, "epci", "200000001", reference_level="departement"
    )
    assert profile.territory.nom == "CC Un"
    assert profile.reference.level == "departement"
    assert profile.reference.code == "22"
    assert profile.figures["population"] == 1400
    assert profile.figures["initiatives"] == 1
    assert profile.figures["montant"] == pytest.approx(1000)
    assert profile.figures["themes_manquants"] == "Cultures et savoirs, Espaces de coopération"
    # departement 22: 22001, 22002, 22005, 22006, 22009, 22010
    assert profile.reference_figures["population"] == 1400 + 180000 + 200000
    assert profile.reference_figures["initiatives"] == 1
    assert list(profile.initiatives["id"]) == [1]
    assert set(profile.communes["code_insee"]) == {"22001", "22002", "22005", "22006"}
    assert profile.breakdowns["theme"].set_index("theme").loc["prendre-soin", "initiatives"] == 1


def test_profile_against_france_and_fallback(tiny_reference, sample):
    profile = territory_profile(sample, tiny_reference, "region", "53", reference_level="region")
    # a region cannot be compared with a region: fall back to France
    assert profile.reference.level == "france"
    assert profile.reference_figures["initiatives"] == 2
    assert profile.figures["montant"] == pytest.approx(4000)


def test_profile_of_a_named_territory_and_a_commune(tiny_reference, sample):
    named = territory_profile(sample, tiny_reference, "territoire", "tiny-ouest")
    assert named.territory.label == "Tiny Ouest (Territoire nommé tiny-ouest)"
    assert named.figures["population"] == 1400
    commune = territory_profile(sample, tiny_reference, "commune", "56012")
    assert commune.figures["initiatives"] == 1
    assert commune.figures["part_population_touchee"] == pytest.approx(1.0)
    levels = [c.level for c in reference_choices(tiny_reference, commune.territory)]
    assert levels == ["departement", "region", "france"]


def test_unknown_territory(tiny_reference, sample):
    with pytest.raises(UnknownCodeError):
        territory_profile(sample, tiny_reference, "epci", "999999999")
    with pytest.raises(UnknownCodeError):
        territory_key(tiny_reference, "canton", "1")


def test_parse_territory(tiny_reference):
    assert parse_territory("tiny-ouest", tiny_reference).level == "territoire"
    assert parse_territory("200000002", tiny_reference).level == "epci"
    assert parse_territory("22001", tiny_reference).level == "commune"
    assert parse_territory("22", tiny_reference).level == "departement"
    assert parse_territory("53", tiny_reference).level == "region"
    assert parse_territory("region:53", tiny_reference).nom == "Bretagne"
    assert parse_territory("", tiny_reference).level == "france"
    with pytest.raises(UnknownCodeError, match="departement:29"):
        parse_territory("nulle-part", tiny_reference)
