"""Helpers to drive the real app in headless Chromium (end-to-end test and map benchmark).

Everything stays on 127.0.0.1: the app is started on a free local port, and Chromium runs with
background networking disabled.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"  # screenshots of the browser tests (ignored by git)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-features=PreloadTopChromeWebUI,WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
FOLIUM_FRAME = "streamlit_folium"


def chromium_path() -> str | None:
    """A Chromium to drive: ``TERRITOIRES_CHROMIUM``, the system one, or Playwright's own."""
    given = os.environ.get("TERRITOIRES_CHROMIUM")
    if given and Path(given).is_file():
        return given
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as playwright:
            own = playwright.chromium.executable_path
    except PlaywrightError:
        return None
    return own if own and Path(own).is_file() else None


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_local(url: str) -> bool:
    """True for URLs that stay on this machine (or need no network at all)."""
    if url.startswith(("data:", "blob:", "about:", "chrome:", "chrome-error:")):
        return True
    return (urlparse(url).hostname or "") in LOCAL_HOSTS


def _wait_healthy(base_url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise TimeoutError(f"the app did not answer on {base_url} within {timeout:.0f} s")


def cli_import(data_dir: Path, path: Path) -> None:
    """``python -m territoires import PATH`` in its own process, on the SQLite database of the
    app started with ``running_app(data_dir)``."""
    env = dict(os.environ, TERRITOIRES_DATA_DIR=str(data_dir))
    env.pop("TERRITOIRES_DATABASE_URL", None)
    database = f"sqlite:///{data_dir / 'territoires.db'}"
    subprocess.run(
        [sys.executable, "-m", "territoires", "import", str(path), "--db", database],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


@contextmanager
def running_server(
    command: Sequence[str],
    *,
    port: int,
    cwd: Path,
    env: Mapping[str, str],
    log_path: Path,
    timeout: float = 120,
) -> Iterator[str]:
    """Run a server command listening on 127.0.0.1:``port``; yield its URL once healthy.

    Its output goes to ``log_path``. The server is stopped (terminate, then kill) when the
    block ends.
    """
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base_url, process, timeout)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        log.close()


@contextmanager
def running_app(
    data_dir: Path,
    *,
    app: Path | None = None,
    timeout: float = 120,
    port: int | None = None,
    extra_args: Sequence[str] = (),
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """Start ``streamlit run app.py`` on a free local port with the demo data; yield its URL.

    ``extra_args`` are added to Streamlit's command line (``--secrets.files …`` for sign-in),
    ``extra_env`` to its environment. The server is stopped (terminate, then kill) when the
    block ends; its output is in ``data_dir / "streamlit.log"``.
    """
    port = port or free_port()
    env = dict(os.environ)
    env.update(
        {
            "TERRITOIRES_DATA_DIR": str(data_dir),
            "TERRITOIRES_DEMO": "1",
            "TERRITOIRES_BASEMAP": "aucun",
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        }
    )
    env.pop("TERRITOIRES_DATABASE_URL", None)
    env.update(extra_env or {})
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app or ROOT / "app.py"),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        *extra_args,
    ]  # the rest of the configuration is the project's (.streamlit/config.toml), as for make run
    with running_server(
        command,
        port=port,
        cwd=ROOT,
        env=env,
        log_path=data_dir / "streamlit.log",
        timeout=timeout,
    ) as base_url:
        yield base_url


# JavaScript evaluated inside streamlit-folium's iframe.
MAP_STATE_JS = """
() => {
  if (!window.map || !window.L) { return null; }
  // territories: class colour per code, and how many were drawn. Ours are drawn by the
  // runtime's canvas; a plain folium GeoJson (the benchmark's naive map) has one layer each.
  const choropleth = window.map._territoiresChoropleth;
  let fills = [];
  let polygons = 0;
  let points = 0;
  if (choropleth) {
    fills = choropleth.state().map((t) => t.code + ":" + t.fill);
    polygons = choropleth.drawnCount;
  }
  window.map.eachLayer((layer) => {
    const props = layer.feature && layer.feature.properties;
    const code = props ? (props.code !== undefined ? props.code : props.code_insee) : undefined;
    if (!choropleth && code !== undefined && code !== null && layer.options) {
      fills.push(code + ":" + layer.options.fillColor);
      polygons += 1;
    }
    if (layer instanceof L.CircleMarker && !layer.feature) { points += 1; }
  });
  const clusters = document.querySelectorAll(".marker-cluster").length;
  const pane = ".leaflet-overlay-pane";
  const drawn = choropleth
    ? document.querySelector(`${pane} canvas.territoires-choropleth`)
    : document.querySelector(`${pane} canvas, ${pane} svg path`);
  const legend = document.querySelector(".territoires-legend");
  return {
    polygons: polygons,
    signature: fills.sort().join("|"),
    markers: points + clusters,
    drawn: !!drawn && polygons > 0,
    legend: legend ? legend.innerText : "",
  };
}
"""


def map_state(page) -> dict | None:
    """State of the drawn map in the page's folium iframe, or None while it is not drawn."""
    from playwright.sync_api import Error as PlaywrightError

    for frame in page.frames:
        if FOLIUM_FRAME not in frame.url:
            continue
        try:
            state = frame.evaluate(MAP_STATE_JS)
        except PlaywrightError:  # a frame being replaced is not an error
            continue
        if state and state["polygons"] and state["drawn"]:
            return state
    return None


def wait_for_map(
    page,
    *,
    timeout: float = 60,
    different_from: str | None = None,
    need_markers: bool = True,
    poll_ms: int = 50,
) -> dict:
    """Wait until polygons (and markers) are drawn, optionally a map different from a signature."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = map_state(page)
        if (
            state
            and (state["markers"] or not need_markers)
            and state["signature"] != different_from
        ):
            return state
        page.wait_for_timeout(poll_ms)
    raise TimeoutError("the map was not drawn in time")


SCRIPT_STATE_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app ? app.getAttribute("data-test-script-state") : null;
}
"""


def wait_until_idle(page, *, quiet_ms: int = 600, timeout: float = 60) -> None:
    """Wait until no script run has been going for ``quiet_ms`` (Streamlit's own state).

    A button clicked while a run is replacing it can be lost: a deferred download, for one,
    is then never served. Wait for this before such a click.
    """
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        if page.evaluate(SCRIPT_STATE_JS) == "notRunning":
            quiet_since = quiet_since or time.monotonic()
            if (time.monotonic() - quiet_since) * 1000 >= quiet_ms:
                return
        else:
            quiet_since = None
        page.wait_for_timeout(50)
    raise TimeoutError(f"the app kept running for {timeout} s")


def wait_for_text_instead(locator, *, timeout_ms: int = 30_000) -> None:
    """Wait until the pages' stylesheet draws its French text over Streamlit's own in the
    element (``ui.chrome._text_instead``: the own text at size zero, the French one after it).

    The stylesheet comes in its own element, whose code the browser may still be loading when
    the element to translate already shows.
    """
    locator.page.wait_for_function(
        "(element) => getComputedStyle(element).fontSize === '0px'",
        arg=locator.element_handle(timeout=timeout_ms),
        timeout=timeout_ms,
    )
