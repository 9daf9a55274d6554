"""Dissolved levels and display layers: no holes, neighbours keep sharing their borders."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Polygon, box

from territoires.geo.levels import dissolve_levels, union_polygons
from territoires.geo.repair import interior_holes
from territoires.geo.simplify import (
    build_display_layers,
    display_quality,
    faithful_simplify,
    geojson_bytes,
    round_coordinates,
    simplify_by_level,
    simplify_coverage,
)


def test_dissolve_levels_of_the_tiny_reference(tiny_reference):
    levels = dissolve_levels(tiny_reference.communes)
    assert sorted(levels["departement"]["code"]) == ["22", "56"]
    assert levels["region"]["population"].iloc[0] == tiny_reference.communes["population"].sum()
    # 56004 has no EPCI: it is left out of the EPCI level.
    assert sorted(levels["epci"]["code"]) == ["200000001", "200000002", "200000003"]
    for frame in levels.values():
        for geometry in frame.geometry:
            assert interior_holes(geometry) == []


def test_union_polygons_falls_back_when_polygons_overlap():
    overlapping = np.array([box(0, 0, 2, 1), box(1, 0, 3, 1)], dtype=object)
    assert union_polygons(overlapping).area == 3
    assert union_polygons(np.array([None], dtype=object)).is_empty


def _wiggly_neighbours() -> np.ndarray:
    """Two squares sharing an irregular border (identical vertices on both sides)."""
    xs = np.linspace(0, 1, 41)
    ys = 1 + np.random.default_rng(1).uniform(-0.08, 0.08, 41)
    ys[0] = ys[-1] = 1
    border = list(zip(xs, ys, strict=True))
    south = Polygon([(0, 0), (1, 0), *reversed(border)])
    north = Polygon([*border, (1, 2), (0, 2)])
    return np.array([south, north], dtype=object)


def test_coverage_simplification_keeps_a_shared_border():
    simplified = simplify_coverage(_wiggly_neighbours(), 0.05)
    south, north = simplified
    assert shapely.get_num_coordinates(south) < 30
    assert shapely.coverage_is_valid(simplified)
    assert shapely.intersection(south, north).area < 1e-12  # no overlap
    assert abs(shapely.union(south, north).area - 2.0) < 1e-9  # no gap


def test_per_polygon_simplification_would_break_the_border():
    """The naive approach this module avoids: each polygon alone leaves gaps or overlaps."""
    south, north = shapely.simplify(_wiggly_neighbours(), 0.05)
    assert not shapely.coverage_is_valid(np.array([south, north], dtype=object))


def test_rounding_keeps_four_decimals():
    (rounded,) = round_coordinates(np.array([box(0.123456, 1.987654, 2.5, 3.5)], dtype=object))
    assert set(np.round(shapely.get_coordinates(rounded), 4).ravel()) == set(
        shapely.get_coordinates(rounded).ravel()
    )


def test_display_layers_share_borders_across_levels(tiny_reference):
    levels = dissolve_levels(tiny_reference.communes)
    display = build_display_layers(tiny_reference.communes, levels, tolerances=(0.01,))
    assert set(display) == {"commune", "epci", "departement", "region"}
    assert len(display["commune"]) == 12
    dep = display["departement"].set_index("code").geometry
    communes_22 = display["commune"].loc[display["commune"]["departement_code"] == "22"]
    assert shapely.union_all(communes_22.geometry.to_numpy()).equals(dep["22"])


def test_geojson_bytes_is_plain_compact_utf8(tiny_reference):
    frame = gpd.GeoDataFrame(
        {"code": ["22001"], "nom": ["Île-Tudy"]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4326"
    )
    data = geojson_bytes(frame)
    parsed = json.loads(data)
    assert parsed["type"] == "FeatureCollection"
    assert parsed["features"][0]["properties"] == {"code": "22001", "nom": "Île-Tudy"}
    assert b" " not in data.replace("Île-Tudy".encode(), b"")
    assert "Île".encode() in data  # not \\u-escaped


def _small_commune_on_a_border() -> np.ndarray:
    """Two squares (0.1° high) sharing a border, and a small round commune (0.01° radius)
    astride it: its outline meets the others at two points only, like Le Wast."""
    angles = np.linspace(0, 2 * np.pi, 65)[:-1]
    x = 0.1 + 0.01 * np.cos(angles)
    y = 0.1 + 0.01 * np.sin(angles)
    y[[0, 32]] = 0.1  # the two points on the border, exactly
    upper = list(zip(x[:33], y[:33], strict=True))  # from (0.11, 0.1) to (0.09, 0.1)
    lower = list(zip(x[32:], y[32:], strict=True)) + [upper[0]]
    south = Polygon([(0, 0), (0.2, 0), (0.2, 0.1), *lower[::-1], (0, 0.1)])
    north = Polygon([(0, 0.1), *upper[::-1], (0.2, 0.1), (0.2, 0.2), (0, 0.2)])
    small = Polygon(upper + lower[1:])
    return np.array([south, north, small], dtype=object)


def test_a_small_commune_keeps_its_area_with_a_finer_tolerance():
    """Issue 23: one coarse tolerance erases a small commune; each commune keeps 80 %."""
    coverage = _small_commune_on_a_border()
    coarse = simplify_coverage(coverage, 0.05)
    assert shapely.area(coarse[-1]) < 0.8 * shapely.area(coverage[-1])  # the defect
    result, levels = faithful_simplify(coverage, (0.05, 0.002, 0.0005))
    quality = display_quality(result, coverage)
    assert quality["communes_sous_80_pct"] == 0 and quality["polygones_invalides"] == 0
    assert quality["ratio_superficie_min"] >= 0.8
    assert levels[-1] > 0  # the small commune got a finer tolerance
    assert shapely.coverage_is_valid(result)  # shared borders still match


def test_simplify_by_level_keeps_the_edges_of_finer_polygons():
    coverage = _wiggly_neighbours()
    coarse_south = simplify_by_level(coverage, np.array([0, 1]), (0.05, 0.0))
    assert shapely.coverage_is_valid(coarse_south)
    # The shared border is the finer polygon's: untouched by the coarse tolerance.
    assert shapely.equals(coarse_south[1], coverage[1])
    assert shapely.get_num_coordinates(coarse_south[0]) >= 41
