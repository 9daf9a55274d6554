"""Folium maps of the analyses, rendered to HTML and checked as strings (no browser)."""

from __future__ import annotations

import json
import re

import pandas as pd

from territoires.analysis.coverage import coverage
from territoires.analysis.score import underserved_score
from territoires.analysis.suggest import suggest_sites
from territoires.analysis.synthetic import initiatives_frame
from territoires.geo.reference import Scope
from territoires.maps.analysis import fiche_map, score_map, suggestion_map
from territoires.maps.assets import ASSETS_DIR

ASSET_BASE = "../assets"


def html_of(fmap) -> str:
    return fmap.get_root().render()


def no_cdn(text: str) -> bool:
    """No CDN link, and no jQuery call (jQuery is not among the local assets)."""
    remote = ("cdn.jsdelivr", "unpkg.com", "cdnjs", "code.jquery")
    return not any(host in text for host in remote) and "$(" not in text


def test_score_map_html(tiny_reference):
    initiatives = initiatives_frame([{"commune_code": "22001", "titre": "<script>x</script>"}])
    rural = set(tiny_reference.communes["code_insee"])
    scored = underserved_score(coverage(initiatives, tiny_reference, "epci", rural_codes=rural))
    text = html_of(score_map(tiny_reference, Scope(), "epci", scored, asset_base=ASSET_BASE))
    assert "Zones peu couvertes, par quintile" in text
    assert "20 % les moins couverts (rangs 1 à 1)" in text
    assert "200000003" in text
    assert no_cdn(text)
    assert f"{ASSET_BASE}/leaflet/leaflet.js" in text
    assert ASSETS_DIR.is_dir()
    assert text.count("L.control.scale(") == 1 and "{imperial: false}" in text
    # the view is fitted last, around the legend added before it
    assert text.index("TerritoiresMap.legend(") < text.index("TerritoiresMap.fit(")


def test_suggestion_map_escapes_names(tiny_reference):
    reference = tiny_reference
    reference.communes.loc[reference.communes["code_insee"] == "56011", "nom"] = "<b>Évil</b>"
    sites = suggest_sites(initiatives_frame([]), reference, k=2, radius_km=8)
    status = pd.DataFrame(
        {
            "code_insee": reference.communes["code_insee"],
            "statut": ["reste"] * 12,
        }
    )
    text = html_of(suggestion_map(reference, Scope(), status, sites, 8, asset_base=None))
    assert "<b>Évil</b>" not in text
    assert "L.circle" in text
    # numbered markers: the number is inside each marker's own icon (it cannot drift from
    # it), and a divIcon fetches no image (Leaflet's default icon would, and fail offline)
    assert text.count("var icon = L.divIcon(") == 1 and "L.marker([site.lat, site.lon]" in text
    assert '"rang":1,"lat":' in text and '"rang":2,"lat":' in text
    assert "{icon: icon, title: site.tip, keyboard: false}" in text  # never the default icon
    assert '"tip":"1. \\u003cb\\u003eÉvil\\u003c/b\\u003e : ' in text  # a JSON string
    assert no_cdn(text)


def test_fiche_map_marks_uncovered(tiny_reference):
    initiatives = initiatives_frame([{"commune_code": "22001", "themes": ["prendre-soin"]}])
    text = html_of(
        fiche_map(
            initiatives,
            tiny_reference,
            Scope("epci", "200000001"),
            ["22006"],
            15,
            asset_base=ASSET_BASE,
        )
    )
    assert "Non couverte (plus de 15 km)" in text
    # one legend, which the view's fit keeps clear of the territory (a second, small one
    # had its fold button over its text)
    assert text.count("TerritoiresMap.legend(") == 1
    payload = re.search(r'TerritoiresMap\.legend\(\s*\S+,\s*(".*?"),\s*"bottomright"', text, re.S)
    legend = json.loads(payload.group(1))
    assert "Nombre d&#x27;initiatives" in legend and "Non couverte (plus de 15 km)" in legend
    assert no_cdn(text)
