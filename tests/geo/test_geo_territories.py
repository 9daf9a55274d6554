"""Named territories: parsing, unknown codes, includes, user territories persisted."""

from __future__ import annotations

import pytest

from territoires.errors import TerritoryDefinitionError, UnknownCodeError
from territoires.geo.reference import NamedTerritory
from territoires.geo.territories import (
    SHIPPED_FILE,
    add_territory,
    check_territories,
    dump_territories,
    load_territories,
    parse_territories,
    read_territories_file,
    remove_territory,
    user_territories_file,
)

TINY_TOML = """
[territoires.ouest]
label = "Ouest"
description = "EPCI 1"
status = "test"
epci = ["200000001"]

[territoires.nord]
label = "Nord"
communes = ["22009", "56011"]

[territoires.tout]
label = "Tout"
includes = ["ouest", "nord"]
"""


def test_parse_and_resolve_with_includes(tiny_reference):
    tiny_reference.territories = parse_territories(TINY_TOML)
    check_territories(tiny_reference.territories, tiny_reference)
    ouest = tiny_reference.territory_communes("ouest")
    assert ouest == ("22001", "22002", "22005", "22006")
    assert tiny_reference.territory_communes("tout") == tuple(sorted({*ouest, "22009", "56011"}))


def test_unknown_epci_is_an_error_naming_the_code(tiny_reference):
    territories = parse_territories(TINY_TOML.replace("200000001", "249999999"))
    with pytest.raises(TerritoryDefinitionError) as error:
        check_territories(territories, tiny_reference)
    assert "249999999" in error.value.user_message


def test_unknown_commune_and_unknown_include_are_named(tiny_reference):
    with pytest.raises(TerritoryDefinitionError, match="99999"):
        check_territories(parse_territories(TINY_TOML.replace("56011", "99999")), tiny_reference)
    with pytest.raises(TerritoryDefinitionError, match="sud"):
        check_territories(parse_territories(TINY_TOML.replace('"nord"]', '"sud"]')), tiny_reference)


def test_malformed_definitions_are_clear_errors():
    with pytest.raises(TerritoryDefinitionError, match="illisible"):
        parse_territories("[territoires.x\nlabel=")
    with pytest.raises(TerritoryDefinitionError, match="liste de codes"):
        parse_territories('[territoires.x]\nepci = "200000001"')
    with pytest.raises(TerritoryDefinitionError, match="définition vide"):
        parse_territories('[territoires.x]\nlabel = "Vide"')


def test_regions_and_departements_take_all_their_communes(tiny_reference):
    text = (
        '[territoires.morbihan]\ndepartements = ["56"]\n'
        '[territoires.bretagne]\nregions = ["53"]\n'
        '[territoires.mix]\ndepartements = ["56"]\ncommunes = ["22001"]\n'
    )
    tiny_reference.territories = parse_territories(text)
    check_territories(tiny_reference.territories, tiny_reference)
    communes = tiny_reference.communes
    in_56 = tuple(sorted(communes.loc[communes["departement_code"] == "56", "code_insee"]))
    assert in_56 and len(in_56) < len(communes)
    assert tiny_reference.territory_communes("morbihan") == in_56
    assert tiny_reference.territory_communes("bretagne") == tuple(sorted(communes["code_insee"]))
    assert tiny_reference.territory_communes("mix") == tuple(sorted({*in_56, "22001"}))


def test_unknown_region_and_departement_are_named(tiny_reference):
    for key, known in (("regions", "53"), ("departements", "56")):
        text = f'[territoires.x]\nlabel = "X"\n{key} = ["{known}", "98"]\n'
        with pytest.raises(TerritoryDefinitionError, match="« 98 »") as error:
            check_territories(parse_territories(text), tiny_reference)
        assert f"« {known} »" not in error.value.user_message


def test_circular_includes_are_an_error(tiny_reference):
    text = '[territoires.a]\nincludes = ["b"]\n[territoires.b]\nincludes = ["a"]\n'
    with pytest.raises(TerritoryDefinitionError, match="circulaire"):
        check_territories(parse_territories(text), tiny_reference)


def test_unknown_territory_id(tiny_reference):
    with pytest.raises(UnknownCodeError, match="inexistant"):
        tiny_reference.territory_communes("inexistant")


def test_dump_then_parse_round_trips():
    territory = NamedTerritory(
        id="mon-territoire",
        label='Pays "guillemets" & accents é',
        description="ligne 1\nligne 2",
        status="à confirmer",
        epci=("200000001",),
        communes=("22009",),
        departements=("56",),
        regions=("53",),
    )
    assert parse_territories(dump_territories({territory.id: territory})) == {
        territory.id: territory
    }


def test_add_territory_is_persisted_and_reloaded(tiny_reference, isolated_data_dir):
    territory = NamedTerritory(
        id="nouveau", label="Nouveau", description="", status="", communes=("22001", "22002")
    )
    add_territory(tiny_reference, territory)
    assert tiny_reference.territory_communes("nouveau") == ("22001", "22002")
    assert user_territories_file().parent == isolated_data_dir
    reloaded = load_territories(tiny_reference, [user_territories_file()])
    assert reloaded["nouveau"] == territory
    remove_territory(tiny_reference, "nouveau")
    assert "nouveau" not in read_territories_file(user_territories_file())
    assert "nouveau" not in tiny_reference.territories


def test_add_territory_rejects_unknown_codes_and_bad_ids(tiny_reference):
    bad_code = NamedTerritory(id="x", label="X", description="", status="", epci=("123",))
    with pytest.raises(TerritoryDefinitionError, match="123"):
        add_territory(tiny_reference, bad_code)
    assert not user_territories_file().exists()
    bad_id = NamedTerritory(id="Mon Territoire", label="X", description="", status="", epci=())
    with pytest.raises(TerritoryDefinitionError, match="Identifiant"):
        add_territory(tiny_reference, bad_id)


def test_shipped_file_defines_its_territories():
    territories = read_territories_file(SHIPPED_FILE)
    assert set(territories) == {
        "france-metropolitaine",
        "centre-ouest-bretagne",
        "centre-bretagne",
        "centre-bretagne-elargi",
    }
    mainland = territories["france-metropolitaine"].regions
    assert len(mainland) == 13 and "94" in mainland  # the Hexagone and Corse
    assert not {"01", "02", "03", "04", "06"} & set(mainland)  # no overseas région
    assert "200096675" in territories["centre-bretagne"].status  # Baud Communauté note
    assert territories["centre-bretagne-elargi"].includes == (
        "centre-ouest-bretagne",
        "centre-bretagne",
    )


@pytest.mark.realdata
def test_mainland_is_every_commune_but_the_overseas_ones(geodata_ready):
    from territoires.geo.cache import load_reference

    reference = load_reference()
    mainland = set(reference.territory_communes("france-metropolitaine"))
    communes = reference.communes.set_index("code_insee")
    overseas = set(communes.index) - mainland
    assert set(communes.loc[sorted(overseas), "departement_code"]) == {
        "971",
        "972",
        "973",
        "974",
        "976",
    }
    assert {"2A", "2B", "29", "75"} <= set(communes.loc[sorted(mainland), "departement_code"])


def test_a_partial_cache_tolerates_absent_regions_and_drops_empty_territories(
    tiny_reference, tmp_path
):
    path = tmp_path / "territoires.toml"
    path.write_text(
        '[territoires.idf]\nregions = ["11"]\n'  # absent from this cache: left empty
        '[territoires.paris]\ndepartements = ["75"]\n'  # empty, but included below
        '[territoires.bretagne-et-paris]\nregions = ["53"]\nincludes = ["paris"]\n',
        encoding="utf-8",
    )
    with pytest.raises(TerritoryDefinitionError, match="« 11 »"):
        load_territories(tiny_reference, [path])  # a complete cache: an unknown code
    tiny_reference.manifest["partiel"] = ["22", "56"]
    territories = load_territories(tiny_reference, [path])
    assert set(territories) == {"paris", "bretagne-et-paris"}
