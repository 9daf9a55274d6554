"""Place each initiative on the communes it serves.

An initiative counts on its area served (zone d'intervention) when given, else on the commune
where it is based. This avoids the "headquarters effect" of counting everything in the town
that hosts the carrying organisation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from territoires.errors import UnknownCodeError
from territoires.geo.reference import PARENT_COLUMN, GeoReference

PLACEMENT_COLUMNS = ["initiative_id", "code_insee", "poids"]


class _ZoneResolver:
    """Expands zone parts into communes, with one lookup table per level (built on demand).

    ``reference.communes_of`` scans every commune on each call; an import of thousands of
    initiatives with areas served would pay that scan thousands of times.
    """

    def __init__(self, reference: GeoReference) -> None:
        self.reference = reference
        self._tables: dict[str, dict[str, tuple[str, ...]]] = {}
        self._cache: dict[tuple[str, str], tuple[str, ...]] = {}

    def _table(self, level: str) -> dict[str, tuple[str, ...]]:
        if level not in self._tables:
            communes = self.reference.communes
            column = PARENT_COLUMN[level]
            table: dict[str, list[str]] = {}
            for parent, code in zip(
                communes[column].to_numpy(dtype=object),
                communes["code_insee"].to_numpy(dtype=object),
                strict=True,
            ):
                if isinstance(parent, str) and parent:
                    table.setdefault(parent, []).append(code)
            self._tables[level] = {key: tuple(codes) for key, codes in table.items()}
        return self._tables[level]

    def communes(self, level: str, code: str) -> tuple[str, ...]:
        """The communes of one zone part; empty when the level or the code is unknown."""
        key = (level, code)
        if key not in self._cache:
            if level in PARENT_COLUMN:
                self._cache[key] = self._table(level).get(code, ())
            else:
                try:
                    self._cache[key] = tuple(self.reference.communes_of(level, code))
                except (UnknownCodeError, KeyError):
                    self._cache[key] = ()
        return self._cache[key]

    def zone(self, zone: list[dict]) -> list[str]:
        """The communes of a whole area served, in order, without duplicates."""
        codes: list[str] = []
        for part in zone:
            if isinstance(part, dict) and part.get("level") and part.get("code") is not None:
                codes.extend(self.communes(str(part["level"]), str(part["code"])))
        return list(dict.fromkeys(codes))


def served_communes(initiatives: pd.DataFrame, reference: GeoReference) -> pd.DataFrame:
    """Return one row per (initiative, commune served), with weight 1/n for n communes.

    Parameters
    ----------
    initiatives : DataFrame
        With at least ``id``, ``commune_code`` and ``zone_intervention`` (list of dicts).
    reference : GeoReference
        Used to expand EPCI, departements and named territories into communes.
    """
    missing = {"id", "commune_code", "zone_intervention"} - set(initiatives.columns)
    if missing:
        raise ValueError(f"expected columns {sorted(missing)} in initiatives")
    resolver = _ZoneResolver(reference)
    served: list[str] = []
    counts: list[int] = []
    for commune, zone in initiatives[["commune_code", "zone_intervention"]].itertuples(index=False):
        has_zone = isinstance(zone, list | tuple) and len(zone) > 0
        codes = resolver.zone(list(zone)) if has_zone else []
        if not codes and isinstance(commune, str) and commune:
            codes = [commune]
        served.extend(codes)
        counts.append(len(codes))
    sizes = np.asarray(counts, dtype=np.int64)
    return pd.DataFrame(
        {
            "initiative_id": np.repeat(initiatives["id"].to_numpy(), sizes),
            "code_insee": pd.Series(served, dtype=object),
            "poids": np.repeat(1.0 / np.maximum(sizes, 1), sizes),
        },
        columns=PLACEMENT_COLUMNS,
    )
