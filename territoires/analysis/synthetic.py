"""Synthetic initiatives frames following the store contract (tests and benchmarks only).

``initiatives_frame`` fills every column of ``Store.list_initiatives()`` (see
``docs/architecture.md``) with neutral defaults, so that a test states only what it checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from territoires.analysis.aggregate import THEMES
from territoires.geo.reference import GeoReference

FUNDERS: tuple[str, ...] = (
    "Fondation Daniel et Nina Carasso",
    "Fondation JM Bruneau",
    "Fondation Entreprendre",
    "Fonds de dotation Terre et Fils",
    "Fondation de France",
)


def _defaults(ident: int) -> dict[str, Any]:
    return {
        "id": ident,
        "reference": None,
        "titre": f"Initiative {ident}",
        "description": "",
        "porteur": f"Association {ident}",
        "type": "projet associatif",
        "themes": [],
        "financeurs": [],
        "financements": [],
        "montant": np.nan,
        "annee": pd.NA,
        "date_debut": None,
        "date_fin": None,
        "statut": None,
        "commune_code": None,
        "zone_intervention": [],
        "latitude": np.nan,
        "longitude": np.nan,
        "site_web": None,
        "contact": None,
        "source_fichier": None,
        "source_ligne": pd.NA,
        "fictif": True,
        "cree_le": "2026-01-01T00:00:00",
        "modifie_le": "2026-01-01T00:00:00",
    }


def initiatives_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Return an initiatives frame with every contract column; ``id`` defaults to 1, 2, …"""
    rows = []
    for position, record in enumerate(records, start=1):
        row = _defaults(int(record.get("id", position)))
        row.update(record)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(_defaults(0)))
    frame["annee"] = frame["annee"].astype("Int64")
    frame["source_ligne"] = frame["source_ligne"].astype("Int64")
    frame["montant"] = frame["montant"].astype(float)
    frame["latitude"] = frame["latitude"].astype(float)
    frame["longitude"] = frame["longitude"].astype(float)
    return frame


def random_initiatives(reference: GeoReference, count: int, seed: int = 0) -> pd.DataFrame:
    """Return ``count`` random initiatives placed on random communes of the reference."""
    rng = np.random.default_rng(seed)
    codes = reference.communes["code_insee"].to_numpy()
    picks = rng.choice(codes, size=count)
    records = []
    for index, code in enumerate(picks, start=1):
        funders = list(rng.choice(FUNDERS, size=int(rng.integers(1, 3)), replace=False))
        themes = list(rng.choice(THEMES, size=int(rng.integers(1, 3)), replace=False))
        records.append(
            {
                "id": index,
                "commune_code": str(code),
                "themes": themes,
                "financeurs": funders,
                "montant": float(rng.integers(1, 100)) * 1000.0,
                "annee": int(rng.integers(2019, 2026)),
            }
        )
    return initiatives_frame(records)


def sample_indicator(
    values: Mapping[str, float] | None = None,
    *,
    key: str = "test",
    direction: str = "eleve",
    level: str = "commune",
    unit: str = "part",
    **extra: Any,
):
    """A need indicator named « Part test » (source « Source test », vintage 2024)."""
    from territoires.analysis.indicators import Indicator

    return Indicator(
        key=key,
        label=extra.pop("label", "Part test"),
        phrase=extra.pop("phrase", "part test"),
        unit=unit,  # type: ignore[arg-type]
        direction=direction,  # type: ignore[arg-type]
        level=level,  # type: ignore[arg-type]
        values=pd.Series(dict(values or {}), dtype=float),
        source=extra.pop("source", "Source test"),
        vintage=extra.pop("vintage", "2024"),
        **extra,
    )
