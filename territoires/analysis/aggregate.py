"""Per-territory figures: counts, amounts, per-inhabitant measures, key figures, breakdowns.

Placement rule (see ``placement.py`` and ``docs/methodologie.md``): an initiative is placed on
the communes of its area served when given, else on its commune. Above the commune level an
initiative counts **once per territory it touches**, and its amount is **split between the
communes it serves** (``poids`` = 1 / number of communes served), so that amounts add up across
territories while counts do not double within one territory. Unknown amounts count as 0.

Every figure is computed on the communes of the scope only: an EPCI that crosses the border of
a departement scope is reduced to its communes inside that departement.

All functions are pure: data in, data out, no I/O, inputs not mutated.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from territoires.analysis.index import (
    InitiativeIndex,
    Labels,
    PlacementRows,
    index_for,
    ranges,
    take_entries,
)
from territoires.analysis.placement import PlacementGroups, commune_positions, placement_groups
from territoires.geo.reference import PARENT_COLUMN, GeoReference, Scope

AggregateLevel = Literal["commune", "epci", "departement", "region", "territoire", "france"]
AGGREGATE_LEVELS: tuple[AggregateLevel, ...] = (
    "commune",
    "epci",
    "departement",
    "region",
    "territoire",
    "france",
)
FRANCE_CODE = "FR"
FRANCE = Scope()  # the default scope: all of France

THEMES: tuple[str, ...] = ("prendre-soin", "cultures-savoirs", "espaces-cooperation")
THEME_LABELS: dict[str, str] = {
    "prendre-soin": "Prendre soin",
    "cultures-savoirs": "Cultures et savoirs",
    "espaces-cooperation": "Espaces de coopération",
}

AGGREGATE_COLUMNS = [
    "code",
    "nom",
    "population",
    "initiatives",
    "montant",
    "initiatives_10k_hab",
    "euros_par_hab",
    "nb_themes",
]


def theme_label(code: str) -> str:
    """Return the French label of a theme code (the code itself when unknown)."""
    return THEME_LABELS.get(code, code)


# --- membership: which communes of the scope belong to which territory ---------------------


def in_set(values: pd.Series | np.ndarray, codes: set[str] | frozenset[str]) -> np.ndarray:
    """Return a boolean array: which values are in ``codes`` (faster than ``isin`` on strings)."""
    array = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
    return np.fromiter((value in codes for value in array), dtype=bool, count=len(array))


_COMMUNES_IN_LOCK = threading.Lock()


def communes_in(reference: GeoReference, codes: set[str] | frozenset[str]) -> np.ndarray:
    """``in_set`` over the reference's communes, kept for the last few sets of codes asked
    (compared by content: the same rural communes come back as a new set at each run)."""
    from territoires.analysis.memo import per_reference

    frozen = codes if isinstance(codes, frozenset) else frozenset(codes)
    kept: dict[frozenset[str], np.ndarray] = per_reference(reference, "communes_in", dict)
    mask = kept.get(frozen)
    if mask is None:
        mask = in_set(reference.communes["code_insee"], frozen)
        mask.flags.writeable = False
        with _COMMUNES_IN_LOCK:
            while len(kept) >= 4:
                kept.pop(next(iter(kept)))
            kept[frozen] = mask
    return mask


def scope_mask(reference: GeoReference, scope: Scope) -> np.ndarray:
    """Return a boolean array over ``reference.communes``: which communes are in the scope.

    Raises ``UnknownCodeError`` when the scope's code is unknown.
    """
    communes = reference.communes
    if scope.level == "france":
        return np.ones(len(communes), dtype=bool)
    if scope.level == "territoire":
        return in_set(communes["code_insee"], set(reference.territory_communes(scope.code or "")))
    mask = (communes[PARENT_COLUMN[scope.level]] == scope.code).to_numpy(dtype=bool, na_value=False)
    if not mask.any():
        reference.scope_communes(scope)  # raises the typed error with its French message
    return mask


def scope_codes(reference: GeoReference, scope: Scope) -> pd.Index:
    """Return the INSEE codes of the scope's communes as an index (raises on unknown codes)."""
    return pd.Index(reference.communes["code_insee"].to_numpy()[scope_mask(reference, scope)])


def membership(
    reference: GeoReference, level: AggregateLevel, scope: Scope = FRANCE
) -> pd.DataFrame:
    """Return ``code_insee, code``: each in-scope commune with its territory at ``level``.

    For named territories a commune may belong to several territories (one row each). Communes
    without a parent at the level (e.g. no EPCI) are left out.
    """
    if level not in AGGREGATE_LEVELS:
        raise ValueError(f"expected a level in {AGGREGATE_LEVELS}, got {level!r}")
    communes = reference.communes
    mask = scope_mask(reference, scope)
    in_scope = communes.loc[mask] if not mask.all() else communes
    if level == "france":
        return pd.DataFrame({"code_insee": in_scope["code_insee"].to_numpy(), "code": FRANCE_CODE})
    if level == "territoire":
        return _territory_membership(reference, set(in_scope["code_insee"]))
    if level == "commune":
        codes = in_scope["code_insee"].to_numpy()
        return pd.DataFrame({"code_insee": codes, "code": codes})
    parent = in_scope[["code_insee", PARENT_COLUMN[level]]].rename(
        columns={PARENT_COLUMN[level]: "code"}
    )
    parent = parent.loc[parent["code"].notna() & (parent["code"] != "")]
    return parent.reset_index(drop=True)


def _territory_membership(reference: GeoReference, in_scope: set[str]) -> pd.DataFrame:
    rows: list[tuple[str, str]] = []
    for territory_id in sorted(reference.territories):
        members = reference.territory_communes(territory_id)
        rows.extend((code, territory_id) for code in members if code in in_scope)
    return pd.DataFrame(rows, columns=["code_insee", "code"])


def territory_names(reference: GeoReference, level: AggregateLevel) -> pd.Series:
    """Return a ``code -> nom`` series for every territory of the level."""
    if level == "commune":
        return reference.commune_labels()
    if level == "territoire":
        return pd.Series({key: t.label for key, t in reference.territories.items()}, dtype=object)
    if level == "france":
        return pd.Series({FRANCE_CODE: "France"})
    frame = {"epci": reference.epci, "departement": reference.departements}.get(
        level, reference.regions
    )
    return pd.Series(frame["nom"].to_numpy(), index=frame["code"].astype(str).to_numpy())


# --- aggregation ------------------------------------------------------------------------


def check_initiatives(initiatives: pd.DataFrame) -> None:
    missing = {"id", "commune_code", "zone_intervention", "montant", "themes"} - set(
        initiatives.columns
    )
    if missing:
        raise ValueError(f"expected columns {sorted(missing)} in initiatives")


@dataclass(frozen=True)
class Touched:
    """The placements of initiatives on the communes of some territories, as arrays.

    One entry per (placement, territory the commune belongs to): ``row`` (the initiative's
    row), ``pos`` (the commune's in ``reference.communes``), ``terr`` (the territory's
    position in ``codes``), ``poids`` and ``montant_reparti``.
    """

    row: np.ndarray
    pos: np.ndarray
    terr: np.ndarray
    poids: np.ndarray
    montant_reparti: np.ndarray
    codes: pd.Index
    member_pos: np.ndarray
    member_terr: np.ndarray

    def frame(self, index: InitiativeIndex) -> pd.DataFrame:
        """``initiative_id, code_insee, poids, row, pos, code, montant_reparti``."""
        communes = index.reference.communes["code_insee"].to_numpy(dtype=object)
        return pd.DataFrame(
            {
                "initiative_id": index.ids[self.row],
                "code_insee": communes[self.pos],
                "poids": self.poids,
                "row": self.row,
                "pos": self.pos,
                "code": self.codes.to_numpy(dtype=object)[self.terr],
                "montant_reparti": self.montant_reparti,
            }
        )


def _members_arrays(
    reference: GeoReference, members: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """(commune position, territory position) of each membership row, and the sorted codes."""
    pos = commune_positions(reference).get_indexer(members["code_insee"].to_numpy(dtype=object))
    values = members["code"].to_numpy(dtype=object)
    codes = pd.Index(np.unique(values) if len(values) else np.empty(0, dtype=object))
    return pos, codes.get_indexer(values), codes


def touch(index: InitiativeIndex, members: pd.DataFrame) -> Touched:
    """Join the index's placement with ``membership`` rows on the commune, as arrays."""
    return _touch(index.reference, index.placement_rows(), index.amounts, members)


def _touch(
    reference: GeoReference, placement: PlacementRows, amounts: np.ndarray, members: pd.DataFrame
) -> Touched:
    """``touch`` of a placement (``row`` indexes ``amounts``)."""
    member_pos, member_terr, codes = _members_arrays(reference, members)
    known = member_pos >= 0
    order = np.flatnonzero(known)[np.argsort(member_pos[known], kind="stable")]
    per_commune = np.bincount(member_pos[known], minlength=len(reference.communes))
    offsets = np.concatenate([[0], np.cumsum(per_commune)])
    pos = placement.pos
    commune = np.maximum(pos, 0)
    count = np.where(pos >= 0, per_commune[commune], 0)
    member = order[ranges(offsets[commune], count)]
    source = np.repeat(np.arange(len(placement)), count)
    row = placement.row[source]
    poids = placement.poids[source]
    amounts = np.nan_to_num(amounts, nan=0.0)
    return Touched(
        row=row,
        pos=pos[source],
        terr=member_terr[member],
        poids=poids,
        montant_reparti=poids * amounts[row] if len(row) else np.empty(0),
        codes=codes,
        member_pos=member_pos,
        member_terr=member_terr,
    )


def placed_in(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    members: pd.DataFrame,
    placement: pd.DataFrame | None = None,
    *,
    index: InitiativeIndex | None = None,
) -> pd.DataFrame:
    """Return ``initiative_id, code_insee, code, poids, montant_reparti`` (and the positions
    ``row``, ``pos``) for in-scope placements.

    ``montant_reparti`` is the initiative's amount times ``poids`` (0 when the amount is unknown).
    ``placement`` is a precomputed ``served_communes(initiatives, reference)``; ``index``, the
    app's index that ``initiatives`` was selected from.
    """
    index = index_for(initiatives, reference, index, placement=placement)
    return touch(index, members).frame(index)


@dataclass(frozen=True)
class Pairs:
    """Each (initiative, territory) that an initiative touches within a scope, once.

    ``row`` indexes the index's rows and ``terr`` the territories' ``codes`` (sorted);
    ``weight`` is the share of the initiative's communes that lie in the territory (the sum of
    their ``poids``), so that its amount there is ``weight × montant``. ``population`` is each
    territory's population within the scope, ``terr_pos`` each territory's commune position
    (communes only, else -1).
    """

    row: np.ndarray
    terr: np.ndarray
    weight: np.ndarray
    codes: pd.Index
    population: np.ndarray
    terr_pos: np.ndarray

    def subset(self, root_rows: np.ndarray, root_length: int) -> Pairs:
        """The pairs of the rows at ``root_rows`` (positions in the index these pairs were
        computed on), renumbered in that order."""
        row, keep = take_entries(self.row, root_rows, root_length, self.__dict__)
        return Pairs(
            row=row,
            terr=self.terr[keep],
            weight=self.weight[keep],
            codes=self.codes,
            population=self.population,
            terr_pos=self.terr_pos,
        )

    def expanded(self, group: np.ndarray) -> Pairs:
        """The pairs of each row, from these pairs computed per group of rows (``row``
        numbering the groups, sorted): ``group`` gives each row's group."""
        per_group = np.bincount(self.row, minlength=int(group.max(initial=-1)) + 1)
        offsets = np.concatenate([[0], np.cumsum(per_group)])
        counts = per_group[group]
        taken = ranges(offsets[group], counts)
        return Pairs(
            row=np.repeat(np.arange(len(group), dtype=np.int64), counts),
            terr=self.terr[taken],
            weight=self.weight[taken],
            codes=self.codes,
            population=self.population,
            terr_pos=self.terr_pos,
        )


def territory_pairs(index: InitiativeIndex, level: AggregateLevel, scope: Scope) -> Pairs:
    """The ``Pairs`` of an index at a level within a scope.

    Computed once on the index's root (the app's index of every initiative, for a data
    version) and kept for the last few levels and scopes used; a filtered index takes its
    rows' pairs from there, without sorting anything again.
    """
    root = index.root
    pairs = root.recent(("pairs", level, scope), lambda: _pairs(root, level, scope))
    if index is root:
        return pairs
    return index.recent(("pairs", level, scope), lambda: pairs.subset(index.in_root(), len(root)))


def _pairs(index: InitiativeIndex, level: AggregateLevel, scope: Scope) -> Pairs:
    """The pairs of the index's rows, computed once per group of rows with the same placement
    (``placement_groups``: 28,600 groups for 50,000 initiatives, 137,000 placements instead
    of 5.3 million), then given to each row of the group."""
    groups = index_groups(index)
    members = membership(index.reference, level, scope)
    touched = _touch(index.reference, groups.placement, index.amounts[groups.first], members)
    return _pairs_of(touched, index.reference, level).expanded(groups.group)


def index_groups(index: InitiativeIndex) -> PlacementGroups:
    """The ``placement_groups`` of an index's rows, computed once per index."""
    return index.computed(
        "placement_groups", lambda: placement_groups(index.placement_rows(), len(index))
    )


def _pairs_of(touched: Touched, reference: GeoReference, level: str) -> Pairs:
    """The touched placements, one per (row, territory), with their summed weights."""
    size = max(len(touched.codes), 1)
    keys, inverse = np.unique(
        touched.row.astype(np.int64) * size + touched.terr, return_inverse=True
    )
    population = reference.communes["population"].to_numpy(dtype=float, na_value=0.0)
    known = touched.member_pos >= 0
    per_territory = np.bincount(
        touched.member_terr[known],
        weights=np.nan_to_num(population[touched.member_pos[known]]),
        minlength=len(touched.codes),
    )
    terr_pos = (
        commune_positions(reference).get_indexer(touched.codes.to_numpy(dtype=object))
        if level == "commune"
        else np.full(len(touched.codes), -1)
    )
    return Pairs(
        row=keys // size,
        terr=keys % size,
        weight=np.bincount(inverse.ravel(), weights=touched.poids, minlength=len(keys)),
        codes=touched.codes,
        population=per_territory.astype(np.int64),
        terr_pos=terr_pos,
    )


def _themes_per_territory(index: InitiativeIndex, pairs: Pairs) -> np.ndarray:
    """How many distinct themes the initiatives touching each territory have."""
    size = len(pairs.codes)
    masks = index.theme_masks()
    if masks is not None:
        per_territory = np.zeros(size, dtype=np.int64)
        np.bitwise_or.at(per_territory, pairs.terr, masks[pairs.row])
        return np.bitwise_count(per_territory).astype(np.int64)
    themes = index.themes
    counts = themes.counts()[pairs.row]
    codes = themes.codes[ranges(themes.offsets[pairs.row], counts)]
    terr = np.repeat(pairs.terr, counts)
    if not len(codes):
        return np.zeros(size, dtype=np.int64)
    distinct = np.unique(codes.astype(np.int64) * size + terr)
    return np.bincount(distinct % size, minlength=size)


def figures_frame(index: InitiativeIndex, level: AggregateLevel, pairs: Pairs) -> pd.DataFrame:
    """The aggregate columns per territory code, from the index's pairs."""
    size = len(pairs.codes)
    amounts = np.nan_to_num(index.amounts, nan=0.0)
    result = pd.DataFrame(
        {
            "population": pairs.population,
            "initiatives": np.bincount(pairs.terr, minlength=size).astype(np.int64),
            "montant": np.bincount(
                pairs.terr, weights=pairs.weight * amounts[pairs.row], minlength=size
            ),
            "nb_themes": _themes_per_territory(index, pairs),
        },
        index=pd.Index(pairs.codes, name="code"),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        pop = result["population"].where(result["population"] > 0)
        result["initiatives_10k_hab"] = result["initiatives"] / pop * 10_000
        result["euros_par_hab"] = result["montant"] / pop
    result["nom"] = territory_names(index.reference, level).reindex(result.index).to_numpy()
    return result.reset_index()[AGGREGATE_COLUMNS]


def per_territory(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    level: AggregateLevel,
    members: pd.DataFrame,
    placement: pd.DataFrame | None = None,
    *,
    index: InitiativeIndex | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the aggregate frame and the ``touched`` placements it was built from."""
    index = index_for(initiatives, reference, index, placement=placement)
    touched = touch(index, members)
    pairs = _pairs_of(touched, reference, level)
    return figures_frame(index, level, pairs), touched.frame(index)


def aggregate(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    level: AggregateLevel,
    scope: Scope = FRANCE,
    *,
    index: InitiativeIndex | None = None,
) -> pd.DataFrame:
    """Return one row per territory of ``level`` in ``scope``, zero-initiative ones included.

    Parameters
    ----------
    initiatives : DataFrame
        Initiatives as returned by ``Store.list_initiatives()`` (already filtered by the caller).
    reference : GeoReference
        The geographic reference.
    level : {"commune", "epci", "departement", "region", "territoire", "france"}
        The level of the rows.
    scope : Scope
        Only the communes of this scope are counted.
    index : InitiativeIndex, optional
        The app's index that ``initiatives`` was selected from (its placement is reused).

    Returns
    -------
    DataFrame
        ``code, nom, population, initiatives, montant, initiatives_10k_hab, euros_par_hab,
        nb_themes``, sorted by ``code``. Per-inhabitant measures are NaN when the population
        is 0. An initiative counts once per territory it touches; its amount is split between
        the communes it serves.
    """
    check_initiatives(initiatives)
    index = index_for(initiatives, reference, index)
    return figures_frame(index, level, territory_pairs(index, level, scope))


# --- key figures and breakdowns --------------------------------------------------------------


def key_figures(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    scope: Scope = FRANCE,
    rural_codes: set[str] | frozenset[str] | None = None,
    *,
    index: InitiativeIndex | None = None,
) -> dict[str, float | int | None]:
    """Return the key figures of a scope.

    Returns
    -------
    dict
        ``initiatives`` (touching the scope), ``montant`` (their amounts split by commune, the
        in-scope part), ``communes_touchees``, ``population`` (of the scope),
        ``population_touchee`` (living in a reached commune), ``part_population_touchee``,
        ``population_rurale`` and ``population_rurale_touchee`` (None without ``rural_codes``),
        ``part_population_rurale_touchee`` (None without ``rural_codes`` or rural population).
        ``index`` is the app's index that ``initiatives`` was selected from.
    """
    check_initiatives(initiatives)
    index = index_for(initiatives, reference, index)
    inside = scope_mask(reference, scope)
    pairs = territory_pairs(index, "commune", scope)
    population = reference.communes["population"].to_numpy(dtype=float, na_value=0.0)
    population = np.nan_to_num(population)
    reached = np.zeros(len(population), dtype=bool)
    reached[pairs.terr_pos[pairs.terr]] = True
    touching = np.zeros(len(index), dtype=bool)
    touching[pairs.row] = True
    amounts = np.nan_to_num(index.amounts, nan=0.0)
    scope_population = int(population[inside].sum())
    reached_population = int(population[reached].sum())
    figures: dict[str, float | int | None] = {
        "initiatives": int(len(np.unique(index.ids[touching]))),
        "montant": float((pairs.weight * amounts[pairs.row]).sum()),
        "communes_touchees": int(reached.sum()),
        "population": scope_population,
        "population_touchee": reached_population,
        "part_population_touchee": _share(reached_population, scope_population),
        "population_rurale": None,
        "population_rurale_touchee": None,
        "part_population_rurale_touchee": None,
    }
    if rural_codes is not None:
        rural = inside & communes_in(reference, rural_codes)
        rural_population = int(population[rural].sum())
        rural_reached = int(population[rural & reached].sum())
        figures["population_rurale"] = rural_population
        figures["population_rurale_touchee"] = rural_reached
        figures["part_population_rurale_touchee"] = _share(rural_reached, rural_population)
    return figures


def _share(part: float, whole: float) -> float | None:
    return float(part) / float(whole) if whole else None


def _per_label(labels: Labels, weights: np.ndarray, key: str) -> pd.DataFrame:
    """``key, initiatives, montant``: rows holding each label, and the sum of ``weights``
    (one per held label; NaN counts 0) — labels held by no row left out."""
    size = len(labels.vocabulary)
    counts = np.bincount(labels.codes, minlength=size)
    sums = np.bincount(labels.codes, weights=np.nan_to_num(weights), minlength=size)
    held = np.flatnonzero(counts)
    return pd.DataFrame(
        {
            key: pd.Series([labels.vocabulary[c] for c in held], dtype=object),
            "initiatives": counts[held].astype(np.int64),
            "montant": sums[held].astype(float),
        }
    )


def breakdowns(
    initiatives: pd.DataFrame, *, index: InitiativeIndex | None = None
) -> dict[str, pd.DataFrame]:
    """Return breakdowns of initiatives by theme, funder and year.

    Returns
    -------
    dict
        - ``"theme"``: ``theme, libelle, initiatives, montant``, every theme listed (zeros
          included). An initiative with several themes counts in each, with its full amount.
        - ``"financeur"``: ``financeur, initiatives, montant``; the amount is each funder's own
          share when known (its ``financements`` entry; the initiative's amount for a single
          funder). Sorted by count, descending.
        - ``"annee"``: ``annee, initiatives, montant`` sorted by year; unknown years left out.
        ``index`` is the app's index that ``initiatives`` was selected from.
    """
    index = index_for(initiatives, None, index)  # type: ignore[arg-type]
    theme_rows = index.themes.rows
    themes = _per_label(index.themes, index.amounts[theme_rows], "theme").set_index("theme")
    order = list(THEMES) + sorted(set(themes.index) - set(THEMES))
    themes = themes.reindex(order).fillna({"initiatives": 0, "montant": 0.0})
    themes["initiatives"] = themes["initiatives"].astype(int)
    themes = themes.rename_axis("theme").reset_index()
    themes.insert(1, "libelle", themes["theme"].map(theme_label))

    funders = (
        _per_label(index.funders, index.funder_shares(), "financeur")
        .sort_values(["initiatives", "financeur"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
    )

    known = ~np.isnan(index.years)
    years = pd.DataFrame(
        {"annee": index.years[known], "montant": np.nan_to_num(index.amounts[known])}
    )
    years = (
        years.groupby("annee")
        .agg(initiatives=("annee", "size"), montant=("montant", "sum"))
        .reset_index()
    )
    years["annee"] = years["annee"].astype(int)
    return {"theme": themes, "financeur": funders, "annee": years}
