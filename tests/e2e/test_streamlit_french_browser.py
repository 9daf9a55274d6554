"""End to end, in a real headless Chromium: Streamlit's own interface texts read in French.

The tables' column menu, statistics and search, the toolbar's tooltips and the labels read
aloud by screen readers are written in English by Streamlit. The pages' script
(``territoires/assets/territoires/streamlit-fr.js``, sent by ``ui.chrome.PAGE_HTML``) translates
them once the page is idle. These checks read what the browser shows, so they fail if the script
stops running or if a Streamlit upgrade changes the markup it relies on.
"""

from __future__ import annotations

import pytest
from e2e_harness import ARTIFACTS
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

pytestmark = pytest.mark.browser

# Streamlit's English texts that must not show once the page is translated.
ENGLISH = {
    "Sort ascending",
    "Statistics",
    "Hide column",
    "Values",
    "Show/hide columns",
    "Search",
    "Fullscreen",
    "Collapse sidebar",
    "Type to search",
}
SHOWN_TEXTS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.nodeValue.trim();
    if (text && n.parentElement.offsetParent !== null) { out.push(text); }
  }
  return out;
}"""
LABELS = """() => [...document.querySelectorAll('[aria-label]')]
  .map((e) => e.getAttribute('aria-label'))"""


def _wait_for_translation(page) -> None:
    """Wait until the translation has started (it waits for an idle page)."""
    page.wait_for_function(
        "() => document.querySelector('[aria-label=\"Replier la barre latérale\"]')",
        timeout=30_000,
    )


def _wait_for_tooltip(page, testid: str, text: str) -> None:
    """Wait until the tooltip ``testid`` shows, then until it reads ``text``."""
    page.locator(f'[data-testid="{testid}"]').wait_for(timeout=30_000)
    page.wait_for_function(
        '([testid, text]) => document.querySelector(`[data-testid="${testid}"]`)'
        ".textContent.trim() === text",
        arg=[testid, text],
        timeout=30_000,
    )


def _wait_for_text(page, text: str) -> None:
    page.get_by_text(text).first.wait_for(timeout=30_000)


def _open_first_column_menu(page, table) -> None:
    """Open the first column's menu. The grid draws its headers on a canvas, and shows the
    menu's icon at the right end of a header only while the pointer is over it."""
    box = table.bounding_box()
    menu = page.locator('[data-testid="stDataFrameColumnMenu"]')
    for _attempt in range(5):
        page.mouse.move(box["x"] + 200, box["y"] + 17)
        page.wait_for_timeout(400)  # the icon is drawn on the next frames
        page.mouse.click(box["x"] + 324, box["y"] + 18)
        try:
            menu.wait_for(timeout=3_000)
            return
        except PlaywrightTimeoutError:
            page.mouse.move(box["x"] + 200, box["y"] + 120)
    raise AssertionError("the column menu did not open")


def test_streamlit_interface_reads_in_french(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{app_url}/initiatives", wait_until="domcontentloaded")
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for(timeout=120_000)

    # labels read aloud: the sidebar's button, a help icon's « Help for … »
    _wait_for_translation(page)
    labels = page.evaluate(LABELS)
    rural = "Communes rurales uniquement (approximation)"
    assert f"Aide : {rural}" in labels, labels
    assert not {"Collapse sidebar", f"Help for {rural}"} & set(labels)

    # a toolbar button's tooltip
    table.hover()
    page.locator('[data-testid="stBaseButton-elementToolbar"]').nth(1).hover()
    _wait_for_tooltip(page, "stTooltipContent", "Rechercher")

    # the column menu and its statistics (the grid draws its headers on a canvas: the menu
    # opens from the right end of the first column's header)
    _open_first_column_menu(page, table)
    _wait_for_text(page, "Tri croissant")
    for text in ("Tri décroissant", "Statistiques", "Masquer la colonne"):
        _wait_for_text(page, text)
    page.get_by_role("menuitem", name="Statistiques").hover()
    _wait_for_text(page, "Valeurs")
    _wait_for_text(page, "Distinctes")
    shown = page.evaluate(SHOWN_TEXTS)
    assert not ENGLISH & set(shown), sorted(ENGLISH & set(shown))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "menu-colonne-francais.png"))
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")

    # the table's search: its hint and its count
    table.hover()
    page.locator('[data-testid="stBaseButton-elementToolbar"]').nth(1).click()
    _wait_for_text(page, "Tapez pour chercher")
    page.keyboard.type("Jardin")
    page.wait_for_function(
        "() => /^\\d+ résultats?$/.test(document.querySelector("
        "'[data-testid=\"search-result-area\"]')?.textContent.trim() || '')",
        timeout=30_000,
    )
    shown = page.evaluate(SHOWN_TEXTS)
    assert not [t for t in shown if t.endswith(" results")], shown
    context.close()


# Streamlit's markup around a column called « Search » whose most frequent value is « Empty »,
# as the column menu and its statistics show them (user texts), beside Streamlit's own texts.
USER_TEXTS_PAGE = """
<div data-testid="stDataFrameColumnMenu"><div role="menu" aria-label="Dataframe column menu">
  <div><div title="Search"><span id="name">Search</span>
    <button id="copy" title="Copy column name" aria-label="Copy column name"></button></div></div>
  <div role="menuitem" id="sort"><span>arrow_upward</span>Sort ascending</div>
</div></div>
<div data-testid="stDataFrameStatisticsMenu"><div data-testid="stDataFrameStatisticsContent">
  <div id="top">Empty</div>
  <dl data-testid="stDataFrameStatisticsMetrics"><div><dt id="empty">Empty</dt><dd>0</dd></div></dl>
</div></div>
<p id="para">Search</p>
"""


def test_translation_leaves_user_texts_alone(browser):
    """Only Streamlit's own texts are translated: a column's name, a value, a paragraph that
    read « Search » or « Empty » stay as they are."""
    from territoires.ui.chrome import FRENCH_SCRIPT

    page = browser.new_page()
    page.set_content(f"<html><body>{USER_TEXTS_PAGE}</body></html>")
    page.add_script_tag(content=FRENCH_SCRIPT.read_text(encoding="utf-8"))
    page.wait_for_function("() => document.getElementById('sort').textContent.includes('Tri')")
    texts = page.evaluate(
        """() => Object.fromEntries(['name', 'sort', 'top', 'empty', 'para']
             .map((id) => [id, document.getElementById(id).textContent.trim()]))"""
    )
    assert texts == {
        "name": "Search",
        "sort": "arrow_upwardTri croissant",
        "top": "Empty",
        "empty": "Vides",
        "para": "Search",
    }
    titles = page.evaluate(
        "() => [document.querySelector('[title]').title, document.getElementById('copy').title]"
    )
    assert titles == ["Search", "Copier le nom de la colonne"]
    page.close()


def test_wrong_page_link_says_so_in_french(browser, app_url):
    """A link to a page that does not exist (an old bookmark) opens the map page under
    Streamlit's dialog, whose title and message read in French."""
    page = browser.new_page()
    page.goto(f"{app_url}/page-disparue", wait_until="domcontentloaded")
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Page introuvable").wait_for(timeout=120_000)
    dialog.get_by_text("Cette page n'existe pas").wait_for(timeout=30_000)
    assert "not found" not in dialog.inner_text()
    page.close()


def test_refused_file_says_why_in_french(browser, app_url):
    """A file of a type the import does not take (a PDF) is refused by Streamlit's file picker
    itself, before the server sees it: its size and its reason read in French."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{app_url}/importer", wait_until="domcontentloaded")
    picker = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    picker.wait_for(state="attached", timeout=120_000)
    _wait_for_translation(page)
    picker.set_input_files(
        files=[{"name": "Error", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 test"}]
    )
    chip = page.locator('[data-testid="stFileChip"]')
    alert = chip.get_by_role("alert")
    alert.wait_for(state="attached", timeout=30_000)
    page.wait_for_function(
        '() => document.querySelector(\'[data-testid="stFileChip"] [role="alert"]\')'
        ".textContent.startsWith('Erreur : Type de fichier non accepté (application/pdf)')",
        timeout=30_000,
    )
    assert chip.get_by_text("13\u00a0o", exact=True).count() == 1  # Streamlit's « 13.0B »
    # the file's own name is left as it is, even when it reads like one of Streamlit's texts
    assert chip.locator('[data-testid="stFileChipName"]').inner_text() == "Error"
    page.locator('[data-testid="stTooltipErrorHoverTarget"]').hover()
    _wait_for_tooltip(
        page, "stTooltipErrorContent", "Type de fichier non accepté (application/pdf)."
    )
    page.close()


def test_too_large_file_says_so_in_french(browser, app_url):
    """A file over the import's limit (``server.maxUploadSize``) is refused by Streamlit's file
    picker, which wrote « File must be 25.0MB or smaller. »: the refusal reads in French."""
    import streamlit as st

    limit_mb = int(st.get_option("server.maxUploadSize"))
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{app_url}/importer", wait_until="domcontentloaded")
    picker = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    picker.wait_for(state="attached", timeout=120_000)
    _wait_for_translation(page)
    big = b"titre;commune\n" + b"x" * (limit_mb * 1024 * 1024)
    picker.set_input_files(files=[{"name": "gros.csv", "mimeType": "text/csv", "buffer": big}])
    expected = f"Fichier trop lourd : {limit_mb}\u00a0Mo au plus."
    page.wait_for_function(
        '(text) => (document.querySelector(\'[data-testid="stFileChip"] [role="alert"]\')'
        "?.textContent || '').includes(text)",
        arg=expected,
        timeout=30_000,
    )
    alert = page.locator('[data-testid="stFileChip"] [role="alert"]').inner_text()
    assert "must be" not in alert and "smaller" not in alert, alert
    page.close()


def test_presentation_mode_reads_in_french_too(browser, app_url):
    """In a meeting too, Streamlit's own labels (and its messages, should the server stop)
    are translated: the pages' script is sent in presentation mode as well."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{app_url}/?presentation=1", wait_until="domcontentloaded")
    page.locator("h1").first.wait_for(timeout=120_000)
    page.wait_for_function("() => window.__territoiresFr === true", timeout=60_000)
    page.wait_for_timeout(3_500)  # the script starts when the page is idle (3 s at most)
    labels = page.evaluate(LABELS)
    assert not {"Open", "Close", "Collapse sidebar", "Expand sidebar"} & set(labels), labels
    page.close()
