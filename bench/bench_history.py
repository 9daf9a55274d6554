"""The cost of the history (issue 19), next to baselines measured in the same run.

1. Importing 20,000 rows through the real command line, from process start to exit
   (``python -m territoires import FILE`` in a subprocess, into a new SQLite database), on a
   file carrying every column of the app's initiatives export (written by the app's own export
   function from synthetic initiatives). Target: ≥ 5,000 rows/s with history on. Baseline: the
   same command with history recording skipped (``bench/import_without_history.py``).
2. Loading one initiative's history with 100,000 history rows in the store. Target: ≤ 50 ms.
   Baseline: reading the whole history and filtering it in pandas.

Run with ``python -m bench history``. Needs the geodata cache (``make bench`` builds it).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

from bench.realistic import export_frame
from bench.timing import best_of, timed_process

ROOT = Path(__file__).resolve().parent.parent
ROWS = 20_000
IMPORT_TARGET = 5_000.0
HISTORY_ROWS = 100_000
LOAD_TARGET_MS = 50.0
RUNS = 3


def export_file(reference, path: Path, rows: int = ROWS, seed: int = 7) -> Path:
    """A CSV written by the app's initiatives export from ``rows`` synthetic initiatives."""
    from territoires.exports import export_initiatives

    path.write_bytes(export_initiatives(export_frame(reference, rows, seed), reference, "csv"))
    return path


def _run_import(module: str, path: Path, folder: Path, index: int) -> tuple[float, float]:
    """Seconds from process start to exit of one import into a new SQLite database, and the
    CPU seconds the process used (less sensitive to a machine shared with other work)."""
    database = folder / f"import-{module.replace('.', '-')}-{index}.db"
    env = {**os.environ, "TERRITOIRES_DEMO": "0", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", module, "import", str(path), "--db", f"sqlite:///{database}"]
    elapsed, cpu, done = timed_process(command, env=env, cwd=ROOT)
    if done.returncode != 0 or f"{ROWS}nouvelles" not in "".join(done.stdout.split()):
        raise RuntimeError(f"import failed ({done.returncode}): {done.stdout}{done.stderr}")
    return elapsed, cpu


def bench_import(reference, folder: Path) -> None:
    path = export_file(reference, folder / "initiatives.csv")
    runs: dict[str, list[tuple[float, float]]] = {
        "territoires": [],
        "bench.import_without_history": [],
    }
    for index in range(RUNS):  # alternate, so that a slow moment of the machine hits both
        for module in runs:
            runs[module].append(_run_import(module, path, folder, index))
    print(
        f"Import de {ROWS} lignes par la ligne de commande (du lancement à la fin du processus, "
        f"fichier de l'export des initiatives, {path.stat().st_size / 1e6:.1f} Mo) :"
    )
    with_history = _report("historique compris", runs["territoires"], target=True)
    without = _report("sans historique   ", runs["bench.import_without_history"], target=False)
    print(
        f"  coût de l'historique : {with_history - without:+.2f} s ({with_history / without:.2f} ×)"
    )


def _report(label: str, runs: list[tuple[float, float]], *, target: bool) -> float:
    """Print the best run (wall clock and CPU); return its wall-clock seconds."""
    wall, cpu = min(runs)
    rate = ROWS / wall
    verdict = ""
    if target:
        reached = "atteint" if rate >= IMPORT_TARGET else "NON atteint"
        verdict = f" (objectif ≥ {IMPORT_TARGET:,.0f}/s : {reached})"
    print(
        f"  {label} : {wall:6.2f} s = {rate:,.0f} lignes/s{verdict} ; temps processeur "
        f"{cpu:.2f} s ; essais " + ", ".join(f"{w:.2f} s ({c:.2f} s proc.)" for w, c in runs)
    )
    return wall


def _history_store(folder: Path):
    """A store holding 20,000 initiatives and 100,000 history rows (creations and four
    re-imports changing every amount)."""
    from territoires.store import Actor, open_store

    actor = Actor("bench@exemple.fr", "editeur")
    store = open_store(f"sqlite:///{folder / 'historique.db'}")
    count = HISTORY_ROWS // 5
    base = [
        {
            "reference": f"H-{i}",
            "titre": f"Initiative {i}",
            "porteur": f"Association {i % 97}",
            "type": "projet associatif",
            "themes": ["prendre-soin"],
            "financements": [{"financeur": "Fondation de France", "montant": None}],
            "montant": 1000.0,
            "annee": 2020 + i % 6,
            "commune_code": "22001",
            "source_fichier": "bench.csv",
            "source_ligne": i + 2,
        }
        for i in range(count)
    ]
    store.import_batch(base, actor=actor, fields=None)
    for round_ in range(1, 5):
        store.import_batch(
            [{**r, "montant": 1000.0 + round_} for r in base], actor=actor, fields=None
        )
    return store


def bench_history_load(folder: Path) -> None:
    store = _history_store(folder)
    try:
        rows = int(store._db.execute("SELECT COUNT(*) FROM history").fetchone()[0])
        ids = store.list_initiatives()["id"].sample(30, random_state=1).tolist()
        times = []
        for ident in ids:
            seconds, frame = best_of(lambda i=ident: store.history(initiative_id=i), repeat=3)
            times.append(seconds * 1000)
            if len(frame) < 5:
                raise RuntimeError(f"history of {ident}: {len(frame)} rows")
        naive_s, _ = best_of(
            lambda: store.history().query("initiative_id == @ids[0]", local_dict={"ids": ids})
        )
    finally:
        store.close()
    median, worst = statistics.median(times), max(times)
    verdict = "atteint" if worst <= LOAD_TARGET_MS else "NON atteint"
    print(f"Historique d'une initiative, {rows:,} lignes d'historique dans la base (SQLite) :")
    print(
        f"  requête indexée (meilleure de 3 par initiative) : médiane {median:.1f} ms, pire "
        f"{worst:.1f} ms sur {len(ids)} "
        f"initiatives (objectif ≤ {LOAD_TARGET_MS:.0f} ms : {verdict})"
    )
    print(
        f"  naïf (tout l'historique lu puis filtré) : {naive_s * 1000:.0f} ms "
        f"({naive_s * 1000 / median:.0f} × la requête indexée)"
    )


def main() -> None:
    from territoires.geo.cache import load_reference

    reference = load_reference()
    with tempfile.TemporaryDirectory() as folder:
        bench_import(reference, Path(folder))
        bench_history_load(Path(folder))


if __name__ == "__main__":
    main()
