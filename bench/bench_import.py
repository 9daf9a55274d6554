"""Import throughput on a generated 20,000-row CSV, next to pandas alone reading the same file.

Run with ``python -m bench`` (all benchmarks) or ``python -m bench.bench_import``. Target:
at least 5,000 rows per second on a 2-core machine. Uses the real reference when the geodata
cache is built, else a small synthetic one.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

import pandas as pd

from territoires.store import Actor

ACTOR = Actor("test@exemple.fr", "editeur")

ROWS = 20_000
TARGET = 5_000.0
FUNDERS = ("Carasso", "FdF", "Terre et Fils", "JM Bruneau + FdF", "Fondation Entreprendre")
THEMES = ("Prendre soin", "cultures + coopération", "Espaces de coopération", "savoirs")


def _reference():
    from territoires.errors import GeodataError
    from territoires.geo.cache import load_reference

    try:
        return load_reference(), "référentiel réel"
    except GeodataError:
        import sys

        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from conftest import tiny_communes

        from territoires.geo.reference import GeoReference

        return GeoReference.from_frames(tiny_communes()), "référentiel synthétique (12 communes)"


def make_file(reference, path: Path, rows: int = ROWS, seed: int = 1) -> Path:
    """A committee-like CSV: names + département, some INSEE codes, French amounts."""
    rng = random.Random(seed)
    communes = reference.communes[["code_insee", "nom", "departement_code"]].values.tolist()
    lines = [
        "Réf;Intitulé du projet;Structure porteuse;Commune;Dép;Code INSEE;Financeurs;Axes;"
        "Montant;Année"
    ]
    for index in range(rows):
        code, name, dep = rng.choice(communes)
        by_code = rng.random() < 0.3
        amount = f"{rng.randint(2, 200)} {rng.randint(0, 999):03d} €"
        lines.append(
            f"B{index};Projet {index};Association {index % 97};{'' if by_code else name};"
            f"{'' if by_code else dep};{code if by_code else ''};{rng.choice(FUNDERS)};"
            f"{rng.choice(THEMES)};{amount};{rng.randint(2019, 2026)}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="cp1252", errors="replace")
    return path


def main() -> None:
    from territoires.importers.pipeline import import_file
    from territoires.store import open_store

    reference, label = _reference()
    with tempfile.TemporaryDirectory() as folder:
        path = make_file(reference, Path(folder) / "bench.csv")
        start = time.perf_counter()
        pd.read_csv(path, sep=";", dtype=str, encoding="cp1252", keep_default_na=False)
        pandas_s = time.perf_counter() - start

        store = open_store(f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            start = time.perf_counter()
            first = import_file(path, store, reference, actor=ACTOR)
            import_s = time.perf_counter() - start
            start = time.perf_counter()
            again = import_file(path, store, reference, actor=ACTOR)
            again_s = time.perf_counter() - start
        finally:
            store.close()
    rate = ROWS / import_s
    print(f"Import de {ROWS} lignes ({label}) :")
    print(f"  pandas seul (lecture du CSV)                       : {pandas_s:6.2f} s")
    print(
        f"  import complet (SQLite, index des communes compris) : {import_s:6.2f} s  "
        f"= {rate:,.0f} lignes/s "
        f"(objectif ≥ {TARGET:,.0f}/s : {'atteint' if rate >= TARGET else 'NON atteint'}), "
        f"{import_s / pandas_s:.1f} × pandas seul"
    )
    print(
        f"  ré-import (tout inchangé)                          : {again_s:6.2f} s  "
        f"= {ROWS / again_s:,.0f} lignes/s "
        f"({again.inchangees} inchangées)"
    )
    print(f"  premier import : {first.nouvelles} nouvelles, {len(first.rejected)} rejetées")


if __name__ == "__main__":
    main()
