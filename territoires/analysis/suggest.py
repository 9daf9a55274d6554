"""« Où agir ensuite ? »: greedy maximal coverage of the rural population not covered yet.

The population to cover is that of the scope's rural communes (every commune when rurality is
unknown) farther than X km from any initiative. Each is weighted by its **inhabitants**
(objective ``rurale``, the default) or by its inhabitants times its **need**, in [0, 1]
(objective ``besoin``: the weighted mean of the need indicators' rank quantiles among the
scope's communes, see ``commune_need``). A candidate is a **rural** commune of the scope by
default (every commune on request, only FRR communes on request); a new initiative there would
cover every such commune whose representative point lies within X km of the candidate's (same
distance rules as ``coverage``).

The algorithm is **greedy**: at each step it takes the candidate that covers the most weight
not covered yet, then repeats. Greedy maximal coverage is not always optimal, but it is
guaranteed to reach at least 63 % (1 − 1/e) of the best possible coverage for the same k, and
each step is easy to explain. Ties go to the candidate with the most inhabitants, then the
smallest code.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from territoires.analysis.aggregate import FRANCE, in_set, scope_mask
from territoires.analysis.coverage import (
    DEFAULT_RADIUS_KM,
    commune_coverage,
    commune_points,
    pairs_within,
)
from territoires.analysis.indicators import Indicator, commune_values
from territoires.analysis.score import rank_quantile
from territoires.errors import AnalysisError
from territoires.geo.reference import GeoReference, Scope

Objective = Literal["rurale", "besoin"]
OBJECTIVES: tuple[Objective, ...] = ("rurale", "besoin")
OBJECTIVE_LABELS: dict[str, str] = {
    "rurale": "Population rurale nouvellement couverte",
    "besoin": "Population rurale pondérée par le besoin",
}
SUGGESTION_COLUMNS = [
    "rang",
    "code_insee",
    "nom",
    "departement_code",
    "population",
    "besoin",
    "communes_nouvellement_couvertes",
    "population_nouvellement_couverte",
    "population_ponderee_nouvellement_couverte",
    "population_cumulee",
    "part_cumulee",
    "longitude",
    "latitude",
    "codes_couverts",
]


def greedy_cover(
    pair_candidate: np.ndarray,
    pair_demand: np.ndarray,
    weights: np.ndarray,
    n_candidates: int,
    k: int,
) -> list[tuple[int, np.ndarray, float]]:
    """Greedy maximal coverage on precomputed pairs.

    Returns up to ``k`` steps ``(candidate, newly covered demand positions, gain)``; stops early
    when no candidate covers anything new. Ties go to the lowest candidate position.

    « Lazy » greedy: a candidate's gain can only fall as demand gets covered, so the gains
    computed once are upper bounds kept in a heap; at each step only the candidates popped
    from its top are recomputed (usually a handful), instead of every candidate's.
    """
    order = np.argsort(pair_candidate, kind="stable")
    pair_candidate, pair_demand = pair_candidate[order], pair_demand[order]
    starts = np.searchsorted(pair_candidate, np.arange(n_candidates + 1))
    gains = np.bincount(pair_candidate, weights=weights[pair_demand], minlength=n_candidates)
    heap = [(-gain, position) for position, gain in enumerate(gains.tolist()) if gain > 0]
    heapq.heapify(heap)
    covered = np.zeros(len(weights), dtype=bool)
    steps: list[tuple[int, np.ndarray, float]] = []
    while heap and len(steps) < k:
        _, best = heapq.heappop(heap)
        reach = pair_demand[starts[best] : starts[best + 1]]
        newly = np.unique(reach[~covered[reach]])
        gain = float(weights[newly].sum())
        if gain <= 0:
            continue
        if heap and (-gain, best) > heap[0]:  # another may now do better: look again
            heapq.heappush(heap, (-gain, best))
            continue
        covered[newly] = True
        steps.append((best, newly, gain))
    return steps


def commune_need(
    indicators: Sequence[Indicator],
    weights: Mapping[str, float],
    reference: GeoReference,
    mask: np.ndarray,
) -> np.ndarray:
    """Each commune's need in [0, 1]: its rank among the inhabited communes of ``mask`` on the
    weighted mean of the indicators' rank quantiles (0 = the least in need, 1 = the most;
    NaN elsewhere; 0.5 with no indicator). Ranking the mean again spreads it over [0, 1]: a
    mean of several quantiles crowds around 0.5."""
    population = reference.communes["population"].to_numpy(dtype=float, na_value=0.0)
    ranked = pd.Series(mask & (population > 0))
    total = 0.0
    need = np.zeros(len(population))
    for indicator in indicators:
        weight = float(weights.get(indicator.key, 0.0))
        if weight <= 0:
            continue
        values = pd.Series(commune_values(indicator, reference))
        need += weight * rank_quantile(values, ranked, indicator.sign).fillna(0.5).to_numpy()
        total += weight
    if total <= 0:
        return np.where(ranked.to_numpy(), 0.5, np.nan)
    return rank_quantile(pd.Series(need / total), ranked, 1).to_numpy()


def suggest_sites(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    *,
    k: int = 10,
    radius_km: float = DEFAULT_RADIUS_KM,
    scope: Scope = FRANCE,
    rural_codes: set[str] | None = None,
    frr_codes: set[str] | None = None,
    frr_only: bool = False,
    rural_candidates: bool = True,
    objective: Objective = "rurale",
    indicators: Sequence[Indicator] = (),
    need_weights: Mapping[str, float] | None = None,
    communes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Propose up to ``k`` communes where a new initiative would cover the most rural people.

    Parameters
    ----------
    initiatives : DataFrame
        The current (filtered) initiatives.
    reference : GeoReference
        The geographic reference.
    k : int
        Number of proposals (fewer when nothing is left to cover).
    radius_km : float
        Reach X of a new initiative, and the distance from which a commune is « non couverte ».
    scope : Scope
        Both the population to cover and the candidates are in the scope.
    rural_codes : set of str, optional
        Rural communes; without it every commune's population counts and every commune may
        be proposed.
    frr_codes : set of str, optional
        FRR communes; required with ``frr_only``.
    frr_only : bool
        Only propose communes classed FRR.
    rural_candidates : bool
        Only propose rural communes (the default; ignored without ``rural_codes``).
    objective : {"rurale", "besoin"}
        Maximise the rural population newly within reach, or that population weighted by each
        commune's need (``commune_need`` of ``indicators`` with ``need_weights``).
    indicators, need_weights
        The need indicators and their weights, for the ``besoin`` objective.
    communes : DataFrame, optional
        A precomputed ``commune_coverage(initiatives, reference, radius_km=radius_km)``.

    Returns
    -------
    DataFrame
        ``SUGGESTION_COLUMNS``, one row per step in order. ``part_cumulee`` is the share of the
        uncovered (rural) population of the scope covered after that step;
        ``attrs["population_a_couvrir"]`` holds that population, ``attrs["objectif"]`` the
        objective.
    """
    _check_arguments(k, objective, frr_only, frr_codes)
    if communes is None:
        communes = commune_coverage(initiatives, reference, radius_km=radius_km)
    in_scope = scope_mask(reference, scope)
    frame = commune_points(reference).assign(
        population=communes["population"].to_numpy(),
        couverte=communes["couverte"].to_numpy(),
    )
    rural = in_set(frame["code_insee"], rural_codes) if rural_codes is not None else True
    frame["besoin"] = (
        commune_need(indicators, need_weights or {}, reference, in_scope)
        if objective == "besoin"
        else np.nan
    )
    demand = frame.loc[in_scope & rural & ~frame["couverte"] & (frame["population"] > 0)]
    candidate_mask = in_scope & (rural if rural_candidates else True)
    if frr_only:
        candidate_mask = candidate_mask & in_set(frame["code_insee"], frr_codes)
    candidates = frame.loc[candidate_mask].sort_values("code_insee", kind="stable")
    demand = demand.reset_index(drop=True)
    candidates = candidates.reset_index(drop=True)
    weights = demand["population"].to_numpy(dtype=float)
    if objective == "besoin":
        weights = weights * demand["besoin"].fillna(0.5).to_numpy(dtype=float)
    pair_c, pair_d = pairs_within(candidates, demand, radius_km)
    steps = greedy_cover(pair_c, pair_d, weights, len(candidates), k)
    result = _steps_frame(steps, candidates, demand, reference)
    total = int(demand["population"].sum())
    result.attrs.update(population_a_couvrir=total, objectif=objective)
    result["part_cumulee"] = result["population_cumulee"] / total if total else np.nan
    return result


def _check_arguments(k: int, objective: str, frr_only: bool, frr_codes) -> None:
    if k < 1:
        raise AnalysisError("Le nombre de propositions doit être au moins 1.")
    if objective not in OBJECTIVES:
        raise ValueError(f"expected an objective in {OBJECTIVES}, got {objective!r}")
    if frr_only and frr_codes is None:
        raise AnalysisError(
            "La liste des communes FRR n'est pas disponible : impossible de limiter les "
            "propositions aux communes FRR."
        )


def _steps_frame(
    steps: list[tuple[int, np.ndarray, float]],
    candidates: pd.DataFrame,
    demand: pd.DataFrame,
    reference: GeoReference,
) -> pd.DataFrame:
    info = reference.communes.set_index("code_insee")
    populations = demand["population"].to_numpy(dtype=float)
    rows = []
    cumulative = 0
    for rank, (cand, newly, gain) in enumerate(steps, start=1):
        code = candidates.at[cand, "code_insee"]
        people = int(round(populations[newly].sum()))
        cumulative += people
        rows.append(
            {
                "rang": rank,
                "code_insee": code,
                "nom": info.at[code, "nom"],
                "departement_code": info.at[code, "departement_code"],
                "population": int(info.at[code, "population"]),
                "besoin": float(candidates.at[cand, "besoin"]),
                "communes_nouvellement_couvertes": len(newly),
                "population_nouvellement_couverte": people,
                "population_ponderee_nouvellement_couverte": round(gain, 1),
                "population_cumulee": cumulative,
                "part_cumulee": np.nan,
                "longitude": float(candidates.at[cand, "lon"]),
                "latitude": float(candidates.at[cand, "lat"]),
                "codes_couverts": list(demand["code_insee"].to_numpy()[newly]),
            }
        )
    return pd.DataFrame(rows, columns=SUGGESTION_COLUMNS)


def coverage_status(
    communes: pd.DataFrame,
    sites: pd.DataFrame,
    reference: GeoReference,
    scope: Scope = FRANCE,
    rural_codes: set[str] | frozenset[str] | None = None,
) -> pd.DataFrame:
    """Return ``code_insee, statut`` for the scope's communes, for the proposals map.

    ``deja``: already within reach; ``nouveau``: covered by one of the proposals; ``reste``:
    rural (every commune without rurality), inhabited and still beyond reach; ``autre``: the
    rest (not rural, or no inhabitant).
    """
    mask = scope_mask(reference, scope)
    frame = communes.loc[mask, ["code_insee", "population", "couverte"]]
    newly = {code for codes in sites.get("codes_couverts", []) for code in codes}
    rural = (
        in_set(frame["code_insee"], set(rural_codes))
        if rural_codes is not None
        else np.ones(len(frame), dtype=bool)
    )
    is_new = in_set(frame["code_insee"], newly)
    still = rural & (frame["population"].to_numpy() > 0)
    status = np.where(
        frame["couverte"].to_numpy(dtype=bool),
        "deja",
        np.where(is_new, "nouveau", np.where(still, "reste", "autre")),
    )
    return pd.DataFrame({"code_insee": frame["code_insee"].to_numpy(), "statut": status})
