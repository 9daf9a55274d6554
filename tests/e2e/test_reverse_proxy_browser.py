"""The README's Caddyfile, as written there (« Plusieurs processus derrière un serveur
mandataire »), in front of two app processes on one PostgreSQL database, in a real headless
Chromium: the health endpoint answers through it, a page's WebSocket passes, a sticky-session
cookie is set, and an import (a file upload, which must reach the process that holds the page)
goes through.

Needs Caddy (``.ci/run`` installs it) and PostgreSQL: skipped without them locally, failed in CI.
"""

from __future__ import annotations

import re
import shutil
import urllib.request

import pytest
from e2e_harness import ARTIFACTS, ROOT, free_port, running_app, running_server

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

SIDEBAR = '[data-testid="stSidebar"]'
DROP_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'
IMPORTED = "titre;commune;annee\nAtelier partagé;Rostrenen;2024\nFête du pain;Guingamp;2023\n"
SITE = "territoires.exemple.org"
UPSTREAMS = "127.0.0.1:8501 127.0.0.1:8502"


def readme_caddyfile() -> str:
    """The one ``caddy`` block of the README."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```caddy\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) == 1, "le README doit donner un seul Caddyfile"
    return blocks[0]


def local_caddyfile(proxy_port: int, app_ports: tuple[int, int], admin_port: int) -> str:
    """The README's Caddyfile on local ports, over plain HTTP (no certificate to fetch)."""
    text = readme_caddyfile()
    assert SITE in text and UPSTREAMS in text
    text = text.replace(SITE, f"http://127.0.0.1:{proxy_port}")
    text = text.replace(UPSTREAMS, " ".join(f"127.0.0.1:{port}" for port in app_ports))
    return f"{{\n\tadmin 127.0.0.1:{admin_port}\n}}\n" + text


@pytest.fixture(scope="module")
def caddy(ci) -> str:
    path = shutil.which("caddy")
    if path is None:
        message = "Caddy absent : `apt-get install caddy` (voir .ci/run)."
        if ci:
            pytest.fail(message)
        pytest.skip(message)
    return path


def test_the_readme_caddyfile_serves_two_processes_with_sticky_sessions(
    caddy, browser, postgres_url, tmp_path, geodata_ready
):
    from playwright.sync_api import expect

    env = {"TERRITOIRES_DATABASE_URL": postgres_url}
    ports = (free_port(), free_port())
    proxy_port = free_port()
    for name in ("un", "deux", "caddy"):
        (tmp_path / name).mkdir()
    config = tmp_path / "caddy" / "Caddyfile"
    config.write_text(local_caddyfile(proxy_port, ports, free_port()), encoding="utf-8")
    caddy_env = {"HOME": str(tmp_path / "caddy"), "PATH": "/usr/bin:/bin"}
    with (
        running_app(tmp_path / "un", port=ports[0], extra_env=env),
        running_app(tmp_path / "deux", port=ports[1], extra_env=env),
        running_server(
            [caddy, "run", "--config", str(config), "--adapter", "caddyfile"],
            port=proxy_port,
            cwd=tmp_path / "caddy",
            env=caddy_env,
            log_path=tmp_path / "caddy" / "caddy.log",
        ) as url,
    ):
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as response:
            assert response.read() == b"ok"
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
        page = context.new_page()
        page.goto(f"{url}/importer", wait_until="domcontentloaded")
        page.locator(DROP_INPUT).wait_for(state="attached", timeout=120_000)  # WebSocket up
        assert "territoires_processus" in {cookie["name"] for cookie in context.cookies()}

        page.locator(DROP_INPUT).set_input_files(
            files=[{"name": "comite.csv", "mimeType": "text/csv", "buffer": IMPORTED.encode()}],
            timeout=60_000,
        )
        page.get_by_role("button", name="Importer", exact=True).click(timeout=60_000)
        expect(page.get_by_text("Import terminé")).to_be_visible(timeout=60_000)
        page.goto(f"{url}/initiatives", wait_until="domcontentloaded")
        expect(page.locator(SIDEBAR)).to_contain_text("2 initiatives sur 2", timeout=60_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "e2e-mandataire-caddy.png"))
        context.close()
