"""Meeting sheets: an A4 PDF and a PPTX deck for a territory fiche or an underserved ranking.

Public entry points (no Streamlit, no network):

- ``sheet_for_territory(initiatives, reference, key, output_format="pdf", ...) -> bytes``
- ``sheet_for_ranking(scored, initiatives, reference, scope, level, output_format="pdf", ...)
  -> bytes``
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import geopandas as gpd
import pandas as pd

from territoires.analysis.aggregate import breakdowns, key_figures, membership, placed_in
from territoires.analysis.coverage import DEFAULT_RADIUS_KM, commune_coverage
from territoires.analysis.indicators import Indicator, builtin_indicators
from territoires.analysis.placement import served_communes
from territoires.analysis.profile import TerritoryKey, territory_key, territory_profile
from territoires.analysis.ranking import rank_territories
from territoires.analysis.score import ScoreSettings, method_lines, rank_quintiles
from territoires.errors import AnalysisError
from territoires.formatting import fr_count, fr_number
from territoires.geo.reference import GeoReference
from territoires.geo.rurality import APPROXIMATION_SOURCE
from territoires.maps.geometry import on_mainland
from territoires.reports.charts import MAX_COMMUNES_DRAWN, QUINTILE_STYLES, coverage_map_png
from territoires.reports.content import (
    SheetContent,
    display_shapes,
    ranking_content,
    territory_content,
)

OutputFormat = Literal["pdf", "pptx"]
OUTPUT_FORMATS: tuple[str, ...] = ("pdf", "pptx")
MIME_TYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

__all__ = [
    "MIME_TYPES",
    "OUTPUT_FORMATS",
    "check_format",
    "SheetContent",
    "render",
    "render_pdf",
    "render_pptx",
    "rurality_sources",
    "sheet_for_ranking",
    "sheet_for_territory",
]


def check_format(output_format: str) -> None:
    """Raise ``AnalysisError`` unless the format is ``pdf`` or ``pptx``."""
    if output_format not in OUTPUT_FORMATS:
        raise AnalysisError(
            f"Format de fiche non pris en charge : « {output_format} » (attendu : pdf ou pptx)."
        )


def render(content: SheetContent, output_format: str) -> bytes:
    """Render a sheet as ``pdf`` or ``pptx``."""
    check_format(output_format)
    return __getattr__(f"render_{output_format}")(content)


def __getattr__(name: str):
    """``render_pdf`` and ``render_pptx``, imported on first use: fpdf and python-pptx take
    0.2–0.3 s to import, which a page offering a sheet to download need not wait for."""
    if name == "render_pdf":
        from territoires.reports.pdf import render_pdf

        return render_pdf
    if name == "render_pptx":
        from territoires.reports.slides import render_pptx

        return render_pptx
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def rurality_sources(rurality: pd.DataFrame | None) -> list[str]:
    """Source lines for the rurality used (``rurality_frame`` output: ``source, millesime``),
    each with the number of communes it classes."""
    if rurality is None or rurality.empty or "source" not in rurality:
        return []
    counts = rurality.groupby(["source", "millesime"], dropna=True).size()
    lines = []
    for (source, vintage), count in counts.items():
        if source == APPROXIMATION_SOURCE:
            name = (
                "approximation de la grille communale de densité (densité de population "
                f"{vintage} et unités urbaines 2020 de l'INSEE)"
            )
        else:
            name = f"{source}, millésime {vintage}" if vintage else str(source)
        lines.append(f"Ruralité : {name}, {fr_number(count)} communes")
    return lines


def _method_lines(initiatives: pd.DataFrame, radius_km: float) -> list[str]:
    count = len(initiatives)
    fictional = bool(count) and bool(initiatives.get("fictif", pd.Series(False)).all())
    nature = "données de démonstration fictives" if fictional else "base du collectif"
    return [
        f"Initiatives : {nature}, {fr_count(count, 'initiative')} après filtres.",
        "Placement : zone d'intervention si renseignée, sinon commune d'implantation.",
        "Distances à vol d'oiseau (Lambert-93, UTM en outre-mer) ; "
        f"portée {fr_number(radius_km)} km.",
        "Score « zones peu couvertes » : moyenne pondérée des rangs de composantes de "
        "couverture et de besoin, voir la page Méthodologie.",
    ]


def indicator_sources(scored: pd.DataFrame) -> list[str]:
    """One source line per need indicator used by a scored table."""
    return [
        c.indicator.source_line
        for c in scored.attrs.get("composantes", [])
        if c.indicator is not None
    ]


def _is_demo(initiatives: pd.DataFrame) -> bool:
    return bool(len(initiatives)) and bool(initiatives.get("fictif", pd.Series(False)).all())


def ranking_target(reference: GeoReference, key: TerritoryKey) -> tuple[str, TerritoryKey]:
    """Which ranking a fiche shows: EPCI for large territories, communes for small ones.

    A commune's fiche ranks the communes of its EPCI (its departement when it has none).
    """
    if key.level in ("france", "region", "departement"):
        return "epci", key
    if key.level in ("epci", "territoire"):
        return "commune", key
    parents = reference.parents(key.code)
    if parents.get("epci"):
        return "commune", territory_key(reference, "epci", str(parents["epci"]))
    return "commune", territory_key(reference, "departement", str(parents["departement"]))


def sheet_for_territory(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    key: TerritoryKey,
    *,
    output_format: str = "pdf",
    reference_level: str = "france",
    radius_km: float = DEFAULT_RADIUS_KM,
    rural_codes: set[str] | None = None,
    frr_codes: set[str] | None = None,
    communes: pd.DataFrame | None = None,
    settings: ScoreSettings | None = None,
    indicators: list[Indicator] | None = None,
    extra_sources: list[str] | None = None,
    demo: bool | None = None,
    retained: str = "",
    today: dt.date | None = None,
) -> bytes:
    """Return the meeting sheet of a territory fiche as PDF or PPTX bytes."""
    check_format(output_format)
    if communes is None:
        communes = commune_coverage(initiatives, reference, radius_km=radius_km)
    options = {"radius_km": radius_km, "rural_codes": rural_codes, "frr_codes": frr_codes}
    profile = territory_profile(
        initiatives,
        reference,
        key.level,
        key.code,
        reference_level=reference_level,  # type: ignore[arg-type]
        communes=communes,
        **options,
    )
    level, scope = ranking_target(reference, key)
    scored = rank_territories(
        initiatives,
        reference,
        level,  # type: ignore[arg-type]
        scope.scope,
        settings=settings,
        indicators=builtin_indicators(reference) if indicators is None else indicators,
        communes=communes,
        **options,
    )
    content = territory_content(
        profile,
        initiatives,
        reference,
        communes=communes,
        ranking=scored,
        ranking_level=level,
        rural_codes=rural_codes,
        extra_sources=_method_lines(initiatives, radius_km) + list(extra_sources or []),
        demo=_is_demo(initiatives) if demo is None else demo,
        retained=retained,
        today=today,
    )
    return render(content, output_format)


OVERSEAS_NOTE = "L'outre-mer n'est pas sur la carte : ses territoires figurent dans le classement."


def _score_map(
    scored: pd.DataFrame, reference: GeoReference, level: str
) -> tuple[bytes | None, bool]:
    """The ranking's map in quintiles, and whether overseas territories were left out of it."""
    if len(scored) > MAX_COMMUNES_DRAWN or level in ("france", "territoire"):
        return None, False  # too many shapes for a page; named territories may overlap
    shapes = display_shapes(reference, level)
    shapes = shapes.loc[shapes["code"].isin(scored["code"])]
    metro = on_mainland(shapes.to_crs("EPSG:4326").geometry.representative_point())
    overseas_left_out = bool(metro.any() and not metro.all())
    if overseas_left_out:  # overseas would shrink the mainland to a speck
        shapes = shapes.loc[metro]
    if shapes.empty:
        return None, False
    ranks = scored.set_index("code")["rang"]
    quintiles = rank_quintiles(ranks).reindex(shapes["code"]).fillna(0).astype(int)
    outline = gpd.GeoDataFrame(geometry=[shapes.geometry.union_all()], crs=shapes.crs)
    png = coverage_map_png(
        shapes[["code", "geometry"]],
        pd.Series(quintiles.astype(str).to_numpy()),
        pd.DataFrame({"lon": [], "lat": []}),
        outline,
        radius_km=DEFAULT_RADIUS_KM,
        styles=QUINTILE_STYLES,
    )
    return png, overseas_left_out


def sheet_for_ranking(
    scored: pd.DataFrame,
    initiatives: pd.DataFrame,
    reference: GeoReference,
    scope: TerritoryKey,
    level: str,
    *,
    output_format: str = "pdf",
    radius_km: float = DEFAULT_RADIUS_KM,
    rural_codes: set[str] | None = None,
    extra_sources: list[str] | None = None,
    demo: bool | None = None,
    retained: str = "",
    reference_label: str = "",
    today: dt.date | None = None,
) -> bytes:
    """Return the ranked sheet of « Zones peu couvertes »: the map in quintiles, the first 20
    with their reasons, the method in five lines and the sources (``reference_label`` names the
    comparison of the reasons: « département », « région » or « France »)."""
    check_format(output_format)
    figures = key_figures(initiatives, reference, scope.scope, rural_codes)
    members = membership(reference, "france", scope.scope)
    touched = placed_in(initiatives, reference, members, served_communes(initiatives, reference))
    mine = initiatives.loc[initiatives["id"].isin(set(touched["initiative_id"]))]
    map_png, overseas_left_out = _score_map(scored, reference, level)
    content = ranking_content(
        scored,
        scope,
        level,
        figures,
        breakdowns(mine),
        reference,
        radius_km=radius_km,
        map_png=map_png,
        map_note=OVERSEAS_NOTE if overseas_left_out else None,
        method=method_lines(scored, radius_km=radius_km, reference_label=reference_label),
        extra_sources=_method_lines(initiatives, radius_km)
        + indicator_sources(scored)
        + list(extra_sources or []),
        demo=_is_demo(initiatives) if demo is None else demo,
        retained=retained,
        today=today,
    )
    return render(content, output_format)
