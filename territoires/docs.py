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

APPROXIMATION_ROW = {
    "name": "Ruralité : approximation de la grille communale de densité",
    "provider": "Calcul de l'application (densité = population ÷ superficie)",
    "usage": "Communes rurales (approximation, tant qu'aucune grille officielle n'est importée)",
}


def methodology_markdown() -> str:
    """Return the methodology page's Markdown (French), without its top-level title."""
    text = (DOCS_DIR / "methodologie.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join(lines).strip()


def _rurality_rows(rurality: pd.DataFrame) -> list[dict]:
    rows = []
    for (source, vintage), _ in rurality.groupby(["source", "millesime"], dropna=False):
        if not isinstance(source, str):
            continue
        if source == "approximation":
            rows.append({**APPROXIMATION_ROW, "vintage": f"population {vintage}"})
        else:
            rows.append({"name": source, "vintage": vintage, "usage": "Ruralité (fichier importé)"})
    return rows


def sources_table(
    manifest: dict,
    rurality: pd.DataFrame | None = None,
    *,
    frr: pd.DataFrame | None = None,
    initiatives: dict | None = None,
    indicators: list | None = None,
) -> pd.DataFrame:
    """One row per dataset: name, vintage, provider, source, licence, usage (French headers).

    Parameters
    ----------
    manifest : dict
        The geodata manifest (``sources``: list of dicts with the keys of ``SOURCE_COLUMNS``).
    rurality : DataFrame, optional
        ``rurality_frame`` output: its ``source``/``millesime`` pairs become rows.
    frr : DataFrame, optional
        The imported France Ruralités Revitalisation list (``millesime`` column), if any.
    initiatives : dict, optional
        A row describing the initiatives shown (demo dataset or the collectif's imports).
    indicators : list of Indicator, optional
        The need indicators of the score (``territoires.analysis.indicators``): one row each,
        unless the manifest already has their dataset (``source_id``).
    """
    rows = [dict(source) for source in manifest.get("sources", [])]
    if rurality is not None and not rurality.empty:
        rows.extend(_rurality_rows(rurality))
    if frr is not None and not frr.empty:
        rows.append(
            {
                "name": "ANCT / DGCL, classement France Ruralités Revitalisation",
                "vintage": str(frr["millesime"].iloc[0]),
                "usage": "Score « zones peu couvertes », filtre FRR (fichier importé)",
            }
        )
    listed = {source.get("id") for source in manifest.get("sources", [])}
    for indicator in indicators or []:
        if indicator.source_id and indicator.source_id in listed:
            continue
        rows.append(
            {
                "name": f"Indicateur de besoin : {indicator.label}",
                "vintage": indicator.vintage,
                "provider": indicator.source,
                "url": indicator.url,
                "usage": "Score « zones peu couvertes » (partie besoin), « Où agir ensuite ? »",
            }
        )
    if initiatives:
        rows.append(initiatives)
    cells = [{key: str(row.get(key) or "") for key in SOURCE_COLUMNS} for row in rows]
    frame = pd.DataFrame(cells, columns=list(SOURCE_COLUMNS))
    return frame.rename(columns=SOURCE_COLUMNS)


def initiatives_source(demo: bool, last_import: str | None) -> dict:
    """The sources-table row for the initiatives on screen."""
    if demo:
        return {
            "name": "Initiatives de démonstration (fictives)",
            "vintage": "jeu généré",
            "provider": "Territoires d'engagement (scripts/make_demo.py, tirage fixe)",
            "usage": "Démonstration uniquement : aucune initiative réelle",
        }
    return {
        "name": "Initiatives du collectif (imports)",
        "vintage": f"dernier import : {last_import}" if last_import else "",
        "provider": "Collectif Territoires d'engagement",
        "usage": "Carte, couverture, fiches",
    }
