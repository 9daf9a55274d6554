"""Rurality of communes: a density approximation by default, official files when imported.

Default: an approximation of INSEE's *grille communale de densité* from each commune's
density (population 2023 ÷ area), always labelled « approximation »:

- dense: ≥ 1 500 hab/km²; intermédiaire: ≥ 310; peu dense: ≥ 30; otherwise très peu dense;
- rural = peu dense + très peu dense.

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
# (minimum density in hab/km², level), highest first.
DENSITY_THRESHOLDS: tuple[tuple[float, Niveau], ...] = (
    (1500.0, "dense"),
    (310.0, "intermediaire"),
    (30.0, "peu-dense"),
)
APPROXIMATION_SOURCE = "approximation"
APPROXIMATION_SUFFIX = " (approximation)"

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


def approximate_rurality(communes: pd.DataFrame, population_vintage: str = "2023") -> pd.DataFrame:
    """The density approximation for each commune (``densite`` column) — labelled as such."""
    density = communes["densite"].to_numpy(dtype=float, na_value=np.nan)
    conditions = [density >= minimum for minimum, _ in DENSITY_THRESHOLDS]
    conditions.append(np.isfinite(density))
    choices = [level for _, level in DENSITY_THRESHOLDS] + ["tres-peu-dense"]
    niveaux = pd.Series(np.select(conditions, choices, default="inconnu"), dtype=object)
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


def rurality_source(reference: GeoReference) -> str:
    """A French sentence naming the rurality source in use (for ``info`` and the app)."""
    override = reference.rurality_override
    if override is not None and not override.empty:
        meta = official_metadata(GRID_FILE) or {}
        text = (
            f"grille communale de densité INSEE {meta.get('millesime', '?')} "
            f"({meta.get('niveaux', '?')} niveaux, {len(override)} communes) ; "
            "approximation par la densité pour les communes absentes du fichier"
        )
    else:
        text = (
            "approximation par la densité de population "
            f"{reference.manifest.get('population_vintage', '2023')} "
            "(dense ≥ 1 500 hab/km², intermédiaire ≥ 310, peu dense ≥ 30, sinon très peu dense)"
        )
    frr = getattr(reference, "frr", None)
    if frr is not None:
        meta = official_metadata(FRR_FILE) or {}
        classed = int(frr["frr"].map(frr_is_classed).sum())
        text += f" ; liste FRR {meta.get('millesime', '?')} ({classed} communes classées)"
    return text


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
