"""Every setting declared in ``territoires/settings.py`` is documented in the README table."""

from __future__ import annotations

import re

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
    import pytest

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
