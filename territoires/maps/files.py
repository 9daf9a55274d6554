"""Files the browser fetches from the served web folder (geometry, script bundle)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def content_name(stem: str, text: str, suffix: str) -> str:
    """``<stem>-<hash of text>.<suffix>``: a name that changes whenever the content does."""
    return f"{stem}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:20]}.{suffix}"


def write_once(directory: Path, name: str, text: str) -> None:
    """Write ``text`` to ``directory/name`` unless the file exists, atomically.

    Names carry a hash of their content, so an existing file is already the right one; a file
    being written is never seen half done (written aside, then renamed).
    """
    path = directory / name
    if path.is_file():
        return
    directory.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{name}.{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
