"""End to end, in a real headless Chromium: Streamlit's own input hints read in French.

Streamlit writes « Press Enter to apply » under a text being typed, and « Select all » and
« No results » in its lists searched by name, with no option to change them. The pages' stylesheet
(``ui.chrome.PAGE_CSS``) hides them and draws the French text instead; these checks read what
the browser draws, so they fail if a Streamlit upgrade changes the markup they rely on.
"""

from __future__ import annotations

import pytest
from e2e_harness import ARTIFACTS, wait_for_text_instead

from territoires import texts

pytestmark = pytest.mark.browser

DRAWN = """(element) => {
  const own = getComputedStyle(element);
  const after = getComputedStyle(element, '::after');
  return {text: element.textContent, size: own.fontSize, after: after.content,
          afterSize: after.fontSize};
}"""


def _drawn(locator) -> dict:
    return locator.evaluate(DRAWN)


def test_streamlit_hints_read_in_french(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{app_url}/initiatives", wait_until="domcontentloaded")
    search = page.get_by_placeholder("Titre, porteur, description…")
    search.wait_for(timeout=120_000)

    search.click()
    search.type("atel")
    hint = page.locator('[data-testid="InputInstructions"] > span')
    wait_for_text_instead(hint)
    drawn = _drawn(hint)
    assert drawn["text"] == "Press Enter to apply"  # Streamlit's own, hidden
    assert drawn["size"] == "0px"
    assert drawn["after"] == f'"{texts.INPUT_HINT}"'
    assert drawn["afterSize"] == "12px"
    search.press("Escape")

    themes = page.locator('[data-testid="stMultiSelect"]').first
    themes.click()
    rows = page.locator('[role="listbox"] [role="option"] > [data-item-hl]')
    wait_for_text_instead(rows.first)  # « Select all », the first row
    first, *others = [_drawn(row) for row in rows.all()]
    assert first["text"] == "Select all"  # Streamlit's own, hidden
    assert (first["size"], first["after"]) == ("0px", f'"{texts.SELECT_ALL}"')
    assert first["afterSize"] == "14px"
    # the themes themselves are left as they are
    assert others and all(o["size"] == "14px" and o["after"] == "none" for o in others), others

    page.keyboard.type("zzzz")
    page.get_by_text("No results").wait_for(state="attached", timeout=30_000)
    no_match = page.locator('[role="listbox"] > [role="option"] > span').first
    wait_for_text_instead(no_match)
    drawn = _drawn(no_match)
    assert drawn["text"] == "No results"
    assert drawn["size"] == "0px"
    assert drawn["after"] == f'"{texts.NO_OPTION_MATCH}"'
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "hints-francais.png"))
    context.close()
