"""The README's Caddyfile, as written there (« Plusieurs processus derrière un serveur
mandataire »), in front of two app processes on one PostgreSQL database, in a real headless
Chromium: the health endpoint answers through it, a page's WebSocket passes, a sticky-session
cookie is set, and an import (a file upload, which must reach the process that holds the page)
goes through (``proxy_harness``).

Needs Caddy (``.ci/run`` installs it) and PostgreSQL: skipped without them locally, failed in CI.
"""

from __future__ import annotations

import pytest
from e2e_harness import free_port, running_server
from proxy_harness import import_through_proxy, two_app_processes
from readme_examples import readme_block, replaced, required_program

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

SITE = "territoires.exemple.org"
UPSTREAMS = "127.0.0.1:8501 127.0.0.1:8502"


def local_caddyfile(proxy_port: int, app_ports: tuple[int, ...], admin_port: int) -> str:
    """The README's Caddyfile on local ports, over plain HTTP (no certificate to fetch)."""
    upstreams = " ".join(f"127.0.0.1:{port}" for port in app_ports)
    text = replaced(
        readme_block("caddy"), {SITE: f"http://127.0.0.1:{proxy_port}", UPSTREAMS: upstreams}
    )
    return f"{{\n\tadmin 127.0.0.1:{admin_port}\n}}\n" + text


@pytest.fixture(scope="module")
def caddy(ci) -> str:
    return required_program("caddy", ci)


def test_the_readme_caddyfile_serves_two_processes_with_sticky_sessions(
    caddy, browser, postgres_url, tmp_path, geodata_ready
):
    proxy_port = free_port()
    (tmp_path / "caddy").mkdir()
    config = tmp_path / "caddy" / "Caddyfile"
    caddy_env = {"HOME": str(tmp_path / "caddy"), "PATH": "/usr/bin:/bin"}
    with two_app_processes(tmp_path, postgres_url) as processes:
        config.write_text(local_caddyfile(proxy_port, processes.ports, free_port()), "utf-8")
        with running_server(
            [caddy, "run", "--config", str(config), "--adapter", "caddyfile"],
            port=proxy_port,
            cwd=tmp_path / "caddy",
            env=caddy_env,
            log_path=tmp_path / "caddy" / "caddy.log",
        ) as url:
            context = import_through_proxy(browser, url, "e2e-mandataire-caddy.png")
            cookies = {cookie["name"] for cookie in context.cookies()}
            context.close()
    assert "territoires_processus" in cookies
