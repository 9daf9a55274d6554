"""Every link the README writes opens its page, and the page understands all its values."""

from __future__ import annotations

import pytest
from apptest_tools import run_app, show_filters
from readme_links import page_of, readme_links


def test_the_readme_writes_links_to_pages_that_exist():
    """The map is the app's root page: Streamlit serves no « /carte » (« Page introuvable »)."""
    links = readme_links()
    assert len(links) >= 5, links
    assert [path for path, _ in links if page_of(path) is None] == []
    assert any(path == "" and params for path, params in links)


@pytest.mark.realdata
@pytest.mark.parametrize(("path", "params"), readme_links())
def test_each_readme_link_opens_without_a_warning(app_env, path, params):
    at = show_filters(run_app(page_of(path).script, **params))
    warnings = [w.value for w in [*at.warning, *at.sidebar.warning]]
    assert [w for w in warnings if w.startswith("Lien")] == [], warnings
    assert at.title[0].value.startswith(page_of(path).title)
