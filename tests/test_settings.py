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
