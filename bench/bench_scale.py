"""The read path at scale: the app's pages at 480, 5,000 and 50,000 initiatives, next to the
code of before this work, both measured in the same run.

Each size is a SQLite database filled by the app's own import (``python -m territoires
import``) of a realistic file (``bench/realistic.py``: every column of the initiatives export,
an area served on about 16 % of the rows, coordinates for a fifth). For each size and each
code, one process (``bench/scale_worker.py``) runs the pages server-side through Streamlit's
AppTest, as a browser's session would make the server run them, and reports:

- « Carte » France, a first visit (new process: reference and initiatives read, index built);
- « Carte » France, a new session's visit (warm process);
- a filter change in that session → the page's run done (map HTML, figures): the median of
  three filters never seen before by the process;
- « Carte » Bretagne (a new session, its link); « Couverture » and « Initiatives », each in a
  first session (the process computes the page's figures) then in a next one;
- the process's memory once every page ran, the memory each extra open session on « Carte »
  holds (five opened), and what is left of it once they are closed and the code released
  the memory freed (as the server does after sessions close: ``territoires.ui.memory``);
- last, « Couverture » in a new session after one initiative's title was edited through the
  store (a new data version, as after any edit or import; the same communes served): the
  initiatives read again and indexed, then every figure of the page computed anew.

Server-side only: the browser's drawing is measured by ``bench_map``. The baseline, « avant »,
is the code at ``BASELINE_COMMIT`` (``main`` before this work), extracted by ``git archive``;
runs alternate between the two codes. Targets (issue 21, at 50,000): filter change ≤ 0.3 s,
« Couverture » and « Initiatives » ≤ 2 s, ≤ 30 MB per extra session.

Run with ``python -m bench scale``. ``BENCH_SCALE_RUNS`` sets the runs (3 by default),
``BENCH_SCALE_SIZES`` the sizes (``480,5000,50000`` by default). Needs the geodata cache.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from bench.bench_import import baseline_code, code_environment, run_import
from bench.realistic import cached_reference, realistic_file
from bench.timing import timed_process

ROOT = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).resolve().parent / "scale_worker.py"
BASELINE_COMMIT = "901f13137c2ae488eca3d5d6a9ac4b2c7e09f73f"  # main before this work
SIZES = (480, 5_000, 50_000)
MEASURES = (  # key, label, unit
    ("carte_premiere_s", "Carte France, 1re visite (processus neuf)", "s"),
    ("carte_france_s", "Carte France, visite (processus chaud)", "s"),
    ("filtre_s", "Changement de filtre → page prête", "s"),
    ("carte_bretagne_s", "Carte Bretagne, visite", "s"),
    ("couverture_s", "Couverture, 1re visite", "s"),
    ("couverture_2_s", "Couverture, session suivante", "s"),
    ("couverture_modif_s", "Couverture, 1re visite après une modification", "s"),
    ("initiatives_s", "Initiatives (tableau), 1re visite", "s"),
    ("initiatives_2_s", "Initiatives, session suivante", "s"),
    ("memoire_mb", "Mémoire du processus", "Mo"),
    ("par_session_mb", "Mémoire par session ouverte en plus", "Mo"),
    ("apres_fermeture_mb", "Mémoire restée, sessions fermées", "Mo"),
)


def _sizes() -> tuple[int, ...]:
    raw = os.environ.get("BENCH_SCALE_SIZES", "")
    return tuple(int(v) for v in raw.split(",") if v.strip()) or SIZES


def database(reference, folder: Path, size: int) -> str:
    """A SQLite database of ``size`` initiatives, filled by the app's own import."""
    path = folder / f"base-{size}.db"
    url = f"sqlite:///{path}"
    env = code_environment(folder / f"import-{size}", ROOT)
    run_import(ROOT, realistic_file(reference, folder / f"r{size}.csv", size), url, env)
    return url


def measure(code: Path, url: str, data_dir: Path) -> dict[str, float]:
    """One worker process's figures for ``code`` on the database at ``url``."""
    env = {**code_environment(data_dir, code), "TERRITOIRES_DATABASE_URL": url}
    _, _, done = timed_process([sys.executable, str(WORKER)], env=env, cwd=code)
    if done.returncode != 0:
        raise RuntimeError(f"{code}: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _line(label: str, unit: str, before: list[float], after: list[float]) -> str:
    def runs(values: list[float]) -> str:
        return " / ".join(f"{v:.2f}" if unit == "s" else f"{v:.0f}" for v in values)

    base = statistics.median(before) if before else 0.0
    ratio = f"×{statistics.median(after) / base:.2f}" if base > 0 else "–"
    shown = f"avant {runs(before)} {unit}" if before else "avant –"
    return f"  {label:<42} {shown:<28} maintenant {runs(after)} {unit}   {ratio}"


def report(size: int, results: dict[str, list[dict[str, float]]]) -> None:
    """Each measure's runs for both codes, and the ratio of their medians."""
    print(f"\n{size:,} initiatives".replace(",", "\u202f"), flush=True)
    for key, label, unit in MEASURES:
        before = [r[key] for r in results.get("avant", [])]
        after = [r[key] for r in results["maintenant"]]
        print(_line(label, unit, before, after), flush=True)


def main() -> None:
    reference = cached_reference()
    if reference is None:
        return
    runs = int(os.environ.get("BENCH_SCALE_RUNS", "3"))
    print(f"{runs} passes ; machine partagée possible : comparez les colonnes d'une même passe.")
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        folder = Path(tmp)
        before = baseline_code(folder, BASELINE_COMMIT)
        codes = {"maintenant": ROOT, **({"avant": before} if before else {})}
        for size in _sizes():
            url = database(reference, folder, size)
            results: dict[str, list[dict[str, float]]] = {name: [] for name in codes}
            for run in range(runs):
                order = list(codes) if run % 2 == 0 else list(reversed(codes))
                for name in order:
                    results[name].append(measure(codes[name], url, folder / f"donnees-{name}"))
            report(size, results)


if __name__ == "__main__":
    main()
