"""The COG's history: former communes and restored communes (committed derived tables).

- ``geodata/communes_fusionnees.csv``: ``code_ancien, code_insee, nom_ancien, dernier_cog``,
  every former commune, the current commune that absorbed it and, for a commune merged on 1
  January 2025 or later, the last COG that listed it (``2024``);
- ``geodata/communes_retablies.csv``: ``code_insee, code_porteur``, the communes restored since
  the COG 2024 and the commune they belonged to then.

Both are derived by ``geodata/derive_communes_history.py`` from ``@etalab/decoupage-administratif``
(see ``geodata/sources.toml``). :func:`to_current` carries a table keyed by the codes of an
older COG (a zoning, a grid) over to the current communes.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pandas as pd

from territoires.errors import GeodataError
from territoires.geo.sources import GEODATA_SOURCE_DIR

MERGES_FILE = GEODATA_SOURCE_DIR / "communes_fusionnees.csv"
RESTORED_FILE = GEODATA_SOURCE_DIR / "communes_retablies.csv"


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise GeodataError(f"Table de l'historique des communes introuvable : {path}.")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = set(columns) - set(frame.columns)
    if missing:
        raise GeodataError(f"Colonnes {sorted(missing)} absentes de {path.name}.")
    return frame[columns]


def read_merges(path: Path = MERGES_FILE) -> pd.DataFrame:
    """Former communes: ``code_ancien, code_insee, nom_ancien, dernier_cog`` (all text)."""
    return _read(path, ["code_ancien", "code_insee", "nom_ancien", "dernier_cog"])


def read_restored(path: Path = RESTORED_FILE) -> pd.DataFrame:
    """Restored communes: ``code_insee, code_porteur`` (the commune that held them)."""
    return _read(path, ["code_insee", "code_porteur"])


def to_current(
    frame: pd.DataFrame,
    current: Collection[str],
    merges: pd.DataFrame | None = None,
    restored: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Carry rows keyed by an older COG's ``code_insee`` over to the current communes.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per commune of the older COG, with a ``code_insee`` column.
    current : collection of str
        The current communes' codes.
    merges, restored : pandas.DataFrame, optional
        The history tables (:func:`read_merges`, :func:`read_restored` by default).

    Returns
    -------
    pandas.DataFrame
        One row per current commune found, sorted by code, with a ``code_source`` column: the
        older code whose row was taken. A current commune keeps its own row when the older COG
        had its code (the usual case: a commune nouvelle keeps its chef-lieu's code); else it
        takes the row of the former commune it absorbed (the first by code if several); a
        restored commune takes the row of the commune it belonged to.
    """
    merges = read_merges() if merges is None else merges
    restored = read_restored() if restored is None else restored
    wanted = set(current)
    rows = frame.assign(code_source=frame["code_insee"].astype(str))
    own = rows.loc[rows["code_source"].isin(wanted)]
    absorbing = rows["code_source"].map(merges.set_index("code_ancien")["code_insee"])
    absorbed = rows.assign(code_insee=absorbing).dropna(subset=["code_insee"])
    absorbed = absorbed.loc[~absorbed["code_insee"].isin(own["code_insee"])]
    absorbed = absorbed.sort_values("code_source").drop_duplicates("code_insee")
    held = restored.loc[restored["code_insee"].isin(wanted)]
    held = held.loc[~held["code_insee"].isin(own["code_insee"])]
    carried = held.merge(
        rows.drop(columns="code_insee"), left_on="code_porteur", right_on="code_source"
    ).drop(columns="code_porteur")
    result = pd.concat([own, absorbed, carried[rows.columns]], ignore_index=True)
    result = result.loc[result["code_insee"].isin(wanted)]
    return result.sort_values("code_insee").reset_index(drop=True)
