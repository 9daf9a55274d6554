"""Every setting declared in ``territoires/settings.py`` is documented in the README table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from territoires.settings import ROOT, SETTINGS


def _readme_settings_rows() -> dict[str, tuple[str, str]]:
    """``{variable: (default, help)}`` from the table of the README's « Réglages » section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Réglages", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"^\|\s*`(TERRITOIRES_[A-Z_]+)`\s*\|(.*)\|(.*)\|\s*$", line)
        if match:
            rows[match.group(1)] = (match.group(2).strip(), match.group(3).strip())
    return rows


def test_every_setting_is_documented_with_its_default():
    rows = _readme_settings_rows()
    for spec in SETTINGS:
        assert spec.name in rows, f"{spec.name} absent du tableau des réglages du README"
        default, help_text = rows[spec.name]
        expected = f"`{spec.default}`" if spec.default else "(vide)"
        assert default == expected, f"{spec.name} : valeur par défaut {default} ≠ {expected}"
        assert help_text, f"{spec.name} : rôle non décrit"


def test_the_readme_documents_no_unknown_setting():
    declared = {spec.name for spec in SETTINGS}
    assert set(_readme_settings_rows()) <= declared


def test_access_settings_are_read_and_checked(monkeypatch):
    from territoires.errors import SettingsError
    from territoires.settings import get_settings

    for name in ("TERRITOIRES_ACCES_PUBLIC", "TERRITOIRES_ROLE_PAR_DEFAUT"):
        monkeypatch.delenv(name, raising=False)
    settings = get_settings()
    assert (settings.public_read, settings.default_role, settings.watch_seconds) == (
        False,
        None,
        1.0,
    )
    monkeypatch.setenv("TERRITOIRES_ACCES_PUBLIC", "1")
    monkeypatch.setenv("TERRITOIRES_ROLE_PAR_DEFAUT", "Lecteur")
    monkeypatch.setenv("TERRITOIRES_VEILLE_SECONDES", "0,5")
    settings = get_settings()
    assert (settings.public_read, settings.default_role, settings.watch_seconds) == (
        True,
        "lecteur",
        0.5,
    )
    # a write role is never given to every signed-in address
    monkeypatch.setenv("TERRITOIRES_ROLE_PAR_DEFAUT", "editeur")
    with pytest.raises(SettingsError, match="adresse par adresse"):
        get_settings()
    monkeypatch.setenv("TERRITOIRES_ROLE_PAR_DEFAUT", "aucun")
    monkeypatch.setenv("TERRITOIRES_VEILLE_SECONDES", "10")
    with pytest.raises(SettingsError, match="entre 0.5 et 2"):
        get_settings()


def _folders(monkeypatch, *, installed: bool, **env: str):
    from territoires.settings import Settings

    for name in ("TERRITOIRES_DATA_DIR", "TERRITOIRES_GEODATA_DIR", "TERRITOIRES_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_env(installed=installed)
    return settings.data_dir, settings.geodata_dir, settings.database_url


def test_a_checkout_keeps_its_folders_in_the_project(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # whatever the working directory
    data, geodata, url = _folders(monkeypatch, installed=False)
    assert (data, geodata) == (ROOT / "data", ROOT / "geodata" / "cache")
    assert url == f"sqlite:///{ROOT / 'data' / 'territoires.db'}"


def test_an_installed_package_keeps_its_folders_in_the_user_data_folder(monkeypatch, tmp_path):
    import territoires

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "camille"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    data, geodata, url = _folders(monkeypatch, installed=True)
    assert data == tmp_path / "camille" / ".local" / "share" / "territoires"
    assert geodata == data / "geodata"
    assert url == f"sqlite:///{data / 'territoires.db'}"
    package = Path(territoires.__file__).resolve().parent
    assert package not in data.parents and package not in geodata.parents
    # XDG_DATA_HOME moves both; the cache follows a given data folder
    data, geodata, _ = _folders(monkeypatch, installed=True, XDG_DATA_HOME=str(tmp_path / "xdg"))
    assert (data, geodata) == (
        tmp_path / "xdg" / "territoires",
        tmp_path / "xdg" / "territoires" / "geodata",
    )
    data, geodata, _ = _folders(monkeypatch, installed=True, TERRITOIRES_DATA_DIR="/srv/t")
    assert (data, geodata) == (Path("/srv/t"), Path("/srv/t/geodata"))


def test_relative_folders_start_from_the_working_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for installed in (False, True):
        data, geodata, _ = _folders(
            monkeypatch,
            installed=installed,
            TERRITOIRES_DATA_DIR="donnees",
            TERRITOIRES_GEODATA_DIR="~/cache-geo",
        )
        assert data == tmp_path / "donnees"
        assert geodata == Path.home() / "cache-geo"


@pytest.mark.parametrize(
    ("platform", "env", "expected"),
    [
        ("linux", {"HOME": "/home/c"}, "/home/c/.local/share/territoires"),
        ("linux", {"HOME": "/home/c", "XDG_DATA_HOME": "/x"}, "/x/territoires"),
        # the XDG specification: a relative XDG_DATA_HOME is ignored
        ("linux", {"HOME": "/home/c", "XDG_DATA_HOME": "x"}, "/home/c/.local/share/territoires"),
        ("darwin", {"HOME": "/Users/c"}, "/Users/c/Library/Application Support/territoires"),
        ("win32", {"HOME": "/c", "LOCALAPPDATA": "/c/Local"}, "/c/Local/territoires"),
    ],
)
def test_the_user_data_folder_follows_each_system(platform, env, expected):
    from territoires.settings import user_data_dir

    assert user_data_dir(env, platform) == Path(expected)
