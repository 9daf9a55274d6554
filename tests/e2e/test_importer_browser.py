"""End to end, in a real headless Chromium: the « Importer » page's file uploader reads French."""

from __future__ import annotations

import pytest
from e2e_harness import ARTIFACTS

from territoires import texts

pytestmark = pytest.mark.browser

# What a reader sees of an element: its own text unless drawn at size zero, then its ::after.
SHOWN_JS = """
(selector) => [...document.querySelectorAll(selector)].map((element) => {
  const own = getComputedStyle(element).fontSize === "0px" ? "" : element.textContent;
  const after = getComputedStyle(element, "::after").content;
  return own + (after && after !== "none" ? JSON.parse(after) : "");
})
"""
BUTTON = '[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] p'
HINT = '[data-testid="stFileUploaderDropzoneInstructions"] span'


def test_file_uploader_shows_french_texts(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{app_url}/importer", wait_until="domcontentloaded")
    page.locator(HINT).wait_for(timeout=120_000)
    page.wait_for_function(
        f"() => getComputedStyle(document.querySelector('{HINT}')).fontSize === '0px'",
        timeout=30_000,
    )

    assert page.evaluate(SHOWN_JS, BUTTON) == [texts.UPLOAD_BUTTON]
    limit = texts.UPLOAD_LIMIT.format(size=200)
    assert page.evaluate(SHOWN_JS, HINT) == [f"{limit} • CSV, TXT, XLSX, XLSM"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator('[data-testid="stFileUploader"]').screenshot(
        path=str(ARTIFACTS / "e2e-importer-televersement.png")
    )
    context.close()
