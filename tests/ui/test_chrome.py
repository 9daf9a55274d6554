"""The shared chrome: the file uploader's texts in French, the detail table."""

from __future__ import annotations

import re

import pandas as pd

from territoires import texts
from territoires.ui.chrome import (
    css_string,
    details_html,
    figures_html,
    uploaded_file_css,
    uploader_css,
)


def _contents(css: str) -> list[str]:
    return re.findall(r'content: ("(?:[^"\\]|\\.)*")', css)


def test_uploader_css_draws_the_french_texts_over_hidden_english_ones():
    css = uploader_css(["csv", "xlsx"], 200)

    assert css.startswith("<style>") and css.endswith("</style>")
    assert _contents(css) == [
        css_string(texts.UPLOAD_BUTTON),
        css_string("200\u00a0Mo maximum par fichier • CSV, XLSX"),
    ]
    hidden = re.findall(r"([^}]*) \{ font-size: 0; \}", css)
    assert len(hidden) == 2
    assert (
        "stBaseButton-secondary" in hidden[0] and "stFileUploaderDropzoneInstructions" in hidden[1]
    )


def test_uploader_css_without_types_gives_the_size_only():
    assert _contents(uploader_css([], 50))[1] == css_string("50\u00a0Mo maximum par fichier")


def test_css_string_cannot_close_the_string_or_the_style_element():
    literal = css_string('a "b" \\ </style><script>\nz')

    assert literal == '"a \\"b\\" \\\\ \\3c /style>\\3c script>\\a z"'
    assert "</" not in literal
    inner = literal[1:-1]
    assert re.fullmatch(r'(?:[^"\\]|\\.)*', inner)  # every quote inside is escaped


def test_uploaded_file_css_hides_the_english_size_and_shows_the_french_one():
    css = uploaded_file_css(40)
    assert _contents(css) == [css_string("40\u00a0o")]
    assert '[data-testid="stFileChipName"] + * { font-size: 0; }' in css


def test_details_html_escapes_and_leaves_out_unknown_fields():
    details = pd.DataFrame(
        {
            "Champ": ["Titre", "Site web", "Description"],
            "Valeur": ["<script>alert(1)</script>", "", "Une & deux"],
        }
    )
    page = details_html(details)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Une &amp; deux" in page
    assert "Site web" not in page  # an empty field is left out
    assert page.count("<tr>") == 2


def test_figures_html_escapes_and_aligns_figures_not_texts():
    table = pd.DataFrame(
        {
            "Indicateur": ["Population (2023)", "Thèmes présents", "Distance médiane"],
            "<i>Ici</i>": [
                "3\u202f449\u202f370",
                "Prendre soin, Cultures et savoirs",
                "25,1\u00a0km",
            ],
            "Référence : France": ["—", "<script>x</script>", "40\u00a0%"],
        }
    )
    page = figures_html(table)
    assert "<i>" not in page and "&lt;i&gt;Ici&lt;/i&gt;" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    # figures right-aligned (the default), texts left-aligned and wrapped
    assert "<th>Population (2023)</th><td>3\u202f449\u202f370</td><td>—</td>" in page
    assert '<td class="texte">Prendre soin, Cultures et savoirs</td>' in page
    assert "<td>25,1\u00a0km</td><td>40\u00a0%</td>" in page
    assert page.count("<tr>") == 4  # the header and three rows, no blank one
