"""The zone index answers what ``GeoReference.communes_of`` answers, level by level (issue 21)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territoires.errors import UnknownCodeError
from territoires.geo.reference import PARENT_COLUMN, GeoReference, NamedTerritory
from territoires.geo.zones import ZoneIndex

ZONE_LEVELS = ("commune", "epci", "departement", "region", "territoire")


def _outcome(function, level: str, code: str) -> tuple[str, object]:
    """``("ok", communes)`` or ``("error", (type, message))``."""
    try:
        return "ok", list(function(level, code))
    except (UnknownCodeError, KeyError) as exc:
        return "error", (type(exc), str(exc))


def _codes(reference: GeoReference, level: str) -> list[str]:
    if level == "territoire":
        return sorted(reference.territories)
    return sorted({str(c) for c in reference.communes[PARENT_COLUMN[level]].dropna()})


def _assert_same(reference: GeoReference, index: ZoneIndex, level: str, code: str) -> None:
    assert _outcome(index.communes, level, code) == _outcome(reference.communes_of, level, code)


def test_every_known_zone_gives_the_communes_of_communes_of(tiny_reference) -> None:
    index = ZoneIndex(tiny_reference)
    for level in ZONE_LEVELS:
        codes = _codes(tiny_reference, level)
        assert codes, level
        for code in codes:
            _assert_same(tiny_reference, index, level, code)
    assert index.communes("epci", "200000001") == ("22001", "22002", "22005", "22006")
    assert index.communes("territoire", "tiny-ouest") == ("22001", "22002", "22005", "22006")


def test_unknown_zones_raise_the_same_error(tiny_reference) -> None:
    index = ZoneIndex(tiny_reference)
    with pytest.raises(UnknownCodeError, match="EPCI : « 999 »"):
        index.communes("epci", "999")
    for level, code in (("commune", "99999"), ("departement", "2A"), ("territoire", "nulle")):
        _assert_same(tiny_reference, index, level, code)
    with pytest.raises(KeyError):
        index.communes("canton", "1")  # type: ignore[arg-type]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_zones_match_communes_of(tiny_reference, data) -> None:
    """Known codes, codes of another level, and arbitrary text: the same answer, every time."""
    index = ZoneIndex(tiny_reference)
    level = data.draw(st.sampled_from(ZONE_LEVELS))
    every_code = [c for other in ZONE_LEVELS for c in _codes(tiny_reference, other)]
    code = data.draw(st.one_of(st.sampled_from(every_code), st.text(max_size=12)))
    _assert_same(tiny_reference, index, level, code)


@pytest.mark.realdata
def test_every_zone_of_the_real_reference(geodata_ready) -> None:
    from territoires.geo.cache import load_reference

    reference = load_reference(geodata_ready, geometries=False)
    index = ZoneIndex(reference)
    for level in ZONE_LEVELS:
        codes = _codes(reference, level)
        step = max(1, len(codes) // 60)  # communes_of scans every commune: a sample per level
        for code in codes[::step]:
            _assert_same(reference, index, level, code)


def test_a_territory_added_replaced_or_removed_is_seen(tiny_reference) -> None:
    """The app changes the loaded reference's territories: the index follows them."""
    index = ZoneIndex(tiny_reference)
    assert index.communes("territoire", "tiny-ouest") == ("22001", "22002", "22005", "22006")
    tiny_reference.territories["tiny-ouest"] = NamedTerritory(
        "tiny-ouest", "Tiny Ouest", "", "test", epci=("200000002",)
    )
    assert index.communes("territoire", "tiny-ouest") == ("22009", "22010")
    del tiny_reference.territories["tiny-ouest"]
    with pytest.raises(UnknownCodeError):
        index.communes("territoire", "tiny-ouest")
