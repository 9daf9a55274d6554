"""« Où agir ensuite ? »: greedy maximal coverage of the rural population not covered yet.

The population to cover is that of the scope's rural communes (every commune when rurality is
unknown) farther than X km from any initiative. A candidate is any commune of the scope (only FRR
communes on request); a new initiative there would cover every such commune whose representative
point lies within X km of the candidate's (same distance rules as ``coverage``).

The algorithm is **greedy**: at each step it takes the candidate that covers the most population
not covered yet, then repeats. Greedy maximal coverage is not always optimal, but it is
guaranteed to reach at least 63 % (1 − 1/e) of the best possible coverage for the same k, and
each step is easy to explain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from territoires.analysis.aggregate import FRANCE, in_set, scope_mask
from territoires.analysis.coverage import DEFAULT_RADIUS_KM, commune_coverage, commune_points
from territoires.errors import AnalysisError
from territoires.geo.reference import GeoReference, Scope

SUGGESTION_COLUMNS = [
    "rang",
    "code_insee",
    "nom",
    "departement_code",
    "population",
    "communes_nouvellement_couvertes",
    "population_nouvellement_couverte",
    "population_cumulee",
    "part_cumulee",
    "longitude",
    "latitude",
    "codes_couverts",
]


def _pairs(
    candidates: pd.DataFrame, demand: pd.DataFrame, radius_km: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return (candidate position, demand position) pairs within ``radius_km``, zone by zone."""
    cand_parts: list[np.ndarray] = []
    dem_parts: list[np.ndarray] = []
    dem_ok = np.isfinite(demand["x"].to_numpy()) & np.isfinite(demand["y"].to_numpy())
    cand_ok = np.isfinite(candidates["x"].to_numpy()) & np.isfinite(candidates["y"].to_numpy())
    for zone in pd.unique(demand["zone"]):
        dem_pos = np.flatnonzero((demand["zone"].to_numpy() == zone) & dem_ok)
        cand_pos = np.flatnonzero((candidates["zone"].to_numpy() == zone) & cand_ok)
        if not len(cand_pos) or not len(dem_pos):
            continue
        tree = shapely.STRtree(
            shapely.points(demand["x"].to_numpy()[dem_pos], demand["y"].to_numpy()[dem_pos])
        )
        query = shapely.points(
            candidates["x"].to_numpy()[cand_pos], candidates["y"].to_numpy()[cand_pos]
        )
        q_idx, t_idx = tree.query(query, predicate="dwithin", distance=radius_km * 1000.0)
        cand_parts.append(cand_pos[q_idx])
        dem_parts.append(dem_pos[t_idx])
    if not cand_parts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(cand_parts), np.concatenate(dem_parts)


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
    """
    covered = np.zeros(len(weights), dtype=bool)
    steps: list[tuple[int, np.ndarray, float]] = []
    for _ in range(k):
        open_pairs = ~covered[pair_demand]
        gains = np.bincount(
            pair_candidate[open_pairs],
            weights=weights[pair_demand[open_pairs]],
            minlength=n_candidates,
        )
        if not len(gains) or gains.max() <= 0:
            break
        best = int(np.argmax(gains))
        newly = np.unique(pair_demand[(pair_candidate == best) & open_pairs])
        covered[newly] = True
        steps.append((best, newly, float(gains[best])))
    return steps


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
    communes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Propose up to ``k`` communes where a new initiative would cover the most people.

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
        Rural communes; without it every commune's population counts.
    frr_codes : set of str, optional
        FRR communes; required with ``frr_only``.
    frr_only : bool
        Only propose communes classed FRR.
    communes : DataFrame, optional
        A precomputed ``commune_coverage(initiatives, reference, radius_km=radius_km)``.

    Returns
    -------
    DataFrame
        ``SUGGESTION_COLUMNS``, one row per step in order. ``part_cumulee`` is the share of the
        uncovered (rural) population of the scope covered after that step;
        ``attrs["population_a_couvrir"]`` holds that population.
    """
    if k < 1:
        raise AnalysisError("Le nombre de propositions doit être au moins 1.")
    if frr_only and frr_codes is None:
        raise AnalysisError(
            "La liste officielle des communes FRR n'est pas importée : impossible de limiter "
            "les propositions aux communes FRR."
        )
    if communes is None:
        communes = commune_coverage(initiatives, reference, radius_km=radius_km)
    points = commune_points(reference)
    in_scope = scope_mask(reference, scope)
    frame = points.assign(
        population=communes["population"].to_numpy(),
        couverte=communes["couverte"].to_numpy(),
    )
    rural = in_set(frame["code_insee"], rural_codes) if rural_codes is not None else True
    demand = frame.loc[in_scope & rural & ~frame["couverte"] & (frame["population"] > 0)]
    cand_mask = in_scope & (in_set(frame["code_insee"], frr_codes) if frr_only else True)
    candidates = frame.loc[cand_mask]
    demand = demand.reset_index(drop=True)
    candidates = candidates.reset_index(drop=True)
    pair_c, pair_d = _pairs(candidates, demand, radius_km)
    steps = greedy_cover(
        pair_c, pair_d, demand["population"].to_numpy(dtype=float), len(candidates), k
    )
    result = _steps_frame(steps, candidates, demand, reference)
    result.attrs["population_a_couvrir"] = int(demand["population"].sum())
    total = result.attrs["population_a_couvrir"]
    result["part_cumulee"] = result["population_cumulee"] / total if total else np.nan
    return result


def _steps_frame(
    steps: list[tuple[int, np.ndarray, float]],
    candidates: pd.DataFrame,
    demand: pd.DataFrame,
    reference: GeoReference,
) -> pd.DataFrame:
    info = reference.communes.set_index("code_insee")
    rows = []
    cumulative = 0
    for rank, (cand, newly, gain) in enumerate(steps, start=1):
        code = candidates.at[cand, "code_insee"]
        cumulative += int(round(gain))
        rows.append(
            {
                "rang": rank,
                "code_insee": code,
                "nom": info.at[code, "nom"],
                "departement_code": info.at[code, "departement_code"],
                "population": int(info.at[code, "population"]),
                "communes_nouvellement_couvertes": len(newly),
                "population_nouvellement_couverte": int(round(gain)),
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
