"""Map building on the tiny reference: assert on the folium HTML (layers, legend, escaping,
local assets only), on class breaks, and on the static exports."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pandas as pd
import pytest

from territoires.analysis.synthetic import initiatives_frame
from territoires.errors import ExportError
from territoires.geo.reference import GeoReference, NamedTerritory, Scope
from territoires.maps import geometry
from territoires.maps.build import (
    MapOptions,
    aggregated_table,
    build_map,
    choropleth_data,
    map_options_from_params,
    map_options_to_params,
    parse_map_params,
    scope_label,
)
from territoires.maps.classify import classify
from territoires.maps.export import remote_assets, standalone_html, static_png
from territoires.maps.palettes import ZERO_COLOR, class_colors

EVIL = "<script>alert('x')</script>"
# XML namespaces, Leaflet's attribution link, bug links in leaflet.css comments
ALLOWED_TEXT_URLS = (
    "http://www.w3.org/",
    "https://leafletjs.com",
    "https://bugs.chromium.org/",
    "https://bugzilla.mozilla.org/",
)
ASSET_URL = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


@pytest.fixture
def initiatives() -> pd.DataFrame:
    return initiatives_frame(
        [
            {
                "titre": EVIL,
                "porteur": "Porteur & <b>associés</b>",
                "commune_code": "22001",
                "themes": ["prendre-soin"],
                "financeurs": ["Fondation de France"],
                "montant": 1000.0,
                "annee": 2022,
            },
            {
                "titre": "Tiers-lieu",
                "commune_code": "22002",
                "themes": ["prendre-soin", "cultures-savoirs"],
                "montant": 4000.0,
                "latitude": 48.05,
                "longitude": -3.35,
            },
            {"titre": "Jardin", "commune_code": "56012", "themes": ["espaces-cooperation"]},
        ]
    )


def render(fmap) -> str:
    return fmap.get_root().render()


def payload_of(html_text: str, function: str) -> dict:
    match = re.search(rf"TerritoiresMap\.{function}\(\s*\S+,\s*(\{{.*?\}})\);", html_text, re.S)
    assert match, f"no {function} layer"
    return json.loads(match.group(1))


def unpacked(column: dict) -> list:
    """The integers of a packed payload column (``layers.packed``), read as the runtime does."""
    kind = {1: "<u1", 2: "<u2", 4: "<i4"}[column["bytes"]]
    return np.frombuffer(base64.b64decode(column["data"]), dtype=kind).tolist()


def points_of(layer: dict) -> list[list]:
    """``[latitude, longitude, theme class, popup texts]`` of each point of a points payload
    (columnar: per popup field, its distinct texts and each point's code)."""
    codes = [unpacked(column) for column in layer["codes"]]
    lats = [v / 1e5 for v in unpacked(layer["lat"])]
    lons = [v / 1e5 for v in unpacked(layer["lon"])]
    texts = [
        [layer["values"][f][codes[f][i]] for f in range(len(layer["values"]))]
        for i in range(len(lats))
    ]
    return [list(row) for row in zip(lats, lons, unpacked(layer["theme"]), texts, strict=True)]


def legend_of(html_text: str) -> str:
    match = re.search(
        r"TerritoiresMap\.legend\(\s*\S+,\s*(\".*?\"),\s*\"bottomright\"", html_text, re.S
    )
    assert match, "no legend"
    return json.loads(match.group(1))


def test_streamlit_map_links_only_local_assets(tiny_reference, initiatives):
    fmap = build_map(initiatives, tiny_reference, Scope(), MapOptions(), asset_base="../assets")
    text = render(fmap)
    urls = ASSET_URL.findall(text)
    assert "../assets/leaflet/leaflet.js" in urls
    assert "../assets/territoires/territoires-map.js" in urls
    assert all(url.startswith("../assets/") for url in urls), urls
    assert "cdn" not in text and "jquery" not in text.lower()
    assert remote_assets(text) == []


def test_scale_bar_is_in_kilometres_only(tiny_reference, initiatives):
    text = render(build_map(initiatives, tiny_reference, Scope(), MapOptions(), asset_base="a"))
    assert text.count("L.control.scale(") == 1
    assert "L.control.scale({imperial: false})" in text
    # the view is fitted last, around the legend added before it
    assert text.index("TerritoiresMap.legend(") < text.index("TerritoiresMap.fit(")


def test_standalone_html_inlines_assets_and_has_no_remote_url(tiny_reference, initiatives):
    fmap = build_map(initiatives, tiny_reference, Scope(), MapOptions(), asset_base=None)
    text = standalone_html(fmap, "Carte des initiatives").decode("utf-8")
    assert re.findall(r"<script[^>]*\bsrc=|<link[^>]*\bhref=", text) == []
    assert "Leaflet 1.9.4" in text and "PointsLayer" in text
    assert "url(images/" not in text and "data:image/png;base64," in text
    # what remains are XML namespaces and link targets inside the libraries, never fetched
    urls = set(re.findall(r"https?://[^\s\"'<>)\\]+", text))
    assert all(u.startswith(ALLOWED_TEXT_URLS) for u in urls), urls
    assert "<title>Carte des initiatives</title>" in text


def test_tile_basemap_is_the_only_remote_url(tiny_reference, initiatives):
    fmap = build_map(
        initiatives, tiny_reference, Scope(), MapOptions(basemap="osm"), asset_base="../a"
    )
    text = render(fmap)
    assert "tile.openstreetmap.org/{z}/{x}/{y}.png" in text
    assert remote_assets(text) == []
    offline = render(build_map(initiatives, tiny_reference, Scope(), MapOptions(), asset_base="a"))
    assert "tile.openstreetmap" not in offline and "L.tileLayer" not in offline


@pytest.mark.parametrize("basemap", ["osm", "clair"])
def test_a_tile_basemap_is_watched_for_missing_tiles(tiny_reference, initiatives, basemap):
    """Offline, the map says its basemap cannot load (``watchTiles`` in the runtime)."""
    fmap = build_map(
        initiatives, tiny_reference, Scope(), MapOptions(basemap=basemap), asset_base="a"
    )
    text = render(fmap)
    tiles = re.search(r"var (tile_layer_\w+) = L\.tileLayer\(", text)
    assert tiles, "no tile layer"
    watch = re.search(r"TerritoiresMap\.watchTiles\(\s*(\w+),\s*(\{.*?\}),\s*(\w+)\)", text)
    assert watch, "the tile layer is not watched"
    assert watch.group(1) == fmap.get_name() and watch.group(3) == tiles.group(1)
    assert json.loads(watch.group(2)) == {
        "message": "Fond de carte indisponible (pas de connexion)"
    }
    assert text.index(tiles.group(0)) < text.index(watch.group(0))  # the layer exists first
    offline = render(build_map(initiatives, tiny_reference, Scope(), MapOptions(), asset_base="a"))
    assert "watchTiles" not in offline


def test_user_text_is_escaped_in_popups(tiny_reference, initiatives):
    text = render(build_map(initiatives, tiny_reference, Scope(), MapOptions(), asset_base="a"))
    assert EVIL not in text
    assert "<b>associés</b>" not in text
    layer = payload_of(text, "points")
    points = points_of(layer)
    # popups are built and escaped by the runtime when they open (see the browser test):
    # the page carries plain values, in JSON where "<" cannot close the script
    assert layer["fields"] == ["Porteur", "Financeurs", "Montant", "Année", "Thèmes", "Commune"]
    values = [p[3] for p in points]
    assert all(len(v) == 7 for v in values)
    evil = next(v for v in values if v[0] == EVIL)
    assert evil[1] == "Porteur & <b>associés</b>"
    assert "1\u202f000\u00a0€" in evil and "Fondation de France" in evil[2]
    # exact position when given, else a point inside the commune
    assert [48.05, -3.35] in [p[:2] for p in points]
    assert len(points) == 3


def test_points_travel_as_columns_with_each_text_once(tiny_reference):
    rows = [
        {
            "titre": f"Atelier {i}",
            "porteur": "Association <b>X</b>",
            "commune_code": "22001",
            "montant": 1500.0,
            "financeurs": ["Région"],
            "themes": ["soin"],
        }
        for i in range(40)
    ]
    frame = initiatives_frame(rows)
    text = render(build_map(frame, tiny_reference, Scope(), MapOptions(), asset_base="a"))
    layer = payload_of(text, "points")
    assert len(points_of(layer)) == 40
    # numbers travel packed: 4 bytes a coordinate, 1 a theme, the fewest a popup code takes
    assert [layer[k]["bytes"] for k in ("lat", "lon", "theme")] == [4, 4, 1]
    assert all(len(unpacked(codes)) == 40 for codes in layer["codes"])
    assert {codes["bytes"] for codes in layer["codes"]} == {1}
    # a text shared by every point is sent once, each point giving its small integer code
    porteurs, amounts, communes = layer["values"][1], layer["values"][3], layer["values"][6]
    assert porteurs == ["Association <b>X</b>"] and amounts == ["1\u202f500\u00a0€"]
    assert len(communes) == 1 and set(unpacked(layer["codes"][1])) == {0}
    assert len(layer["values"][0]) == 40  # titles differ
    assert text.count("Association") == 1 and "<b>X</b>" not in text


def test_points_of_a_shared_subset_are_the_points_of_its_rows(tiny_reference, initiatives):
    import numpy as np

    from territoires.analysis.index import InitiativeIndex

    def points(frame):
        fmap = build_map(frame, tiny_reference, Scope(), MapOptions(), asset_base="a")
        return points_of(payload_of(render(fmap), "points"))

    index = InitiativeIndex(initiatives, tiny_reference)
    assert points(index.frame) == points(initiatives.copy())  # computed once for the index
    subset = index.take(np.array([2, 0]))  # a filtered subset, in another order
    assert points(subset.frame) == points(subset.frame.copy())  # taken from the index's points
    assert [p[3][0] for p in points(subset.frame)] == ["Jardin", EVIL]


def test_points_give_their_theme_class_for_the_groups_rings(tiny_reference, initiatives):
    text = render(build_map(initiatives, tiny_reference, Scope(), MapOptions(), asset_base="a"))
    layer = payload_of(text, "points")
    # one colour and label per theme, then several themes and no theme, in the legend's order
    assert layer["labels"] == [
        "Prendre soin",
        "Cultures et savoirs",
        "Espaces de coopération",
        "Plusieurs thèmes",
        "Thème non renseigné",
    ]
    assert len(set(layer["colors"])) == 5
    by_title = {p[3][0]: layer["labels"][p[2]] for p in points_of(layer)}
    assert by_title == {
        EVIL: "Prendre soin",
        "Tiers-lieu": "Plusieurs thèmes",
        "Jardin": "Espaces de coopération",
    }
    legend = legend_of(text)
    assert "Groupe : nombre et thèmes" in legend and "conic-gradient(" in legend
    assert "Thème non renseigné" not in legend  # every initiative here has a theme


def test_an_initiative_without_theme_gets_a_legend_line(tiny_reference, initiatives):
    unthemed = initiatives_frame([{"titre": "Sans thème", "commune_code": "22001", "themes": []}])
    frame = pd.concat([initiatives, unthemed], ignore_index=True)
    text = render(build_map(frame, tiny_reference, Scope(), MapOptions(), asset_base="a"))
    layer = payload_of(text, "points")
    point = next(p for p in points_of(layer) if p[3][0] == "Sans thème")
    assert layer["labels"][point[2]] == "Thème non renseigné"
    assert "Thème non renseigné" in legend_of(text)


def test_choropleth_layer_classes_and_legend(tiny_reference, initiatives):
    options = MapOptions(level="epci")
    text = render(build_map(initiatives, tiny_reference, Scope(), options, asset_base="a"))
    layer = payload_of(text, "choropleth")
    assert layer["codes"] == ["200000001", "200000002", "200000003"]
    assert layer["names"] == ["CC Un", "CC Deux", "CC Trois"]
    assert layer["level"] == "epci"
    # EPCI 1 has two initiatives, EPCI 2 none, EPCI 3 one
    assert layer["labels"] == ["2 initiatives", "0 initiative", "1 initiative"]
    assert layer["classes"][1] == 0 and layer["classes"][0] > layer["classes"][2] > 0
    assert layer["colors"][0] == ZERO_COLOR
    # one style function in the runtime, no per-feature switch in the page
    assert "switch" not in text.split("TerritoiresMap.choropleth")[1]
    legend = legend_of(text)
    assert "Nombre d&#x27;initiatives" in legend and "Aucune initiative (0)" in legend
    assert "Prendre soin" in legend  # theme legend of the points


def test_scope_outline_fit_and_level_auto(tiny_reference, initiatives):
    scope = Scope("territoire", "tiny-ouest")
    text = render(build_map(initiatives, tiny_reference, scope, MapOptions(), asset_base="a"))
    layer = payload_of(text, "choropleth")
    assert layer["level"] == "commune"
    assert sorted(layer["codes"]) == ["22001", "22002", "22005", "22006"]
    assert "TerritoiresMap.shapes" in text and "Tiny Ouest" in legend_of(text)
    bounds = re.search(r"TerritoiresMap\.fit\(\s*\S+,\s*(\[\[.*?\]\])", text, re.S).group(1)
    (south, west), (north, east) = json.loads(bounds)
    assert (south, west, north, east) == pytest.approx((48.0, -3.5, 48.2, -3.3))
    assert "TerritoiresMap.shapes" not in render(
        build_map(initiatives, tiny_reference, Scope(), MapOptions(), asset_base="a")
    )


def test_level_auto_draws_departements_over_a_grouping_of_regions(tiny_reference, initiatives):
    """« France métropolitaine » (a grouping of régions) is drawn by département, as France is:
    not 31,000 communes; a territory made of EPCI keeps its communes."""
    grouping = NamedTerritory(
        id="tiny-tout", label="Tiny tout", description="", status="test", regions=("53",)
    )
    reference = GeoReference.from_frames(
        tiny_reference.communes,
        territories={**tiny_reference.territories, "tiny-tout": grouping},
    )
    wide = Scope("territoire", "tiny-tout")
    assert MapOptions().resolved_level(wide, reference) == "departement"
    assert MapOptions().resolved_level(Scope("territoire", "tiny-ouest"), reference) == "commune"
    assert MapOptions(level="commune").resolved_level(wide, reference) == "commune"
    layer = payload_of(
        render(build_map(initiatives, reference, wide, MapOptions(), asset_base="a")),
        "choropleth",
    )
    assert layer["level"] == "departement"


def test_outline_and_scope_name_are_computed_once_per_scope(tiny_reference):
    scope = Scope("territoire", "tiny-ouest")
    outline = geometry.encoded_outline(tiny_reference, scope)

    assert geometry.encoded_outline(tiny_reference, scope) is outline
    assert outline == geometry.encode_frame(geometry.scope_outline(tiny_reference, scope))
    assert geometry.encoded_outline(tiny_reference, Scope("departement", "56")) != outline
    assert scope_label(tiny_reference, scope) == "Tiny Ouest"
    assert scope_label(tiny_reference, Scope("departement", "56")) != "Tiny Ouest"


def test_rural_overlay_and_points_toggle(tiny_reference, initiatives):
    options = MapOptions(rural_overlay=True, points=False)
    rural = frozenset({"22001", "22002"})
    text = render(
        build_map(initiatives, tiny_reference, Scope(), options, rural_codes=rural, asset_base="a")
    )
    assert "Communes rurales (approximation)" in legend_of(text)  # the source, issue 23
    assert "TerritoiresMap.shapes" in text
    assert "TerritoiresMap.points" not in text


def test_compact_encoding_round_trips(tiny_reference):
    frame = geometry.display_frame(tiny_reference, "commune")
    encoded = geometry.encode_frame(frame)
    ring = encoded["geoms"][0][0][0]
    xs = np.cumsum(ring[0::2]) / encoded["scale"]
    ys = np.cumsum(ring[1::2]) / encoded["scale"]
    minx, miny, maxx, maxy = frame.geometry.iloc[0].bounds
    assert (xs.min(), ys.min(), xs.max(), ys.max()) == pytest.approx((minx, miny, maxx, maxy))
    assert len(ring) == 8  # four corners, closing point dropped


def test_script_json_cannot_close_the_script():
    assert "</script>" not in geometry.script_json({"a": "</script><script>"})


def test_classify_keeps_zero_and_missing_apart():
    values = [0, np.nan, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    result = classify(values, "quantiles", 5)
    assert result.classes[0] == 0 and result.classes[1] == -1
    assert result.count == 5 and result.breaks[-1] == 10
    assert list(result.classes[2:]) == sorted(result.classes[2:])
    jenks = classify([0, 1, 1, 1, 10, 10, 11], "jenks", 2)
    assert jenks.classes == (0, 1, 1, 1, 2, 2, 2)
    assert classify([0, 0], "quantiles", 5).count == 0
    # counts get whole-number classes, never « 9 – 8 »
    counts = classify([5, 6, 7, 8, 8, 8, 9, 12, 12], "quantiles", 4, integer=True)
    assert all(float(b).is_integer() for b in counts.breaks)
    assert list(counts.breaks) == sorted(set(counts.breaks))
    with pytest.raises(ValueError):
        classify([1], "equal", 5)


def test_count_legend_classes_do_not_overlap():
    from territoires.maps.legend import class_entries

    result = classify([0, 5, 6, 7, 8, 8, 8, 9, 12, 12], "quantiles", 4, integer=True)
    labels = [e.label for e in class_entries(result, class_colors(result.count), "initiatives")]
    bounds = [int(part) for label in labels[:-1] for part in label.split(" – ")]
    assert bounds == sorted(bounds) and len(bounds) == len(set(bounds))
    assert labels[-1] == "Aucune initiative (0)"


def test_legend_sections_are_blocks_the_runtime_can_set_side_by_side():
    from territoires.maps.legend import LegendEntry, legend_html

    def entry(label):
        return LegendEntry("rond", "#000", label)

    text = legend_html(
        "Nombre <d'initiatives>",
        [(None, [entry("1 – 2")]), ("Initiatives", [entry("Soin")]), (None, [entry("Contour")])],
        "Sources : <INSEE>",
    )
    ends = r'(?=<div class="(?:bloc|source)")'
    blocks = re.findall(r'<div class="bloc">(.*?)</div></div>' + ends, text)
    assert len(blocks) == 2, text
    assert blocks[0].startswith('<div class="titre">Nombre &lt;d&#x27;initiatives&gt;</div>')
    # a section without a heading joins the block before it (the outline under the themes)
    assert "Initiatives" in blocks[1] and "Contour" in blocks[1] and "Contour" not in blocks[0]
    assert text.endswith('<div class="source">Sources : &lt;INSEE&gt;</div>')
    # nothing but a title (the page's map gets its content later): no empty block
    assert legend_html("Titre", [(None, [])], "") == '<div class="titre">Titre</div>'


def test_palette_is_distinct_from_zero():
    colors = class_colors(5)
    assert len(set(colors)) == 5 and ZERO_COLOR not in colors


def test_map_options_round_trip():
    options = MapOptions(
        level="epci",
        metric="euros_par_hab",
        method="jenks",
        classes=4,
        basemap="clair",
        points=False,
        rural_overlay=True,
    )
    params = map_options_to_params(options)
    assert map_options_from_params(params) == options
    assert map_options_to_params(MapOptions()) == {}
    assert map_options_from_params({"niveau": "planete", "classes": "99"}) == MapOptions()


def test_unreadable_map_params_are_reported_in_french():
    options, problems = parse_map_params(
        {"niveau": "planete", "classes": "99", "points": "oui", "fond": "osm", "seuils": ["x"]}
    )
    assert options == MapOptions(basemap="osm")  # the rest of the link is kept
    assert problems == [
        f"Valeur non reconnue pour « {key} » : « {value} ». Ce réglage de la carte est ignoré."
        for key, value in (
            ("niveau", "planete"),
            ("seuils", "x"),
            ("classes", "99"),
            ("points", "oui"),
        )
    ]
    assert parse_map_params(map_options_to_params(MapOptions(level="epci"))) == (
        MapOptions(level="epci"),
        [],
    )


def test_the_exported_table_has_french_names_and_rounded_amounts(tiny_reference):
    shared = initiatives_frame(
        [{"titre": "A", "commune_code": "22006", "montant": 1000.0, "themes": ["prendre-soin"]}]
    )
    data = choropleth_data(
        shared, tiny_reference, Scope("departement", "22"), MapOptions(level="commune")
    )
    table = aggregated_table(data).set_index("code")
    assert list(table.columns) == [
        "nom",
        "population",
        "initiatives",
        "montant (€)",
        "initiatives pour 10 000 hab.",
        "euros par habitant",
        "nombre de thèmes",
    ]
    row = table.loc["22006"]  # 600 inhabitants
    assert (row["initiatives"], row["montant (€)"], row["nombre de thèmes"]) == (1, 1000.0, 1)
    assert row["euros par habitant"] == 1.67  # 1.6666…
    assert row["initiatives pour 10 000 hab."] == 16.667  # 16.666…
    assert data.table.set_index("code").loc["22006", "euros_par_hab"] != 1.67  # the map's own


def test_static_png_writes_the_filters_under_its_title(tiny_reference, initiatives):
    import io

    from PIL import Image

    data = choropleth_data(initiatives, tiny_reference, Scope("departement", "22"), MapOptions())

    def band(subtitle: str):
        png = static_png(
            tiny_reference,
            Scope("departement", "22"),
            data,
            title="Titre",
            subtitle=subtitle,
            source="Source : test",
        )
        image = Image.open(io.BytesIO(png)).convert("L")
        # the subtitle's band: under the title, above the map (8.8 % to 11.2 % from the top)
        return image.crop((0, int(1080 * 0.088), 1200, int(1080 * 0.112)))

    empty, written = band(""), band("Initiatives retenues : thème Prendre soin")
    assert empty.getextrema() == (255, 255)  # nothing there without filters
    assert written.getextrema()[0] < 128  # dark text with them


def test_static_png_and_export_guard(tiny_reference, initiatives):
    data = choropleth_data(initiatives, tiny_reference, Scope("departement", "22"), MapOptions())
    png = static_png(
        tiny_reference, Scope("departement", "22"), data, title="Titre", source="Source : test"
    )
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    # a 16:9 slide, full HD
    assert int.from_bytes(png[16:20], "big") == 1920 and int.from_bytes(png[20:24], "big") == 1080
    fmap = build_map(initiatives, tiny_reference, Scope(), MapOptions(), asset_base="https://x")
    with pytest.raises(ExportError):
        standalone_html(fmap, "Carte")


def test_overseas_departements_get_insets_only_beside_the_mainland():
    import geopandas as gpd
    from shapely.geometry import box

    from territoires.maps.export import _insets

    def layer(*centres):
        shapes = [box(x - 0.05, y - 0.05, x + 0.05, y + 0.05) for x, y in centres]
        return gpd.GeoDataFrame(geometry=shapes, crs="EPSG:4326")

    brest, reunion, cayenne = (-4.49, 48.39), (55.45, -21.1), (-52.33, 4.92)
    assert _insets(layer(brest, reunion, cayenne)) == ["", "La Réunion", "Guyane"]
    # an overseas scope alone is the main map
    assert _insets(layer(reunion)) == [""]


def test_presentation_draws_points_and_groups_larger(tiny_reference, initiatives):
    from territoires.maps.build import build_live_map

    def points(large):
        fmap, group = build_live_map(
            initiatives, tiny_reference, Scope(), MapOptions(), asset_base="a", large_legend=large
        )
        group.add_to(fmap)
        return payload_of(render(fmap), "points")

    normal, large = points(False), points(True)
    assert (normal["radius"], normal["scale"]) == (7, 1)
    assert large["radius"] > normal["radius"] and large["scale"] > 1
    assert points_of(large) == points_of(normal)


def test_live_map_base_does_not_change_with_filters(tiny_reference, initiatives):
    from streamlit_folium import _get_map_string

    from territoires.maps.build import build_live_map

    def parts(frame):
        options = MapOptions(level="epci")
        fmap, group = build_live_map(frame, tiny_reference, Scope(), options, asset_base="a")
        fmap.get_root().render()
        base = _get_map_string(fmap)
        group.add_to(fmap)  # what st_folium(feature_group_to_add=...) does
        return base, render(fmap)

    everything, text_all = parts(initiatives)
    fewer, text_fewer = parts(initiatives.iloc[:1])
    # same base script: streamlit-folium keeps the map, only the feature group is swapped
    assert re.sub(r"_[0-9a-f]{32}", "", everything) == re.sub(r"_[0-9a-f]{32}", "", fewer)
    assert "TerritoiresMap.restyle" not in everything
    values = payload_of(text_all, "restyle")
    assert values["codes"] == ["200000001", "200000002", "200000003"]
    assert "Nombre d&#x27;initiatives" in values["legend"]
    assert EVIL not in text_all and "TerritoiresMap.points" in text_all
    assert payload_of(text_fewer, "restyle")["classes"] != values["classes"]


def test_geometry_file_is_named_by_content_and_written_once(tiny_reference, tmp_path):
    scope = Scope()
    name = geometry.geometry_file(tiny_reference, "commune", scope, tmp_path)
    path = tmp_path / name
    assert re.fullmatch(r"commune-[0-9a-f]{20}\.json", name)
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written == geometry.encoded_layer(tiny_reference, "commune", scope)
    stamp = path.stat().st_mtime_ns
    assert geometry.geometry_file(tiny_reference, "commune", scope, tmp_path) == name
    assert path.stat().st_mtime_ns == stamp  # not rewritten
    path.unlink()  # e.g. a cache rebuilt while the app runs: written again
    assert geometry.geometry_file(tiny_reference, "commune", scope, tmp_path) == name
    assert path.is_file()
    assert not list(tmp_path.glob(".*.tmp"))
    other = geometry.geometry_file(tiny_reference, "epci", scope, tmp_path)
    assert other != name and other.startswith("epci-")


def test_live_map_with_geometry_files_sends_no_coordinates(tiny_reference, initiatives, tmp_path):
    from territoires.maps.build import build_live_map

    options = MapOptions(level="commune")
    fmap, group = build_live_map(
        initiatives,
        tiny_reference,
        Scope(),
        options,
        asset_base="a",
        web_dir=tmp_path,
        web_base="../geo",
    )
    group.add_to(fmap)
    text = render(fmap)
    payload = payload_of(text, "choropleth")
    assert "geoms" not in payload and payload["level"] == "commune"
    (name,) = [p.name for p in tmp_path.glob("commune-*.json")]
    assert payload["url"] == f"../geo/{name}"
    # Leaflet and the runtime come as one script and one stylesheet
    urls = ASSET_URL.findall(text)
    assert sorted(u.rsplit(".", 1)[1] for u in urls) == ["css", "js"]
    assert all(re.fullmatch(r"\.\./geo/carte-[0-9a-f]{20}\.(js|css)", u) for u in urls)
    codes = json.loads((tmp_path / name).read_text(encoding="utf-8"))["codes"]
    assert set(payload_of(text, "restyle")["codes"]) <= set(codes)


def test_bundle_keeps_every_library_in_order_and_inlines_images(tmp_path):
    from territoires.maps.assets import ASSETS_DIR, bundle_assets, needed_assets

    assets = needed_assets()
    js, css = bundle_assets(assets, tmp_path)
    script = (tmp_path / js.path).read_text(encoding="utf-8")
    leaflet = (ASSETS_DIR / "leaflet/leaflet.js").read_text(encoding="utf-8")
    runtime = (ASSETS_DIR / "territoires/territoires-map.js").read_text(encoding="utf-8")
    assert script.startswith(leaflet) and script.endswith(runtime)
    style = (tmp_path / css.path).read_text(encoding="utf-8")
    assert ".leaflet-container" in style and ".territoires-legend" in style
    assert ".territoires-groupe" in style
    assert not re.findall(r"url\((?!data:|#)", style.replace("'", "").replace('"', ""))
    assert bundle_assets(assets, tmp_path) == (js, css)  # same content, same names
    (tmp_path / js.path).unlink()
    assert bundle_assets(assets, tmp_path) == (js, css) and (tmp_path / js.path).is_file()


def test_static_png_draws_a_search_with_two_dollars_as_typed(tiny_reference, initiatives):
    """A search from a shared link (``?q=%24%5Cundefinedmacro%7B%24``) reaches the slide's
    subtitle: drawn as typed, where matplotlib's formula parser raised a ValueError."""
    data = choropleth_data(initiatives, tiny_reference, Scope("departement", "22"), MapOptions())
    png = static_png(
        tiny_reference,
        Scope("departement", "22"),
        data,
        title="Montant — $x$",
        subtitle="Initiatives retenues : recherche « $\\undefinedmacro{$ »",
        source="Source : $ test $",
    )
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_packed_integers_take_the_fewest_bytes_and_read_back():
    from territoires.maps.layers import packed

    for values, width in (([0, 255], 1), ([0, 256, 65_535], 2), ([0, 65_536], 4)):
        column = packed(np.array(values))
        assert column["bytes"] == width and unpacked(column) == values
    coordinates = np.round(np.array([-3.35001, 48.05, -61.5]) * 1e5)  # negative too
    assert unpacked(packed(coordinates, 4)) == [-335001, 4805000, -6150000]
    assert unpacked(packed(np.array([], dtype=np.int32))) == []
