"""Every page opened with hostile or careless links: random, huge, unicode, Markdown and HTML
values in every query parameter the app reads.

For each page of the navigation (``PAGE_SPECS``: a new page is covered without a change
here) and a few seeds, every parameter gets a value drawn from the pools below. The page must
raise nothing, show no link or image leading outside the app, and write only French: the
values drawn use no English word, so an English word on the page is the app's own.
The seeds are fixed, so that a failure can be replayed; ``TERRITOIRES_FUZZ_SEEDS=20`` draws more.
"""

from __future__ import annotations

import os
import random
import re

import pytest
from apptest_tools import assert_no_exception, run_app, show_filters
from shown import outside_links, shown_texts

from territoires.filters import PARAM_NAMES
from territoires.maps.build import MAP_PARAM_NAMES
from territoires.ui.map_view import PRESENTATION_PARAM, STEPS_PARAM
from territoires.ui.navigation import PAGE_SPECS

pytestmark = pytest.mark.realdata

# Every parameter a page reads: the filters, the map's settings, the steps of the presentation
# mode, and the territory of « Fiche territoire ».
PARAMS = (
    *PARAM_NAMES.values(),
    *MAP_PARAM_NAMES.values(),
    STEPS_PARAM,
    PRESENTATION_PARAM,
    "code",
)
HOSTS = ("evil.example", "pixel.example")
MARKUP = (
    "[Session expirée : reconnectez-vous ici](https://evil.example/login)",
    "![x](http://pixel.example/p.png)",
    "<img src=https://pixel.example/p.png onerror=alert(1)>",
    '<a href="//evil.example">ici</a>',
    "<https://evil.example>",
    "www.evil.example",
    "<script>alert(1)</script>",
    ":red[rouge] :material/home: **gras** _penché_ `code` # titre",
    "$\\undefinedmacro{$",
    "\\",
    "</div></table><style>*{display:none}</style>",
    '=HYPERLINK("http://evil.example")',
)
SCALARS = (
    "",
    "1",
    "0",
    "-1",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "99999999999999999999",
    "2024",
    "0x10",
    "1_000",
    "france",
    "epci:",
    "territoire:centre-bretagne",
    "region:53",
    "commune:29019",
    "departement:22,region:99,france,epci:,:",
    "prendre-soin,%2C,,",
    "quantiles",
    "auto",
    "commune",
    "region",
)
UNICODE = "éèàçœÉ’«»—–… 中文字 ١٢٣ 🙂🗺️ \u200b\u200e\u202e\u0301 \t\n\r\x00\x07\x1b\ud7ff\ufeff"
HUGE = 100_000


def _value(rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.2:
        return rng.choice(SCALARS)
    if draw < 0.5:
        return rng.choice(MARKUP)
    if draw < 0.65:
        return "".join(rng.choice(UNICODE) for _ in range(rng.randint(1, 40)))
    if draw < 0.75:  # huge: a pasted page, a repeated value
        return (rng.choice(MARKUP + SCALARS) + " ") * (HUGE // 20)
    return f"{rng.choice(SCALARS)} {rng.choice(MARKUP)}"  # a readable start, then markup


def fuzz_params(seed: int) -> dict[str, str]:
    """A value for every parameter the app reads (``presentation`` is on one time in four)."""
    rng = random.Random(seed)
    params = {key: _value(rng) for key in PARAMS}
    params[PRESENTATION_PARAM] = "1" if rng.random() < 0.25 else params[PRESENTATION_PARAM]
    return params


# Words of English that French interface texts never use. The values drawn above use none of
# them, so that one found on a page was written by the app (or by Streamlit).
ENGLISH = frozenset(
    [
        "the",
        "and",
        "with",
        "must",
        "should",
        "cannot",
        "could",
        "invalid",
        "error",
        "value",
        "values",
        "found",
        "please",
        "select",
        "choose",
        "option",
        "options",
        "allowed",
        "expected",
        "got",
        "missing",
        "unknown",
        "null",
        "true",
        "false",
        "undefined",
        "traceback",
        "exception",
        "warning",
        "failed",
        "loading",
        "this",
        "that",
        "file",
        "files",
    ]
)
_WORD = re.compile(r"[A-Za-zÀ-ÿ]+")


def english_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text) if w.lower() in ENGLISH}


SEEDS = range(int(os.environ.get("TERRITOIRES_FUZZ_SEEDS", "2")))
CASES = [(spec.script, seed) for spec in PAGE_SPECS for seed in SEEDS]


def test_the_values_drawn_carry_no_english_word():
    drawn = " ".join(v for seed in range(50) for v in fuzz_params(seed).values())
    assert not english_words(drawn)
    assert any(len(v) >= HUGE for seed in SEEDS for v in fuzz_params(seed).values())


@pytest.mark.parametrize(("script", "seed"), CASES, ids=[f"{s}-{n}" for s, n in CASES])
def test_a_page_opened_with_a_hostile_link(shared_app_env, script, seed):
    at = show_filters(run_app(script, check=False, **fuzz_params(seed)))
    assert_no_exception(at)
    assert not outside_links(at)
    texts = [text for kind, _, text in shown_texts(at) if kind != "html"]
    english = {w for text in texts for w in english_words(text)}
    assert not english, (english, [t[:200] for t in texts if english_words(t)])
    assert not [
        text for text in texts if any(host in text for host in HOSTS) and len(text) > 20_000
    ], "a huge value is echoed"
