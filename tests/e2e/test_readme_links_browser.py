"""End to end, in a real headless Chromium: every link the README writes opens its own page,
without Streamlit's « Page introuvable » dialog (the map lives at the root, not at /carte)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from e2e_harness import ARTIFACTS
from readme_links import page_of, readme_links

from territoires.ui.navigation import PAGE_SPECS

pytestmark = pytest.mark.browser


def test_every_readme_link_opens_its_page(browser, app_url):
    links = readme_links()
    assert len(links) >= 5, links
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    for path, params in links:
        url = f"{app_url}/{path}" + (f"?{urlencode(params)}" if params else "")
        page.goto(url, wait_until="domcontentloaded")
        title = page.locator("h1").first
        title.wait_for(timeout=120_000)
        # an unknown path opens the first page, under the dialog
        expected = (page_of(path) or PAGE_SPECS[0]).title
        page.wait_for_function(
            "(text) => [...document.querySelectorAll('h1')].some((h) => "
            "h.textContent.trim().startsWith(text))",
            arg=expected,
            timeout=60_000,
        )
        page.wait_for_timeout(500)  # the dialog comes with the page's first run
        dialogs = page.get_by_role("dialog")
        if dialogs.count():
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "lien-readme-introuvable.png"))
        assert dialogs.count() == 0, (url, dialogs.first.inner_text())
    page.close()
