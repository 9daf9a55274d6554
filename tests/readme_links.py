"""The links to the app written in the README: ``…/<page>?<query>`` in code spans (« … »
stands for the server's address)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl

from territoires.ui.navigation import PAGE_SPECS

ROOT = Path(__file__).resolve().parents[1]
_LINK = re.compile(r"`…/([a-z]*)(?:\?([^`\s]*))?`")


def readme_links() -> list[tuple[str, dict[str, str]]]:
    """``(page path, query parameters)`` of each link the README writes; ``""`` is the root."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [(m.group(1), dict(parse_qsl(m.group(2) or ""))) for m in _LINK.finditer(text)]


def page_of(path: str):
    """The ``PageSpec`` a path serves: the first page (the default one) at the root."""
    if path == "":
        return PAGE_SPECS[0]
    return next((spec for spec in PAGE_SPECS[1:] if spec.url_path == path), None)
