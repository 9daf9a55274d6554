"""Map metrics (columns of ``aggregate``), their French labels, units and number formats."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from territoires.formatting import NBSP, fr_count, fr_number

Metric = Literal["initiatives", "montant", "initiatives_10k_hab", "euros_par_hab", "nb_themes"]
MapLevel = Literal["commune", "epci", "departement", "region"]
INTEGER_METRICS: frozenset[str] = frozenset({"initiatives", "nb_themes"})
COUNT_NOUNS = {"initiatives": "initiative", "nb_themes": "thème"}  # counts read « 3 initiatives »
MAP_LEVELS: tuple[MapLevel, ...] = ("commune", "epci", "departement", "region")
MAP_LEVEL_LABELS: dict[str, str] = {
    "commune": "Communes",
    "epci": "EPCI",
    "departement": "Départements",
    "region": "Régions",
}


@dataclass(frozen=True)
class MetricSpec:
    """A map metric: its column, French label, unit and decimals."""

    column: Metric
    label: str
    unit: str
    decimals: int

    @property
    def title(self) -> str:
        """Legend title: the label, with the unit when it is not a count."""
        if self.column in ("initiatives", "nb_themes", "initiatives_10k_hab"):
            return self.label
        return f"{self.label} ({self.unit})"


METRICS: dict[str, MetricSpec] = {
    "initiatives": MetricSpec("initiatives", "Nombre d'initiatives", "initiatives", 0),
    "montant": MetricSpec("montant", "Montant total", "€", 0),
    "initiatives_10k_hab": MetricSpec(
        "initiatives_10k_hab",
        f"Initiatives pour {fr_number(10_000)} habitants",
        f"pour {fr_number(10_000)} hab.",
        1,
    ),
    "euros_par_hab": MetricSpec("euros_par_hab", "Euros par habitant", "€ par hab.", 1),
    "nb_themes": MetricSpec("nb_themes", "Nombre de thèmes présents", "thèmes", 0),
}


def format_metric(value: float | int | None, metric: str) -> str:
    """A metric value with its unit, e.g. ``3 initiatives``, ``12 500 €``, ``4,2 € par hab.``."""
    spec = METRICS[metric]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "donnée manquante"
    if spec.column in COUNT_NOUNS:
        return fr_count(value, COUNT_NOUNS[spec.column])
    return f"{fr_number(value, spec.decimals)}{NBSP}{spec.unit}"
