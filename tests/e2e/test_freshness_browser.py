"""Fresh data everywhere, in a real headless Chromium: an open page follows a write made by
another process (here the command line), within a few seconds, with no reload and no restart,
and the demo banner follows."""

from __future__ import annotations

import pytest
from e2e_harness import ARTIFACTS, cli_import, running_app, wait_until_idle

pytestmark = pytest.mark.browser

SIDEBAR = '[data-testid="stSidebar"]'


def _cli_import(data_dir, name: str, rows: str) -> None:
    """``python -m territoires import`` in its own process, on the app's database."""
    path = data_dir / name
    path.write_text("titre;commune;annee\n" + rows, encoding="utf-8")
    cli_import(data_dir, path)


def test_a_command_line_import_shows_in_an_open_page(browser, tmp_path_factory, geodata_ready):
    from playwright.sync_api import expect

    data = tmp_path_factory.mktemp("e2e-fraicheur")
    with running_app(data) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
        page = context.new_page()
        page.goto(f"{url}/initiatives", wait_until="domcontentloaded")
        sidebar = page.locator(SIDEBAR)
        banner = page.get_by_text("Données de démonstration fictives.")
        expect(sidebar).to_contain_text("480 initiatives sur 480", timeout=120_000)
        expect(banner).to_be_visible()
        wait_until_idle(page)

        # the first real import replaces the demo: the count and the banner follow
        _cli_import(data, "premier.csv", "Atelier partagé;Rostrenen;2024\n")
        expect(sidebar).to_contain_text("1 initiative sur 1", timeout=5_000)
        expect(banner).to_have_count(0, timeout=5_000)

        # and a second one, still without reloading the page
        _cli_import(data, "second.csv", "Fête du pain;Carhaix-Plouguer;2023\n")
        expect(sidebar).to_contain_text("2 initiatives sur 2", timeout=5_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "e2e-fraicheur-import-cli.png"))
        context.close()


def test_a_write_in_a_second_app_process_shows_in_the_first(
    browser, tmp_path_factory, geodata_ready
):
    """Two app processes on one database: undoing the demo import in the second one empties
    the first one's page, banner included, without reloading it."""
    from playwright.sync_api import expect

    data = tmp_path_factory.mktemp("e2e-deux-processus")
    with running_app(data) as first_url, running_app(data) as second_url:
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
        first = context.new_page()
        first.goto(f"{first_url}/initiatives", wait_until="domcontentloaded")
        expect(first.locator(SIDEBAR)).to_contain_text("480 initiatives sur 480", timeout=120_000)
        wait_until_idle(first)

        second = context.new_page()
        second.goto(f"{second_url}/historique", wait_until="domcontentloaded")
        second.get_by_role("button", name="Annuler cet import").click(timeout=120_000)
        second.get_by_role("button", name="Confirmer l'annulation").click()
        expect(second.get_by_text("Import n° 1 annulé")).to_be_visible(timeout=60_000)

        expect(first.get_by_text("Aucune initiative ne correspond aux filtres")).to_be_visible(
            timeout=5_000
        )
        expect(first.get_by_text("Données de démonstration fictives.")).to_have_count(0)
        context.close()
