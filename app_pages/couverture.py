"""« Couverture »: coverage per territory, « Zones peu couvertes » and « Où agir ensuite ? »."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st

from territoires import texts
from territoires.analysis.profile import territory_key
from territoires.analysis.ranking import selection_of
from territoires.analysis.score import TIE_BREAK_TEXT, ScoreSettings, method_lines
from territoires.analysis.suggest import (
    OBJECTIVE_LABELS,
    OBJECTIVES,
    coverage_status,
    suggest_sites,
)
from territoires.analysis.tables import coverage_export, suggestion_export
from territoires.errors import TerritoiresError
from territoires.exports import export_about, export_name
from territoires.filters import retained_line
from territoires.formatting import fr_km, fr_number, fr_percent, markdown_literal
from territoires.geo.reference import LEVEL_LABELS, Scope
from territoires.geo.rurality import rurality_label
from territoires.maps.analysis import score_map, suggestion_map
from territoires.maps.build import scope_label, source_line
from territoires.reports import MIME_TYPES as SHEET_MIME
from territoires.reports import rurality_sources, sheet_for_ranking
from territoires.settings import get_settings
from territoires.ui import analysis_view as av
from territoires.ui import map_view as mv
from territoires.ui.cache import get_initiatives, get_reference
from territoires.ui.chrome import demo_data_shown
from territoires.ui.sidebar import filters_sidebar, set_filters, sync_filter_params

st.title("Couverture et zones peu couvertes")
reference = get_reference()
initiatives = get_initiatives()
rurality = mv.rurality_or_none()
rural = mv.rural_codes(rurality)
filters, filtered = filters_sidebar(initiatives, reference, rurality=rurality)
sync_filter_params(filters)
scope = filters.scope
place = scope_label(reference, scope)
pool = av.analysis_pool(initiatives, filters, reference, rurality)
frr = av.frr_codes(rurality)
selection = selection_of(filters)
source = source_line(reference.manifest, demo_data_shown())
basemap = mv.default_map_options(False, get_settings().basemap).basemap
retained = retained_line(filters)
st.caption(
    f"Périmètre : {markdown_literal(place)}. "
    + (f"{markdown_literal(retained)}. " if retained else "")
    + "Les distances tiennent compte de toutes les initiatives retenues par les filtres, y "
    "compris juste au-delà du périmètre. Méthode détaillée : page « Méthodologie et sources »."
)

left, right = st.columns(2)
level = left.selectbox(
    "Niveau des territoires",
    av.ANALYSIS_LEVELS,
    index=av.ANALYSIS_LEVELS.index(av.default_level(reference, scope)),
    format_func=lambda v: LEVEL_LABELS.get(v, v),
    key="cov_level",
    placeholder=texts.CHOOSE,
)
with right:
    radius = av.radius_slider("cov_radius")
about = [  # the XLSX files' « À propos » sheet
    *export_about(place, filters, source, rurality=rurality_label(reference)),
    ("Portée d'une initiative", fr_km(radius, 0)),
]

try:
    communes = av.cached_commune_coverage(
        pool, reference, radius, av.pool_key(filters, initiatives)
    )
    table = av.cached_coverage(
        pool,
        reference,
        level,
        scope,
        radius_km=radius,
        rural=rural,
        frr=frr,
        communes=communes,
        themes=selection.themes,
    )
except TerritoiresError as exc:
    st.error(markdown_literal(exc.user_message))
    st.stop()

if table.empty:
    st.info("Aucun territoire de ce niveau dans le périmètre.")
    st.stop()

# A selector rather than st.tabs: a map in a hidden tab is drawn at zero size, and only the
# chosen view is computed.
VIEWS = ("Zones peu couvertes", "Couverture par territoire", "Où agir ensuite ?")
view = st.segmented_control("Vue", VIEWS, default=VIEWS[0], key="cov_view") or VIEWS[0]

# --- Zones peu couvertes -------------------------------------------------------------------
if view == VIEWS[0]:
    st.markdown(
        "Un **score de 0 à 100** (100 = le moins couvert) classe les territoires **ruraux** "
        "(au moins la moitié de la population en commune rurale). Il additionne deux parties : "
        "la **couverture** par les initiatives retenues et le **besoin** (indicateurs publics, "
        "avec leur source). Chaque composante est convertie en rang parmi les territoires "
        "classés ; chaque ligne donne ses raisons, valeur par valeur, face à la référence "
        "choisie."
    )
    if rural is None:
        st.warning("Ruralité indisponible : tous les territoires sont classés.")
    left, right = st.columns(2)
    with left:
        reference_level = av.reference_choice("cov_reference")
    with right:
        flagged_share = av.flagged_share_slider("cov_part_signalee")
    indicators = av.need_indicators(reference)
    settings = av.score_settings_widgets(
        indicators, int(table["nb_themes_retenus"].max()), flagged_share
    )
    av.indicator_import_panel(reference)
    try:
        scored = av.cached_ranking(
            pool,
            reference,
            level=level,
            scope=scope,
            settings=settings,
            selection=selection,
            reference_level=reference_level,
            radius_km=radius,
            indicators=indicators,
            communes=communes,
            rural=rural,
            key=av.pool_key(filters, initiatives),
        )
    except TerritoiresError as exc:
        st.error(markdown_literal(exc.user_message))
        st.stop()
    ranked = scored.loc[scored["eligible"]]
    mainland = Scope("territoire", "france-metropolitaine")
    no_zone = np.isinf(ranked["distance_moyenne_km"].to_numpy(dtype=float))
    if scope.level == "france" and mainland.code in reference.territories and no_zone.any():
        st.info(
            "Territoires classés sans aucune initiative dans leur zone (outre-mer, Corse) : "
            f"{fr_number(int(no_zone.sum()))}. Leur distance compte au maximum. Pour classer "
            "l'Hexagone et la Corse entre eux, choisissez le périmètre « France métropolitaine ».",
            icon=":material/info:",
        )
        st.button(
            "Classer la France métropolitaine",
            icon=":material/filter_center_focus:",
            on_click=set_filters,
            args=(replace(filters, scope=mainland),),
        )
    flagged = int(ranked["signale"].sum())
    av.metric_row(
        [
            ("Territoires classés", fr_number(len(ranked))),
            (
                f"Territoires signalés ({fr_number(100 * flagged_share)} % les moins couverts)",
                fr_number(flagged),
            ),
            (
                f"Habitants à plus de {radius:g} km (territoires classés)",
                fr_number(int(ranked["population_non_couverte"].sum())),
            ),
        ]
    )
    if level != "territoire":  # named territories overlap: no map, the table says it all
        fmap = score_map(
            reference,
            scope,
            level,
            scored,
            asset_base=mv.asset_base_url(),
            source="",  # written under the map: a shorter legend, which then covers less
            basemap=basemap,
            height=520,
        )
        clicked = mv.show_map(fmap, height=520, key="cov_score_map")
        st.caption(source)
        if clicked:
            mv.fiche_link(clicked)
    av.ranking_table(ranked, level, reference, indicators)
    st.caption(TIE_BREAK_TEXT)
    reference_label = av.REFERENCE_LABELS[reference_level].split(" ", 1)[1]
    with st.expander("Méthode en cinq lignes", icon=":material/info:"):
        lines = method_lines(scored, radius_km=radius, reference_label=reference_label)
        st.markdown("\n".join(f"{n}. {markdown_literal(line)}" for n, line in enumerate(lines, 1)))
    scope_key = territory_key(reference, scope.level, scope.code or "FR")
    sheet_args = {
        "radius_km": radius,
        "rural_codes": av.rural_set(rural),
        "extra_sources": rurality_sources(rurality),
        "retained": retained,
        "demo": demo_data_shown(),
        "reference_label": reference_label,
    }
    av.table_downloads(
        coverage_export(scored, rurality_label(reference)),
        ("zones peu couvertes", LEVEL_LABELS.get(level, level), place),
        "Classement",
        about=about,
        extra=[
            (
                f"Classement à envoyer ({fmt.upper()})",
                export_name("zones peu couvertes", LEVEL_LABELS.get(level, level), place, ext=fmt),
                SHEET_MIME[fmt],
                lambda fmt=fmt: sheet_for_ranking(
                    scored, pool, reference, scope_key, level, output_format=fmt, **sheet_args
                ),
            )
            for fmt in ("pdf", "pptx")
        ],
    )

# --- Couverture par territoire -------------------------------------------------------------
if view == VIEWS[1]:
    av.coverage_table(table, level)
    st.caption(
        "Distance vide : aucune initiative dans la même zone (Corse, chaque département "
        "d'outre-mer et l'Hexagone sont des zones distinctes)."
    )
    av.table_downloads(
        coverage_export(table, rurality_label(reference)),
        ("couverture", LEVEL_LABELS.get(level, level), place),
        "Couverture",
        about=about,
    )

# --- Où agir ensuite ? ---------------------------------------------------------------------
if view == VIEWS[2]:
    st.markdown(
        "Propose des communes **rurales** où une nouvelle initiative, d'une portée de "
        f"**{radius:g} km**, ferait entrer dans la portée d'une initiative le plus d'habitants "
        "ruraux encore non couverts, chacun pondéré par le **besoin** de sa commune (par "
        "défaut) ou non. **Méthode gloutonne** : on retient d'abord la commune qui "
        "couvre le plus, puis on recommence avec ce qui reste. Ce n'est pas toujours la "
        "meilleure combinaison possible, mais on atteint au moins 63 % de l'optimum et chaque "
        "étape s'explique."
    )
    left, middle, right = st.columns(3)
    k = left.slider("Nombre de propositions", 1, 20, 10, key="cov_k")
    objective = middle.radio(
        "Objectif",
        OBJECTIVES,
        index=OBJECTIVES.index("besoin"),
        format_func=OBJECTIVE_LABELS.get,
        key="cov_objectif",
        help="Le besoin d'une commune, entre 0 et 1, est son rang parmi les communes du "
        "périmètre sur la moyenne pondérée de ses indicateurs de besoin (poids par défaut du "
        "classement « Zones peu couvertes »). Sans lui, les couronnes périurbaines, très "
        "peuplées, passent devant.",
    )
    rural_only = right.toggle(
        "Seulement des communes rurales",
        value=True,
        key="cov_rural_candidates",
        help=f"Ruralité : {rurality_label(reference)}.",
        disabled=rural is None,
    )
    frr_only = right.toggle("Seulement des communes FRR", key="cov_frr_only")
    indicators = av.need_indicators(reference)
    need_weights = ScoreSettings().need
    try:
        sites = suggest_sites(
            pool,
            reference,
            k=k,
            radius_km=radius,
            scope=scope,
            rural_codes=av.rural_set(rural),
            frr_codes=frr,
            frr_only=frr_only,
            rural_candidates=rural_only,
            objective=objective,
            indicators=indicators,
            need_weights=need_weights,
            communes=communes,
        )
    except TerritoiresError as exc:
        st.error(markdown_literal(exc.user_message))
        st.stop()
    total = int(sites.attrs.get("population_a_couvrir", 0))
    if total == 0:
        st.success(
            f"Tous les habitants ruraux du périmètre vivent à moins de {fr_number(radius)} km "
            "d'une initiative retenue par les filtres : rien à proposer. Une portée plus courte "
            "fait ressortir les communes les plus éloignées."
        )
        st.stop()
    covered = int(sites["population_cumulee"].iloc[-1]) if len(sites) else 0
    by = "la proposition" if len(sites) == 1 else f"les {fr_number(len(sites))} propositions"
    av.metric_row(
        [
            ("Habitants ruraux non couverts", fr_number(total)),
            (f"Couverts par {by}", fr_number(covered)),
            ("Part couverte", fr_percent(covered / total)),
        ]
    )
    if sites.empty:
        st.info("Aucune commune candidate ne couvre ces habitants : élargissez les candidates.")
        st.stop()
    fmap = suggestion_map(
        reference,
        scope,
        coverage_status(communes, sites, reference, scope, rural),
        sites,
        radius,
        asset_base=mv.asset_base_url(),
        source="",
        basemap=basemap,
        height=520,
    )
    clicked_commune = mv.show_map(fmap, height=520, key="cov_next_map")
    st.caption(source)
    if clicked_commune:
        mv.fiche_link(clicked_commune)
    av.steps_table(sites)
    av.table_downloads(
        suggestion_export(sites), ("ou agir ensuite", place), "Propositions", about=about
    )
