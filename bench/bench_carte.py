"""« Carte » drawn in the browser at 480, 5,000 and 50,000 initiatives, France and Bretagne,
next to the code of before this work, both measured in the same run.

The databases are ``bench_scale``'s (the app's own import of a realistic file); the app runs
as ``bench_load`` runs it (``streamlit run``, on the first core, headless Chromium on the
others). For each size and each code, one app process and one browser context:

- a first visit to « Carte » France, as the process's first session (reference and
  initiatives read, the browser's HTTP cache empty);
- the bytes the page receives over the WebSocket (one visit followed through DevTools, apart
  from the timed ones, as following it slows the browser): what the browser decodes;
- « Carte » France, then « Carte » Bretagne (its shared link, ``filters_to_params``),
  ``BENCH_CARTE_VISITS`` single-tab visits each on the warm process: the median time from the
  navigation's start to **the map drawn with its points**, on the browser's clock.

« Drawn with its points » is the later of two User Timing marks of the map's frame: the
territories' first drawing (``territoires:carte-dessinee``, what ``bench_map`` times) and the
points' (``territoires:points-dessines``), which the runtime sets in the animation frame that
puts the last of the points' groups on screen. The code of before sets no points mark: for it,
the bench wraps markercluster's ``addLayers`` (an init script, ``POINTS_HOOK_JS``) and sets the
same mark in the animation frame after its last chunk, the one where markercluster puts its
groups on the map. Each figure is printed with its ratio to the 480 time of the same code in
the same run (issue 21's target: at most ×1.5 at 50,000, France and Bretagne).

Run with ``python -m bench carte``. ``BENCH_SCALE_SIZES`` sets the sizes (as for ``bench
scale``), ``BENCH_CARTE_VISITS`` the timed visits per view (5), ``BENCH_CARTE_AVANT`` the
commit of the code of before (``bench_scale.BASELINE_COMMIT``; ``-`` for none). Needs the
geodata cache, git and a Chromium.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.bench_import import baseline_code
from bench.bench_load import _chromium_wrapper, reference_and_chromium, serving
from bench.bench_map import (
    DRAWN_MARK,
    ORIGIN_JS,
    POINTS_HOOK_JS,
    POINTS_MARK,
    SETTLE_S,
    Traffic,
    _mark_time,
)
from bench.bench_scale import BASELINE_COMMIT, _sizes, database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

TIMEOUT_S = 300
VISITS = int(os.environ.get("BENCH_CARTE_VISITS", "5"))
TARGET_RATIO = 1.5


def views() -> tuple[tuple[str, str], ...]:
    """The views timed: their label and their path (France, then Bretagne's shared link)."""
    from territoires.filters import Filters, filters_to_params
    from territoires.geo.reference import Scope

    bretagne = filters_to_params(Filters(scope=Scope("region", "53")))
    return (("France", "/"), ("Bretagne", "/?" + urlencode(bretagne)))


def _drawn(page) -> tuple[float, float]:
    """Seconds from the page's navigation to its territories drawn, and to its map drawn with
    its points (browser's clock), once both marks are set."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        territories = _mark_time(page, (DRAWN_MARK,))
        points = _mark_time(page, (POINTS_MARK,))
        if territories is not None and points is not None:
            origin = page.evaluate(ORIGIN_JS)
            return (territories - origin) / 1000, (max(territories, points) - origin) / 1000
        page.wait_for_timeout(50)
    raise TimeoutError(f"map not drawn with its points within {TIMEOUT_S} s ({page.url})")


def visit(context, url: str, *, traffic: bool = False) -> dict[str, float]:
    """One visit in a new tab: its times and, with ``traffic``, the WebSocket bytes."""
    page = context.new_page()
    followed = Traffic(page) if traffic else None
    page.goto(url, wait_until="commit")
    territories, drawn = _drawn(page)
    page.wait_for_timeout(SETTLE_S * 1000)  # the page's next run (filters) ends here
    page.close()
    figures = {"territoires_s": territories, "carte_s": drawn}
    if followed is not None:
        figures["ws_mb"] = followed.ws_bytes / 1e6
    return figures


def measure(browser, base: str) -> dict[str, float]:
    """A code's figures on one app process: first visit, bytes, medians of timed visits."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(POINTS_HOOK_JS)
    first = visit(context, base + "/")
    figures = {"premiere_s": first["carte_s"]}
    for name, path in views():
        figures[f"ws_{name}_mb"] = visit(context, base + path, traffic=True)["ws_mb"]
        timed = [visit(context, base + path) for _ in range(VISITS)]
        figures[f"{name}_s"] = statistics.median(t["carte_s"] for t in timed)
        figures[f"{name}_territoires_s"] = statistics.median(t["territoires_s"] for t in timed)
    context.close()
    return figures


def run_code(name: str, code: Path, url: str, folder: Path, chromium: str) -> dict[str, float]:
    """``measure`` on an app process running ``code`` on the database at ``url``."""
    from e2e_harness import CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    with serving(name, code, url, folder) as (base, _), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            return measure(browser, base)
        finally:
            browser.close()


def _ratio(value: float, reference: float | None) -> str:
    return f"×{value / reference:.2f}" if reference else "–"


def report(size: int, results: dict[str, dict[str, float]], at_480: dict) -> None:
    """One size's figures for each code; the times with their ratio to the 480 time."""
    print(f"\n{size:,} initiatives".replace(",", "\u202f"), flush=True)
    rows = [("premiere_s", "Carte France, 1re visite (processus neuf)", "s")]
    for view, _ in views():
        rows += [
            (f"{view}_s", f"Carte {view}, carte et points dessinés", "s"),
            (f"{view}_territoires_s", "  dont territoires dessinés (sans points)", "s"),
            (f"ws_{view}_mb", "  données reçues par WebSocket", "Mo"),
        ]
    for key, label, unit in rows:
        cells = []
        for name, figures in results.items():
            base = at_480.get(name, {}).get(key) if unit == "s" else None
            ratio = f" ({_ratio(figures[key], base)} de 480)" if unit == "s" else ""
            cells.append(f"{name} {figures[key]:6.2f} {unit}{ratio}")
        print(f"  {label:<44} " + "   ".join(cells), flush=True)


def main() -> None:
    found = reference_and_chromium()
    if found is None:
        return
    reference, chromium = found
    commit = os.environ.get("BENCH_CARTE_AVANT", BASELINE_COMMIT)
    print(
        f"Médianes de {VISITS} visites (un onglet chacune, processus chaud) ; serveur sur le"
        " cœur 0, Chromium sur les autres ; machine partagée possible : comparez les colonnes"
        f" d'une même passe. Cible : au plus ×{TARGET_RATIO:g} le temps à 480 (France, Bretagne)."
    )
    with tempfile.TemporaryDirectory(prefix="bench-carte-") as tmp:
        folder = Path(tmp)
        before = baseline_code(folder, commit) if commit != "-" else None
        codes = {**({"avant": before} if before else {}), "maintenant": ROOT}
        wrapper = _chromium_wrapper(folder, chromium)
        at_480: dict[str, dict[str, float]] = {}
        for index, size in enumerate(_sizes()):
            url = database(reference, folder, size)
            order = list(codes) if index % 2 == 0 else list(reversed(codes))
            results = {name: run_code(name, codes[name], url, folder, wrapper) for name in order}
            results = {name: results[name] for name in codes}
            if size == 480:
                at_480 = results
            report(size, results, at_480)


if __name__ == "__main__":
    main()
