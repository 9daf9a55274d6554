"""End to end, in a real headless Chromium: the tables' own toolbar exports nothing.

Streamlit's « Download as CSV » writes cells as they are, so an imported title such as
``=HYPERLINK(…)`` would run as a formula in a spreadsheet. Exports go through the pages' buttons,
which neutralise formulas (``territoires.exports``); the tables keep their search and full screen.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

TABLE = '[data-testid="stDataFrame"]'
TOOLBAR = '[data-testid="stElementToolbar"]'


def test_initiatives_table_offers_no_raw_csv_download(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{app_url}/initiatives", wait_until="domcontentloaded")
    table = page.locator(TABLE).first
    table.wait_for(timeout=120_000)
    table.hover()
    page.locator(f"{TOOLBAR} button").first.wait_for(timeout=30_000)
    labels = page.locator(f"{TOOLBAR} button").evaluate_all(
        "(buttons) => buttons.map((b) => b.getAttribute('aria-label') || b.textContent)"
    )

    # the toolbar is there, with its search (its label turns French once the page is idle)
    assert {"Search", "Rechercher"} & set(labels), labels
    assert not [label for label in labels if "CSV" in (label or "")], labels
    context.close()
