"""« Couverture »: coverage per territory, « Zones peu couvertes » and « Où agir ensuite ? »."""

from __future__ import annotations

import streamlit as st

from territoires.analysis.coverage import coverage
from territoires.analysis.profile import territory_key
from territoires.analysis.score import COMPONENT_LABELS, ScoreWeights, underserved_score
from territoires.analysis.suggest import coverage_status, suggest_sites
from territoires.analysis.tables import coverage_export, suggestion_export
from territoires.errors import TerritoiresError
from territoires.exports import MIME_TYPES, to_csv_bytes, to_xlsx_bytes
from territoires.filters import filters_to_params
from territoires.geo.reference import LEVEL_LABELS
from territoires.maps.analysis import score_map, suggestion_map
from territoires.maps.build import scope_label, source_line
from territoires.reports import MIME_TYPES as SHEET_MIME
from territoires.reports import rurality_sources, sheet_for_ranking
from territoires.settings import get_settings
from territoires.ui import analysis_view as av
from territoires.ui import map_view as mv
from territoires.ui.cache import get_initiatives, get_reference
from territoires.ui.chrome import demo_data_shown
from territoires.ui.sidebar import FILTER_PARAM_KEYS, filters_sidebar, sync_query_params

st.title("Couverture et zones peu couvertes")
reference = get_reference()
initiatives = get_initiatives()
rurality = mv.rurality_or_none()
rural = mv.rural_codes(rurality)
filters, filtered = filters_sidebar(initiatives, reference, rurality=rurality)
sync_query_params(filters_to_params(filters), FILTER_PARAM_KEYS)
scope = filters.scope
place = scope_label(reference, scope)
pool = av.analysis_pool(initiatives, filters, reference, rurality)
frr = av.frr_codes(rurality)
source = source_line(reference.manifest, demo_data_shown())
basemap = mv.default_map_options(False, get_settings().basemap).basemap
st.caption(
    f"Périmètre : {place}. Les distances tiennent compte de toutes les initiatives retenues par "
    "les filtres, y compris juste au-delà du périmètre. Méthode détaillée : page « Méthodologie "
    "et sources »."
)

left, right = st.columns(2)
default_level = "epci" if scope.level in ("france", "region", "departement") else "commune"
level = left.selectbox(
    "Niveau des territoires",
    av.ANALYSIS_LEVELS,
    index=av.ANALYSIS_LEVELS.index(default_level),
    format_func=lambda v: LEVEL_LABELS.get(v, v),
    key="cov_level",
)
with right:
    radius = av.radius_slider("cov_radius")

try:
    communes = av.cached_commune_coverage(
        pool, reference, radius, av.pool_key(filters, initiatives)
    )
    table = coverage(
        pool,
        reference,
        level,  # type: ignore[arg-type]
        scope,
        radius_km=radius,
        rural_codes=av.rural_set(rural),
        frr_codes=frr,
        communes=communes,
    )
except TerritoiresError as exc:
    st.error(exc.user_message)
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
        "(au moins la moitié de la population en commune rurale). Il combine quatre composantes "
        "normalisées ; chaque ligne explique son score en comparant chaque composante à la "
        "moyenne des territoires classés."
    )
    if rural is None:
        st.warning("Ruralité indisponible : tous les territoires sont classés.")
    with st.expander("Poids des composantes du score", icon=":material/tune:"):
        defaults = ScoreWeights()
        columns = st.columns(4)
        weights = {}
        for column, name in zip(columns, ("initiatives", "distance", "themes", "frr"), strict=True):
            weights[name] = column.slider(
                COMPONENT_LABELS[name],
                0.0,
                1.0,
                float(getattr(defaults, name)),
                0.05,
                key=f"cov_w_{name}",
                disabled=name == "frr" and frr is None,
            )
        if frr is None:
            st.caption(
                "La composante FRR est ignorée tant que la liste officielle des communes "
                "France Ruralités Revitalisation n'est pas importée (page « Importer »)."
            )
    try:
        scored = underserved_score(table, ScoreWeights(**weights), radius_km=radius)
    except TerritoiresError as exc:
        st.error(exc.user_message)
        st.stop()
    ranked = scored.loc[scored["eligible"]]
    a, b, c = st.columns(3)
    a.metric("Territoires classés", f"{len(ranked)}", border=True)
    b.metric("Territoires signalés (score ≥ 50)", f"{int(ranked['signale'].sum())}", border=True)
    c.metric(
        f"Habitants à plus de {radius:g} km (territoires classés)",
        f"{int(ranked['population_non_couverte'].sum()):,}".replace(",", "\u202f"),
        border=True,
    )
    if level != "territoire":
        fmap = score_map(
            reference,
            scope,
            level,
            scored,
            asset_base=mv.asset_base_url(),
            source=source,
            basemap=basemap,
            height=520,
        )
        clicked = mv.show_map(fmap, height=520, key="cov_score_map")
        if clicked:
            mv.fiche_link(clicked)
    shown = ranked[
        [
            "rang",
            "nom",
            "score",
            "raisons",
            "population",
            "part_rurale",
            "initiatives_10k_hab",
            "distance_moyenne_km",
            "themes_manquants",
            "code",
        ]
    ]
    event = st.dataframe(
        av.labelled(av.percent_columns(av.with_fiche_links(shown, level), ["part_rurale"])),
        hide_index=True,
        width="stretch",
        height=420,
        on_select="rerun",
        selection_mode="single-row",
        key="cov_ranking",
        column_config={
            "Score": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f"),
            "Raisons": st.column_config.TextColumn(width="large"),
            "Part rurale": st.column_config.NumberColumn(format="%.0f %%"),
            "Initiatives / 10 000 hab.": st.column_config.NumberColumn(format="%.2f"),
            "Distance moyenne pondérée (km)": st.column_config.NumberColumn(format="%.1f"),
            "Fiche": st.column_config.LinkColumn(display_text="Ouvrir la fiche"),
        },
    )
    selected = event.selection.rows if event is not None else []
    if selected:
        row = shown.iloc[selected[0]]
        st.info(f"**{row['nom']}** — score {row['score']:.0f} / 100. {row['raisons']}")
        av.fiche_page_link(territory_key(reference, level, str(row["code"])))
    else:
        st.caption("Sélectionnez une ligne pour lire ses raisons en entier et ouvrir sa fiche.")
    export = coverage_export(scored)
    scope_key = (
        territory_key(reference, scope.level, scope.code or "")
        if scope.level != "france"
        else territory_key(reference, "france", "FR")
    )
    sheet_args = {
        "radius_km": radius,
        "rural_codes": av.rural_set(rural),
        "extra_sources": rurality_sources(rurality),
        "demo": demo_data_shown(),
    }
    mv.download_buttons(
        [
            (
                "Classement (CSV)",
                f"zones_peu_couvertes_{level}.csv",
                MIME_TYPES["csv"],
                lambda: to_csv_bytes(export),
            ),
            (
                "Classement (XLSX)",
                f"zones_peu_couvertes_{level}.xlsx",
                MIME_TYPES["xlsx"],
                lambda: to_xlsx_bytes(export, "Zones peu couvertes"),
            ),
            (
                "Fiche de réunion (PDF)",
                "zones_peu_couvertes.pdf",
                SHEET_MIME["pdf"],
                lambda: sheet_for_ranking(
                    scored, pool, reference, scope_key, level, output_format="pdf", **sheet_args
                ),
            ),
            (
                "Diaporama (PPTX)",
                "zones_peu_couvertes.pptx",
                SHEET_MIME["pptx"],
                lambda: sheet_for_ranking(
                    scored, pool, reference, scope_key, level, output_format="pptx", **sheet_args
                ),
            ),
        ]
    )

# --- Couverture par territoire -------------------------------------------------------------
if view == VIEWS[1]:
    columns = [
        "code",
        "nom",
        "population",
        "part_rurale",
        "initiatives",
        "montant",
        "initiatives_10k_hab",
        "euros_par_hab",
        "part_population_touchee",
        "distance_mediane_km",
        "distance_moyenne_km",
        "population_non_couverte",
        "themes_presents",
        "themes_manquants",
        "financeurs",
        "part_population_frr",
    ]
    shares = ["part_rurale", "part_population_touchee", "part_population_frr"]
    shown_table = av.percent_columns(av.with_fiche_links(table[columns], level), shares)
    st.dataframe(
        av.labelled(shown_table),
        hide_index=True,
        width="stretch",
        height=520,
        column_config={
            "Part rurale": st.column_config.NumberColumn(format="%.0f %%"),
            "Population touchée": st.column_config.NumberColumn(format="%.0f %%"),
            "Population en FRR": st.column_config.NumberColumn(format="%.0f %%"),
            "Montant (€)": st.column_config.NumberColumn(format="%.0f €"),
            "Initiatives / 10 000 hab.": st.column_config.NumberColumn(format="%.2f"),
            "€ / habitant": st.column_config.NumberColumn(format="%.2f"),
            "Distance médiane (km)": st.column_config.NumberColumn(format="%.1f"),
            "Distance moyenne pondérée (km)": st.column_config.NumberColumn(format="%.1f"),
            "Fiche": st.column_config.LinkColumn(display_text="Ouvrir la fiche"),
        },
    )
    st.caption(
        "Distance vide : aucune initiative dans la même zone (Corse, chaque département "
        "d'outre-mer et l'Hexagone sont des zones distinctes)."
    )
    full = coverage_export(table)
    mv.download_buttons(
        [
            (
                "Tableau (CSV)",
                f"couverture_{level}.csv",
                MIME_TYPES["csv"],
                lambda: to_csv_bytes(full),
            ),
            (
                "Tableau (XLSX)",
                f"couverture_{level}.xlsx",
                MIME_TYPES["xlsx"],
                lambda: to_xlsx_bytes(full, "Couverture"),
            ),
        ]
    )

# --- Où agir ensuite ? ---------------------------------------------------------------------
if view == VIEWS[2]:
    st.markdown(
        "Propose des communes où une nouvelle initiative, d'une portée de "
        f"**{radius:g} km**, couvrirait le plus d'habitants ruraux encore non couverts. "
        "**Méthode gloutonne** : on retient d'abord la commune qui couvre le plus de monde, "
        "puis on recommence avec ce qui reste. Ce n'est pas toujours la meilleure combinaison "
        "possible, mais on atteint au moins 63 % de l'optimum et chaque étape s'explique."
    )
    left, right = st.columns(2)
    k = left.slider("Nombre de propositions", 1, 20, 10, key="cov_k")
    frr_only = right.toggle(
        "Seulement des communes FRR",
        key="cov_frr_only",
        disabled=frr is None,
        help="Disponible une fois la liste officielle FRR importée.",
    )
    try:
        sites = suggest_sites(
            pool,
            reference,
            k=k,
            radius_km=radius,
            scope=scope,
            rural_codes=av.rural_set(rural),
            frr_codes=frr,
            frr_only=frr_only and frr is not None,
            communes=communes,
        )
    except TerritoiresError as exc:
        st.error(exc.user_message)
        st.stop()
    total = int(sites.attrs.get("population_a_couvrir", 0))
    covered = int(sites["population_cumulee"].iloc[-1]) if len(sites) else 0
    a, b, c = st.columns(3)
    a.metric("Habitants ruraux non couverts", f"{total:,}".replace(",", "\u202f"), border=True)
    b.metric(
        f"Couverts par les {len(sites)} propositions",
        f"{covered:,}".replace(",", "\u202f"),
        border=True,
    )
    c.metric("Part couverte", f"{(covered / total * 100) if total else 0:.0f} %", border=True)
    if sites.empty:
        st.info("Aucune population rurale non couverte dans ce périmètre : rien à proposer.")
    else:
        status = coverage_status(communes, sites, reference, scope, rural)
        fmap = suggestion_map(
            reference,
            scope,
            status,
            sites,
            radius,
            asset_base=mv.asset_base_url(),
            source=source,
            basemap=basemap,
            height=520,
        )
        clicked_commune = mv.show_map(fmap, height=520, key="cov_next_map")
        if clicked_commune:
            mv.fiche_link(clicked_commune)
        steps = sites.drop(columns=["codes_couverts"]).assign(
            part_cumulee=sites["part_cumulee"] * 100
        )
        st.dataframe(
            av.labelled(
                steps[
                    [
                        "rang",
                        "nom",
                        "departement_code",
                        "population",
                        "communes_nouvellement_couvertes",
                        "population_nouvellement_couverte",
                        "population_cumulee",
                        "part_cumulee",
                    ]
                ]
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "Part couverte (cumul)": st.column_config.NumberColumn(format="%.0f %%"),
            },
        )
        export_sites = suggestion_export(sites)
        mv.download_buttons(
            [
                (
                    "Propositions (CSV)",
                    "ou_agir_ensuite.csv",
                    MIME_TYPES["csv"],
                    lambda: to_csv_bytes(export_sites),
                ),
                (
                    "Propositions (XLSX)",
                    "ou_agir_ensuite.xlsx",
                    MIME_TYPES["xlsx"],
                    lambda: to_xlsx_bytes(export_sites, "Propositions"),
                ),
            ]
        )
