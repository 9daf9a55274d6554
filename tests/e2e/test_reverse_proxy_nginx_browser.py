"""The README's nginx configuration, as written there (« Plusieurs processus derrière un
serveur mandataire »), in front of two app processes on one PostgreSQL database, in a real
headless Chromium (``proxy_harness``): the health endpoint answers through it, a page's
WebSocket passes, an import of a file over 1 MB goes through, and every request of the page, the
upload and the WebSocket included, reaches one and the same process (sessions stick by
address). Once that process stops, nginx sends the page to the other one, which shows the import.

Only the ports, the server name and the certificate change: the test listens on 127.0.0.1 over
plain HTTP. Around the README's block, a wrapper lets nginx run in a temporary folder without a
system installation: pid, logs (the access log names the process, ``$upstream_addr``, of each
request) and temporary files there, in the foreground.

Needs nginx (``.ci/run`` installs it) and PostgreSQL: skipped without them locally, failed in CI.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from e2e_harness import free_port, running_server
from proxy_harness import expect_count, import_through_proxy, two_app_processes
from readme_examples import readme_block, replaced, required_program

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

UPSTREAMS = ("127.0.0.1:8501", "127.0.0.1:8502")
STREAM, UPLOAD = "/_stcore/stream", "/_stcore/upload_file/"
CERTIFICATE = re.compile(r"^ *ssl_certificate(_key)? +\S+;\n", flags=re.MULTILINE)
TEMPORARY = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
WRAPPER = """daemon off;
{user}pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{}}
http {{
log_format amont '$request_method $uri $status $upstream_addr';
access_log {folder}/access.log amont;
{temporary}
{readme}}}
"""


def local_configuration(folder: Path, proxy_port: int, app_ports: tuple[int, ...]) -> str:
    """The README's block on local ports over plain HTTP, inside the wrapper."""
    text = replaced(
        readme_block("nginx"),
        {
            "listen 443 ssl;": f"listen 127.0.0.1:{proxy_port};",
            "server_name territoires.exemple.org;": "server_name 127.0.0.1;",
            **{old: f"127.0.0.1:{port}" for old, port in zip(UPSTREAMS, app_ports, strict=True)},
        },
    )
    text, removed = CERTIFICATE.subn("", text)
    assert removed == 2, "le bloc nginx du README doit donner certificat et clé"
    temporary = "\n".join(f"{name}_temp_path {folder}/{name};" for name in TEMPORARY)
    # Started by root (as in CI), nginx would hand the requests to `nobody`, which cannot
    # write its temporary files (an upload over 16 kB) into a folder of root's.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return WRAPPER.format(user=user, folder=folder, temporary=temporary, readme=text)


def upstreams_of(log: Path, path: str, until: Callable[[set[str]], bool] = bool) -> set[str]:
    """The processes (``host:port``, or ``host:port, host:port`` for a request tried on both)
    that served the requests to ``path`` (a prefix of the URL), once ``until`` holds for them
    or after 15 s: nginx logs a request, a WebSocket too, once it is over."""
    deadline = time.monotonic() + 15
    while True:
        lines = [line.split(" ", 3) for line in log.read_text(encoding="utf-8").splitlines()]
        served = {upstream for _method, uri, _status, upstream in lines if uri.startswith(path)}
        if until(served) or time.monotonic() > deadline:
            return served
        time.sleep(0.2)


@pytest.fixture(scope="module")
def nginx(ci) -> str:
    return required_program("nginx", ci, folders=("/usr/sbin", "/usr/local/sbin"))


def test_the_readme_nginx_configuration_serves_two_processes_with_sticky_sessions(
    nginx, browser, postgres_url, tmp_path, geodata_ready
):
    proxy_port = free_port()
    folder = tmp_path / "nginx"
    folder.mkdir()
    config = folder / "nginx.conf"
    with two_app_processes(tmp_path, postgres_url) as processes:
        config.write_text(local_configuration(folder, proxy_port, processes.ports), "utf-8")
        command = [nginx, "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log")]
        with running_server(
            command, port=proxy_port, cwd=folder, env={}, log_path=folder / "nginx.log"
        ) as url:
            context = import_through_proxy(browser, url, "e2e-mandataire-nginx.png")
            log = folder / "access.log"
            uploads = upstreams_of(log, UPLOAD)
            assert len(uploads) == 1, uploads
            # the import page's WebSocket (over since the page changed) and the upload
            assert upstreams_of(log, STREAM) == uploads
            (holder,) = uploads
            (other,) = {f"127.0.0.1:{port}" for port in processes.ports} - uploads
            processes.stop(int(holder.rsplit(":", 1)[1]))
            page = context.pages[0]
            page.reload(wait_until="domcontentloaded")
            expect_count(page)  # the other process, on the same database
            context.close()  # the reloaded page's WebSocket is over: nginx logs it

            def moved(served: set[str]) -> bool:
                return any(upstream.endswith(other) for upstream in served)

            after = upstreams_of(log, STREAM, moved)
            assert moved(after), after
