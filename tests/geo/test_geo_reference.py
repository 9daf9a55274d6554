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
