"""« Zones peu couvertes »: a transparent underserved score for rural territories.

The score is a weighted mean of four components, each normalised to [0, 1] (1 = least served):

- ``initiatives``: few initiatives per inhabitant, ``max(0, 1 - x / m)`` where ``x`` is the
  territory's initiatives per 10,000 inhabitants and ``m`` the mean over the compared
  territories (1 when none has any);
- ``distance``: far from the nearest initiative, ``d / (d + X)`` where ``d`` is the
  population-weighted mean distance and ``X`` the reach (15 km by default: 0 at the door,
  0.5 at X km, 0.67 at 2X; it never saturates, so far territories stay ordered; 1 when no
  initiative exists in the zone);
- ``themes``: missing themes, ``missing / 3``;
- ``frr``: the share of the population living in an FRR commune, only when the official list
  has been imported (otherwise the component is left out and the others are re-weighted).

``score = 100 × Σ wᵢ cᵢ / Σ wᵢ``. Only rural territories are ranked: those whose rural
population share is at least ``min_rural_share`` (all territories when rurality is unknown),
with inhabitants. Each row gets a French ``raisons`` text that compares each component with the
mean of the compared territories, the strongest contribution first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from territoires.analysis.aggregate import THEMES
from territoires.analysis.coverage import DEFAULT_RADIUS_KM
from territoires.errors import AnalysisError
from territoires.formatting import NBSP, fr_count, fr_km, fr_number, fr_percent

COMPONENTS: tuple[str, ...] = ("initiatives", "distance", "themes", "frr")
COMPONENT_LABELS: dict[str, str] = {
    "initiatives": "Peu d'initiatives par habitant",
    "distance": "Éloignement de l'initiative la plus proche",
    "themes": "Thèmes manquants",
    "frr": "Classement en France Ruralités Revitalisation (FRR)",
}
DEFAULT_THRESHOLD = 50.0
DEFAULT_MIN_RURAL_SHARE = 0.5
SCORE_COLUMNS = [
    *(f"composante_{name}" for name in COMPONENTS),
    "score",
    "eligible",
    "signale",
    "rang",
    "raisons",
]


@dataclass(frozen=True)
class ScoreWeights:
    """Weights of the score components (any non-negative numbers; they are normalised).

    Defaults: presence per inhabitant weighs most (0.4), because it is the question funders ask
    first; distance (0.3) adds what a per-territory count misses, people just outside a reached
    area; missing themes (0.2) measure diversity rather than absence; FRR (0.1) is an official
    recognition of rural fragility, kept light because it is a yes/no classification that
    overlaps the other components.
    """

    initiatives: float = 0.4
    distance: float = 0.3
    themes: float = 0.2
    frr: float = 0.1

    def __post_init__(self) -> None:
        values = asdict(self).values()
        if any(not np.isfinite(v) or v < 0 for v in values) or sum(values) <= 0:
            raise AnalysisError(
                "Les poids du score doivent être positifs ou nuls, et au moins un non nul."
            )


def _components(table: pd.DataFrame, eligible: pd.Series, radius_km: float) -> pd.DataFrame:
    rate = table["initiatives_10k_hab"]
    mean_rate = rate[eligible].mean()
    if not mean_rate or np.isnan(mean_rate):
        initiatives = pd.Series(1.0, index=table.index)
    else:
        initiatives = (1 - rate / mean_rate).clip(lower=0.0, upper=1.0)
    mean_distance = table["distance_moyenne_km"].astype(float)
    distance = (mean_distance / (mean_distance + radius_km)).where(~np.isinf(mean_distance), 1.0)
    # An unknown distance (communes without outline) is neither favoured nor penalised: it
    # takes the mean component of the ranked territories.
    known = distance[eligible].dropna()
    return pd.DataFrame(
        {
            "initiatives": initiatives,
            "distance": distance.fillna(known.mean() if len(known) else 1.0),
            "themes": table["nb_themes_manquants"] / len(THEMES),
            "frr": table["part_population_frr"].astype(float),
        }
    )


def _means(table: pd.DataFrame, eligible: pd.Series) -> dict[str, float]:
    rows = table.loc[eligible]
    distances = rows["distance_moyenne_km"].replace(np.inf, np.nan)
    return {
        "initiatives": float(rows["initiatives_10k_hab"].mean()),
        "distance": float(distances.mean()),
        "themes": float(rows["nb_themes_manquants"].mean()),
        "frr": float(rows["part_population_frr"].mean()),
    }


def _component_texts(table: pd.DataFrame, means: dict[str, float]) -> dict[str, list[str]]:
    """One French sentence per row and component, comparing with the mean."""
    rates = table["initiatives_10k_hab"].to_numpy(dtype=float)
    distances = table["distance_moyenne_km"].to_numpy(dtype=float)
    missing = table["nb_themes_manquants"].to_numpy()
    labels = table["themes_manquants"].fillna("").to_numpy(dtype=object)
    frr = table["part_population_frr"].to_numpy(dtype=float)
    rate_mean = fr_number(means["initiatives"], 1)
    distance_mean = fr_km(means["distance"])
    themes_mean = fr_number(means["themes"], 1)
    frr_mean = fr_percent(means["frr"])
    return {
        "initiatives": [
            f"{fr_count(rate, 'initiative', decimals=1)} pour 10{NBSP}000 habitants "
            f"(moyenne : {rate_mean})"
            for rate in rates
        ],
        "distance": [
            "distance à l'initiative la plus proche inconnue (commune sans contour) : comptée "
            "à la moyenne des territoires classés"
            if np.isnan(distance)
            else f"distance moyenne à l'initiative la plus proche : {fr_km(distance)} "
            f"(moyenne : {distance_mean})"
            for distance in distances
        ],
        "themes": [
            f"thèmes manquants : {label or 'aucun'} "
            f"({int(count)} sur {len(THEMES)}, moyenne : {themes_mean})"
            for label, count in zip(labels, missing, strict=True)
        ],
        "frr": [f"population en FRR : {fr_percent(share)} (moyenne : {frr_mean})" for share in frr],
    }


def _reasons(
    table: pd.DataFrame, parts: pd.DataFrame, weights: dict[str, float], means: dict[str, float]
) -> list[str]:
    """Join the component sentences of each row, strongest weighted contribution first."""
    names = list(weights)
    texts = _component_texts(table, means)
    contributions = np.column_stack(
        [weights[name] * parts[name].to_numpy(dtype=float) for name in names]
    )
    available = ~np.isnan(contributions)
    # stable sort on the negated contribution: ties keep the component order
    order = np.argsort(-np.nan_to_num(contributions, nan=-1.0), axis=1, kind="stable")
    result = []
    for row, row_order in enumerate(order):
        sentence = " ; ".join(texts[names[col]][row] for col in row_order if available[row, col])
        result.append(sentence[:1].upper() + sentence[1:] + "." if sentence else "")
    return result


def underserved_score(
    table: pd.DataFrame,
    weights: ScoreWeights | None = None,
    *,
    radius_km: float = DEFAULT_RADIUS_KM,
    min_rural_share: float = DEFAULT_MIN_RURAL_SHARE,
    threshold: float = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Return ``table`` (a ``coverage`` frame) with the score columns, ranked.

    Parameters
    ----------
    table : DataFrame
        Output of ``territoires.analysis.coverage.coverage``.
    weights : ScoreWeights, optional
        Component weights; defaults documented on ``ScoreWeights``.
    radius_km : float
        The reach X used by the coverage; the distance component is 0.5 at X.
    min_rural_share : float
        Rural population share from which a territory is ranked.
    threshold : float
        Score from which a ranked territory is flagged (``signale``).

    Returns
    -------
    DataFrame
        A copy of ``table`` plus ``composante_*`` (in [0, 1], NaN when unavailable), ``score``
        (0–100, NaN when not ranked), ``eligible``, ``signale``, ``rang`` (1 = least served)
        and ``raisons``; sorted by rank (ties: more uncovered, then more inhabitants first),
        unranked territories last.
    """
    weights = weights or ScoreWeights()
    result = table.copy()
    rural = result["part_rurale"]
    eligible = (rural.isna() | (rural >= min_rural_share)) & (result["population"] > 0)
    parts = _components(result, eligible, radius_km)
    active = {name: getattr(weights, name) for name in COMPONENTS}
    if parts["frr"].isna().all():
        active.pop("frr")
    if sum(active.values()) <= 0:
        raise AnalysisError("Les poids des composantes disponibles sont tous nuls.")
    weighted = sum(parts[name].fillna(0.0) * w for name, w in active.items())
    result["score"] = (100 * weighted / sum(active.values())).where(eligible)
    for name in COMPONENTS:
        result[f"composante_{name}"] = parts[name] if name in active else np.nan
    result["eligible"] = eligible
    result["signale"] = eligible & (result["score"] >= threshold)
    result["raisons"] = _reasons(result, parts, active, _means(result, eligible))
    order = ["score", "population_non_couverte", "population"]
    order = [column for column in order if column in result]
    result = result.sort_values(
        order, ascending=[False] * len(order), na_position="last", kind="stable"
    )
    ranks = np.arange(1, len(result) + 1, dtype=float)
    result["rang"] = pd.array(np.where(result["eligible"], ranks, np.nan)).astype("Int64")
    return result.reset_index(drop=True)
