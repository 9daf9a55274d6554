"""Property-based tests (Hypothesis) of the paths user text takes to the exported files.

Any text a user can type (an initiative's title, a funder, a search of a shared link, a named
territory's label) reaches matplotlib (slide PNG, sheet charts), python-pptx, fpdf2 and the
offline HTML map. Whatever it is, each export is made, and the text is written as typed, but
for the characters a format cannot hold (control characters in XML), which are left out.
Examples and deadlines are bounded: the whole module runs in a few seconds.
"""

from __future__ import annotations

import html
import io
import re

import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pptx import Presentation

from territoires.analysis.synthetic import initiatives_frame
from territoires.geo.reference import Scope
from territoires.maps.build import MapOptions, build_map
from territoires.maps.export import standalone_html
from territoires.reports.charts import bar_chart_png
from territoires.reports.content import SheetContent
from territoires.reports.pdf import render_pdf
from territoires.reports.slides import render_pptx
from territoires.textsafety import printable

# Glyphs missing from the fonts (a Chinese character, an emoji) are drawn as boxes: a warning.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

FAST = settings(
    max_examples=12,
    deadline=3000,  # ms per example: a chart, a PDF or a deck takes 0.1 to 0.5 s
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run and in CI
    database=None,  # nothing written beside the tests
)
# Any text, with the characters that break formats most often drawn more often.
HOSTILE = st.sampled_from(
    [
        "$",
        "$$",
        "\\",
        "{",
        "}",
        "^",
        "_",
        "<",
        ">",
        "&",
        '"',
        "'",
        "\n",
        "\t",
        "\r",
        "\x00",
        "\x0b",
        "\x1b",
        "\ufffe",
        "\u202e",
        "€",
        "œ",
        "中",
        "🙂",
        "[x](https://evil.example)",
        "<script>alert(1)</script>",
        "<img src=https://evil.example/p.png>",
    ]
)
TEXT = st.lists(st.one_of(st.text(max_size=12), HOSTILE), max_size=8).map("".join)


CHART = bar_chart_png(["a"], [1.0], title="x", dpi=20)


def _content(text: str) -> SheetContent:
    """A sheet whose every text field is ``text`` (with a label before it)."""
    png = CHART
    return SheetContent(
        title=f"Titre {text}",
        subtitle=f"Sous-titre {text}",
        date_text="5 mars 2026",
        figures_header=("Indicateur", text, "Référence"),
        figures=((f"Ligne {text}", text, "1"),),
        map_png=None,
        map_caption=f"Carte {text}",
        charts=((f"Graphique {text}", png),),
        ranking_title=f"Classement {text}",
        ranking_header=("Rang", "Nom", "Score", "Raisons"),
        ranking=(("1", text, "50", text),),
        sources=(f"Source {text}",),
        notice=f"Avis {text}",
        retained=f"Initiatives retenues : recherche « {text} »",
    )


def _words(text: str) -> list[str]:
    """The runs of letters and digits of a text (what a PDF's extracted text keeps in order)."""
    return re.findall(r"[A-Za-z0-9éèàçœ]+", printable(text))


@FAST
@given(labels=st.lists(TEXT, min_size=1, max_size=4), title=TEXT)
def test_any_text_is_drawn_by_matplotlib(labels, title):
    png = bar_chart_png(labels, [float(i) for i in range(len(labels))], title=title, dpi=20)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


@FAST
@given(text=TEXT)
def test_any_text_reaches_the_deck_as_typed(text):
    deck = Presentation(io.BytesIO(render_pptx(_content(text))))
    assert deck.slides[0].shapes.title.text == f"Titre {printable(text)}"


@FAST
@given(text=TEXT)
def test_any_text_reaches_the_pdf(text):
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(_content(text))))
    first = " ".join(reader.pages[0].extract_text().split())
    for word in _words(text)[:3]:
        assert word in first


HTML_EXAMPLES = settings(
    FAST, suppress_health_check=[*FAST.suppress_health_check, HealthCheck.function_scoped_fixture]
)


@HTML_EXAMPLES
@given(text=TEXT)
def test_any_text_is_escaped_in_the_offline_html_map(tiny_reference, text):
    """An initiative's title and carrier, the filters' line and the page title."""
    fmap = build_map(
        initiatives_frame([{"titre": text, "porteur": text, "commune_code": "22001"}]),
        tiny_reference,
        Scope(),
        MapOptions(),
        asset_base=None,
        source=f"Initiatives retenues : recherche « {text} »",
    )
    page = standalone_html(fmap, f"Carte — {text}").decode("utf-8")
    assert not re.search(r"<(?:a|img|script|style)\b[^>]*evil\.example", page)
    assert "<script>alert" not in page
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert html.unescape(title) == f"Carte — {text}"
