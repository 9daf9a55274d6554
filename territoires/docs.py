"""User documentation read from ``docs/*.md`` and the sources table built from the manifest."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

DOCS_DIR = Path(__file__).resolve().parent.parent / "docs"

SOURCE_COLUMNS = {
    "name": "Jeu de données",
    "vintage": "Millésime",
    "provider": "Producteur",
    "url": "Source",
    "licence": "Licence",
    "usage": "Usage dans l'application",
}


def methodology_markdown() -> str:
    """Return the methodology page's Markdown (French), without its top-level title."""
    text = (DOCS_DIR / "methodologie.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join(lines).strip()


def sources_table(manifest: dict, rurality: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per dataset: name, vintage, provider, source, licence, usage (French headers).

    Official rurality files imported by a user are added from ``rurality`` (columns ``source``
    and ``millesime``) when they are not the built-in approximation.
    """
    rows = [dict(source) for source in manifest.get("sources", [])]
    if rurality is not None and not rurality.empty:
        for (source, vintage), _ in rurality.groupby(["source", "millesime"], dropna=False):
            if isinstance(source, str) and "approximation" not in source.lower():
                rows.append(
                    {"name": source, "vintage": vintage, "usage": "Ruralité (fichier importé)"}
                )
    cells = [{key: str(row.get(key) or "") for key in SOURCE_COLUMNS} for row in rows]
    frame = pd.DataFrame(cells, columns=list(SOURCE_COLUMNS))
    return frame.rename(columns=SOURCE_COLUMNS)
