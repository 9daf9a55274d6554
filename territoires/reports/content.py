"""What a meeting sheet says, independent of its format (PDF or PPTX).

``SheetContent`` holds ready-to-print French texts and PNG images; ``render_pdf`` and
``render_pptx`` lay them out. Builders turn a territory profile or an underserved ranking into
a ``SheetContent``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from territoires.analysis.aggregate import THEME_LABELS
from territoires.analysis.coverage import coverage, initiative_lonlat
from territoires.analysis.profile import TerritoryKey, TerritoryProfile
from territoires.formatting import fr_euros, fr_km, fr_number, fr_percent
from territoires.geo.reference import LEVEL_LABELS, GeoReference
from territoires.geo.rurality import rural_qualifier
from territoires.reports.charts import MAX_COMMUNES_DRAWN, bar_chart_png, coverage_map_png

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
DEMO_NOTICE = "Données de démonstration fictives : ne pas diffuser comme résultats réels."
RANKING_SIZE = 10  # rows of a fiche's ranking
RANKED_SHEET_SIZE = 20  # rows of the ranked sheet (« Zones peu couvertes »)
SHEET_REASONS = 3  # strongest reasons written per row on a sheet (all of them in the exports)
RANKING_TITLES: dict[str, str] = {
    "commune": "Communes les moins couvertes",
    "epci": "EPCI les moins couverts",
    "departement": "Départements les moins couverts",
    "region": "Régions les moins couvertes",
    "territoire": "Territoires nommés les moins couverts",
}


def ranking_title(level: str) -> str:
    """« Communes les moins couvertes (score sur 100) »."""
    return f"{RANKING_TITLES.get(level, 'Territoires les moins couverts')} (score sur 100)"


@dataclass(frozen=True)
class SheetContent:
    """The blocks of a meeting sheet, in reading order."""

    title: str
    subtitle: str
    date_text: str
    figures_header: tuple[str, str, str]
    figures: tuple[tuple[str, str, str], ...]
    map_png: bytes | None
    map_caption: str
    charts: tuple[tuple[str, bytes], ...]
    ranking_title: str
    ranking_header: tuple[str, ...]
    ranking: tuple[tuple[str, ...], ...]
    sources: tuple[str, ...]
    notice: str | None = None
    retained: str = ""  # the filters applied (« Initiatives retenues : … »), under the subtitle
    method: tuple[str, ...] = ()  # the method in a few lines (ranked sheet)


def french_date(day: dt.date) -> str:
    """« 26 novembre 2026 »."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


# --- figures -------------------------------------------------------------------------------


def figure_rows(
    figures: dict,
    radius_km: float,
    population_vintage: str | None = None,
    rural_qualifier: str | None = None,
) -> list[tuple[str, str]]:
    """(label, value) rows for one territory's coverage figures.

    The population row names its vintage (« Population (2023) ») when it is given; the rural
    share its source (« approximation », or the official grid) when ``rural_qualifier`` is.
    """
    population = f"Population ({population_vintage})" if population_vintage else "Population"
    rural = "Part de la population rurale" + (f" ({rural_qualifier})" if rural_qualifier else "")
    rows = [
        (population, fr_number(figures.get("population"))),
        (rural, fr_percent(figures.get("part_rurale"))),
        ("Initiatives", fr_number(figures.get("initiatives"))),
        ("Montant total", fr_euros(figures.get("montant"))),
        (
            f"Initiatives pour {fr_number(10_000)} habitants",
            fr_number(figures.get("initiatives_10k_hab"), 2),
        ),
        ("Euros par habitant", fr_number(figures.get("euros_par_hab"), 2)),
        ("Population des communes touchées", fr_percent(figures.get("part_population_touchee"))),
        (
            f"Population à plus de {fr_number(radius_km)} km d'une initiative",
            fr_percent(figures.get("part_population_non_couverte")),
        ),
        (
            "Distance médiane à l'initiative la plus proche",
            fr_km(_finite(figures, "distance_mediane_km")),
        ),
        ("Thèmes présents", figures.get("themes_presents") or "aucun"),
        ("Thèmes manquants", figures.get("themes_manquants") or "aucun"),
    ]
    frr = figures.get("part_population_frr")
    if frr is not None and not (isinstance(frr, float) and np.isnan(frr)):
        rows.append(("Population en FRR", fr_percent(frr)))
    return rows


def _finite(figures: dict, key: str) -> float | None:
    value = figures.get(key)
    return float(value) if value is not None else None


def strongest_reasons(reasons: str, count: int = SHEET_REASONS) -> str:
    """The first ``count`` reasons of a row (the strongest contributions), and its tie-break."""
    parts = [part.strip().rstrip(".") for part in str(reasons).split(" ; ") if part.strip()]
    tie = [part for part in parts if part.startswith("à score égal")]
    kept = [part for part in parts if not part.startswith("à score égal")][:count] + tie
    return " ; ".join(kept) + "." if kept else ""


def _ranking_rows(scored: pd.DataFrame | None) -> tuple[tuple[str, ...], ...]:
    if scored is None or scored.empty:
        return ()
    top = scored.loc[scored["eligible"]].head(RANKING_SIZE)
    return tuple(
        (
            str(row.rang),
            str(row.nom),
            fr_number(row.score, 1),
            strongest_reasons(row.raisons, 1),
        )
        for row in top.itertuples(index=False)
    )


def ranked_sheet_rows(scored: pd.DataFrame) -> tuple[tuple[str, ...], ...]:
    """The first ``RANKED_SHEET_SIZE`` ranked rows: rank, name, score, its two parts, reasons."""
    top = scored.loc[scored["eligible"]].head(RANKED_SHEET_SIZE)
    return tuple(
        (
            str(row["rang"]),
            str(row["nom"]),
            fr_number(row["score"], 1),
            fr_number(row.get("score_couverture"), 0),
            fr_number(row.get("score_besoin"), 0),
            strongest_reasons(row["raisons"]),
        )
        for _, row in top.iterrows()
    )


def _sources(reference: GeoReference, extra: list[str]) -> tuple[str, ...]:
    lines = []
    for source in reference.manifest.get("sources", []):
        name = source.get("name") or source.get("id") or "Source"
        vintage = source.get("vintage")
        lines.append(f"{name}, millésime {vintage}" if vintage else str(name))
    population = reference.population_vintage()
    if population:
        lines.append(f"Populations municipales {population} (INSEE)")
    return tuple(lines + extra)


# --- map -----------------------------------------------------------------------------------


def display_shapes(reference: GeoReference, level: str) -> gpd.GeoDataFrame:
    """Display shapes (``code``, ``geometry``) of a level: commune, epci, departement, region."""
    if level not in ("commune", "epci", "departement", "region"):
        raise ValueError(f"expected a map level, got {level!r}")
    display = reference.display.get(level)
    if display is not None and not display.empty:
        return display
    if level == "commune":
        return reference.communes.rename(columns={"code_insee": "code"})
    return {"epci": reference.epci, "departement": reference.departements}.get(
        level, reference.regions
    )


def _main_departement(reference: GeoReference, codes: pd.Series) -> str:
    communes = reference.communes
    deps = communes.loc[communes["code_insee"].isin(codes), "departement_code"]
    return str(deps.mode().iloc[0]) if not deps.empty else ""


def _metropole_codes(reference: GeoReference, column: str) -> set[str]:
    communes = reference.communes
    metro = ~communes["departement_code"].astype(str).str.startswith("97")
    return set(communes.loc[metro, column].dropna().astype(str))


def _commune_layer(
    reference: GeoReference, table: pd.DataFrame
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    shapes = display_shapes(reference, "commune")
    shapes = shapes.loc[shapes["code"].isin(table["code_insee"])]
    status = table.set_index("code_insee").reindex(shapes["code"])
    touched = status["touchee"].fillna(False).astype(bool).to_numpy()
    near = status["couverte"].fillna(False).astype(bool).to_numpy()
    return shapes, np.where(touched, "touchee", np.where(near, "proche", "loin"))


def _epci_layer(reference: GeoReference, epci: pd.DataFrame) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    shapes = display_shapes(reference, "epci")
    shapes = shapes.loc[shapes["code"].isin(epci["code"])]
    share = epci.set_index("code")["part_population_non_couverte"].reindex(shapes["code"])
    share = share.fillna(0).to_numpy()
    return shapes, np.where(share <= 0, "nulle", np.where(share < 0.5, "partielle", "forte"))


def territory_map(
    profile: TerritoryProfile,
    initiatives: pd.DataFrame,
    reference: GeoReference,
    communes: pd.DataFrame,
    rural_codes: set[str] | None,
) -> tuple[bytes | None, str]:
    """Return the map PNG of a fiche and its caption.

    Communes are drawn by coverage class; a territory with more than ``MAX_COMMUNES_DRAWN``
    communes is drawn by EPCI, shaded by the share of population beyond the reach. France is
    drawn without its overseas departements (they would shrink the mainland to a dot).
    """
    radius = profile.radius_km
    table = profile.communes
    if table.empty:
        return None, "Carte indisponible : territoire sans commune."
    main_dep = _main_departement(reference, table["code_insee"])
    by_share = len(table) > MAX_COMMUNES_DRAWN and not main_dep.startswith("97")
    if by_share:
        epci = coverage(
            initiatives,
            reference,
            "epci",
            profile.territory.scope,
            radius_km=radius,
            rural_codes=rural_codes,
            communes=communes,
        )
        shapes, classes = _epci_layer(reference, epci)
        caption = (
            f"EPCI selon la part de leur population à plus de {fr_number(radius)} km d'une "
            "initiative (territoire trop vaste pour dessiner les communes)."
        )
    else:
        shapes, classes = _commune_layer(reference, table)
        caption = (
            "Communes selon la distance à l'initiative la plus proche "
            f"(portée {fr_number(radius)} km)."
        )
    outline = None
    if profile.territory.level == "france":
        keep = shapes["code"].isin(
            _metropole_codes(reference, "epci_code" if by_share else "code_insee")
        )
        shapes, classes = shapes.loc[keep], classes[keep.to_numpy()]
        caption += " France métropolitaine."
    else:
        outline = gpd.GeoDataFrame(geometry=[shapes.geometry.union_all()], crs=shapes.crs)
    located = initiatives.loc[initiatives["id"].isin(profile.initiatives["id"])]
    png = coverage_map_png(
        shapes[["code", "geometry"]],
        pd.Series(classes),
        initiative_lonlat(located, reference),
        outline,
        radius_km=radius,
        by_share=by_share,
        departement_code=main_dep,
    )
    return png, caption


# --- builders ------------------------------------------------------------------------------


def _charts(profile_breakdowns: dict[str, pd.DataFrame]) -> tuple[tuple[str, bytes], ...]:
    themes = profile_breakdowns["theme"]
    funders = profile_breakdowns["financeur"].head(8)
    charts = [
        (
            "Initiatives par thème",
            bar_chart_png(
                [THEME_LABELS.get(t, t) for t in themes["theme"]],
                [float(v) for v in themes["initiatives"]],
                title="Initiatives par thème",
            ),
        ),
    ]
    if not funders.empty:
        charts.append(
            (
                "Initiatives par financeur",
                bar_chart_png(
                    list(funders["financeur"]),
                    [float(v) for v in funders["initiatives"]],
                    title="Initiatives par financeur",
                ),
            )
        )
    return tuple(charts)


def territory_content(
    profile: TerritoryProfile,
    initiatives: pd.DataFrame,
    reference: GeoReference,
    *,
    communes: pd.DataFrame,
    ranking: pd.DataFrame | None,
    ranking_level: str,
    rural_codes: set[str] | None = None,
    extra_sources: list[str] | None = None,
    demo: bool = False,
    retained: str = "",
    today: dt.date | None = None,
) -> SheetContent:
    """Return the sheet of a territory fiche."""
    key, ref = profile.territory, profile.reference
    shown = {*reference.scope_communes(key.scope), *reference.scope_communes(ref.scope)}
    vintage = reference.population_vintage(shown)
    qualifier = rural_qualifier(reference)
    mine = dict(figure_rows(profile.figures, profile.radius_km, vintage, qualifier))
    theirs = dict(figure_rows(profile.reference_figures, profile.radius_km, vintage, qualifier))
    figures = tuple((label, value, theirs.get(label, "—")) for label, value in mine.items())
    map_png, caption = territory_map(profile, initiatives, reference, communes, rural_codes)
    return SheetContent(
        title=key.nom if key.level != "france" else "France",
        subtitle=f"{LEVEL_LABELS.get(key.level, key.level)} — comparé à : {ref.label}",
        date_text=french_date(today or dt.date.today()),
        figures_header=("Indicateur", key.nom, ref.nom),
        figures=figures,
        map_png=map_png,
        map_caption=caption,
        charts=_charts(profile.breakdowns),
        ranking_title=f"Zones peu couvertes — {ranking_title(ranking_level)}",
        ranking_header=("Rang", "Territoire", "Score", "Première raison"),
        ranking=_ranking_rows(ranking),
        sources=_sources(reference, extra_sources or []),
        notice=DEMO_NOTICE if demo else None,
        retained=retained,
    )


def ranking_content(
    scored: pd.DataFrame,
    scope: TerritoryKey,
    level: str,
    figures: dict,
    breakdown: dict[str, pd.DataFrame],
    reference: GeoReference,
    *,
    radius_km: float,
    map_png: bytes | None = None,
    map_note: str | None = None,
    method: list[str] | None = None,
    extra_sources: list[str] | None = None,
    demo: bool = False,
    retained: str = "",
    today: dt.date | None = None,
) -> SheetContent:
    """Return the ranked sheet (« Zones peu couvertes »): the map in quintiles, key figures,
    the first ``RANKED_SHEET_SIZE`` territories with their strongest reasons, the method and
    the sources; ``map_note`` is added to the map's caption."""
    ranked, flagged = int(scored["eligible"].sum()), int(scored["signale"].sum())
    rows = [
        ("Initiatives", fr_number(figures.get("initiatives"))),
        ("Montant total", fr_euros(figures.get("montant"))),
        ("Communes touchées", fr_number(figures.get("communes_touchees"))),
        (
            f"Part de la population rurale ({rural_qualifier(reference)}) dans une commune touchée",
            fr_percent(figures.get("part_population_rurale_touchee")),
        ),
        ("Territoires classés (ruraux)", fr_number(ranked)),
        ("Territoires signalés (les moins couverts)", fr_number(flagged)),
        ("Portée retenue", f"{fr_number(radius_km)} km"),
    ]
    caption = (
        " ".join(
            [
                "Territoires classés par quintile du classement, du plus foncé (les 20 % les "
                "moins couverts) au plus clair ; en blanc pointillé, les territoires non "
                "classés.",
                map_note or "",
            ]
        ).strip()
        if map_png is not None
        else "Carte omise : trop de territoires pour une page ; choisissez un périmètre plus petit."
    )
    return SheetContent(
        title=f"Zones peu couvertes — {scope.nom}",
        subtitle=ranking_title(level),
        date_text=french_date(today or dt.date.today()),
        figures_header=("Indicateur", scope.nom, ""),
        figures=tuple((label, value, "") for label, value in rows),
        map_png=map_png,
        map_caption=caption,
        charts=_charts(breakdown),
        ranking_title=f"Les {fr_number(min(ranked, RANKED_SHEET_SIZE))} premiers du classement",
        ranking_header=("Rang", "Territoire", "Score", "Couv.", "Besoin", "Raisons principales"),
        ranking=ranked_sheet_rows(scored),
        sources=_sources(reference, extra_sources or []),
        notice=DEMO_NOTICE if demo else None,
        retained=retained,
        method=tuple(method or ()),
    )
