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

from typing import Literal

import numpy as np
import pandas as pd

from territoires.analysis.placement import served_communes
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


def placed_in(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    members: pd.DataFrame,
    placement: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return ``initiative_id, code_insee, code, poids, montant_reparti`` for in-scope placements.

    ``montant_reparti`` is the initiative's amount times ``poids`` (0 when the amount is unknown).
    ``placement`` is a precomputed ``served_communes(initiatives, reference)``.
    """
    if placement is None:
        placement = served_communes(initiatives, reference)
    touched = placement.merge(members, on="code_insee", how="inner")
    amounts = pd.Series(
        pd.to_numeric(initiatives["montant"], errors="coerce").fillna(0.0).to_numpy(),
        index=initiatives["id"].to_numpy(),
    )
    amounts = amounts[~amounts.index.duplicated()]
    touched["montant_reparti"] = touched["poids"] * touched["initiative_id"].map(amounts).fillna(
        0.0
    )
    return touched


def _themes_per_code(initiatives: pd.DataFrame, touched: pd.DataFrame) -> pd.DataFrame:
    """Return ``code, theme`` unique pairs for the initiatives touching each territory."""
    themes = initiatives[["id", "themes"]].rename(columns={"id": "initiative_id"})
    themes = themes.explode("themes").dropna(subset=["themes"])
    pairs = touched[["code", "initiative_id"]].drop_duplicates()
    return pairs.merge(themes, on="initiative_id")[["code", "themes"]].drop_duplicates()


def per_territory(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    level: AggregateLevel,
    members: pd.DataFrame,
    placement: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the aggregate frame and the ``touched`` placements it was built from."""
    population = reference.communes.set_index("code_insee")["population"]
    frame = members.assign(population=members["code_insee"].map(population).fillna(0))
    result = frame.groupby("code", sort=True).agg(population=("population", "sum"))
    touched = placed_in(initiatives, reference, members, placement)
    grouped = touched.groupby("code")
    result["initiatives"] = grouped["initiative_id"].nunique()
    result["montant"] = grouped["montant_reparti"].sum()
    result["nb_themes"] = _themes_per_code(initiatives, touched).groupby("code").size()
    result = result.fillna({"initiatives": 0, "montant": 0.0, "nb_themes": 0})
    result["initiatives"] = result["initiatives"].astype(int)
    result["nb_themes"] = result["nb_themes"].astype(int)
    result["population"] = result["population"].astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        pop = result["population"].where(result["population"] > 0)
        result["initiatives_10k_hab"] = result["initiatives"] / pop * 10_000
        result["euros_par_hab"] = result["montant"] / pop
    result["nom"] = territory_names(reference, level).reindex(result.index).to_numpy()
    result = result.reset_index()
    return result[AGGREGATE_COLUMNS], touched


def aggregate(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    level: AggregateLevel,
    scope: Scope = FRANCE,
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

    Returns
    -------
    DataFrame
        ``code, nom, population, initiatives, montant, initiatives_10k_hab, euros_par_hab,
        nb_themes``, sorted by ``code``. Per-inhabitant measures are NaN when the population
        is 0. An initiative counts once per territory it touches; its amount is split between
        the communes it serves.
    """
    check_initiatives(initiatives)
    members = membership(reference, level, scope)
    result, _ = per_territory(initiatives, reference, level, members)
    return result


# --- key figures and breakdowns --------------------------------------------------------------


def key_figures(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    scope: Scope = FRANCE,
    rural_codes: set[str] | None = None,
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
    """
    check_initiatives(initiatives)
    members = membership(reference, "france", scope)
    touched = placed_in(initiatives, reference, members)
    population = reference.communes.set_index("code_insee")["population"]
    scope_population = int(population.reindex(members["code_insee"]).fillna(0).sum())
    reached = set(touched["code_insee"])
    reached_population = int(population.reindex(list(reached)).fillna(0).sum())
    figures: dict[str, float | int | None] = {
        "initiatives": int(touched["initiative_id"].nunique()),
        "montant": float(touched["montant_reparti"].sum()),
        "communes_touchees": len(reached),
        "population": scope_population,
        "population_touchee": reached_population,
        "part_population_touchee": _share(reached_population, scope_population),
        "population_rurale": None,
        "population_rurale_touchee": None,
        "part_population_rurale_touchee": None,
    }
    if rural_codes is not None:
        rural = members["code_insee"].to_numpy()[in_set(members["code_insee"], rural_codes)]
        rural_population = int(population.reindex(rural).fillna(0).sum())
        rural_reached = int(population.reindex(rural[in_set(rural, reached)]).sum())
        figures["population_rurale"] = rural_population
        figures["population_rurale_touchee"] = rural_reached
        figures["part_population_rurale_touchee"] = _share(rural_reached, rural_population)
    return figures


def _share(part: float, whole: float) -> float | None:
    return float(part) / float(whole) if whole else None


def _amounts(initiatives: pd.DataFrame) -> pd.Series:
    return pd.to_numeric(initiatives["montant"], errors="coerce")


def _breakdown_by_list(initiatives: pd.DataFrame, column: str, key: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {key: initiatives[column].to_numpy(), "montant": _amounts(initiatives).to_numpy()}
    )
    frame = frame.explode(key).dropna(subset=[key])
    grouped = frame.groupby(key, sort=False).agg(
        initiatives=(key, "size"), montant=("montant", "sum")
    )
    return grouped.reset_index()


def _funder_amounts(initiatives: pd.DataFrame) -> pd.DataFrame:
    """Return ``financeur, montant``: each funder's own share when known.

    The share is the ``financements`` entry for that funder; for a single-funder initiative
    without such an entry, the initiative's amount. Otherwise the share is unknown (NaN).
    """
    rows: list[tuple[str, float]] = []
    columns = ["financeurs", "financements", "montant"]
    for funders, fundings, total in initiatives.reindex(columns=columns).itertuples(index=False):
        funders = list(funders) if isinstance(funders, list | tuple | np.ndarray) else []
        known = {
            f.get("financeur"): f.get("montant")
            for f in (fundings if isinstance(fundings, list | tuple | np.ndarray) else [])
            if isinstance(f, dict)
        }
        for funder in dict.fromkeys(funders):
            amount = known.get(funder)
            if amount is None and len(funders) == 1:
                amount = total
            rows.append((funder, float(amount) if amount is not None else np.nan))
    return pd.DataFrame(rows, columns=["financeur", "montant"])


def breakdowns(initiatives: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Return breakdowns of initiatives by theme, funder and year.

    Returns
    -------
    dict
        - ``"theme"``: ``theme, libelle, initiatives, montant``, every theme listed (zeros
          included). An initiative with several themes counts in each, with its full amount.
        - ``"financeur"``: ``financeur, initiatives, montant``; the amount is each funder's own
          share when known (see ``_funder_amounts``). Sorted by count, descending.
        - ``"annee"``: ``annee, initiatives, montant`` sorted by year; unknown years left out.
    """
    themes = _breakdown_by_list(initiatives, "themes", "theme").set_index("theme")
    order = list(THEMES) + sorted(set(themes.index) - set(THEMES))
    themes = themes.reindex(order).fillna({"initiatives": 0, "montant": 0.0})
    themes["initiatives"] = themes["initiatives"].astype(int)
    themes = themes.rename_axis("theme").reset_index()
    themes.insert(1, "libelle", themes["theme"].map(theme_label))

    funders = _funder_amounts(initiatives)
    funders = (
        funders.groupby("financeur", sort=False)
        .agg(initiatives=("financeur", "size"), montant=("montant", "sum"))
        .reset_index()
        .sort_values(["initiatives", "financeur"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
    )

    year_values = (
        initiatives["annee"]
        if "annee" in initiatives
        else pd.Series(np.nan, index=initiatives.index)
    )
    years = pd.DataFrame(
        {
            "annee": pd.to_numeric(year_values, errors="coerce").to_numpy(),
            "montant": _amounts(initiatives).to_numpy(),
        }
    ).dropna(subset=["annee"])
    years = (
        years.groupby("annee")
        .agg(initiatives=("annee", "size"), montant=("montant", "sum"))
        .reset_index()
    )
    years["annee"] = years["annee"].astype(int)
    return {"theme": themes, "financeur": funders, "annee": years}
