"""Many sessions at once: 10 and 25 browser tabs open « Carte » together on one app process,
next to the code of before this work, both measured in the same run.

The app (``streamlit run``) serves a SQLite database of 50,000 initiatives (filled by the app's
own import of ``bench/realistic.py``'s file). When the machine has two cores or more, the
server runs on the first one and headless Chromium on the others (``taskset``), so that the
browsers do not starve the server. A first visit warms the process (reference and initiatives
read); then N tabs of one browser navigate to « Carte » at once, and the bench reports:

- the median and 95th percentile of the time from a tab's navigation to its map drawn with
  its points (the later of the runtime's two User Timing marks, territories and points, on the
  browser's clock; as ``bench_carte`` times it);
- the errors: tabs whose map was not drawn within ``TIMEOUT_S``, or that show an exception;
- the server's memory per open session (its resident memory once every map is drawn, less the
  memory before, over N) and what is left a minute after the tabs closed (Streamlit keeps a
  closed session's state for ``server.disconnectedSessionTTL`` seconds, 30 in this project's
  configuration, after which the app hands its memory back).

Run with ``python -m bench load``. ``BENCH_LOAD_SIZE`` sets the initiatives (50000),
``BENCH_LOAD_SESSIONS`` the tab counts (``10,25``), ``BENCH_LOAD_CODES`` the codes
(``maintenant,avant``), ``BENCH_LOAD_RELEASE_S`` the wait after closing (60). Needs the
geodata cache, git (the baseline) and a Chromium.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.bench_import import baseline_code, code_environment
from bench.bench_map import ORIGIN_JS, POINTS_HOOK_JS, POINTS_MARK, _mark_time
from bench.bench_scale import BASELINE_COMMIT, database
from bench.realistic import cached_reference

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

TIMEOUT_S = 300
RELEASE_S = int(os.environ.get("BENCH_LOAD_RELEASE_S", "60"))
ERROR_JS = "() => document.querySelectorAll('[data-testid=\"stException\"]').length"


def _setting(name: str, default: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


def _pinned(command: list[str], cores: str) -> list[str]:
    """``command`` run on ``cores`` when the machine has two cores or more and ``taskset``."""
    if (os.cpu_count() or 1) < 2 or shutil.which("taskset") is None:
        return command
    return ["taskset", "-c", cores, *command]


def _chromium_wrapper(folder: Path, chromium: str) -> str:
    """An executable that starts Chromium on every core but the server's first one."""
    last = (os.cpu_count() or 1) - 1
    command = " ".join(_pinned([chromium], f"1-{last}" if last > 1 else "1"))
    wrapper = folder / "chromium-pinned"
    wrapper.write_text(f'#!/bin/sh\nexec {command} "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _server_pid(port: int) -> int:
    """The pid of the process listening on ``port`` (the Streamlit server, not taskset)."""
    import subprocess

    found = subprocess.run(
        ["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout
    return int(found.split("pid=")[1].split(",")[0])


def _drawn_at(page) -> float | None:
    """When the tab's map was drawn with its points (the later of its territories' mark and
    its points' mark; ``bench_carte``'s hook sets the latter for the code of before), or None."""
    territories = _mark_time(page)
    points = _mark_time(page, (POINTS_MARK,))
    return None if territories is None or points is None else max(territories, points)


def _wait_drawn(pages: list, started: list[float]) -> tuple[list[float], int]:
    """Seconds from each tab's navigation to its map drawn; and the tabs that failed."""
    done: dict[int, float] = {}
    deadline = time.monotonic() + TIMEOUT_S
    while len(done) < len(pages) and time.monotonic() < deadline:
        for i, page in enumerate(pages):
            if i in done:
                continue
            drawn = _drawn_at(page)
            if drawn is not None:
                done[i] = (drawn - page.evaluate(ORIGIN_JS)) / 1000
        pages[0].wait_for_timeout(100)
    errors = len(pages) - len(done) + sum(bool(p.evaluate(ERROR_JS)) for p in pages)
    return list(done.values()), errors


def wave(browser, url: str, pid: int, count: int) -> dict[str, float]:
    """``count`` tabs opening « Carte » at once: times, errors, memory."""
    before = rss_mb(pid)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(POINTS_HOOK_JS)
    pages = [context.new_page() for _ in range(count)]
    started = []
    for page in pages:
        started.append(time.monotonic())
        page.goto(f"{url}/carte", wait_until="commit")
    times, errors = _wait_drawn(pages, started)
    time.sleep(2)  # the page's second run (filters) ends
    opened = rss_mb(pid)
    context.close()
    time.sleep(RELEASE_S)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))] if times else float("nan")
    return {
        "median_s": statistics.median(times) if times else float("nan"),
        "p95_s": p95,
        "errors": errors,
        "per_session_mb": (opened - before) / count,
        "left_mb": rss_mb(pid) - before,
        "rss_mb": opened,
    }


@contextmanager
def serving(name: str, code: Path, url: str, folder: Path) -> Iterator[tuple[str, int]]:
    """An app process running ``code`` on the database at ``url``, on the first core: its URL
    and its pid, until the block ends."""
    from e2e_harness import free_port, running_server

    port = free_port()
    env = {
        **code_environment(folder / f"donnees-{name}", code),
        "TERRITOIRES_DATABASE_URL": url,
        "TERRITOIRES_BASEMAP": "aucun",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    command = _pinned(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(code / "app.py"),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
        ],
        "0",
    )
    log = folder / f"serveur-{name}.log"
    with running_server(command, port=port, cwd=code, env=env, log_path=log, timeout=300) as base:
        yield base, _server_pid(port)


def run_code(name: str, code: Path, url: str, folder: Path, chromium: str) -> None:
    """Every wave of sessions against one app process running ``code``."""
    from e2e_harness import CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    with serving(name, code, url, folder) as (base, pid), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        wave(browser, base, pid, 1)  # warms the process: reference, initiatives
        for count in (int(v) for v in _setting("BENCH_LOAD_SESSIONS", "10,25")):
            figures = wave(browser, base, pid, count)
            print(
                f"  {name:<10} {count:>3} sessions : carte dessinée médiane "
                f"{figures['median_s']:.2f} s, p95 {figures['p95_s']:.2f} s, "
                f"erreurs {figures['errors']}, {figures['per_session_mb']:.1f} Mo par "
                f"session (processus {figures['rss_mb']:.0f} Mo), reste {RELEASE_S} s "
                f"après fermeture {figures['left_mb']:+.0f} Mo",
                flush=True,
            )
        browser.close()


def reference_and_chromium() -> tuple[object, str] | None:
    """The geographic reference and a Chromium to drive, or None (said why: bench skipped)."""
    from e2e_harness import chromium_path

    reference = cached_reference()
    chromium = chromium_path()
    if reference is None or chromium is None:
        print("Cache géographique ou Chromium absent : banc passé.")
        return None
    return reference, chromium


def main() -> None:
    found = reference_and_chromium()
    if found is None:
        return
    reference, chromium = found
    size = int(os.environ.get("BENCH_LOAD_SIZE", "50000"))
    count = f"{size:,}".replace(",", "\u202f")
    print(f"{count} initiatives ; serveur sur le cœur 0, Chromium sur les autres.")
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        folder = Path(tmp)
        url = database(reference, folder, size)
        wrapper = _chromium_wrapper(folder, chromium)
        for name in _setting("BENCH_LOAD_CODES", "maintenant,avant"):
            code = ROOT if name == "maintenant" else baseline_code(folder, BASELINE_COMMIT)
            if code is not None:
                run_code(name, code, url, folder, wrapper)


if __name__ == "__main__":
    main()
