"""Coverage measures: who is reached, how far the nearest initiative is, what is missing where.

Rules (documented for users in ``docs/methodologie.md``):

- **Reached commune**: a commune served by an initiative (its area served, else its commune).
- **Distance** from a commune to the nearest initiative: between the commune's representative
  point (a point inside it) and the nearest initiative point — its exact latitude/longitude
  when given, else its commune's representative point — or the representative point of any
  reached commune (an area served brings the initiative to each of its communes). In km, in
  the metric CRS of ``territoires.geo.crs`` (Lambert-93 for metropolitan France and Corsica,
  the local UTM CRS of each overseas departement). Only initiatives of the same zone count
  (Corsica, each overseas departement and the mainland are separate zones). A reached commune
  is at distance 0. With no initiative in its zone a commune has an infinite distance, shown
  empty.
- **Uncovered population**: people living in communes farther than X km (default 15).

All functions are pure (a memo keeps the communes' projected points per reference object).
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from territoires.analysis.aggregate import (
    FRANCE,
    THEMES,
    AggregateLevel,
    Pairs,
    check_initiatives,
    figures_frame,
    in_set,
    index_groups,
    membership,
    territory_pairs,
    theme_label,
)
from territoires.analysis.index import InitiativeIndex, index_for
from territoires.analysis.memo import per_reference
from territoires.analysis.placement import has_zone
from territoires.geo.crs import METROPOLE_CRS, OVERSEAS_CRS
from territoires.geo.reference import GeoReference, Scope

DEFAULT_RADIUS_KM = 15.0

COVERAGE_COLUMNS = [
    "code",
    "nom",
    "population",
    "population_rurale",
    "part_rurale",
    "initiatives",
    "montant",
    "initiatives_10k_hab",
    "initiatives_accessibles",
    "initiatives_accessibles_10k_hab",
    "euros_par_hab",
    "nb_themes",
    "nb_themes_retenus",
    "themes_presents",
    "themes_manquants",
    "nb_themes_manquants",
    "financeurs",
    "population_touchee",
    "part_population_touchee",
    "distance_mediane_km",
    "distance_moyenne_km",
    "population_non_couverte",
    "part_population_non_couverte",
    "part_population_frr",
]

# --- points ---------------------------------------------------------------------------------


def zone_of(departement_codes: pd.Series) -> np.ndarray:
    """Return the distance zone of each departement code (``metropole``, ``corse``, ``97x``)."""
    dep = departement_codes.fillna("").astype(str)
    overseas = dep.str.startswith("97")
    corse = dep.isin(["2A", "2B", "20"])
    return np.where(overseas, dep.str[:3], np.where(corse, "corse", "metropole"))


def _zone_crs(zone: str, lon: np.ndarray, lat: np.ndarray) -> CRS:
    if zone in ("metropole", "corse"):
        return CRS.from_user_input(METROPOLE_CRS)
    if zone in OVERSEAS_CRS:
        return CRS.from_user_input(OVERSEAS_CRS[zone])
    from pyproj.aoi import AreaOfInterest
    from pyproj.database import query_utm_crs_info

    if not np.isfinite(lon).any() or not np.isfinite(lat).any():
        return CRS.from_user_input(METROPOLE_CRS)  # nothing to project anyway
    area = AreaOfInterest(
        float(np.nanmin(lon)), float(np.nanmin(lat)), float(np.nanmax(lon)), float(np.nanmax(lat))
    )
    infos = query_utm_crs_info(datum_name="WGS 84", area_of_interest=area)
    return CRS.from_epsg(infos[0].code) if infos else CRS.from_epsg(2154)


def project(zones: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project lon/lat (EPSG:4326) to metres in each zone's metric CRS."""
    x = np.full(len(lon), np.nan)
    y = np.full(len(lon), np.nan)
    for zone in pd.unique(zones):
        mask = zones == zone
        crs = _zone_crs(str(zone), lon[mask], lat[mask])
        transformer = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        x[mask], y[mask] = transformer.transform(lon[mask], lat[mask])
    return x, y


def commune_points(reference: GeoReference) -> pd.DataFrame:
    """Return ``code_insee, zone, lon, lat, x, y``: each commune's representative point.

    ``x, y`` are metres in the zone's metric CRS (NaN for a commune without outline). The
    result is memoised per reference object (references are read-only by contract).
    """
    return per_reference(reference, "commune_points", lambda: _commune_points(reference))


def _commune_points(reference: GeoReference) -> pd.DataFrame:
    communes = reference.communes
    geometries = communes.geometry.to_numpy()
    present = ~(shapely.is_missing(geometries) | shapely.is_empty(geometries))
    lon = np.full(len(communes), np.nan)
    lat = np.full(len(communes), np.nan)
    points = shapely.point_on_surface(geometries[present])
    lon[present], lat[present] = shapely.get_x(points), shapely.get_y(points)
    zones = zone_of(communes["departement_code"])
    x, y = project(zones, lon, lat)
    return pd.DataFrame(
        {
            "code_insee": communes["code_insee"].to_numpy(),
            "zone": zones,
            "lon": lon,
            "lat": lat,
            "x": x,
            "y": y,
        }
    )


def initiative_points(initiatives: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """Return ``initiative_id, zone, x, y`` for each initiative that can be located.

    The point is the exact latitude/longitude when both are given, else the representative point
    of the initiative's commune. The zone is always the commune's (an initiative without a known
    commune but with coordinates is taken as mainland).
    """
    by_code = points.set_index("code_insee")
    commune = initiatives["commune_code"].astype(object)
    known = pd.Series(by_code.index.get_indexer(commune) >= 0, index=commune.index)
    base = by_code.reindex(commune.where(known))
    coords = initiatives.reindex(columns=["latitude", "longitude"])
    lat = pd.to_numeric(coords["latitude"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(coords["longitude"], errors="coerce").to_numpy(dtype=float)
    exact = np.isfinite(lat) & np.isfinite(lon)
    zones = np.where(known.to_numpy(), base["zone"].to_numpy(dtype=object), "metropole")
    x, y = base["x"].to_numpy(dtype=float).copy(), base["y"].to_numpy(dtype=float).copy()
    if exact.any():
        x[exact], y[exact] = project(zones[exact], lon[exact], lat[exact])
    frame = pd.DataFrame(
        {"initiative_id": initiatives["id"].to_numpy(), "zone": zones, "x": x, "y": y}
    )
    return frame.loc[np.isfinite(frame["x"]) & np.isfinite(frame["y"])].reset_index(drop=True)


# --- distances ----------------------------------------------------------------------------


def _zones(
    sources: pd.DataFrame, targets: pd.DataFrame
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """For each zone with both: (source positions, target positions, their x/y in metres).

    Both frames have ``zone, x, y``; rows without a point are left out."""
    target_zones, source_zones = targets["zone"].to_numpy(), sources["zone"].to_numpy()
    target_xy = targets[["x", "y"]].to_numpy(dtype=float)
    source_xy = sources[["x", "y"]].to_numpy(dtype=float)
    target_ok = np.isfinite(target_xy).all(axis=1)
    source_ok = np.isfinite(source_xy).all(axis=1)
    for zone in pd.unique(target_zones):
        source_pos = np.flatnonzero((source_zones == zone) & source_ok)
        target_pos = np.flatnonzero((target_zones == zone) & target_ok)
        if len(source_pos) and len(target_pos):
            yield source_pos, target_pos, source_xy[source_pos], target_xy[target_pos]


def nearest_distance_km(
    targets: pd.DataFrame, sources: pd.DataFrame, *, return_index: bool = False
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Return, for each target point, the distance in km to the nearest source of its zone.

    Both frames have ``zone, x, y``. Targets with no source in their zone get ``inf``; targets
    without a point (a commune without outline) get NaN, their distance being unknown. With
    ``return_index``, also the positional index of the nearest source (-1 when none). A k-d
    tree per zone (``scipy.spatial.cKDTree``) answers all the communes at once.
    """
    from scipy.spatial import cKDTree  # 0.4 s to import: not at the start of every command

    distances = np.full(len(targets), np.inf)
    nearest = np.full(len(targets), -1, dtype=np.int64)
    for source_pos, target_pos, source_xy, target_xy in _zones(sources, targets):
        found, index = cKDTree(source_xy).query(target_xy)
        distances[target_pos] = found / 1000.0
        nearest[target_pos] = source_pos[index]
    has_point = np.isfinite(targets[["x", "y"]].to_numpy(dtype=float)).all(axis=1)
    distances[~has_point] = np.nan
    return (distances, nearest) if return_index else distances


def commune_coverage(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    *,
    radius_km: float = DEFAULT_RADIUS_KM,
    placement: pd.DataFrame | None = None,
    index: InitiativeIndex | None = None,
) -> pd.DataFrame:
    """Return one row per commune: ``code_insee, population, touchee, distance_km, couverte,
    acces``.

    ``touchee``: served by an initiative. ``distance_km``: to the nearest initiative (0 when
    reached, ``inf`` when none in its zone, NaN for a commune without outline and not reached).
    ``couverte``: ``distance_km <= radius_km``. ``acces``: initiatives within reach per
    inhabitant (``accessibility``). ``placement`` (``served_communes``) or ``index`` (the app's
    index that ``initiatives`` was selected from) save recomputing the placement.
    """
    _check_radius(radius_km)
    points = commune_points(reference)
    index = index_for(initiatives, reference, index, placement=placement)
    pos = index.placement_rows().pos
    touched = np.zeros(len(points), dtype=bool)
    touched[pos[pos >= 0]] = True
    located = initiative_points(initiatives, points)
    sources = pd.concat(
        [located[["zone", "x", "y"]], points.loc[touched]],
        ignore_index=True,
    )[["zone", "x", "y"]]
    distance = np.where(touched, 0.0, nearest_distance_km(points, sources))
    return pd.DataFrame(
        {
            "code_insee": points["code_insee"].to_numpy(),
            "population": reference.communes["population"].to_numpy(),
            "touchee": touched,
            "distance_km": distance,
            "couverte": distance <= radius_km,
            "acces": accessibility(initiatives, reference, radius_km, located=located, index=index),
        }
    )


def pairs_within(
    sources: pd.DataFrame, targets: pd.DataFrame, radius_km: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return (source position, target position) pairs at most ``radius_km`` apart, zone by
    zone. Both frames have ``zone, x, y`` (metres); rows without a point are skipped.

    Two k-d trees (``scipy.spatial.cKDTree.sparse_distance_matrix``): the pairs of all the
    mainland's communes within 15 km of each other (1.9 million) take about 0.3 s, three
    times less than a shapely ``STRtree`` query.
    """
    from scipy.spatial import cKDTree  # 0.4 s to import: not at the start of every command

    source_parts: list[np.ndarray] = [np.empty(0, dtype=np.int64)]
    target_parts: list[np.ndarray] = [np.empty(0, dtype=np.int64)]
    for source_pos, target_pos, source_xy, target_xy in _zones(sources, targets):
        found = cKDTree(source_xy).sparse_distance_matrix(
            cKDTree(target_xy), radius_km * 1000.0, output_type="ndarray"
        )
        source_parts.append(source_pos[found["i"]])
        target_parts.append(target_pos[found["j"]])
    return np.concatenate(source_parts), np.concatenate(target_parts)


def accessibility(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    radius_km: float = DEFAULT_RADIUS_KM,
    placement: pd.DataFrame | None = None,
    located: pd.DataFrame | None = None,
    *,
    index: InitiativeIndex | None = None,
) -> np.ndarray:
    """Initiatives within reach per inhabitant of each commune (two-step floating catchment).

    The method of the DREES' « accessibilité potentielle localisée », without distance decay:

    1. each initiative's **public** is its area served when given, else every commune whose
       point lies within ``radius_km`` of the initiative's point (and its own commune);
       ``P`` is that public's population;
    2. each commune adds ``1 / P`` for every initiative whose public it belongs to.

    An initiative serving 1,000 people thus counts for 1,000 × (1 / 1,000) = 1 in total, spread
    over its communes in proportion to their population: neither a small commune nor a large
    one is favoured by its size. Returns an array aligned on ``reference.communes``.
    """
    points = commune_points(reference)
    population = reference.communes["population"].to_numpy(dtype=float, na_value=0.0)
    index = index_for(initiatives, reference, index, placement=placement)
    placement = index.placement_rows()
    if located is None:
        located = initiative_points(initiatives, points)
    area_rows = has_zone(initiatives["zone_intervention"].to_numpy(dtype=object))
    own = np.full(len(index), -1, dtype=np.int64)  # a commune (-1: none) per row
    plain = ~area_rows[placement.row] if len(placement) else np.empty(0, bool)
    own[placement.row[plain]] = placement.pos[plain]
    near = _near_publics(index.ids[~area_rows], own[~area_rows], located)
    shares = _area_shares(index, area_rows, population)
    return shares + _near_shares(near, points, population, radius_km)


def _area_shares(
    index: InitiativeIndex, area_rows: np.ndarray, population: np.ndarray
) -> np.ndarray:
    """``_catchment_shares`` of the initiatives with an area served (``area_rows``): those
    placed on the same communes (the same area, often) share one public, computed once
    (``placement_groups`` of the index's root, where they were computed once)."""
    groups = index_groups(index.root)
    count = np.bincount(
        groups.group[index.in_root()[area_rows]], minlength=len(groups.first)
    ).astype(float)
    public = groups.placement.row.astype(np.int64)
    pos = groups.placement.pos.astype(np.int64)
    kept = (count[public] > 0) & (pos >= 0)
    return _catchment_shares(public[kept], pos[kept], population, count)


def _near_publics(ids: np.ndarray, own: np.ndarray, located: pd.DataFrame) -> pd.DataFrame:
    """The distinct publics of the initiatives ``ids`` (without an area served): one row per
    distinct (own commune, zone, point), with ``n``, how many initiatives share it.

    ``own`` is each initiative's commune position (-1 when not placed); ``zone, x, y`` its
    point (NaN when not located). Initiatives based in one commune without exact coordinates
    share their commune's point: their publics are the same, computed once.
    """
    points = located.set_index("initiative_id")[["zone", "x", "y"]].reindex(ids)
    frame = points.reset_index(drop=True).assign(own=own)[["own", "zone", "x", "y"]]
    frame = frame.loc[(own >= 0) | points["x"].notna().to_numpy()]
    return (
        frame.groupby(["own", "zone", "x", "y"], sort=False, dropna=False)
        .size()
        .rename("n")
        .reset_index()
    )


_NEAR_SHARES: OrderedDict[tuple, tuple[pd.DataFrame, np.ndarray]] = OrderedDict()
_NEAR_SHARES_LOCK = threading.Lock()


def _near_shares(
    publics: pd.DataFrame, points: pd.DataFrame, population: np.ndarray, radius_km: float
) -> np.ndarray:
    """Per commune, the sum of ``n / P`` over the publics of ``_near_publics`` that reach it:
    the communes within ``radius_km`` of the point, plus the own commune (once).

    Kept for the last publics seen, by their exact content (their bytes, not a digest): an
    edit that moves no initiative finds the same publics, and the sums are not computed
    again. Read-only."""
    key = (
        float(radius_km),
        publics["own"].to_numpy(dtype=np.int64).tobytes(),
        "\0".join(map(str, publics["zone"].tolist())),
        publics[["x", "y"]].to_numpy(dtype=float).tobytes(),
        publics["n"].to_numpy(dtype=float).tobytes(),
    )
    with _NEAR_SHARES_LOCK:
        found = _NEAR_SHARES.get(key)
        if found is not None and found[0] is points:
            _NEAR_SHARES.move_to_end(key)
            return found[1]
    result = _near_shares_of(publics, points, population, radius_km)
    result.flags.writeable = False
    with _NEAR_SHARES_LOCK:
        _NEAR_SHARES[key] = (points, result)
        while len(_NEAR_SHARES) > 4:
            _NEAR_SHARES.popitem(last=False)
    return result


def _near_shares_of(
    publics: pd.DataFrame, points: pd.DataFrame, population: np.ndarray, radius_km: float
) -> np.ndarray:
    source, target = pairs_within(publics, points, radius_km)
    own = publics["own"].to_numpy(dtype=np.int64)
    already = np.zeros(len(publics), dtype=bool)
    already[source[target == own[source]]] = True
    extra = np.flatnonzero((own >= 0) & ~already)
    group = np.concatenate([source, extra])
    commune = np.concatenate([target, own[extra]])
    size = len(population)
    public = np.bincount(group, weights=population[commune], minlength=len(publics))
    count = publics["n"].to_numpy(dtype=float)
    ratio = np.divide(count, public, out=np.zeros(len(public)), where=public > 0)
    return _sums(commune, ratio[group], size)


def _catchment_shares(
    public: np.ndarray, pos: np.ndarray, population: np.ndarray, count: np.ndarray
) -> np.ndarray:
    """Per commune, the sum of ``count[p] / P[p]`` over the publics ``p`` reaching it, from
    (public, commune) pairs that may repeat (``P``: the population of a public's distinct
    communes; ``count``: how many initiatives share each public, numbered from 0): distinct
    pairs as one combined integer key (hashed, no sort), then sums by ``bincount``."""
    size = len(population)
    keys = pd.unique(public * size + pos)
    where, group = keys % size, keys // size
    totals = np.bincount(group, weights=population[where], minlength=len(count))
    ratio = np.divide(count, totals, out=np.zeros(len(totals)), where=totals > 0)
    return _sums(where, ratio[group], size)


def _sums(pos: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    """Per commune, the sum of ``weights`` (floats, even with nothing to add up: numpy's
    ``bincount`` gives integers then)."""
    return np.bincount(pos, weights=weights, minlength=size).astype(float, copy=False)


def _check_radius(radius_km: float) -> None:
    if not np.isfinite(radius_km) or radius_km <= 0:
        raise ValueError(f"expected a positive radius in km, got {radius_km!r}")


# --- per-territory coverage --------------------------------------------------------------


def frr_codes_from(frame: pd.DataFrame | None) -> set[str] | None:
    """Return the INSEE codes classed FRR (fully or partly) from ``DataFrame(code_insee, frr)``.

    Uses the ``classee`` flag of ``territoires.geo.rurality.frr_frame`` when present; else
    ``frr`` may be a boolean or the official label (« Non classée » means not classed).
    """
    if frame is None:
        return None
    if "classee" in frame:
        classed_flags = frame["classee"].fillna(False).astype(bool).to_numpy()
        return set(frame.loc[classed_flags, "code_insee"].astype(str))
    values = frame["frr"]
    if values.dtype == bool:
        classed = values
    else:
        text = values.fillna("").astype(str).str.strip().str.lower()
        classed = ~text.isin(["", "non classée", "non classee", "non", "false", "0", "nan"])
    return set(frame.loc[classed.to_numpy(), "code_insee"].astype(str))


ALL_THEMES_MASK = (1 << len(THEMES)) - 1


def themes_mask(themes: Sequence[str] | None) -> int:
    """Bitmask of the themes considered (bit i = ``THEMES[i]``); every theme when empty."""
    if not themes:
        return ALL_THEMES_MASK
    return sum(1 << i for i, theme in enumerate(THEMES) if theme in set(themes))


@functools.cache
def _theme_texts(mask: int, considered: int) -> tuple[str, str, int]:
    """(present labels, missing labels, missing count) among the considered themes."""
    chosen = [(i, theme) for i, theme in enumerate(THEMES) if considered >> i & 1]
    present = [theme_label(theme) for i, theme in chosen if mask >> i & 1]
    missing = [theme_label(theme) for i, theme in chosen if not mask >> i & 1]
    return ", ".join(present), ", ".join(missing), len(missing)


def _or_per_territory(pairs: Pairs, row_masks: np.ndarray) -> np.ndarray:
    """Bitwise OR of the touching rows' masks, per territory of ``pairs.codes``."""
    result = np.zeros(len(pairs.codes), dtype=np.int64)
    np.bitwise_or.at(result, pairs.terr, row_masks[pairs.row])
    return result


def _lists_per_territory(index: InitiativeIndex, pairs: Pairs, considered: int) -> pd.DataFrame:
    """Return themes present/missing and funders per territory code (``pairs.codes``).

    Themes and funders are small vocabularies: each initiative has a bitmask, the masks are
    OR-ed per territory with ``np.bitwise_or.at`` and each distinct mask is spelled out once.
    """
    funder_masks = index.funders.masks()
    theme_masks = index.theme_masks()
    if funder_masks is None or theme_masks is None:  # beyond an int64: spell them out
        return _lists_per_territory_slow(index, pairs, considered)
    themes = _or_per_territory(pairs, theme_masks)
    funders = _or_per_territory(pairs, funder_masks)
    names = index.funders.vocabulary
    spelled = {
        mask: ", ".join(sorted(str(names[bit]) for bit in range(len(names)) if mask >> bit & 1))
        for mask in set(funders.tolist())
    }
    texts = [_theme_texts(int(mask), considered) for mask in themes]
    return pd.DataFrame(
        {
            "themes_presents": [text[0] for text in texts],
            "themes_manquants": [text[1] for text in texts],
            "nb_themes_manquants": [text[2] for text in texts],
            "financeurs": [spelled[int(mask)] for mask in funders],
        },
        index=pairs.codes,
    )


def _lists_per_territory_slow(
    index: InitiativeIndex, pairs: Pairs, considered: int
) -> pd.DataFrame:
    """Same as ``_lists_per_territory`` with Python sets (any number of funders)."""
    themes_of = index.frame["themes"].to_numpy(dtype=object)
    funders_of = index.frame["financeurs"].to_numpy(dtype=object)
    codes = pairs.codes.to_numpy(dtype=object)
    present: dict[str, set[str]] = {}
    names: dict[str, set[str]] = {}
    for row, terr in zip(pairs.row.tolist(), pairs.terr.tolist(), strict=True):
        code = codes[terr]
        themes, funders = themes_of[row], funders_of[row]
        present.setdefault(code, set()).update(themes if _is_list(themes) else [])
        names.setdefault(code, set()).update(funders if _is_list(funders) else [])
    bits = {theme: 1 << i for i, theme in enumerate(THEMES)}
    texts = [
        _theme_texts(sum(bits[t] for t in present.get(code, set()) if t in bits), considered)
        for code in codes
    ]
    return pd.DataFrame(
        {
            "themes_presents": [text[0] for text in texts],
            "themes_manquants": [text[1] for text in texts],
            "nb_themes_manquants": [text[2] for text in texts],
            "financeurs": [", ".join(sorted(names.get(code, set()))) for code in codes],
        },
        index=pairs.codes,
    )


def _is_list(value: object) -> bool:
    return isinstance(value, list | tuple | np.ndarray)


def _distance_measures(
    members: pd.DataFrame,
    communes: pd.DataFrame,
    radius_km: float,
    rural_codes: set[str] | None,
    frr_codes: set[str] | None,
) -> pd.DataFrame:
    frame = members.merge(communes, on="code_insee", how="left")
    pop = frame["population"].fillna(0)
    frame["pop_touchee"] = pop.where(frame["touchee"], 0)
    frame["pop_loin"] = pop.where(frame["distance_km"] > radius_km, 0)
    frame["pop_rurale"] = pop.where(in_set(frame["code_insee"], rural_codes or set()), 0)
    frame["pop_frr"] = pop.where(in_set(frame["code_insee"], frr_codes or set()), 0)
    frame["acces_pondere"] = (pop * frame["acces"].fillna(0)) if "acces" in frame else 0.0
    # a commune of unknown distance (no outline) weighs nothing in its territory's mean
    weight = pop.where((pop > 0) & frame["distance_km"].notna(), 0)
    frame["poids"] = weight
    frame["distance_ponderee"] = np.where(weight > 0, weight * frame["distance_km"], 0.0)
    grouped = frame.groupby("code", sort=True)
    weights = grouped["poids"].sum()
    weighted_mean = grouped["distance_ponderee"].sum() / weights.where(weights > 0)
    result = pd.DataFrame(
        {
            "population_touchee": grouped["pop_touchee"].sum(),
            "population_non_couverte": grouped["pop_loin"].sum(),
            "population_rurale": grouped["pop_rurale"].sum(),
            "population_frr": grouped["pop_frr"].sum(),
            "initiatives_accessibles": grouped["acces_pondere"].sum(),
            "distance_mediane_km": grouped["distance_km"].median(),
            # population-weighted; a territory without inhabitants takes the plain mean
            "distance_moyenne_km": weighted_mean.fillna(grouped["distance_km"].mean()),
        }
    )
    if rural_codes is None:
        result["population_rurale"] = np.nan
    if frr_codes is None:
        result["population_frr"] = np.nan
    return result


def coverage(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    level: AggregateLevel,
    scope: Scope = FRANCE,
    *,
    radius_km: float = DEFAULT_RADIUS_KM,
    rural_codes: set[str] | None = None,
    frr_codes: set[str] | None = None,
    communes: pd.DataFrame | None = None,
    themes: Sequence[str] | None = None,
    index: InitiativeIndex | None = None,
) -> pd.DataFrame:
    """Return the coverage measures of every territory of ``level`` in ``scope``.

    Parameters
    ----------
    initiatives : DataFrame
        The (filtered) initiatives, store contract.
    reference : GeoReference
        The geographic reference.
    level : {"commune", "epci", "departement", "region", "territoire", "france"}
        The level of the rows.
    scope : Scope
        Only communes of the scope count; distances still consider every initiative.
    radius_km : float
        The reach X: population farther than this is « non couverte ».
    rural_codes, frr_codes : set of str, optional
        INSEE codes of rural communes and of FRR communes; without them the rural and FRR
        columns are NaN.
    communes : DataFrame, optional
        A precomputed ``commune_coverage(initiatives, reference, radius_km=...)``.
    themes : sequence of str, optional
        The themes considered for ``themes_presents`` / ``themes_manquants`` (the filters'
        themes); every theme when empty or None.
    index : InitiativeIndex, optional
        The app's index that ``initiatives`` was selected from (placement, labels).

    Returns
    -------
    DataFrame
        ``COVERAGE_COLUMNS``, one row per territory, sorted by code. Shares are in [0, 1];
        distances in km, ``inf`` when no initiative exists in the zone.
        ``initiatives_accessibles`` counts each initiative for the share of its public (area
        served, else the population within reach) living in the territory (``accessibility``).
    """
    check_initiatives(initiatives)
    _check_radius(radius_km)
    members = membership(reference, level, scope)
    index = index_for(initiatives, reference, index)
    pairs = territory_pairs(index, level, scope)
    base = figures_frame(index, level, pairs).set_index("code")
    if communes is None:
        communes = commune_coverage(initiatives, reference, radius_km=radius_km, index=index)
    measures = _distance_measures(
        members, communes.drop(columns="couverte"), radius_km, rural_codes, frr_codes
    )
    considered = themes_mask(themes)
    lists = _lists_per_territory(index, pairs, considered)
    result = base.join(measures).join(lists)
    result["nb_themes_retenus"] = considered.bit_count()
    pop = result["population"].where(result["population"] > 0)
    result["initiatives_accessibles_10k_hab"] = result["initiatives_accessibles"] / pop * 10_000
    result["part_rurale"] = result["population_rurale"] / pop
    result["part_population_touchee"] = result["population_touchee"] / pop
    result["part_population_non_couverte"] = result["population_non_couverte"] / pop
    result["part_population_frr"] = result["population_frr"] / pop
    return result.reset_index()[COVERAGE_COLUMNS]


def initiative_lonlat(initiatives: pd.DataFrame, reference: GeoReference) -> pd.DataFrame:
    """Return ``initiative_id, lon, lat``: exact position when given, else the commune's point.

    Initiatives that cannot be located (unknown commune, no coordinates) are left out.
    """
    points = commune_points(reference).set_index("code_insee")
    commune = initiatives["commune_code"].astype(object)
    base = points.reindex(commune.where(points.index.get_indexer(commune) >= 0))
    coords = initiatives.reindex(columns=["latitude", "longitude"])
    lat = pd.to_numeric(coords["latitude"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(coords["longitude"], errors="coerce").to_numpy(dtype=float)
    exact = np.isfinite(lat) & np.isfinite(lon)
    frame = pd.DataFrame(
        {
            "initiative_id": initiatives["id"].to_numpy(),
            "lon": np.where(exact, lon, base["lon"].to_numpy(dtype=float)),
            "lat": np.where(exact, lat, base["lat"].to_numpy(dtype=float)),
        }
    )
    return frame.loc[np.isfinite(frame["lon"]) & np.isfinite(frame["lat"])].reset_index(drop=True)
