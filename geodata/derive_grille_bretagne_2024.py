"""Derive ``geodata/grille_densite_2024_bretagne.csv`` from INSEE's 2024 density grid of Bretagne.

Developer tool only. Run from the repository root::

    .venv/bin/python geodata/derive_grille_bretagne_2024.py \\
        ../shared/reference/grille_densite_7niv_2024_bretagne_transcribed.csv

The grid (7 levels, codes of the COG 2024, read by the product's own parser) is reduced to
INSEE's 4 levels (1 | 2-4 | 5-6 | 7) and carried over to the current communes
(``territoires.geo.history.to_current``: a commune merged since gives nothing to the commune
that absorbed it, which keeps its own level). The committed table is used to calibrate the
default rurality approximation and to measure its agreement (``geodata info``), never as
rurality data: the app applies an official grid only when a user imports one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from territoires.geo.history import to_current  # noqa: E402
from territoires.geo.official import parse_density_grid  # noqa: E402
from territoires.geo.rurality import GRID_LEVELS  # noqa: E402
from territoires.geo.sources import BRETAGNE_GRID_FILE, read_communes_table  # noqa: E402

DEFAULT_SOURCE = (
    ROOT.parent / "shared" / "reference" / "grille_densite_7niv_2024_bretagne_transcribed.csv"
)


def derive(source: Path) -> pd.DataFrame:
    """``code_insee, niveau`` (4 levels) of the Bretagne communes of the current COG."""
    grid = parse_density_grid(source, 7).frame
    table = read_communes_table()
    carried = to_current(grid, table.loc[table["type"] == "COM", "code"])
    niveau = carried["niveau_source"].map(lambda level: GRID_LEVELS[7][int(level)][1])
    return pd.DataFrame({"code_insee": carried["code_insee"], "niveau": niveau})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, nargs="?", default=DEFAULT_SOURCE)
    args = parser.parse_args(argv)
    frame = derive(args.source)
    frame.to_csv(BRETAGNE_GRID_FILE, index=False)
    print(f"{len(frame)} communes écrites dans {BRETAGNE_GRID_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
