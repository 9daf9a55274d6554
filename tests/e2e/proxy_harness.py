"""Two app processes on one PostgreSQL database behind one of the README's reverse proxies,
driven in a real headless Chromium: shared by the Caddy and nginx tests.

The proxy test starts its proxy in front of ``two_app_processes`` and hands its URL to
``import_through_proxy``: the health endpoint answers through it, a page's WebSocket passes (the
import page is drawn), and an import of a file over 1 MB (a file upload, which must reach the
process that holds the page; nginx refuses bodies over 1 MB unless told otherwise) goes through.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from e2e_harness import ARTIFACTS, free_port, running_app

SIDEBAR = '[data-testid="stSidebar"]'
DROP_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'
IMPORTED_ROWS = 900
# About 1,300 bytes a row: 1.2 MB in all, over nginx's default limit on a request body (1 MB).
DESCRIPTION = "Un atelier ouvert à tous, chaque semaine, pour réparer et partager. " * 19


def imported_csv() -> bytes:
    """The file the proxy tests import: ``IMPORTED_ROWS`` initiatives, over 1 MB."""
    rows = [
        f"Atelier partagé n° {number};{('Rostrenen', 'Guingamp')[number % 2]};2024;{DESCRIPTION}"
        for number in range(1, IMPORTED_ROWS + 1)
    ]
    return "\n".join(["titre;commune;annee;description", *rows, ""]).encode()


@dataclass(frozen=True)
class AppProcesses:
    """The two running app processes, by port; ``stop`` ends one before the test does."""

    stacks: dict[int, ExitStack]

    @property
    def ports(self) -> tuple[int, ...]:
        return tuple(self.stacks)

    def stop(self, port: int) -> None:
        self.stacks[port].close()


@contextmanager
def two_app_processes(folder: Path, postgres_url: str) -> Iterator[AppProcesses]:
    """Two app processes on local ports, on the one PostgreSQL database ``postgres_url``."""
    env = {"TERRITOIRES_DATABASE_URL": postgres_url}
    with ExitStack() as every:
        stacks = {}
        for name in ("un", "deux"):
            (folder / name).mkdir()
            port = free_port()
            stacks[port] = every.enter_context(ExitStack())
            stacks[port].enter_context(running_app(folder / name, port=port, extra_env=env))
        yield AppProcesses(stacks)


def import_through_proxy(browser, url: str, screenshot: str):
    """Health, WebSocket and an import through the proxy at ``url``; the browser context
    (its cookies, and the page on « Initiatives » showing the import), for the caller to close."""
    from playwright.sync_api import expect

    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as response:
        assert response.read() == b"ok"
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{url}/importer", wait_until="domcontentloaded")
    page.locator(DROP_INPUT).wait_for(state="attached", timeout=120_000)  # WebSocket up
    upload = {"name": "comite.csv", "mimeType": "text/csv", "buffer": imported_csv()}
    page.locator(DROP_INPUT).set_input_files(files=[upload], timeout=60_000)
    page.get_by_role("button", name="Importer", exact=True).click(timeout=60_000)
    expect(page.get_by_text("Import terminé")).to_be_visible(timeout=120_000)
    page.goto(f"{url}/initiatives", wait_until="domcontentloaded")
    expect_count(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / screenshot))
    return context


def expect_count(page) -> None:
    """The page's sidebar counts the imported initiatives, and them only."""
    from playwright.sync_api import expect

    count = f"{IMPORTED_ROWS} initiatives sur {IMPORTED_ROWS}"
    expect(page.locator(SIDEBAR)).to_contain_text(count, timeout=60_000)
