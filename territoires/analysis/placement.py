"""Place each initiative on the communes it serves.

An initiative counts on its area served (zone d'intervention) when given, else on the commune
where it is based. This avoids the "headquarters effect" of counting everything in the town
that hosts the carrying organisation.
"""

from __future__ import annotations

import pandas as pd

from territoires.errors import UnknownCodeError
from territoires.geo.reference import GeoReference

PLACEMENT_COLUMNS = ["initiative_id", "code_insee", "poids"]


def _zone_communes(reference: GeoReference, zone: list[dict]) -> list[str]:
    codes: list[str] = []
    for part in zone:
        try:
            codes.extend(reference.communes_of(part["level"], part["code"]))
        except UnknownCodeError:
            continue
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
    rows: list[tuple[int, str, float]] = []
    for ident, commune, zone in initiatives[["id", "commune_code", "zone_intervention"]].itertuples(
        index=False
    ):
        codes = _zone_communes(reference, zone) if isinstance(zone, list) and zone else []
        if not codes and isinstance(commune, str) and commune:
            codes = [commune]
        weight = 1.0 / len(codes) if codes else 0.0
        rows.extend((ident, code, weight) for code in codes)
    return pd.DataFrame(rows, columns=PLACEMENT_COLUMNS)
