"""« Fiche territoire »: one territory against its département, région or France; comparison."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from territoires.analysis.aggregate import THEME_LABELS
from territoires.analysis.profile import reference_choices, territory_profile
from territoires.errors import TerritoiresError
from territoires.exports import (
    MIME_TYPES,
    export_initiatives,
    export_name,
    initiatives_browse_table,
)
from territoires.filters import retained_line
from territoires.formatting import markdown_literal
from territoires.geo.rurality import rural_qualifier, rurality_label
from territoires.maps.analysis import fiche_map
from territoires.maps.build import source_line
from territoires.reports import MIME_TYPES as SHEET_MIME
from territoires.reports import rurality_sources, sheet_for_territory
from territoires.reports.charts import MAX_COMMUNES_DRAWN
from territoires.reports.content import figure_rows
from territoires.settings import get_settings
from territoires.ui import analysis_view as av
from territoires.ui import map_view as mv
from territoires.ui.cache import get_initiatives, get_reference
from territoires.ui.chrome import demo_data_shown, figures_html
from territoires.ui.sidebar import filters_sidebar, query_params, sync_filter_params

header = st.container()
reference = get_reference()
initiatives = get_initiatives()
rurality = mv.rurality_or_none()
rural = mv.rural_codes(rurality)
filters, _ = filters_sidebar(initiatives, reference, rurality=rurality)
sync_filter_params(filters)
pool = av.analysis_pool(initiatives, filters, reference, rurality)
frr = av.frr_codes(rurality)
link = query_params()
from_url = av.key_from_params(reference, link.get("niveau"), link.get("code"))

with st.expander("Choisir un territoire", expanded=from_url is None, icon=":material/search:"):
    key = av.territory_picker(reference, "fiche_", default=from_url)
if key is not None and key != from_url:
    st.query_params["niveau"] = key.level
    st.query_params["code"] = key.code

if key is None:
    header.title("Fiche territoire")
    st.info(
        "Choisissez une commune, un EPCI, un territoire nommé, un département ou une région, "
        "ou cliquez sur un territoire de la carte."
    )
    st.stop()

header.title(f"Fiche territoire : {markdown_literal(key.nom)}")
retained = retained_line(filters)
if retained:  # the figures, charts and list below count these initiatives only
    header.caption(f"{markdown_literal(retained)}.")
choices = {choice.level: choice for choice in reference_choices(reference, key)}
left, middle = st.columns(2)
reference_level = left.radio(
    "Comparer à",
    list(choices),
    format_func=lambda level: choices[level].label,
    horizontal=True,
    key=f"fiche_reference_{key.level}",
)
with middle:
    radius = av.radius_slider("fiche_radius")
compare = st.toggle("Comparer avec un autre territoire", key="fiche_compare")
other = None
if compare:
    other = av.territory_picker(reference, "fiche_cmp_")

options = {
    "reference_level": reference_level,
    "radius_km": radius,
    "rural_codes": av.rural_set(rural),
    "frr_codes": frr,
}
try:
    communes = av.cached_commune_coverage(
        pool, reference, radius, av.pool_key(filters, initiatives)
    )
    profile = territory_profile(pool, reference, key.level, key.code, communes=communes, **options)
    other_profile = (
        territory_profile(pool, reference, other.level, other.code, communes=communes, **options)
        if other is not None
        else None
    )
except TerritoiresError as exc:
    st.error(markdown_literal(exc.user_message))
    st.stop()

# --- key figures ---------------------------------------------------------------------------
st.subheader("Chiffres clés")
shown = {*reference.scope_communes(key.scope), *reference.scope_communes(profile.reference.scope)}
vintage = reference.population_vintage(shown)
qualifier = rural_qualifier(reference)
mine = figure_rows(profile.figures, radius, vintage, qualifier)
table = pd.DataFrame({"Indicateur": [label for label, _ in mine], key.nom: [v for _, v in mine]})
if other_profile is not None:
    theirs = dict(figure_rows(other_profile.figures, radius, vintage, qualifier))
    table[other_profile.territory.label] = [theirs.get(label, "—") for label, _ in mine]
reference_rows = dict(figure_rows(profile.reference_figures, radius, vintage, qualifier))
table[f"Référence : {profile.reference.nom}"] = [reference_rows.get(lb, "—") for lb, _ in mine]
st.html(figures_html(table))
if rural is None:
    st.caption("Ruralité indisponible : la part rurale n'est pas calculée.")
else:
    st.caption(f"Ruralité : {rurality_label(reference)}.")
if key.level == "commune":
    note = reference.missing_outline_note(key.code)
    if note:
        st.caption(note)

# --- map -----------------------------------------------------------------------------------
st.subheader("Carte")
mine_ids = set(profile.initiatives["id"])
located = pool.loc[pool["id"].isin(mine_ids)]
uncovered = profile.communes.loc[~profile.communes["couverte"], "code_insee"].tolist()
level = "commune" if len(profile.communes) <= MAX_COMMUNES_DRAWN else "epci"
fmap = fiche_map(
    located,
    reference,
    key.scope,
    uncovered if level == "commune" else [],
    radius,
    level=level,
    asset_base=mv.asset_base_url(),
    source="",  # written under the map: a shorter legend, which then covers less of it
    basemap=mv.default_map_options(False, get_settings().basemap).basemap,
    height=520,
)
clicked = mv.show_map(fmap, height=520, key="fiche_map")
if clicked:
    mv.fiche_link(clicked)
st.caption(
    f"Hachurées en rouge : communes à plus de {radius:g} km de toute initiative "
    f"(distance à vol d'oiseau). {source_line(reference.manifest, demo_data_shown())}"
)

# --- breakdowns and list -------------------------------------------------------------------
st.subheader("Répartitions")
mv.breakdown_charts(located)

st.subheader(f"Initiatives ({len(located)})")
if located.empty:
    st.info("Aucune initiative ne touche ce territoire avec les filtres actuels.")
else:
    st.dataframe(
        initiatives_browse_table(located, reference, THEME_LABELS),
        hide_index=True,
        width="stretch",
        height=320,
        column_config={
            "Montant (€)": st.column_config.NumberColumn(format="%.0f €"),
            "Année": st.column_config.NumberColumn(format="%d"),
            "Fiche": st.column_config.LinkColumn(display_text="Fiche de la commune"),
        },
    )

# --- meeting sheet -------------------------------------------------------------------------
st.subheader("Fiche de réunion")
st.caption(
    "PDF A4 imprimable en noir et blanc, ou diaporama PPTX (une diapositive par bloc), "
    "produits hors ligne."
)
sheet = {
    "reference_level": reference_level,
    "radius_km": radius,
    "rural_codes": av.rural_set(rural),
    "frr_codes": frr,
    "communes": communes,
    "extra_sources": rurality_sources(rurality),
    "retained": retained,
    "demo": demo_data_shown(),
}
name = ("fiche", key.nom, key.code)
mv.download_buttons(
    [
        (
            "Fiche (PDF)",
            export_name(*name, ext="pdf"),
            SHEET_MIME["pdf"],
            lambda: sheet_for_territory(pool, reference, key, output_format="pdf", **sheet),
        ),
        (
            "Diaporama (PPTX)",
            export_name(*name, ext="pptx"),
            SHEET_MIME["pptx"],
            lambda: sheet_for_territory(pool, reference, key, output_format="pptx", **sheet),
        ),
        (
            "Initiatives (CSV)",
            export_name("initiatives", key.nom, key.code, ext="csv"),
            MIME_TYPES["csv"],
            lambda: export_initiatives(located, reference, "csv"),
        ),
    ]
)
