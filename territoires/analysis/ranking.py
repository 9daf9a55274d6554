"""The « zones peu couvertes » ranking end to end: coverage, need indicators, reference values.

``rank_territories`` is what the page, the command line and the sheets call. It joins the
coverage measures (``coverage.coverage``) and the need indicators' means
(``indicators.territory_means``), and computes each row's **reference values**: the same
measures over the row's département, région or France (the one holding most of its
population), so that the reasons compare a territory with a place a reader knows. Every
reference value is a population-weighted figure of the reference territory as a whole.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from territoires.analysis.aggregate import (
    FRANCE,
    FRANCE_CODE,
    AggregateLevel,
    membership,
    territory_names,
)
from territoires.analysis.coverage import DEFAULT_RADIUS_KM, commune_coverage, coverage
from territoires.analysis.indicators import Indicator, commune_table, territory_means
from territoires.analysis.memo import per_reference
from territoires.analysis.score import ScoreSettings, Selection, need_column, underserved_score
from territoires.geo.reference import PARENT_COLUMN, GeoReference, Scope

ReferenceLevel = Literal["departement", "region", "france"]
REFERENCE_LEVELS: tuple[ReferenceLevel, ...] = ("departement", "region", "france")
DEFAULT_REFERENCE_LEVEL: ReferenceLevel = "departement"
_RANK = {"commune": 0, "epci": 1, "territoire": 1, "departement": 2, "region": 3, "france": 4}


def selection_of(filters) -> Selection:
    """The themes and funders a ``Filters`` selects, as the reasons cite them."""
    return Selection(
        themes=tuple(filters.themes),
        funders=tuple(filters.funders),
        themes_logic=filters.themes_logic,
    )


def reference_level_for(level: str, chosen: str) -> ReferenceLevel:
    """The chosen reference level, or the next one up when it is not above the rows' level."""
    if chosen not in REFERENCE_LEVELS:
        raise ValueError(f"expected a reference level in {REFERENCE_LEVELS}, got {chosen!r}")
    for candidate in REFERENCE_LEVELS[REFERENCE_LEVELS.index(chosen) :]:
        if _RANK[candidate] > _RANK[level]:
            return candidate
    return "france"


def main_parents(
    reference: GeoReference, members: pd.DataFrame, reference_level: ReferenceLevel
) -> pd.Series:
    """For each territory ``code`` of ``members``, the code of the reference territory holding
    most of its population (ties: the smallest code)."""
    codes = pd.Index(sorted(members["code"].unique()))
    if reference_level == "france":
        return pd.Series(FRANCE_CODE, index=codes)
    communes = reference.communes.set_index("code_insee")
    column = PARENT_COLUMN[reference_level]
    frame = members.assign(
        parent=members["code_insee"].map(communes[column]),
        population=members["code_insee"].map(communes["population"]).fillna(0),
    ).dropna(subset=["parent"])
    sums = frame.groupby(["code", "parent"], as_index=False)["population"].sum()
    sums = sums.sort_values(["code", "population", "parent"], ascending=[True, False, True])
    return sums.drop_duplicates("code").set_index("code")["parent"].reindex(codes)


def need_table(
    indicators: Sequence[Indicator],
    reference: GeoReference,
    members: pd.DataFrame,
    communes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``besoin_<key>`` columns per territory ``code`` (population-weighted means)."""
    means = territory_means(indicators, reference, members, communes)
    return means.rename(columns={i.key: need_column(i.key) for i in indicators})


def with_needs(
    table: pd.DataFrame,
    indicators: Sequence[Indicator],
    reference: GeoReference,
    level: AggregateLevel,
    scope: Scope = FRANCE,
) -> pd.DataFrame:
    """A coverage table with one ``besoin_<key>`` column per indicator."""
    needs = need_table(indicators, reference, membership(reference, level, scope))
    return table.join(needs, on="code")


@dataclass(frozen=True)
class ReferenceSide:
    """What the reference values take from the reference alone: each territory's reference
    territory (``parents``), those needed, their need means and their names."""

    parents: pd.Series
    needed: set[str]
    needs: pd.DataFrame
    names: pd.Series


def reference_side(
    reference: GeoReference,
    members: pd.DataFrame,
    reference_level: ReferenceLevel,
    indicators: Sequence[Indicator] = (),
    communes: pd.DataFrame | None = None,
) -> ReferenceSide:
    """The part of ``reference_values`` that does not depend on the initiatives
    (``communes``: ``commune_table(indicators, reference)``, when known)."""
    parents = main_parents(reference, members, reference_level)
    needed = set(parents.dropna())
    ref_members = membership(reference, reference_level)
    ref_members = ref_members.loc[ref_members["code"].isin(needed)]
    return ReferenceSide(
        parents=parents,
        needed=needed,
        needs=need_table(indicators, reference, ref_members, communes),
        names=territory_names(reference, reference_level),
    )


def reference_values(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    members: pd.DataFrame,
    reference_level: ReferenceLevel,
    *,
    indicators: Sequence[Indicator] = (),
    communes: pd.DataFrame,
    radius_km: float = DEFAULT_RADIUS_KM,
    themes: Sequence[str] = (),
    side: ReferenceSide | None = None,
) -> pd.DataFrame:
    """The measures of each territory's reference territory, indexed by the territory's code.

    Columns: ``reference_code``, ``reference_nom`` and every coverage and ``besoin_<key>``
    column, computed over the reference territory as a whole (all of its communes). ``side``:
    ``reference_side(reference, members, reference_level, indicators)``, when known.
    """
    if side is None:
        side = reference_side(reference, members, reference_level, indicators)
    if reference_level == "france":
        scope = FRANCE
        table = coverage(
            initiatives,
            reference,
            "france",
            scope,
            radius_km=radius_km,
            communes=communes,
            themes=themes,
        )
    else:
        table = coverage(
            initiatives,
            reference,
            reference_level,
            FRANCE,
            radius_km=radius_km,
            communes=communes,
            themes=themes,
        )
        table = table.loc[table["code"].isin(side.needed)]
    table = table.set_index("code").join(side.needs)
    table["reference_nom"] = [str(side.names.get(code, code)) for code in table.index]
    result = table.reindex(side.parents.to_numpy())
    result.index = side.parents.index
    result.insert(0, "reference_code", side.parents.to_numpy())
    return result


@dataclass(frozen=True)
class NeedSide:
    """What a ranking takes from the reference and the indicators alone, for one level,
    scope and reference level: the territories' communes, their need means and the reference
    side."""

    members: pd.DataFrame
    needs: pd.DataFrame
    references: ReferenceSide


_SIDES = 8  # need sides kept per reference
_SIDES_LOCK = threading.Lock()


def need_side(
    reference: GeoReference,
    level: AggregateLevel,
    scope: Scope,
    reference_level: ReferenceLevel,
    indicators: Sequence[Indicator],
) -> NeedSide:
    """The ``NeedSide`` of a ranking, kept per reference for the last levels, scopes and
    reference levels asked with these very indicators (the built-in ones are the same
    objects for a reference): a new data version ranks again without recomputing it.
    Shared: read-only for every caller."""
    memo: OrderedDict = per_reference(reference, "need_sides", OrderedDict)
    key = (level, repr(scope), reference_level)
    wanted = tuple(indicators)
    with _SIDES_LOCK:
        found = memo.get(key)
        if found is not None and _same(found[0], wanted):
            memo.move_to_end(key)
            return found[1]
    members = membership(reference, level, scope)
    communes = commune_table(wanted, reference)
    side = NeedSide(
        members=members,
        needs=need_table(wanted, reference, members, communes),
        references=reference_side(reference, members, reference_level, wanted, communes),
    )
    with _SIDES_LOCK:
        memo[key] = (wanted, side)
        memo.move_to_end(key)
        while len(memo) > _SIDES:
            memo.popitem(last=False)
    return side


def _same(first: tuple, second: tuple) -> bool:
    return len(first) == len(second) and all(a is b for a, b in zip(first, second, strict=True))


def rank_territories(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    level: AggregateLevel,
    scope: Scope = FRANCE,
    *,
    settings: ScoreSettings | None = None,
    indicators: Sequence[Indicator] = (),
    selection: Selection | None = None,
    reference_level: ReferenceLevel = DEFAULT_REFERENCE_LEVEL,
    radius_km: float = DEFAULT_RADIUS_KM,
    rural_codes: set[str] | None = None,
    frr_codes: set[str] | None = None,
    communes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Score and rank the territories of ``level`` in ``scope`` (see ``score.underserved_score``).

    Parameters
    ----------
    initiatives : DataFrame
        The filtered initiatives (without the territorial scope: distances see across it).
    reference : GeoReference
        The geographic reference.
    level : {"commune", "epci", "departement", "region", "territoire"}
        The ranked level.
    scope : Scope
        The territories ranked are those with a commune in the scope.
    settings : ScoreSettings, optional
        Weights, need share, flagged share.
    indicators : sequence of Indicator
        The need indicators offered (built in and imported); ``settings.need_weights`` says
        which are used.
    selection : Selection, optional
        The filters' themes and funders (themes also choose the « thèmes » component's list).
    reference_level : {"departement", "region", "france"}
        The comparison named in the reasons (the next level up when not above ``level``).
    radius_km : float
        The reach X.
    rural_codes, frr_codes : set of str, optional
        Rural communes (which territories are ranked) and FRR communes (a coverage column).
    communes : DataFrame, optional
        A precomputed ``commune_coverage(initiatives, reference, radius_km=radius_km)``.
    """
    settings = settings or ScoreSettings()
    selection = selection or Selection()
    if communes is None:
        communes = commune_coverage(initiatives, reference, radius_km=radius_km)
    used = [i for i in indicators if settings.need.get(i.key, 0) > 0]
    table = coverage(
        initiatives,
        reference,
        level,
        scope,
        radius_km=radius_km,
        rural_codes=rural_codes,
        frr_codes=frr_codes,
        communes=communes,
        themes=selection.themes,
    )
    chosen = reference_level_for(level, reference_level)
    side = need_side(reference, level, scope, chosen, used)
    table = table.join(side.needs, on="code")
    references = reference_values(
        initiatives,
        reference,
        side.members,
        chosen,
        indicators=used,
        communes=communes,
        radius_km=radius_km,
        themes=selection.themes,
        side=side.references,
    )
    return underserved_score(
        table,
        settings,
        indicators=used,
        references=references,
        selection=selection,
        radius_km=radius_km,
    )
