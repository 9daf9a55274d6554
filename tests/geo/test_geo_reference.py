"""The public API of ``GeoReference``: layers for a scope, lookups, parents, former codes."""

from __future__ import annotations

import pandas as pd
import pytest

from territoires.errors import GeodataError, UnknownCodeError
from territoires.geo.cache import cache_is_complete, load_reference
from territoires.geo.reference import GeoReference, NamedTerritory, Scope


def test_layer_for_a_scope(tiny_reference):
    assert len(tiny_reference.layer("commune")) == 12
    dep_22 = tiny_reference.layer("commune", Scope("departement", "22"))
    assert sorted(dep_22["code"]) == ["22001", "22002", "22005", "22006", "22009", "22010"]
    epci = tiny_reference.layer("epci", Scope("departement", "56"))
    assert epci["code"].tolist() == ["200000003"]
    regions = tiny_reference.layer("region", Scope("epci", "200000002"))
    assert regions["code"].tolist() == ["53"]
    assert {"code", "nom", "population", "superficie_km2", "geometry"} <= set(dep_22.columns)


def test_territory_layer_is_dissolved_on_demand(tiny_reference):
    layer = tiny_reference.layer("territoire", display=False)
    assert layer["code"].tolist() == ["tiny-ouest"]
    assert layer["population"].iloc[0] == 100 * (1 + 2 + 5 + 6)
    assert layer.geometry.iloc[0].area == pytest.approx(0.04)
    inside = tiny_reference.layer("commune", Scope("territoire", "tiny-ouest"), display=False)
    assert len(inside) == 4
    assert tiny_reference.layer("territoire", Scope("departement", "56")).empty


def test_layer_rejects_unknown_level_and_code(tiny_reference):
    with pytest.raises(ValueError, match="expected a level"):
        tiny_reference.layer("canton")  # type: ignore[arg-type]
    with pytest.raises(UnknownCodeError):
        tiny_reference.layer("commune", Scope("departement", "99"))


def test_lookups_and_parents(tiny_reference):
    assert tiny_reference.commune("22001")["nom"] == "Commune 1"
    assert tiny_reference.parents("56004") == {
        "epci": None,
        "departement": "56",
        "region": "53",
    }
    with pytest.raises(UnknownCodeError, match="00000"):
        tiny_reference.commune("00000")


def test_current_code_follows_former_communes(tiny_reference):
    tiny_reference.aliases = pd.DataFrame(
        [{"nom": "Ancienne", "code_insee": "22001", "type": "COMD", "code_ancien": "22099"}]
    )
    assert tiny_reference.current_code("22099") == "22001"
    assert tiny_reference.current_code("22002") == "22002"
    with pytest.raises(UnknownCodeError):
        tiny_reference.current_code("22098")


def test_missing_cache_is_a_clear_error(tmp_path):
    assert not cache_is_complete(tmp_path)
    with pytest.raises(GeodataError) as error:
        load_reference(tmp_path)
    assert "geodata build" in error.value.user_message


def test_spans_regions_for_france_and_groupings_of_regions(tiny_reference):
    grouping = NamedTerritory(
        id="tiny-tout", label="Tiny tout", description="", status="test", regions=("53",)
    )
    reference = GeoReference.from_frames(
        tiny_reference.communes, territories={**tiny_reference.territories, "tiny-tout": grouping}
    )
    assert reference.spans_regions(Scope())
    assert reference.spans_regions(Scope("territoire", "tiny-tout"))
    assert not reference.spans_regions(Scope("territoire", "tiny-ouest"))  # made of an EPCI
    assert not reference.spans_regions(Scope("region", "53"))
    assert not reference.spans_regions(Scope("territoire", "inconnu"))


# --- missing outlines and population vintages (issue 23) -------------------------------------


def test_communes_without_outline_are_marked_wherever_named(tiny_reference):
    communes = tiny_reference.communes
    communes["contour_manquant"] = communes["code_insee"].eq("22002")
    communes["contour_porteur"] = communes["code_insee"].map({"22002": "22001"})
    labels = tiny_reference.commune_labels()
    assert labels["22002"].endswith("(contour manquant)")
    assert "contour manquant" not in labels["22001"]
    note = tiny_reference.missing_outline_note("22002")
    assert "contour manquant" in note and "(22001)" in note
    assert tiny_reference.missing_outline_note("22001") is None


def test_population_vintage_names_another_census_year(tiny_reference):
    tiny_reference.manifest["population_vintage"] = "2023"
    communes = tiny_reference.communes
    communes["population_millesime"] = "2023"
    assert tiny_reference.population_vintage() == "2023"
    communes.loc[communes["code_insee"] == "56004", "population_millesime"] = "2017"
    name = communes.set_index("code_insee").loc["56004", "departement_nom"]
    assert tiny_reference.population_vintage() == f"2023 ; {name} : 2017"
    assert tiny_reference.population_vintage(["22001"]) == "2023"
    assert tiny_reference.population_vintage(["22001", "56004"]) == f"2023 ; {name} : 2017"
