"""Rurality of communes: an approximation by default, official files when imported.

Default: an approximation of INSEE's *grille communale de densité* from each commune's
density (population 2023 ÷ area), population and unité urbaine 2020 (INSEE's 2024 zonings,
``geodata/zonages_2024.csv``), always labelled « approximation »:

- dense: ≥ 1 500 hab/km² in an unité urbaine of 50 000 inhabitants or more (or a commune of
  50 000 inhabitants or more);
- intermédiaire: ≥ 160 hab/km² in an unité urbaine of 5 000 inhabitants or more, or a commune
  of 20 000 inhabitants or more;
- très peu dense: under 30 hab/km²; otherwise peu dense;
- rural = peu dense + très peu dense.

The thresholds were calibrated on INSEE's 2024 grid of Bretagne (``geodata/
grille_densite_2024_bretagne.csv``) and on its national shares (about 88 % of communes and
33 % of the population rural). A commune whose unité urbaine is unknown falls back to the
density thresholds alone (dense ≥ 1 500, intermédiaire ≥ 310, très peu dense < 30).

Official files a user imports (INSEE's grid in 7, 4 or 3 levels; ANCT's France Ruralités
Revitalisation list) are normalised and persisted with their vintage under
``<data_dir>/referentiels``. The grid replaces the approximation for the communes it lists;
the FRR list adds a ``frr`` column.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from territoires.errors import ImportFileError, UnknownCodeError
from territoires.geo.official import frr_is_classed, parse_density_grid, parse_frr
from territoires.settings import get_settings

if TYPE_CHECKING:
    from territoires.geo.reference import GeoReference

Niveau = Literal["dense", "intermediaire", "peu-dense", "tres-peu-dense", "inconnu"]
NIVEAU_LABELS: dict[str, str] = {
    "dense": "Dense",
    "intermediaire": "Densité intermédiaire",
    "peu-dense": "Peu dense",
    "tres-peu-dense": "Très peu dense",
    "inconnu": "Inconnu (commune sans contour)",
}
RURAL_NIVEAUX = frozenset({"peu-dense", "tres-peu-dense"})
# Density thresholds alone (minimum density in hab/km², level), highest first: the fallback
# for a commune whose unité urbaine is unknown.
DENSITY_THRESHOLDS: tuple[tuple[float, Niveau], ...] = (
    (1500.0, "dense"),
    (310.0, "intermediaire"),
    (30.0, "peu-dense"),
)
# The approximation with the zonings (calibrated, see the module docstring). An unité
# urbaine's size class is the third character of its code (UU2020): 0 outside any unité
# urbaine, 1 from 2 000 inhabitants, 2 from 5 000, ..., 5 from 50 000, ..., 8 Paris.
DENSE_DENSITY = 1500.0
DENSE_UU_CLASS = 5
DENSE_POPULATION = 50_000
INTERMEDIATE_DENSITY = 160.0
INTERMEDIATE_UU_CLASS = 2
INTERMEDIATE_POPULATION = 20_000
SPARSE_DENSITY = 30.0
# INSEE's national shares with its 2024 grid (rural: levels 5 to 7), for comparison.
NATIONAL_RURAL_SHARES = {"communes": 0.88, "population": 0.33}
APPROXIMATION_SOURCE = "approximation"
APPROXIMATION_SUFFIX = " (approximation)"
APPROXIMATION_RULE = (
    "dense : au moins 1 500 hab/km² dans une unité urbaine d'au moins 50 000 habitants (ou "
    "commune d'au moins 50 000 habitants) ; intermédiaire : au moins 160 hab/km² dans une "
    "unité urbaine d'au moins 5 000 habitants, ou commune d'au moins 20 000 habitants ; très "
    "peu dense : moins de 30 hab/km² ; sinon peu dense"
)

# INSEE's grid: label and matching 4-level category of each level, per number of levels.
# The 7-level grid subdivides the 4-level one: 1 | 2-4 | 5-6 | 7.
GRID_LEVELS: dict[int, dict[int, tuple[str, Niveau]]] = {
    7: {
        1: ("Grands centres urbains", "dense"),
        2: ("Centres urbains intermédiaires", "intermediaire"),
        3: ("Ceintures urbaines", "intermediaire"),
        4: ("Petites villes", "intermediaire"),
        5: ("Bourgs ruraux", "peu-dense"),
        6: ("Rural à habitat dispersé", "peu-dense"),
        7: ("Rural à habitat très dispersé", "tres-peu-dense"),
    },
    4: {
        1: ("Communes densément peuplées", "dense"),
        2: ("Communes de densité intermédiaire", "intermediaire"),
        3: ("Communes peu denses", "peu-dense"),
        4: ("Communes très peu denses", "tres-peu-dense"),
    },
    3: {
        1: ("Communes densément peuplées", "dense"),
        2: ("Communes de densité intermédiaire", "intermediaire"),
        3: ("Communes peu ou très peu denses", "peu-dense"),
    },
}
GRID_FILE = "grille_densite"
FRR_FILE = "frr"
COLUMNS = ["code_insee", "niveau", "libelle", "rural", "source", "millesime", "frr"]


def density_level(densite: float) -> Niveau:
    """The approximated level of one density (hab/km²); ``inconnu`` when not a number."""
    if densite is None or not np.isfinite(densite):
        return "inconnu"
    for minimum, level in DENSITY_THRESHOLDS:
        if densite >= minimum:
            return level
    return "tres-peu-dense"


def uu_size_class(uu2020: pd.Series) -> np.ndarray:
    """Size class of each commune's unité urbaine from its UU2020 code (NaN when unknown)."""
    third = uu2020.astype(object).where(uu2020.notna(), "").astype(str).str[2:3]
    return pd.to_numeric(third, errors="coerce").to_numpy(dtype=float)


def approximate_levels(communes: pd.DataFrame) -> np.ndarray:
    """The approximated level of each commune (``densite``, ``population``, ``uu2020``).

    Without a ``uu2020`` column (or for a commune whose unité urbaine is unknown), the density
    thresholds alone (``DENSITY_THRESHOLDS``).
    """
    density = communes["densite"].to_numpy(dtype=float, na_value=np.nan)
    population = (
        communes["population"].to_numpy(dtype=float, na_value=np.nan)
        if "population" in communes.columns
        else np.full(len(density), np.nan)
    )
    uu = communes["uu2020"] if "uu2020" in communes.columns else pd.Series([None] * len(density))
    size = uu_size_class(uu.reset_index(drop=True))
    known = np.isfinite(size)
    levels = np.full(len(density), "peu-dense", dtype=object)
    levels[density < SPARSE_DENSITY] = "tres-peu-dense"
    intermediate = np.where(
        known,
        ((density >= INTERMEDIATE_DENSITY) & (size >= INTERMEDIATE_UU_CLASS))
        | (population >= INTERMEDIATE_POPULATION),
        density >= DENSITY_THRESHOLDS[1][0],
    )
    levels[intermediate] = "intermediaire"
    dense = np.where(
        known,
        (density >= DENSE_DENSITY) & ((size >= DENSE_UU_CLASS) | (population >= DENSE_POPULATION)),
        density >= DENSITY_THRESHOLDS[0][0],
    )
    levels[dense] = "dense"
    levels[~np.isfinite(density)] = "inconnu"
    return levels


def approximate_rurality(communes: pd.DataFrame, population_vintage: str = "2023") -> pd.DataFrame:
    """The approximation for each commune (see the module docstring) — labelled as such."""
    niveaux = pd.Series(approximate_levels(communes), dtype=object)
    return pd.DataFrame(
        {
            "code_insee": communes["code_insee"].astype(str).to_numpy(),
            "niveau": niveaux.to_numpy(),
            "libelle": (niveaux.map(NIVEAU_LABELS) + APPROXIMATION_SUFFIX).to_numpy(),
            "rural": niveaux.isin(RURAL_NIVEAUX).to_numpy(),
            "source": APPROXIMATION_SOURCE,
            "millesime": population_vintage,
        }
    )


def rurality_frame(reference: GeoReference) -> pd.DataFrame:
    """Rurality of every commune: ``code_insee, niveau, libelle, rural, source, millesime, frr``.

    ``niveau`` is one of ``dense, intermediaire, peu-dense, tres-peu-dense`` (``inconnu`` for a
    commune without outline) whatever the source; ``libelle`` is the source's own label.
    ``frr`` is the FRR classement when that list was imported, else ``None``.
    """
    vintage = str(reference.manifest.get("population_vintage", "2023"))
    frame = approximate_rurality(reference.communes, vintage).set_index("code_insee")
    override = reference.rurality_override
    if override is not None and not override.empty:
        official = override.set_index("code_insee")
        official = official.loc[official.index.isin(frame.index)]
        frame.loc[official.index, official.columns] = official[frame.columns]
    frame["rural"] = frame["rural"].astype(bool)
    frr = getattr(reference, "frr", None)
    frame["frr"] = frame.index.map(frr.set_index("code_insee")["frr"]) if frr is not None else None
    frame["frr"] = frame["frr"].astype(object).where(frame["frr"].notna(), None)
    return frame.reset_index()[COLUMNS]


def rurality(reference: GeoReference, code_insee: str) -> dict:
    """Rurality of one commune, as a dict with the ``rurality_frame`` columns."""
    frame = rurality_frame(reference)
    rows = frame.loc[frame["code_insee"] == str(code_insee)]
    if rows.empty:
        raise UnknownCodeError(f"Code commune inconnu : « {code_insee} ».")
    return rows.iloc[0].to_dict()


def _applied_override(reference: GeoReference) -> pd.DataFrame | None:
    """The imported grid's rows for current communes (those it replaces), or ``None``."""
    override = reference.rurality_override
    if override is None or override.empty:
        return None
    return override.loc[override["code_insee"].isin(reference.communes["code_insee"])]


def approximated_count(reference: GeoReference) -> int:
    """How many communes get the approximation (all of them without an imported grid)."""
    applied = _applied_override(reference)
    return len(reference.communes) - (0 if applied is None else len(applied))


def rurality_label(reference: GeoReference) -> str:
    """Short French name of the rurality source, saying « approximation » when it is one.

    « approximation (densité 2023 et unités urbaines INSEE) », « grille communale de densité
    INSEE 2024 » or, when the imported grid lists some communes only, « grille communale de
    densité INSEE 2024 et approximation ailleurs ».
    """
    vintage = reference.manifest.get("population_vintage", "2023")
    approximation = f"approximation (densité {vintage} et unités urbaines INSEE)"
    applied = _applied_override(reference)
    if applied is None or applied.empty:
        return approximation
    meta = official_metadata(GRID_FILE) or {}
    grid = f"grille communale de densité INSEE {meta.get('millesime', '?')}"
    return grid if approximated_count(reference) == 0 else f"{grid} et {approximation} ailleurs"


def rural_qualifier(reference: GeoReference) -> str:
    """What to put after « rural » in a short label: « approximation », « grille INSEE 2024 »
    or « grille INSEE 2024 et approximation »."""
    applied = _applied_override(reference)
    if applied is None or applied.empty:
        return "approximation"
    meta = official_metadata(GRID_FILE) or {}
    grid = f"grille INSEE {meta.get('millesime', '?')}"
    return grid if approximated_count(reference) == 0 else f"{grid} et approximation"


def rural_communes_label(reference: GeoReference) -> str:
    """« Communes rurales (approximation) », or with the imported grid's name."""
    return f"Communes rurales ({rural_qualifier(reference)})"


def rurality_source(reference: GeoReference) -> str:
    """A French sentence naming the rurality source in use (for ``info`` and the app)."""
    applied = _applied_override(reference)
    vintage = reference.manifest.get("population_vintage", "2023")
    approximation = (
        f"approximation par la densité de population {vintage} et les unités urbaines 2020 "
        f"de l'INSEE ({APPROXIMATION_RULE})"
    )
    if applied is not None and not applied.empty:
        meta = official_metadata(GRID_FILE) or {}
        text = (
            f"grille communale de densité INSEE {meta.get('millesime', '?')} "
            f"({meta.get('niveaux', '?')} niveaux), appliquée à {len(applied)} communes"
        )
        missing = approximated_count(reference)
        if missing:
            text += f" ; {approximation} pour les {missing} autres communes"
    else:
        text = approximation
    frr = getattr(reference, "frr", None)
    if frr is not None:
        meta = official_metadata(FRR_FILE) or {}
        classed = int(frr["frr"].map(frr_is_classed).sum())
        text += f" ; liste FRR {meta.get('millesime', '?')} ({classed} communes classées)"
    return text


# --- how good the approximation is ------------------------------------------------------------


def national_shares(communes: pd.DataFrame, rural: np.ndarray) -> dict[str, float]:
    """Share of communes and of the population classed rural."""
    population = communes["population"].to_numpy(dtype=float)
    return {
        "communes": float(rural.mean()) if len(rural) else float("nan"),
        "population": float(population[rural].sum() / population.sum()),
    }


def agreement(levels: pd.Series, grid: pd.DataFrame) -> dict[str, float | int]:
    """Agreement of approximated levels (indexed by code) with an official 4-level grid
    (``code_insee, niveau``): share of communes with the same rural / urban class and with
    the same level, over the communes both know."""
    grid = grid.loc[grid["code_insee"].isin(levels.index)]
    mine = levels.reindex(grid["code_insee"]).to_numpy()
    official = grid["niveau"].to_numpy()
    rural_mine = np.isin(mine, list(RURAL_NIVEAUX))
    rural_official = np.isin(official, list(RURAL_NIVEAUX))
    return {
        "communes": int(len(grid)),
        "rural": float((rural_mine == rural_official).mean()),
        "niveau": float((mine == official).mean()),
    }


def approximation_quality(communes: pd.DataFrame, grid: pd.DataFrame | None) -> dict:
    """The approximation's national shares and its agreement with an official grid, next to
    the density thresholds alone (the former approximation)."""
    result: dict = {}
    for name, levels in (
        ("approximation", approximate_levels(communes)),
        ("densite_seule", _density_only_levels(communes)),
    ):
        rural = np.isin(levels, list(RURAL_NIVEAUX))
        entry = {"parts_nationales": national_shares(communes, rural)}
        if grid is not None:
            by_code = pd.Series(levels, index=communes["code_insee"].astype(str).to_numpy())
            entry["accord"] = agreement(by_code, grid)
        result[name] = entry
    return result


def _density_only_levels(communes: pd.DataFrame) -> np.ndarray:
    return approximate_levels(communes.drop(columns=["uu2020"], errors="ignore"))


# --- official files: import and persistence ---------------------------------------------------


def referentiels_dir() -> Path:
    """Folder where imported official files are kept (``<data_dir>/referentiels``)."""
    return get_settings().data_dir / "referentiels"


def _resolve_vintage(vintage: str | None, hint: str | None, what: str) -> str:
    value = (vintage or hint or "").strip()
    if not value:
        raise ImportFileError(
            f"{what} : millésime introuvable dans le fichier ; précisez-le (--millesime 2024)."
        )
    return value


def _save(kind: str, frame: pd.DataFrame, metadata: dict, directory: Path | None) -> dict:
    folder = directory or referentiels_dir()
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f"{kind}.csv.tmp"
    frame.to_csv(staging, index=False)
    staging.replace(folder / f"{kind}.csv")
    (folder / f"{kind}.json").write_text(
        json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return metadata


def official_metadata(kind: str, directory: Path | None = None) -> dict | None:
    """Metadata (vintage, file, date) of an imported official file, or ``None``."""
    path = (directory or referentiels_dir()) / f"{kind}.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def import_density_grid(
    path: Path | str,
    vintage: str | None = None,
    *,
    levels: int | None = None,
    directory: Path | None = None,
    reference: GeoReference | None = None,
) -> dict:
    """Import INSEE's density grid and persist it; return its metadata.

    ``vintage`` defaults to a year found in the header or the file name. With ``reference``,
    its rurality is updated in place.
    """
    parsed = parse_density_grid(Path(path), levels)
    millesime = _resolve_vintage(vintage, parsed.vintage_hint, "Grille de densité")
    metadata = {
        "source": "INSEE, grille communale de densité",
        "millesime": millesime,
        "niveaux": parsed.levels,
        "fichier": Path(path).name,
        "communes": int(len(parsed.frame)),
        "importe_le": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _save(GRID_FILE, parsed.frame, metadata, directory)
    if reference is not None:
        reference.rurality_override = load_official_override(directory)
    return metadata


def import_frr(
    path: Path | str,
    vintage: str | None = None,
    *,
    directory: Path | None = None,
    reference: GeoReference | None = None,
) -> dict:
    """Import ANCT's France Ruralités Revitalisation list and persist it; return its metadata."""
    parsed = parse_frr(Path(path))
    millesime = _resolve_vintage(vintage, parsed.vintage_hint, "Liste FRR")
    classed = int(parsed.frame["frr"].map(frr_is_classed).sum())
    metadata = {
        "source": "ANCT / DGCL, classement France Ruralités Revitalisation",
        "millesime": millesime,
        "fichier": Path(path).name,
        "communes": int(len(parsed.frame)),
        "communes_classees": classed,
        "importe_le": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _save(FRR_FILE, parsed.frame, metadata, directory)
    if reference is not None:
        reference.frr = frr_frame(directory)
    return metadata


def remove_official(kind: Literal["grille_densite", "frr"], directory: Path | None = None) -> None:
    """Forget an imported official file (back to the approximation for the grid)."""
    folder = directory or referentiels_dir()
    for suffix in (".csv", ".json"):
        (folder / f"{kind}{suffix}").unlink(missing_ok=True)


def load_official_override(directory: Path | None = None) -> pd.DataFrame | None:
    """The imported grid as rurality rows (``rurality_frame`` columns), or ``None``."""
    meta = official_metadata(GRID_FILE, directory)
    path = (directory or referentiels_dir()) / f"{GRID_FILE}.csv"
    if meta is None or not path.is_file():
        return None
    grid = pd.read_csv(path, dtype={"code_insee": str})
    labels = GRID_LEVELS[int(meta["niveaux"])]
    levels = grid["niveau_source"].astype(int)
    niveaux = [labels[v][1] for v in levels]
    return pd.DataFrame(
        {
            "code_insee": grid["code_insee"],
            "niveau": niveaux,
            "libelle": [labels[v][0] for v in levels],
            "rural": [n in RURAL_NIVEAUX for n in niveaux],
            "source": f"INSEE grille de densité {meta['niveaux']} niveaux",
            "millesime": str(meta["millesime"]),
        }
    )


def frr_frame(directory: Path | None = None) -> pd.DataFrame | None:
    """The imported FRR list: ``code_insee, frr, classee, millesime``, or ``None``."""
    meta = official_metadata(FRR_FILE, directory)
    path = (directory or referentiels_dir()) / f"{FRR_FILE}.csv"
    if meta is None or not path.is_file():
        return None
    frame = pd.read_csv(path, dtype={"code_insee": str, "frr": str})
    frame["classee"] = frame["frr"].map(frr_is_classed)
    frame["millesime"] = str(meta["millesime"])
    return frame
