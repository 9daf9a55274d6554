"""User documentation read from ``docs/*.md`` and the sources table built from the manifest."""

from __future__ import annotations

import pandas as pd

from territoires.project import project_file

DOCS_DIR = project_file("docs")

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
    "provider": (
        "Calcul de l'application (densité = population ÷ superficie ; unités urbaines 2020 de "
        "l'INSEE)"
    ),
    "usage": "Communes rurales (approximation, tant qu'aucune grille officielle n'est importée)",
}
# Where the Méthodologie page inserts the measured quality of the rurality approximation.
RURALITY_QUALITY_MARK = "<!-- qualite-ruralite -->"


def methodology_markdown(rurality_quality: str = "") -> str:
    """Return the methodology page's Markdown (French), without its top-level title.

    ``rurality_quality`` (``rurality_quality_markdown``) replaces the page's mark for it.
    """
    text = (DOCS_DIR / "methodologie.md").read_text(encoding="utf-8")
    text = text.replace(RURALITY_QUALITY_MARK, rurality_quality)
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join(lines).strip()


def rurality_quality_markdown(quality: dict, national: dict[str, float]) -> str:
    """A Markdown table of the approximation's measured quality (``approximation_quality``):
    national shares next to INSEE's, agreement with the official grid of Bretagne."""
    from territoires.formatting import fr_number, fr_percent

    labels = {
        "approximation": "Approximation (densité et unités urbaines)",
        "densite_seule": "Densité seule (ancienne approximation)",
    }
    grid = quality["approximation"].get("accord")
    head = "| | communes rurales, France | population rurale, France |"
    line = "|---|---|---|"
    if grid:
        count = fr_number(grid["communes"])
        head += f" accord rural / urbain, Bretagne ({count} communes) | même niveau, Bretagne |"
        line += "---|---|"
    rows = [
        f"| Grille INSEE 2024 | environ {fr_percent(national['communes'])} | environ "
        f"{fr_percent(national['population'])} |" + (" 100 % | 100 % |" if grid else "")
    ]
    for key, label in labels.items():
        shares = quality[key]["parts_nationales"]
        row = (
            f"| {label} | {fr_percent(shares['communes'], 1)} | "
            f"{fr_percent(shares['population'], 1)} |"
        )
        if grid:
            agree = quality[key]["accord"]
            row += f" {fr_percent(agree['rural'], 1)} | {fr_percent(agree['niveau'], 1)} |"
        rows.append(row)
    return "\n".join([head, line, *rows])


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
