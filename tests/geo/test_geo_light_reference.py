"""The reference an import loads: its tables without outlines, which it reads on first use."""

from __future__ import annotations

import pandas as pd
import pytest

from territoires.geo.cache import load_reference
from territoires.importers.locate import CommuneLocator

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def references(geodata_ready):
    return load_reference(geodata_ready), load_reference(geodata_ready, geometries=False)


def test_same_tables_without_outlines(references) -> None:
    full, light = references
    for name in ("communes", "epci", "departements", "regions"):
        expected = pd.DataFrame(getattr(full, name).drop(columns="geometry"))
        pd.testing.assert_frame_equal(pd.DataFrame(getattr(light, name)), expected)
    pd.testing.assert_frame_equal(light.aliases, full.aliases)
    pd.testing.assert_frame_equal(light.postal_codes, full.postal_codes)
    assert light.territories == full.territories
    assert light.display == {}


def test_outlines_are_read_on_first_use(geodata_ready) -> None:
    light = load_reference(geodata_ready, geometries=False)
    assert "geometry" not in light.communes.columns
    locator = CommuneLocator(light)
    # Rostrenen's point: the locator reads the outlines, in the communes' order.
    assert locator.locate(latitude=48.2351, longitude=-3.3157).code_insee == "22266"
    full = load_reference(geodata_ready)
    outlines = light.commune_geometries()
    assert len(outlines) == len(full.communes)
    sample = zip(outlines[::500], full.communes.geometry.values[::500], strict=True)
    assert all(a.equals(b) for a, b in sample)
    assert light.communes.crs == full.communes.crs
