"""End to end, in a real headless Chromium, on an app of its own (it writes): the « Importer »
page's preview and its step « Mises à jour à confirmer ».

A file renames one stored initiative (an ordinary update) and reuses another's reference for
what is probably another initiative (a collision). The user sees the changes field by field and
both versions of the collision before anything is written; ticking the collision as an update
only simulates again; the store changes at « Importer » only.
"""

from __future__ import annotations

import pytest
from e2e_harness import ARTIFACTS, cli_import, running_app, wait_until_idle

pytestmark = pytest.mark.browser

DROP_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'
STORED = (
    "N° dossier;Titre;Porteur;Commune;Année\n"
    "D-1;Jardin partagé;Les Amis du jardin;Rostrenen;2024\n"
    "D-3;Fête du pain;Comité des fêtes;Glomel;2023\n"
)
INCOMING = (
    "N° dossier;Titre;Porteur;Commune;Année\n"
    "D-1;Atelier vélo;Vélo Club du Poher;Carhaix-Plouguer;2025\n"
    "D-2;Café associatif;Les Voisins;Plounévez-Quintin;2025\n"
    "D-3;Fête du pain de Glomel;Comité des fêtes;Glomel;2023\n"
)
# What a reader sees of the grids (drawn on a canvas): their cells, in the grid's own
# accessible table.
GRID_CELLS_JS = """
(index) => {
  const grid = document.querySelectorAll('[data-testid="stDataFrame"]')[index];
  return grid ? [...grid.querySelectorAll('[role="gridcell"]')].map((c) => c.textContent) : [];
}
"""


def _cli_import(data_dir, text: str) -> None:
    """The stored initiatives, imported by ``python -m territoires import`` beforehand."""
    path = data_dir / "deja-la.csv"
    path.write_text(text, encoding="utf-8")
    cli_import(data_dir, path)


def _stored(data_dir) -> dict[str, tuple]:
    """Reference → (title, porteur, commune, year) in the app's database, read afresh."""
    from territoires.store import open_store

    store = open_store(f"sqlite:///{data_dir / 'territoires.db'}")
    try:
        frame = store.list_initiatives()
    finally:
        store.close()
    return {
        str(row["reference"]): (
            row["titre"],
            row["porteur"],
            row["commune_code"],
            int(row["annee"]),
        )
        for _, row in frame.iterrows()
    }


def test_preview_and_collision_are_shown_and_nothing_is_written_before_import(
    browser, tmp_path_factory, geodata_ready
):
    from playwright.sync_api import expect

    data = tmp_path_factory.mktemp("e2e-import-apercu")
    with running_app(data) as url:
        _cli_import(data, STORED)
        before = _stored(data)
        assert sorted(before) == ["D-1", "D-3"]

        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
        page = context.new_page()
        page.goto(f"{url}/importer", wait_until="domcontentloaded")
        page.locator(DROP_INPUT).wait_for(state="attached", timeout=120_000)
        page.locator(DROP_INPUT).set_input_files(
            files=[{"name": "comite.csv", "mimeType": "text/csv", "buffer": INCOMING.encode()}]
        )
        page.get_by_text("Simuler l'import").click()

        # the preview: what would change, field by field, and the summary of a simulation
        preview = page.get_by_role("heading", name="Ce que l'import changera")
        expect(preview).to_be_visible(timeout=60_000)
        expect(page.get_by_text("Simulation terminée : rien n'a été enregistré.")).to_be_visible()
        summary = page.get_by_text("Initiatives : 1 nouvelle, 1 modifiée, 0 inchangée, 1 rejetée")
        expect(summary).to_be_visible()
        wait_until_idle(page)
        # the grids: the file's preview first, then the changes
        changes = page.evaluate(GRID_CELLS_JS, 1)
        assert "Fête du pain" in changes and "Fête du pain de Glomel" in changes, changes
        assert "Titre" in changes and "Atelier vélo" not in changes, changes
        assert "Ligne du fichier" in changes and "source_ligne" not in changes, changes

        # the collision: both versions side by side, the row rejected until confirmed
        heading = page.get_by_role("heading", name="Mises à jour à confirmer")
        expect(heading).to_be_visible()
        form = page.locator('[data-testid="stForm"]').filter(has_text="Confirmer et simuler")
        expect(form.get_by_text("Référence « D-1 »", exact=False)).to_be_visible()
        stored_version = "« Jardin partagé » — Les Amis du jardin — Rostrenen (2024)"
        incoming = "« Atelier vélo » — Vélo Club du Poher — Carhaix-Plouguer (2025)"
        expect(form.get_by_text(stored_version)).to_be_visible()
        expect(form.get_by_text(incoming)).to_be_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        form.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "e2e-importer-collision.png"))
        assert _stored(data) == before  # nothing written by the simulation

        # confirmed as an update: simulated again, still nothing written
        form.get_by_text("C'est une mise à jour de l'initiative enregistrée").click()
        form.get_by_text("Confirmer et simuler à nouveau").click()
        again = "Initiatives : 1 nouvelle, 2 modifiées, 0 inchangée, 0 rejetée"
        expect(page.get_by_text(again)).to_be_visible(timeout=60_000)
        expect(heading).to_have_count(0)
        wait_until_idle(page)
        changes = page.evaluate(GRID_CELLS_JS, 1)
        assert "Jardin partagé" in changes and "Atelier vélo" in changes, changes
        assert _stored(data) == before

        # « Importer »: now, and only now, the store changes
        page.get_by_role("button", name="Importer", exact=True).click()
        expect(
            page.get_by_text("Import terminé : toutes les lignes sont enregistrées.")
        ).to_be_visible(timeout=60_000)
        after = _stored(data)
        assert after["D-1"] == ("Atelier vélo", "Vélo Club du Poher", "29024", 2025)
        assert after["D-3"][0] == "Fête du pain de Glomel"
        assert after["D-2"][0] == "Café associatif"
        context.close()
