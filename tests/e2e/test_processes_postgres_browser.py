"""Several app processes on one PostgreSQL database, as deployed behind a reverse proxy
(README, « Plusieurs processus derrière un serveur mandataire »), in a real headless Chromium.

Both processes start at once on an empty database and are first visited at the same time:
they migrate it and load the demo once between them. An import made in the first process's
« Importer » page then shows, without reloading, in a page opened on the second process.
(``test_freshness_browser.py`` covers a command-line import and a write of a second process on
SQLite.) PostgreSQL comes from ``TERRITOIRES_TEST_DATABASE_URL``: skipped without it locally,
failed without it in CI.
"""

from __future__ import annotations

import pytest
from e2e_harness import ARTIFACTS, running_app, wait_until_idle

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

SIDEBAR = '[data-testid="stSidebar"]'
DROP_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'
IMPORTED = (
    "titre;commune;annee\nAtelier partagé;Rostrenen;2024\nFête du pain;Carhaix-Plouguer;2023\n"
)


def _imports(url: str):
    from territoires.store import open_store

    store = open_store(url)
    try:
        return store.imports()
    finally:
        store.close()


def test_an_import_in_one_process_shows_in_the_other_on_postgresql(
    browser, postgres_url, tmp_path, geodata_ready
):
    from playwright.sync_api import expect

    env = {"TERRITOIRES_DATABASE_URL": postgres_url}
    first_data, second_data = tmp_path / "un", tmp_path / "deux"
    first_data.mkdir()
    second_data.mkdir()
    with (
        running_app(first_data, extra_env=env) as first_url,
        running_app(second_data, extra_env=env) as second_url,
    ):
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
        second = context.new_page()
        first = context.new_page()
        # first visits at once: both open the empty database and check for the demo together
        second.goto(f"{second_url}/initiatives", wait_until="commit")
        first.goto(f"{first_url}/importer", wait_until="commit")
        expect(second.locator(SIDEBAR)).to_contain_text("480 initiatives sur 480", timeout=120_000)
        first.locator(DROP_INPUT).wait_for(state="attached", timeout=120_000)
        wait_until_idle(second)
        assert len(_imports(postgres_url)) == 1  # the demo, loaded once

        first.locator(DROP_INPUT).set_input_files(
            files=[{"name": "comite.csv", "mimeType": "text/csv", "buffer": IMPORTED.encode()}],
            timeout=60_000,
        )
        first.get_by_role("button", name="Importer", exact=True).click(timeout=60_000)
        expect(first.get_by_text("Import terminé")).to_be_visible(timeout=60_000)

        # the first real import replaces the demo: the second process's open page follows
        expect(second.locator(SIDEBAR)).to_contain_text("2 initiatives sur 2", timeout=5_000)
        expect(second.get_by_text("Données de démonstration fictives.")).to_have_count(0)
        assert list(_imports(postgres_url)["fichier"]) == [
            "comite.csv",
            "jeu de démonstration fictif",
        ]
        wait_until_idle(second)
        ARTIFACTS.mkdir(exist_ok=True)
        second.screenshot(path=str(ARTIFACTS / "e2e-deux-processus-postgresql.png"))
        context.close()
