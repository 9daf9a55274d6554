"""« Zones peu couvertes »: a transparent score in two parts, « couverture » and « besoin ».

Each **component** is one measure of the ranked territories, turned into a **rank quantile** in
[0, 1] among them (1 = the least covered, or the most in need; ties share their mean rank; an
unknown value counts 0.5, neither favoured nor penalised):

- coverage components (« couverture »), following the filters' themes and funders:
  ``initiatives`` (few initiatives per inhabitant, each initiative counting for the share of its
  population served that lives in the territory), ``distance`` (population-weighted mean
  distance to the nearest initiative), ``themes`` (selected themes with no initiative; only
  when at least two themes are considered);
- need components (« besoin »): one per selected need indicator
  (``territoires.analysis.indicators``), in its own direction.

Each part is the weighted mean of its components; ``score = 100 × ((1 − b) × couverture +
b × besoin)`` where ``b`` is the need share (0.4 by default). Only rural territories are ranked
(rural population share ≥ ``min_rural_share``, all when rurality is unknown) with inhabitants.
Rank quantiles make the share of **flagged** territories a setting: the first
``flagged_share`` of the ranking (20 % by default).

Ties are broken, in this order, by: the coverage part (the less covered first), the population
beyond the reach (the more first), then the official code, so that the order never depends on
the input's. Each row says how it was separated from the next when their scores are equal as
written (one decimal).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from territoires.analysis.aggregate import theme_label
from territoires.analysis.coverage import DEFAULT_RADIUS_KM
from territoires.analysis.indicators import Indicator
from territoires.errors import AnalysisError
from territoires.formatting import NBSP, fr_count, fr_km, fr_number

Part = Literal["couverture", "besoin"]
DEFAULT_MIN_RURAL_SHARE = 0.5
DEFAULT_FLAGGED_SHARE = 0.2
DEFAULT_NEED_SHARE = 0.4
SCORE_DECIMALS = 1  # scores are written with one decimal: ties are judged at that precision
COVERAGE_KEYS: tuple[str, ...] = ("initiatives", "distance", "themes")
COVERAGE_LABELS: dict[str, str] = {
    "initiatives": "Initiatives accessibles par habitant",
    "distance": "Distance à l'initiative la plus proche",
    "themes": "Thèmes retenus sans initiative",
}
COVERAGE_COLUMNS: dict[str, str] = {
    "initiatives": "initiatives_accessibles_10k_hab",
    "distance": "distance_moyenne_km",
    "themes": "nb_themes_manquants",
}
COVERAGE_SIGNS: dict[str, int] = {"initiatives": -1, "distance": 1, "themes": 1}
DEFAULT_COVERAGE_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("initiatives", 0.5),
    ("distance", 0.35),
    ("themes", 0.15),
)
DEFAULT_NEED_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("frr", 1.0),
    ("hors_uu", 0.5),
    ("hors_aav", 0.5),
    ("evolution_population", 1.0),
    ("eloignement", 1.0),
)
TIE_BREAK_TEXT = (
    "À score égal (au dixième), le territoire le moins couvert (partie « couverture ») passe "
    "devant, puis celui qui compte le plus d'habitants au-delà de la portée, puis l'ordre du "
    "code officiel."
)


def need_column(key: str) -> str:
    """The table column holding a need indicator's value (``besoin_<key>``)."""
    return f"besoin_{key}"


@dataclass(frozen=True)
class ScoreSettings:
    """What a user chooses: component weights, the need share, the flagged share.

    Attributes
    ----------
    coverage_weights, need_weights : tuple of (key, weight)
        Relative weights inside each part (any non-negative numbers; a part's weights are
        normalised). A need indicator absent from ``need_weights`` is not used.
    need_share : float
        Weight of the « besoin » part in [0, 1] (the « couverture » part weighs the rest).
    flagged_share : float
        Share of the ranked territories flagged, in (0, 1].
    min_rural_share : float
        Rural population share from which a territory is ranked.
    """

    coverage_weights: tuple[tuple[str, float], ...] = DEFAULT_COVERAGE_WEIGHTS
    need_weights: tuple[tuple[str, float], ...] = DEFAULT_NEED_WEIGHTS
    need_share: float = DEFAULT_NEED_SHARE
    flagged_share: float = DEFAULT_FLAGGED_SHARE
    min_rural_share: float = DEFAULT_MIN_RURAL_SHARE

    def __post_init__(self) -> None:
        weights = [w for _, w in (*self.coverage_weights, *self.need_weights)]
        if any(not math.isfinite(w) or w < 0 for w in weights):
            raise AnalysisError("Les poids du score doivent être des nombres positifs ou nuls.")
        if not 0 <= self.need_share <= 1:
            raise AnalysisError("La part du besoin dans le score doit être entre 0 et 100 %.")
        if not 0 < self.flagged_share <= 1:
            raise AnalysisError("La part des territoires signalés doit être entre 1 et 100 %.")
        unknown = {key for key, _ in self.coverage_weights} - set(COVERAGE_KEYS)
        if unknown:
            raise ValueError(f"unknown coverage components {sorted(unknown)}")

    @property
    def coverage(self) -> dict[str, float]:
        return dict(self.coverage_weights)

    @property
    def need(self) -> dict[str, float]:
        return dict(self.need_weights)


@dataclass(frozen=True)
class Selection:
    """The filters the reasons cite: selected theme codes and funders (empty: all)."""

    themes: tuple[str, ...] = ()
    funders: tuple[str, ...] = ()
    themes_logic: Literal["any", "all"] = "any"

    def initiatives_noun(self, plural: bool = True) -> str:
        """« initiatives « Prendre soin » financées par Fondation de France »."""
        noun = "initiatives" if plural else "initiative"
        if self.themes:
            joiner = " et " if self.themes_logic == "all" else " ou "
            noun += " " + joiner.join(f"« {theme_label(t)} »" for t in self.themes)
        if self.funders:
            verb = "financées" if plural else "financée"
            noun += f" {verb} par " + " ou ".join(self.funders)
        return noun


@dataclass(frozen=True)
class Component:
    """One active component: its key, part, raw column, direction and effective weight."""

    key: str
    part: Part
    column: str
    sign: int
    weight: float  # effective weight in the score (parts and relative weights applied)
    label: str
    indicator: Indicator | None = None

    def __deepcopy__(self, memo: dict) -> Component:
        """The component itself: it is read-only, its indicator's values too. A scored table
        keeps its components in ``attrs``, which pandas deep-copies at every operation on
        the table (each indicator's values copied each time: 0.1 s per ranking)."""
        return self


SCORE_COLUMNS = ["score", "score_couverture", "score_besoin", "eligible", "signale", "rang"]


# --- components --------------------------------------------------------------------------


def active_components(
    table: pd.DataFrame,
    eligible: pd.Series,
    settings: ScoreSettings,
    indicators: Sequence[Indicator] = (),
) -> list[Component]:
    """The components used: weight above 0 and a value known for at least one ranked row.

    The themes component needs at least two considered themes (with one, it repeats « no
    initiative »). Raises ``AnalysisError`` when no component is left.
    """
    coverage = _part(table, eligible, settings.coverage, _coverage_candidates(table))
    need = _part(
        table,
        eligible,
        settings.need,
        [(i.key, need_column(i.key), i.sign, i.label, i) for i in indicators],
    )
    shares = {"couverture": 1 - settings.need_share, "besoin": settings.need_share}
    if not need:
        shares["couverture"] = 1.0
    if not coverage:
        shares["besoin"] = 1.0
    components = []
    for part, items in (("couverture", coverage), ("besoin", need)):
        total = sum(weight for *_, weight in items)
        for key, column, sign, label, indicator, weight in items:
            effective = shares[part] * weight / total
            components.append(Component(key, part, column, sign, effective, label, indicator))
    components = [c for c in components if c.weight > 0]
    if not components:
        raise AnalysisError(
            "Aucune composante du score n'a de poids : donnez un poids à au moins une "
            "composante disponible."
        )
    return components


def _coverage_candidates(table: pd.DataFrame) -> list[tuple]:
    candidates = []
    for key in COVERAGE_KEYS:
        if key == "themes" and int(table.get("nb_themes_retenus", pd.Series([3])).max()) < 2:
            continue
        candidates.append((key, COVERAGE_COLUMNS[key], COVERAGE_SIGNS[key], COVERAGE_LABELS[key]))
    return [(*c, None) for c in candidates]


def _part(
    table: pd.DataFrame, eligible: pd.Series, weights: Mapping[str, float], candidates: list
) -> list[tuple]:
    items = []
    for key, column, sign, label, indicator in candidates:
        weight = float(weights.get(key, 0.0))
        if weight <= 0 or column not in table:
            continue
        if not table.loc[eligible, column].notna().any():
            continue
        items.append((key, column, sign, label, indicator, weight))
    if sum(item[-1] for item in items) <= 0:
        return []
    return items


def rank_quantile(values: pd.Series, eligible: pd.Series, sign: int) -> pd.Series:
    """Quantile of each eligible value's rank (1 = the highest ``sign × value``).

    Ties share their mean rank; an unknown value (NaN) takes 0.5; rows not eligible get NaN.
    A single ranked row takes 0.5.
    """
    ranked = (sign * values.astype(float)).where(eligible)
    known = ranked.notna()
    count = int(known.sum())
    result = pd.Series(np.nan, index=values.index)
    if count == 1:
        result[known] = 0.5
    elif count > 1:
        result[known] = (ranked[known].rank(method="average") - 1) / (count - 1)
    return result.where(~(eligible & ~known), 0.5).where(eligible)


# --- the score ----------------------------------------------------------------------------


def underserved_score(
    table: pd.DataFrame,
    settings: ScoreSettings | None = None,
    *,
    indicators: Sequence[Indicator] = (),
    references: pd.DataFrame | None = None,
    selection: Selection | None = None,
    radius_km: float = DEFAULT_RADIUS_KM,
) -> pd.DataFrame:
    """Return ``table`` (a ``coverage`` frame, with ``besoin_<key>`` columns) scored and ranked.

    Parameters
    ----------
    table : DataFrame
        Output of ``coverage.coverage``, plus one ``need_column(key)`` per indicator.
    settings : ScoreSettings, optional
        Weights, need share and flagged share (defaults documented on ``ScoreSettings``).
    indicators : sequence of Indicator
        The need indicators whose columns the table carries.
    references : DataFrame, optional
        Indexed by the table's ``code``: ``reference_nom`` and, for each component column, the
        value of the row's reference territory (``ranking.reference_values``). Without it, the
        reasons compare with the ranked territories as a whole.
    selection : Selection, optional
        The filters' themes and funders, cited by the reasons.
    radius_km : float
        The reach X, cited by the tie-break explanation.

    Returns
    -------
    DataFrame
        A copy of ``table`` plus ``composante_<key>`` (rank quantiles), ``score``,
        ``score_couverture``, ``score_besoin`` (0–100, NaN when not ranked), ``eligible``,
        ``signale``, ``rang`` (1 = least covered), ``departage`` and ``raisons``; sorted by
        rank, unranked territories last (by code). ``attrs["composantes"]`` lists the active
        ``Component`` objects.
    """
    settings = settings or ScoreSettings()
    selection = selection or Selection()
    result = table.copy()
    rural = result["part_rurale"]
    eligible = (rural.isna() | (rural >= settings.min_rural_share)) & (result["population"] > 0)
    components = active_components(result, eligible, settings, indicators)
    for component in components:
        quantile = rank_quantile(result[component.column], eligible, component.sign)
        result[f"composante_{component.key}"] = quantile
    for part, column in (("couverture", "score_couverture"), ("besoin", "score_besoin")):
        result[column] = _part_score(result, [c for c in components if c.part == part])
    result["score"] = 100 * sum(
        result[f"composante_{c.key}"].fillna(0.0) * c.weight for c in components
    )
    result["score"] = result["score"].where(eligible)
    result["eligible"] = eligible
    result = _ordered(result)
    count = int(result["eligible"].sum())
    ranks = np.arange(1, len(result) + 1)
    result["rang"] = pd.array(np.where(result["eligible"], ranks, np.nan)).astype("Int64")
    result["signale"] = result["eligible"] & (ranks <= flagged_count(count, settings))
    result["departage"] = tie_breaks(result, radius_km)
    comparison = _comparison(result, components, references)
    result["raisons"] = reasons(result, components, comparison, selection)
    result.attrs["composantes"] = components
    result.attrs["reglages"] = settings
    return result


def method_lines(scored: pd.DataFrame, *, radius_km: float, reference_label: str = "") -> list[str]:
    """The method of a scored table in five French lines (sheets, page, exports)."""
    components: list[Component] = scored.attrs.get("composantes", [])
    settings: ScoreSettings = scored.attrs.get("reglages", ScoreSettings())
    ranked, flagged = int(scored["eligible"].sum()), int(scored["signale"].sum())

    def listing(part: str) -> tuple[float, str]:
        chosen = [c for c in components if c.part == part]
        text = ", ".join(f"{c.label.lower()} ({fr_number(100 * c.weight)} %)" for c in chosen)
        return sum(c.weight for c in chosen), text

    coverage_weight, coverage_text = listing("couverture")
    need_weight, need_text = listing("besoin")
    compared = f" ; raisons comparées à : {reference_label}" if reference_label else ""
    return [
        f"Territoires classés : {fr_number(ranked)}, ceux dont au moins "
        f"{fr_number(100 * settings.min_rural_share)} % de la population vit en commune rurale.",
        f"Couverture ({fr_number(100 * coverage_weight)} % du score) : "
        f"{coverage_text or 'aucune composante'} ; portée {fr_number(radius_km)} km.",
        f"Besoin ({fr_number(100 * need_weight)} % du score) : "
        f"{need_text or 'aucun indicateur retenu'}.",
        "Chaque composante est convertie en rang entre 0 (le mieux loti) et 1 (le moins bien "
        "loti) ; score = 100 × leur moyenne pondérée ; signalés : les "
        f"{fr_number(flagged)} premiers ({fr_number(100 * settings.flagged_share)} %).",
        "À score égal : le moins couvert, puis le plus d'habitants au-delà de la portée, "
        f"puis le code officiel{compared}.",
    ]


def flagged_count(ranked: int, settings: ScoreSettings) -> int:
    """How many ranked territories are flagged: the share rounded up (as the map's first
    quintile is, so that with 20 % both are the same territories), at least one."""
    if ranked <= 0:
        return 0
    return max(1, min(ranked, math.ceil(round(settings.flagged_share * ranked, 9))))


QUINTILE_LABELS: dict[int, str] = {
    5: "20 % les moins couverts",
    4: "20 % suivants",
    3: "20 % du milieu",
    2: "20 % suivants",
    1: "20 % les mieux couverts",
}


def rank_quintiles(ranks: pd.Series) -> pd.Series:
    """Quintile of each rank among the ranked: 5 = the first fifth (least covered), 1 = the
    last fifth; 0 when not ranked. Quintiles follow the ranking, ties already broken."""
    ranked = pd.to_numeric(ranks, errors="coerce")
    count = int(ranked.notna().sum())
    if count == 0:
        return pd.Series(0, index=ranks.index, dtype=int)
    fifth = np.floor(5 * (ranked.to_numpy(dtype=float) - 1) / count)
    return pd.Series(np.where(ranked.notna(), 5 - fifth, 0).astype(int), index=ranks.index)


def quintile_bounds(count: int) -> dict[int, tuple[int, int]]:
    """First and last rank of each quintile (5 first) among ``count`` ranked territories."""
    bounds: dict[int, tuple[int, int]] = {}
    for quintile in range(5, 0, -1):
        fifth = 5 - quintile
        first = math.ceil(fifth * count / 5) + 1
        last = math.ceil((fifth + 1) * count / 5)
        if first <= last:
            bounds[quintile] = (first, last)
    return bounds


def _part_score(result: pd.DataFrame, components: list[Component]) -> pd.Series:
    total = sum(c.weight for c in components)
    if total <= 0:
        return pd.Series(np.nan, index=result.index)
    weighted = sum(result[f"composante_{c.key}"] * c.weight for c in components)
    return 100 * weighted / total


def _ordered(result: pd.DataFrame) -> pd.DataFrame:
    """Sort: ranked first, score, coverage part, uncovered population (descending), code."""
    keys = pd.DataFrame(
        {
            "hors": ~result["eligible"].to_numpy(dtype=bool),
            "score": -result["score"].round(9).fillna(-1.0).to_numpy(),
            "couverture": -result["score_couverture"].round(9).fillna(-1.0).to_numpy(),
            "non_couverte": -result.get("population_non_couverte", 0).fillna(0).to_numpy(),
            "code": result["code"].astype(str).to_numpy(),
        }
    )
    order = keys.sort_values(list(keys.columns), kind="stable").index
    return result.iloc[order].reset_index(drop=True)


def tie_breaks(result: pd.DataFrame, radius_km: float) -> list[str]:
    """For each ranked row whose written score equals the next row's: what put it first."""
    texts = [""] * len(result)
    ranked = result.loc[result["eligible"]]
    shown = ranked["score"].round(SCORE_DECIMALS).to_numpy()
    coverage = ranked["score_couverture"].round(SCORE_DECIMALS).to_numpy()
    uncovered = ranked.get("population_non_couverte", pd.Series(0, index=ranked.index))
    uncovered = uncovered.fillna(0).to_numpy()
    ranks = ranked["rang"].to_numpy(dtype=int)
    for row in np.flatnonzero(shown[:-1] == shown[1:]):
        rank = int(ranks[row + 1])
        if not np.isnan(coverage[row]) and coverage[row] != coverage[row + 1]:
            why = (
                f"moins couvert (partie « couverture » : {fr_number(coverage[row], 1)} contre "
                f"{fr_number(coverage[row + 1], 1)})"
            )
        elif uncovered[row] != uncovered[row + 1]:
            why = (
                f"plus d'habitants à plus de {fr_number(radius_km)}{NBSP}km d'une initiative "
                f"({fr_number(uncovered[row])} contre {fr_number(uncovered[row + 1])})"
            )
        else:
            why = "ordre du code officiel (égalité complète)"
        texts[row] = f"à score égal avec le rang {rank}, passe devant : {why}"
    return texts


# --- reasons ------------------------------------------------------------------------------


def _comparison(
    result: pd.DataFrame, components: list[Component], references: pd.DataFrame | None
) -> pd.DataFrame:
    """Per row: ``reference_nom`` and the reference value of each component column."""
    columns = [c.column for c in components] + ["initiatives", "nb_themes_retenus"]
    if references is not None:
        frame = references.reindex(result["code"].astype(str).to_numpy())
        return frame.reindex(columns=["reference_nom", *columns]).set_index(result.index)
    ranked = result.loc[result["eligible"]]
    weights = ranked["population"].astype(float)
    values = {"reference_nom": "territoires classés"}
    for column in columns:
        if column not in ranked:
            continue
        series = ranked[column].astype(float).replace([np.inf, -np.inf], np.nan)
        known = series.notna() & (weights > 0)
        total = weights[known].sum()
        values[column] = float((series[known] * weights[known]).sum() / total) if total else np.nan
    return pd.DataFrame([values] * len(result), index=result.index)


# columns the reasons read besides the components' own
REASON_COLUMNS = (
    "initiatives",
    "nb_themes_retenus",
    "nb_themes_manquants",
    "themes_manquants",
    "departage",
)


def reasons(
    result: pd.DataFrame,
    components: list[Component],
    comparison: pd.DataFrame,
    selection: Selection,
) -> list[str]:
    """One French text per ranked row: each component's value against its reference and its
    rank among the ranked territories, the strongest weighted contribution first, then the
    tie-break when there was one (empty for unranked rows)."""
    eligible = result["eligible"].to_numpy(dtype=bool)
    count = int(eligible.sum())
    contributions = np.column_stack(
        [result[f"composante_{c.key}"].fillna(0).to_numpy() * c.weight for c in components]
    )
    order = np.argsort(-contributions, axis=1, kind="stable")
    ranks = {c.key: component_ranks(result, c) for c in components}
    wanted = [c.column for c in components] + list(REASON_COLUMNS)
    ranked = np.flatnonzero(eligible)
    rows = result.iloc[ranked].reindex(columns=list(dict.fromkeys(wanted))).to_dict("records")
    references = comparison.iloc[ranked].to_dict("records")
    texts = [""] * len(result)
    places: dict[tuple[int, bool], str] = {}  # « ; 3e ex aequo sur 77 », written once each
    for position, row, reference in zip(ranked, rows, references, strict=True):
        parts = []
        for column in order[position]:
            component = components[column]
            head, other, tail = _sentence(component, row, reference, selection)
            rank, tied = ranks[component.key][0][position], ranks[component.key][1][position]
            if (rank, tied) not in places:
                places[rank, tied] = (
                    f" ; {_ordinal(rank)}{' ex aequo' if tied else ''} sur {fr_number(count)}"
                    if rank > 0
                    else ""
                )
            parts.append(f"{head} ({other}{places[rank, tied]}){tail}")
        if row.get("departage"):
            parts.append(row["departage"])
        sentence = " ; ".join(parts)
        texts[position] = sentence[:1].upper() + sentence[1:] + "."
    return texts


def component_ranks(result: pd.DataFrame, component: Component) -> tuple[np.ndarray, np.ndarray]:
    """Rank of each ranked row on one component (1 = the least covered or most in need; ties
    share the best rank; 0 when unknown or not ranked), and whether it is shared."""
    values = (-component.sign * result[component.column].astype(float)).where(result["eligible"])
    ranks = values.rank(method="min").fillna(0).to_numpy(dtype=int)
    tied = values.notna().to_numpy() & values.duplicated(keep=False).to_numpy()
    return ranks, tied


def _ordinal(rank: int) -> str:
    return "1er" if rank == 1 else f"{fr_number(rank)}e"


def _sentence(
    component: Component, row: dict, reference: dict, selection: Selection
) -> tuple[str, str, str]:
    """(what the row has, « reference name : its value », a closing remark) for a component."""
    name = str(reference.get("reference_nom") or "référence")
    value = row.get(component.column)
    other = reference.get(component.column)
    if component.indicator is not None:
        indicator = component.indicator
        head = f"{indicator.phrase} : {indicator.format(value)}"
        return head, f"{name} : {indicator.format(other)}", ""
    if component.key == "initiatives":
        count = int(row.get("initiatives", 0) or 0)
        tail = f", {fr_count(count, 'initiative')} sur place" if count else ""
        return _initiatives_sentence(value, selection), f"{name} : {_rate(other)}", tail
    if component.key == "distance":
        return _distance_sentence(value, selection), f"{name} : {_km(other)}", ""
    considered = int(row.get("nb_themes_retenus", 3))
    missing = int(row["nb_themes_manquants"])
    other_text = "–" if _missing(other) else fr_number(other, 1)
    head = (
        f"{missing} thème{'s' if missing > 1 else ''} retenu{'s' if missing > 1 else ''} "
        f"sur {considered} sans initiative : {row.get('themes_manquants')}"
        if missing
        else "aucun thème retenu sans initiative"
    )
    return head, f"{name} : {other_text} sur {considered}", ""


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _rate(value: object) -> str:
    if _missing(value):
        return "–"
    return f"{fr_number(float(value), 2)} pour 10{NBSP}000 habitants"


def _km(value: object) -> str:
    return "–" if _missing(value) else fr_km(float(value))


def _initiatives_sentence(value: object, selection: Selection) -> str:
    if not value:
        return f"aucune {selection.initiatives_noun(plural=False)} accessible"
    return f"{selection.initiatives_noun()} accessibles : {_rate(value)}"


def _distance_sentence(value: object, selection: Selection) -> str:
    noun = selection.initiatives_noun(plural=False)
    if _missing(value):
        return (
            f"distance à l'{noun} la plus proche inconnue (commune sans contour), comptée au "
            "milieu du classement"
        )
    if np.isinf(float(value)):
        return f"aucune {noun} dans la zone"
    return f"distance moyenne à l'{noun} la plus proche : {fr_km(value)}"


def component_value_text(component: Component, value: object) -> str:
    """A component's raw value as written in the tables (for the sheet and the page)."""
    if component.indicator is not None:
        return component.indicator.format(value)
    if component.key == "initiatives":
        return _rate(value)
    if component.key == "distance":
        return fr_km(value)
    return fr_number(value)
