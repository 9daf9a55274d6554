from __future__ import annotations

import pytest

from territoires.analysis.placement import served_communes
from territoires.analysis.synthetic import initiatives_frame


def placed(tiny_reference, zone, commune="22001") -> dict[str, float]:
    frame = initiatives_frame([{"commune_code": commune, "zone_intervention": zone}])
    result = served_communes(frame, tiny_reference)
    return dict(zip(result["code_insee"], result["poids"], strict=True))


def test_without_zone_the_commune_is_served(tiny_reference):
    assert placed(tiny_reference, []) == {"22001": 1.0}


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ([{"level": "commune", "code": "56012"}], {"56012"}),
        ([{"level": "epci", "code": "200000002"}], {"22009", "22010"}),
        (
            [{"level": "departement", "code": "22"}],
            {"22001", "22002", "22005", "22006", "22009", "22010"},
        ),
        ([{"level": "territoire", "code": "tiny-ouest"}], {"22001", "22002", "22005", "22006"}),
        ([{"level": "region", "code": "53"}], None),  # all twelve
    ],
)
def test_zone_levels(tiny_reference, zone, expected):
    result = placed(tiny_reference, zone)
    expected = expected or set(tiny_reference.communes["code_insee"])
    assert set(result) == expected
    assert all(weight == pytest.approx(1 / len(expected)) for weight in result.values())


def test_overlapping_parts_count_each_commune_once(tiny_reference):
    zone = [
        {"level": "epci", "code": "200000002"},
        {"level": "commune", "code": "22010"},
        {"level": "commune", "code": "56012"},
    ]
    assert placed(tiny_reference, zone) == pytest.approx(
        {"22009": 1 / 3, "22010": 1 / 3, "56012": 1 / 3}
    )


def test_unknown_zone_falls_back_on_the_commune(tiny_reference):
    zone = [{"level": "epci", "code": "999999999"}, {"level": "canton", "code": "1"}, {"x": 1}]
    assert placed(tiny_reference, zone) == {"22001": 1.0}
    assert placed(tiny_reference, [], commune=None) == {}
