"""Pure helpers of the map page (steps of the presentation, key figures, options defaults)."""

from __future__ import annotations

from territoires.geo.reference import Scope
from territoires.ui import map_view as mv


def test_steps_round_trip_and_skip_unreadable_items():
    steps = [Scope("territoire", "centre-bretagne"), Scope("departement", "22"), Scope()]
    text = mv.format_steps(steps)
    assert text == "territoire:centre-bretagne,departement:22,france"
    assert mv.parse_steps(text) == steps
    assert mv.parse_steps("planete:1,region:,region:53") == [Scope("region", "53")]
    assert mv.parse_steps(None) == []


def test_steps_leave_out_territories_the_reference_does_not_know(tiny_reference):
    text = "region:99,departement:22,territoire:supprime,epci:200000003,commune:00000"
    assert mv.parse_steps(text, tiny_reference) == [
        Scope("departement", "22"),
        Scope("epci", "200000003"),
    ]
    assert len(mv.parse_steps(text)) == 4  # without a reference: read only
    # a commune is no scope of the filters (its fiche shows it): not a step either
    assert mv.parse_steps("commune:22001,departement:22") == [Scope("departement", "22")]


def test_step_neighbours_wrap_around():
    a, b, c = Scope("region", "53"), Scope("region", "52"), Scope("region", "28")
    assert mv.step_neighbours([a, b, c], b) == (a, c)
    assert mv.step_neighbours([a, b, c], c) == (b, a)
    assert mv.step_neighbours([a, b, c], Scope()) == (c, a)  # outside the list: start over
    assert mv.step_neighbours([], a) == (None, None)


def test_default_steps_are_the_named_territories(tiny_reference):
    assert mv.default_steps(tiny_reference) == [Scope("territoire", "tiny-ouest")]
    assert mv.steps_params(mv.default_steps(tiny_reference), tiny_reference) == {}
    other = [Scope("departement", "22")]
    assert mv.steps_params(other, tiny_reference) == {"etapes": "departement:22"}


def test_default_steps_leave_out_groupings_of_whole_regions(tiny_reference):
    from territoires.geo.reference import NamedTerritory

    tiny_reference.territories["toute-la-region"] = NamedTerritory(
        id="toute-la-region", label="A toute la région", description="", status="", regions=("53",)
    )
    assert mv.default_steps(tiny_reference) == [Scope("territoire", "tiny-ouest")]
    tiny_reference.territories.pop("tiny-ouest")
    assert mv.default_steps(tiny_reference) == [Scope("region", "53")]  # then the régions


def test_figures_are_french_and_show_the_population_vintage():
    figures = mv.figures_list(
        {
            "initiatives": 1234,
            "montant": 2_500_000.0,
            "communes_touchees": 12,
            "population_touchee": 45678,
            "part_population_rurale_touchee": 0.256,
            "population_rurale": 10000,
        },
        "2023",
    )
    values = {f.label: f.value for f in figures}
    assert values["Initiatives"] == "1\u202f234"
    assert values["Montant"] == "2,5\u00a0M€"
    assert values["Habitants 2023"] == "45\u202f678"
    assert values["Ruraux touchés (approximation)"] == "26\u00a0%"
    official = mv.figures_list(
        {"initiatives": 1, "montant": 0.0, "communes_touchees": 1, "population_touchee": 1},
        "2023",
        "grille INSEE 2024",
        "grille communale de densité INSEE 2024",
    )
    assert official[-1].label == "Ruraux touchés (grille INSEE 2024)"
    assert "Ruralité : grille communale de densité INSEE 2024." in official[-1].help
    unknown = mv.figures_list(
        {
            "initiatives": 0,
            "montant": 0.0,
            "communes_touchees": 0,
            "population_touchee": 0,
            "part_population_rurale_touchee": None,
        },
        "2023",
    )
    assert unknown[-1].value == "–"


def test_key_figures_html_escapes_and_orders_label_and_value():
    figures = [
        mv.Figure("Initiatives", "12", 'Aide « <script>x</script> » & "guillemets"'),
        mv.Figure("Montant <b>", "3\u00a0k€", "Montant total."),
    ]
    row = mv.key_figures_html(figures)
    assert "<script>" not in row and "<b>" not in row
    assert 'title="Aide « &lt;script&gt;x&lt;/script&gt; » &amp; &quot;guillemets&quot;"' in row
    assert row.count('role="listitem"') == 2
    # above the map: label then value; on a projector: the large value first
    assert row.index("te-kf-l") < row.index("te-kf-v")
    large = mv.key_figures_html(figures, large=True)
    assert "te-kfs-grand" in large and large.index("te-kf-v") < large.index("te-kf-l")


def test_presentation_defaults_to_no_basemap():
    assert mv.default_map_options(True, "osm").basemap == "aucun"
    assert mv.default_map_options(False, "osm").basemap == "osm"
    assert mv.default_map_options(False, "inconnu").basemap == "aucun"


def test_bars_html_scales_to_the_largest_count_and_escapes_labels():
    import pandas as pd

    frame = pd.DataFrame({"financeur": ["A <b>", "B"], "initiatives": [4, 2]})
    text = mv.bars_html(frame, "financeur")
    assert "A &lt;b&gt;" in text and "<b>" not in text
    assert "width:100.0%" in text and "width:50.0%" in text
    assert 'title="B : 2 initiatives"' in text
    years = pd.DataFrame({"annee": ["2023", "2024"], "initiatives": [1, 3]})
    columns = mv.bars_html(years, "annee", vertical=True)
    assert f"height:{mv.COLUMN_PX}px" in columns and f"height:{mv.COLUMN_PX // 3}px" in columns
    assert 'title="2023 : 1 initiative"' in columns
