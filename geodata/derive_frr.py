"""Derive ``geodata/frr_2025.csv`` from ANCT's France Ruralités Revitalisation list.

Developer tool only: the app reads the committed table and never needs the official file.
Run from the repository root with the list downloaded from the ANCT (« Classement FRR et FRR+
au 10 juillet 2025 », ``;``-separated CSV, one row per commune of the 2025 COG)::

    .venv/bin/python geodata/derive_frr.py path/to/liste-communes-FRR-juillet2025.csv

The table keeps the classed communes only (every classement but « Non classée »), with the
classement as the list writes it: a commune absent from the table is not classed. A user who
imports a newer list (``python -m territoires geodata import-frr``) overrides this table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from territoires.geo.official import frr_is_classed, parse_frr  # noqa: E402

OUTPUT = Path(__file__).resolve().parent / "frr_2025.csv"


def derive_table(path: Path) -> pd.DataFrame:
    """Return ``code_insee, classement`` for the classed communes of the list, sorted by code."""
    frame = parse_frr(Path(path)).frame
    classed = frame.loc[frame["frr"].map(frr_is_classed)]
    table = classed.rename(columns={"frr": "classement"})[["code_insee", "classement"]]
    return table.sort_values("code_insee").reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="liste officielle FRR (CSV de l'ANCT)")
    args = parser.parse_args(argv)
    table = derive_table(args.file)
    table.to_csv(OUTPUT, index=False, lineterminator="\n")
    print(f"{len(table)} communes classées écrites dans {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
