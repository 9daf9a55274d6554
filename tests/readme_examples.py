"""The README's code blocks, for the tests that run them as they are written there, and the
programs that run them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def readme_block(language: str) -> str:
    """The one block of ``language`` (```` ```nginx ````, ```` ```ini ````…) in the README."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(rf"```{re.escape(language)}\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) == 1, f"le README doit donner un seul bloc `{language}`"
    return blocks[0]


def replaced(text: str, replacements: dict[str, str]) -> str:
    """``text`` with each key replaced by its value; every key must occur in it (a README
    block that no longer says what a test substitutes must fail that test, not pass it)."""
    for old, new in replacements.items():
        assert old in text, f"« {old} » absent du bloc du README"
        text = text.replace(old, new)
    return text


def required_program(
    name: str, ci: bool, *, package: str = "", folders: tuple[str, ...] = ()
) -> str:
    """The path of ``name`` (on the PATH or in ``folders``); skips without it locally, fails in
    CI, where ``.ci/run`` installs its Debian ``package`` (``name`` unless given)."""
    path = shutil.which(name) or shutil.which(name, path=":".join(folders))
    if path is None:
        message = f"{name} absent : `apt-get install {package or name}` (voir .ci/run)."
        if ci:
            pytest.fail(message)
        pytest.skip(message)
    return path
