"""Finding the commune of a row: each rule, in order, and each rejection."""

from __future__ import annotations

import pytest

from territoires.geo.reference import GeoReference
from territoires.importers.locate import CommuneLocator, LocationError

AMBIGUOUS = (
    "Le Faouët : 2 communes, 22057 (Côtes-d'Armor) et 56057 (Morbihan) ; "
    "précisez le département ou le code postal"
)


@pytest.fixture
def locator(faouet_reference: GeoReference) -> CommuneLocator:
    return CommuneLocator(faouet_reference)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("56057", "56057"),
        ("1053", "01053"),
        (1053, "01053"),
        (1053.0, "01053"),
        ("2a004", "2A004"),
        ("22153", "22158"),
    ],
)
def test_insee_code_first(locator: CommuneLocator, code: object, expected: str) -> None:
    found = locator.locate(code=code, name="Le Faouët")
    assert (found.code_insee, found.via) == (expected, "code")


def test_unknown_code_is_rejected_even_with_a_name(locator: CommuneLocator) -> None:
    with pytest.raises(LocationError, match="Code INSEE inconnu : « 99999 »"):
        locator.locate(code="99999", name="Saint-Brieuc")


def test_ambiguous_name_lists_its_candidates(locator: CommuneLocator) -> None:
    with pytest.raises(LocationError) as error:
        locator.locate(name="Le Faouët")
    assert str(error.value) == AMBIGUOUS


@pytest.mark.parametrize(
    ("kwargs", "expected", "via"),
    [
        ({"name": "Le Faouet", "postal_code": "56320"}, "56057", "code_postal"),
        ({"name": "LE FAOUËT", "postal_code": 22290}, "22057", "code_postal"),
        ({"name": "Le Faouët", "departement": "56"}, "56057", "departement"),
        ({"name": "Le Faouët", "departement": "Côtes d'Armor"}, "22057", "departement"),
        ({"name": "Le Faouët", "departement": 22.0}, "22057", "departement"),
        ({"name": "Le Faouët (56)"}, "56057", "departement"),
        ({"name": "Le Faouët (Morbihan)"}, "56057", "departement"),
        ({"name": "Faouët (Le)", "departement": "Morbihan (56)"}, "56057", "departement"),
        ({"name": "Bourg en Bresse", "departement": "1"}, "01053", "departement"),
        ({"name": "St-Brieuc"}, "22278", "nom"),
        ({"name": "saint brieuc"}, "22278", "nom"),
        ({"name": "Ploemeur"}, "56162", "nom"),
        ({"name": "Mûr-de-Bretagne"}, "22158", "nom"),
        ({"name": "mur de bretagne", "postal_code": "22530"}, "22158", "code_postal"),
        ({"name": "Ajaccio", "departement": "2A"}, "2A004", "departement"),
    ],
)
def test_name_rules(locator: CommuneLocator, kwargs: dict, expected: str, via: str) -> None:
    found = locator.locate(**kwargs)
    assert (found.code_insee, found.via) == (expected, via)


def test_coordinates_by_point_in_polygon(locator: CommuneLocator) -> None:
    found = locator.locate(latitude=48.05, longitude=-3.45)
    assert (found.code_insee, found.via) == ("56057", "coordonnees")


def test_coordinates_settle_an_ambiguous_name_only_when_consistent(
    locator: CommuneLocator,
) -> None:
    assert locator.locate(name="Le Faouët", latitude=48.75, longitude=-3.15).code_insee == "22057"
    with pytest.raises(LocationError, match="ne correspond pas aux coordonnées"):
        locator.locate(name="Le Faouët", latitude=48.55, longitude=-2.75)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "Atlantis"}, "Commune inconnue : « Atlantis »"),
        ({}, "Aucune localisation : ni code INSEE, ni nom de commune, ni coordonnées"),
        ({"latitude": 40.0, "longitude": -30.0}, "Coordonnées hors de France : 40.0, -30.0"),
        ({"latitude": -3.45, "longitude": 48.05}, "inversées"),
        ({"latitude": 48.0}, "Coordonnées incomplètes"),
        (
            {"name": "Le Faouët", "postal_code": "22000"},
            "Aucune commune « Le Faouët » avec le code",
        ),
        ({"name": "Le Faouët", "postal_code": "99999"}, "Code postal inconnu : « 99999 »"),
        ({"name": "Saint-Brieuc", "departement": "56"}, "dans le département Morbihan (56)"),
        ({"name": "Saint-Brieuc", "departement": "Bretagne-Nord"}, "Département inconnu"),
    ],
)
def test_rejections(locator: CommuneLocator, kwargs: dict, message: str) -> None:
    with pytest.raises(LocationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        locator.locate(**kwargs)


def test_tiny_reference_alias_and_codes(tiny_reference: GeoReference) -> None:
    locator = CommuneLocator(tiny_reference)
    assert locator.locate(name="Ancienne Commune").code_insee == "22001"
    assert locator.locate(name="commune 7").code_insee == "56007"
    assert locator.locate(latitude=48.15, longitude=-3.35).code_insee == "22006"
