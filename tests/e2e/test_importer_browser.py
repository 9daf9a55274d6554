"""End to end, in a real headless Chromium: the « Importer » page's file uploader reads French,
and a simulated import gives back its rejected rows, with their reason, to download."""

from __future__ import annotations

import pytest
from e2e_harness import ARTIFACTS, wait_for_text_instead

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
DROP_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'
CHIP_NAME = '[data-testid="stFileChip"] [data-testid="stFileChipName"]'
CHIP_SIZE = f"{CHIP_NAME} + *"


def test_file_uploader_shows_french_texts(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{app_url}/importer", wait_until="domcontentloaded")
    page.locator(HINT).wait_for(timeout=120_000)
    wait_for_text_instead(page.locator(HINT).first)

    assert page.evaluate(SHOWN_JS, BUTTON) == [texts.UPLOAD_BUTTON]
    import streamlit as st

    # the project's limit (.streamlit/config.toml), which the server started with
    limit = texts.UPLOAD_LIMIT.format(size=int(st.get_option("server.maxUploadSize")))
    assert limit.startswith("25\u00a0Mo")
    assert page.evaluate(SHOWN_JS, HINT) == [f"{limit} • CSV, TXT, XLSX, XLSM"]

    # A chosen file: its size reads in French units (Streamlit writes « 40.0B »).
    content = "titre;commune\nAtelier partagé;Rostrenen\n".encode()
    page.locator(DROP_INPUT).set_input_files(
        files=[{"name": "initiatives.csv", "mimeType": "text/csv", "buffer": content}]
    )
    page.locator(CHIP_NAME).wait_for(timeout=60_000)
    wait_for_text_instead(page.locator(CHIP_SIZE).first, timeout_ms=60_000)
    assert page.evaluate(SHOWN_JS, CHIP_SIZE) == [f"{len(content)}\u00a0o"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator('[data-testid="stFileUploader"]').screenshot(
        path=str(ARTIFACTS / "e2e-importer-televersement.png")
    )
    context.close()


def test_simulated_import_returns_rejected_rows_with_their_reason(browser, app_url):
    """A simulation (nothing written: the app is shared with the other browser tests) lists
    the rejected rows, and their download is named after the imported file."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{app_url}/importer", wait_until="domcontentloaded")
    page.locator(DROP_INPUT).wait_for(state="attached", timeout=120_000)
    content = "titre;commune\nAtelier partagé;Rostrenen\n;Rostrenen\n".encode()
    page.locator(DROP_INPUT).set_input_files(
        files=[{"name": "Comité été.csv", "mimeType": "text/csv", "buffer": content}]
    )
    page.get_by_text("Simuler l'import").click()
    page.get_by_text("Lignes rejetées").wait_for(timeout=60_000)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_text("Rejets (CSV)").click()
    name = download.value.suggested_filename
    assert name.startswith("rejets_comite-ete_") and name.endswith(".csv"), name
    rejected = download.value.path().read_text(encoding="utf-8-sig")
    assert "Titre manquant" in rejected
    context.close()


def test_correspondences_are_confirmed_then_the_simulation_runs_again(browser, app_url):
    """Values written as people write them: each gets a proposal, applied only once confirmed;
    the simulation then runs again with the confirmed choices (nothing written)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{app_url}/importer", wait_until="domcontentloaded")
    page.locator(DROP_INPUT).wait_for(state="attached", timeout=120_000)
    content = (
        "N° dossier;Titre;Porteur;Commune;CP;Financeurs\n"
        "D1;Café;Les Amis;Carhaix;29270;Fondation Nina Carasso\n"
    ).encode()
    page.locator(DROP_INPUT).set_input_files(
        files=[{"name": "comite.csv", "mimeType": "text/csv", "buffer": content}]
    )
    page.get_by_text("Simuler l'import").click()
    page.get_by_text("Correspondances", exact=True).wait_for(timeout=60_000)
    form = page.locator('[data-testid="stForm"]')
    form.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-importer-correspondances.png"))
    assert page.get_by_text("1 rejetée", exact=False).count() >= 1
    # Each value with its proposal, chosen by default but not applied yet.
    commune = form.get_by_role("combobox", name="Correspondance de « Carhaix (29270) »")
    funder = form.get_by_role("combobox", name="Correspondance de « Fondation Nina Carasso »")
    assert commune.input_value() == "Carhaix-Plouguer — 29024 (Finistère)"
    assert funder.input_value() == "Fondation Daniel et Nina Carasso"
    assert form.get_by_text("proche de « Fondation Carasso » (87 %)").count() == 1
    page.get_by_text("Confirmer ces correspondances et simuler à nouveau").click()
    page.get_by_text("1 nouvelle, 0 modifiée, 0 inchangée, 0 rejetée", exact=False).wait_for(
        timeout=60_000
    )
    assert page.get_by_text("Correspondances confirmées pour cet import", exact=False).count()
    context.close()
