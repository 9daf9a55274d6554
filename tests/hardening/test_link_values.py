"""Values of a shared link are shown as literal text, bounded, and said in French."""

from __future__ import annotations

import pytest
from apptest_tools import run_app, show_filters
from shown import outside_html_links, outside_links, outside_markdown_links, shown_texts

pytestmark = pytest.mark.realdata

PHISHING = "[Session expirée : reconnectez-vous ici](https://evil.example/login)"
PIXEL = "![x](http://host/pixel.png)"


def test_the_checks_find_links_and_images_to_outside():
    assert outside_markdown_links(PHISHING) == ["https://evil.example/login"]
    assert outside_markdown_links(PIXEL) == ["http://host/pixel.png"]
    assert outside_markdown_links("voir www.evil.example et <https://e.example>")
    assert not outside_markdown_links("\\[x\\]\\(https\\://evil\\.example\\)")  # escaped
    assert not outside_markdown_links("[fiche](./fiche?niveau=epci&code=1)")  # in the app
    assert outside_html_links('<img src="http://host/p.png">') == ["http://host/p.png"]
    assert outside_html_links("<div style=\"background: url('//host/p.png')\">")
    assert not outside_html_links("&lt;img src=&quot;http://host/p.png&quot;&gt;")


def _markdown(at) -> str:
    return "\n".join(text for kind, _, text in shown_texts(at) if kind == "markdown")


@pytest.mark.parametrize(
    ("page", "params"),
    [
        (None, {"niveau": PHISHING}),
        ("app_pages/fiche.py", {"niveau": "epci", "code": PHISHING}),
        ("app_pages/fiche.py", {"niveau": PHISHING, "code": "1"}),
        (None, {"perimetre": PIXEL}),
        ("app_pages/initiatives.py", {"perimetre": PIXEL, "themes_mode": PHISHING}),
        ("app_pages/couverture.py", {"financeurs_mode": PIXEL, "annee_min": PHISHING}),
    ],
)
def test_a_value_of_a_link_is_shown_as_typed_never_as_a_link(app_env, page, params):
    """Reported: an outside link inside the app's own warning box, an outside image fetched."""
    at = show_filters(run_app(page, **params))
    assert not outside_links(at)
    warnings = [
        w.value
        for w in [*at.warning, *at.sidebar.warning]
        if "reconnectez" in w.value or "pixel" in w.value
    ]
    assert warnings, _markdown(at)  # the value is still quoted, as text


def test_an_extreme_amount_of_a_link_is_not_echoed(app_env):
    """Reported: ``montant_min=1e308`` echoed as a 300-digit number."""
    at = show_filters(run_app(montant_min="1e308"))
    assert "000 000 000 000 000 000" not in _markdown(at).replace("\u202f", " ")
    problems = [w.value for w in at.sidebar.warning]
    assert any("hors limites pour « montant\\_min »" in p for p in problems), problems
    assert at.sidebar.number_input(key="flt_amount_min").value is None


def test_a_huge_search_in_a_link_is_left_out_and_said_in_french(app_env):
    """Reported: a 100 KB ``q=`` took more than 60 s to show."""
    at = show_filters(run_app("app_pages/initiatives.py", q="zebre " * 17_000))
    assert max(len(text) for _, _, text in shown_texts(at)) < 20_000
    problems = [w.value for w in at.sidebar.warning]
    assert any("Valeur trop longue pour « q »" in p and "200 au plus" in p for p in problems)
    assert at.sidebar.text_input(key="flt_search").value == ""
    assert "q" not in at.query_params


def test_a_search_typed_past_the_limit_counts_its_first_characters(app_env):
    at = run_app("app_pages/initiatives.py")
    at.sidebar.text_input(key="flt_search").set_value("jardin " * 60).run()
    assert at.session_state["territoires_filters"].search == ("jardin " * 60)[:200].strip()
    assert any("200 caractères au plus" in c.value for c in at.sidebar.caption)
    assert (
        len(
            at.query_params["q"][0]
            if isinstance(at.query_params["q"], list)
            else at.query_params["q"]
        )
        <= 200
    )
