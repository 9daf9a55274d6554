"""Tables ready for export and display: column order, rounding, empty cells for « no value »."""

from __future__ import annotations

import numpy as np
import pandas as pd

from territoires.analysis.suggest import SUGGESTION_COLUMNS

COVERAGE_EXPORT_COLUMNS = [
    "rang",
    "code",
    "nom",
    "score",
    "score_couverture",
    "score_besoin",
    "signale",
    "raisons",
    "population",
    "part_rurale",
    "initiatives",
    "montant",
    "initiatives_10k_hab",
    "initiatives_accessibles_10k_hab",
    "euros_par_hab",
    "part_population_touchee",
    "distance_mediane_km",
    "distance_moyenne_km",
    "population_non_couverte",
    "part_population_non_couverte",
    "themes_presents",
    "themes_manquants",
    "financeurs",
    "part_population_frr",
]

SCORE_ONLY = {"rang", "score", "score_couverture", "score_besoin", "signale", "raisons"}

# Everything the greedy suggestion returns but the internal list of covered codes.
SUGGESTION_EXPORT_COLUMNS = [c for c in SUGGESTION_COLUMNS if c != "codes_couverts"]

# French headers for display (exports keep the stable snake_case identifiers).
COLUMN_LABELS: dict[str, str] = {
    "rang": "Rang",
    "code": "Code",
    "code_insee": "Code INSEE",
    "nom": "Nom",
    "departement_code": "Département",
    "population": "Population",
    "part_rurale": "Part rurale",
    "initiatives": "Initiatives",
    "montant": "Montant (€)",
    "initiatives_10k_hab": "Initiatives / 10 000 hab.",
    "initiatives_accessibles_10k_hab": "Initiatives accessibles / 10 000 hab.",
    "euros_par_hab": "€ / habitant",
    "part_population_touchee": "Population touchée",
    "distance_mediane_km": "Distance médiane (km)",
    "distance_moyenne_km": "Distance moyenne pondérée (km)",
    "population_non_couverte": "Population non couverte",
    "part_population_non_couverte": "Part non couverte",
    "themes_presents": "Thèmes présents",
    "themes_manquants": "Thèmes manquants",
    "financeurs": "Financeurs",
    "part_population_frr": "Population en FRR",
    "score": "Score",
    "score_couverture": "Couverture (0-100)",
    "score_besoin": "Besoin (0-100)",
    "signale": "Signalé",
    "raisons": "Raisons",
    "besoin": "Besoin (0-1)",
    "population_ponderee_nouvellement_couverte": "Population pondérée nouvellement couverte",
    "communes_nouvellement_couvertes": "Communes nouvellement couvertes",
    "population_nouvellement_couverte": "Population nouvellement couverte",
    "population_cumulee": "Population couverte (cumul)",
    "part_cumulee": "Part couverte (cumul)",
    "longitude": "Longitude",
    "latitude": "Latitude",
}


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    result = frame.copy()
    for column in result.columns:
        if pd.api.types.is_float_dtype(result[column]):
            values = result[column].replace([np.inf, -np.inf], np.nan)
            decimals = 6 if column in ("longitude", "latitude") else 3
            result[column] = values.round(decimals)
    return result


def need_columns(frame: pd.DataFrame) -> list[str]:
    """The need indicators' columns of a scored table (``besoin_<key>``), in order."""
    return [c for c in frame.columns if c.startswith("besoin_")]


def need_labels(indicators) -> dict[str, str]:
    """French headers of the need columns: the indicator's label and vintage."""
    return {f"besoin_{i.key}": f"{i.label} ({i.vintage})" for i in indicators}


def coverage_export(scored: pd.DataFrame, rurality: str | None = None) -> pd.DataFrame:
    """Return a (scored) coverage table with the export columns, then the need indicators'
    values, rounded; ``inf`` becomes empty. Score columns are left out of an unscored table.

    ``rurality`` (``rurality_label``: « approximation (…) » or the official grid) fills a
    ``source_part_rurale`` column after ``part_rurale``: a CSV says what its share rests on.
    """
    columns = [c for c in COVERAGE_EXPORT_COLUMNS if c in scored or c not in SCORE_ONLY]
    table = _rounded(scored.reindex(columns=columns + need_columns(scored)))
    if rurality:
        table.insert(columns.index("part_rurale") + 1, "source_part_rurale", rurality)
    return table


def suggestion_export(sites: pd.DataFrame) -> pd.DataFrame:
    """Return suggestions with the export columns, rounded."""
    return _rounded(sites.reindex(columns=SUGGESTION_EXPORT_COLUMNS))
