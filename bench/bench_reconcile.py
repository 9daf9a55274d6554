"""What reconciling labels as people write them costs an import, through the real command line.

Two 20,000-row files carry every column the app's initiatives export writes, and the same
initiatives: one with canonical labels only (funders' full names, theme codes, types as
configured, official commune names), the other as a committee writes them (« FdF »,
« Fondation de France (FdF) », « J.-M. Bruneau », « Fond. Daniel & Nina Carasso »,
« Culture et savoirs », « Cultures, savoirs et savoir-faire », « Projets associatifs »,
« ST BRIEUC »…), some of which only a confirmed correspondence resolves. Each import is a
whole ``python -m territoires import`` process, from its start to its exit, into a new SQLite
database: the canonical file, then the other with ``--mapping`` (its suggestions confirmed as
written, saved as aliases in the same transaction). Target: reconciliation adds at most 30 %.

Run with ``python -m bench reconcile``. Needs the geodata cache (``make bench`` builds it).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
from pathlib import Path

from bench.realistic import cached_reference
from bench.timing import timed_process

ROWS = 20_000
RUNS = 3
TARGET = 1.30
# (canonical full name, ways a committee writes it)
FUNDERS = (
    ("Fondation de France", ("FdF", "Fondation de France (FdF)", "fondation de france")),
    (
        "Fondation Daniel et Nina Carasso",
        ("Carasso", "Fond. Daniel & Nina Carasso", "Fondation Nina Carasso", "FDNC"),
    ),
    ("Fondation JM Bruneau", ("J.-M. Bruneau", "JM Bruneau", "Fondation J-M Bruneau")),
    ("Fondation Entreprendre", ("Entreprendre", "Fondation Entreprendre")),
    ("Fonds de dotation Terre et Fils", ("Terre & Fils", "Terre et Fils", "Fonds Terre-et-Fils")),
)
THEMES = (
    ("prendre-soin", ("Prendre soin", "prendre soins", "Soin")),
    (
        "cultures-savoirs",
        ("Culture et savoirs", "Cultures, savoirs et savoir-faire", "cultures / savoirs"),
    ),
    ("espaces-cooperation", ("Espace de coopération", "Coopération", "espaces de cooperation")),
)
TYPES = (
    ("projet associatif", ("Projets associatifs", "Association", "projet associatif")),
    ("fondation territoriale", ("Fondation territoriale", "Fondations territoriales")),
)


def _written(name: str, rng: random.Random) -> str:
    """A commune name as people type it: capitals, no accents or hyphens, « St »."""
    variants = (
        name.upper(),
        name.replace("-", " "),
        name.replace("Saint-", "St-").replace("Sainte-", "Ste-"),
        name.lower(),
    )
    return rng.choice(variants)


def make_files(reference, folder: Path, rows: int = ROWS, seed: int = 20) -> tuple[Path, Path]:
    """The canonical file and the same initiatives as a committee writes them."""
    import pandas as pd

    from territoires.exports import EXPORT_COLUMNS, to_csv_bytes

    rng = random.Random(seed)
    communes = reference.communes[
        ["code_insee", "nom", "epci_code", "departement_code", "region_code"]
    ].values.tolist()
    canonical, written = [], []
    for index in range(rows):
        code, name, epci, dep, region = rng.choice(communes)
        by_name = rng.random() < 0.3  # located by name and département, as typed
        funders = rng.sample(range(len(FUNDERS)), rng.randint(1, 2))
        themes = rng.sample(range(len(THEMES)), rng.randint(1, 2))
        kind = rng.randrange(len(TYPES))
        row = {
            "reference": f"D-{index}",
            "titre": f"Projet {index}",
            "porteur": f"Association {index % 997}",
            "montant": float(rng.randint(2, 200) * 1000),
            "annee": rng.randint(2019, 2026),
            "commune_code": "" if by_name else code,
            "epci_code": epci,
            "departement_code": dep,
            "region_code": region,
            "latitude": None,
            "longitude": None,
            "description": f"Description du projet {index}, écrite par le comité.",
        }
        canonical.append(
            row
            | {
                "commune_nom": name,
                "type": TYPES[kind][0],
                "financeurs": " ; ".join(FUNDERS[i][0] for i in funders),
                "themes": " ; ".join(THEMES[i][0] for i in themes),
            }
        )
        written.append(
            row
            | {
                "commune_nom": _written(name, rng) if by_name else name,
                "type": rng.choice(TYPES[kind][1]),
                "financeurs": rng.choice((" ; ", " / ", " + ")).join(
                    rng.choice(FUNDERS[i][1]) for i in funders
                ),
                "themes": " ; ".join(rng.choice(THEMES[i][1]) for i in themes),
            }
        )
    paths = folder / "canonique.csv", folder / "comite.csv"
    for path, rows_ in zip(paths, (canonical, written), strict=True):
        path.write_bytes(to_csv_bytes(pd.DataFrame(rows_, columns=list(EXPORT_COLUMNS))))
    return paths


def _command(*args: str) -> tuple[float, str, float]:
    """Run ``python -m territoires ARGS`` from process start to exit; return (seconds, output,
    CPU seconds: less sensitive than the clock to a machine shared with other work)."""
    command = [sys.executable, "-m", "territoires", *args]
    seconds, cpu, done = timed_process(command, env=os.environ.copy())
    if done.returncode not in (0, 1):
        raise RuntimeError(done.stderr or done.stdout)
    return seconds, done.stdout, cpu


def main() -> None:
    reference = cached_reference()
    if reference is None:
        return
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        canonical, written = make_files(reference, folder)
        suggestions = folder / "suggestions.csv"
        _, out, _ = _command(
            "import", str(written), "--db", f"sqlite:///{folder / 'x.db'}", "--dry-run",
            "--suggestions", str(suggestions),
        )  # fmt: skip
        pending = next(line for line in out.splitlines() if line.startswith("Suggestions"))
        times: dict[str, list[float]] = {"canonique": [], "comite": []}
        cpus: dict[str, list[float]] = {"canonique": [], "comite": []}
        outputs: dict[str, str] = {}
        for run in range(RUNS):
            for label, path, extra in (
                ("canonique", canonical, ()),
                ("comite", written, ("--mapping", str(suggestions))),
            ):
                db = f"sqlite:///{folder / f'{label}-{run}.db'}"
                seconds, outputs[label], cpu = _command("import", str(path), "--db", db, *extra)
                times[label].append(seconds)
                cpus[label].append(cpu)
    base, messy = (statistics.median(times[k]) for k in ("canonique", "comite"))
    ratio = messy / base
    print(f"Import de {ROWS} lignes, toutes les colonnes de l'export, ligne de commande complète :")
    print(f"  {pending}")
    for label, title in (("canonique", "libellés canoniques"), ("comite", "écrits par un comité")):
        figures = ", ".join(f"{t:.2f}" for t in times[label])
        counts = next(line for line in outputs[label].splitlines() if line.startswith("Init"))
        print(
            f"  {title:<22} : médiane {statistics.median(times[label]):6.2f} s "
            f"({figures}) ; processeur {statistics.median(cpus[label]):.2f} s — {counts}"
        )
    verdict = "atteint" if ratio <= TARGET else "NON atteint"
    cpu_ratio = statistics.median(cpus["comite"]) / statistics.median(cpus["canonique"])
    print(
        f"  surcoût du rapprochement : {100 * (ratio - 1):+.0f} % "
        f"(objectif ≤ +{100 * (TARGET - 1):.0f} % : {verdict}) ; en temps processeur "
        f"{100 * (cpu_ratio - 1):+.0f} %"
    )


if __name__ == "__main__":
    main()
