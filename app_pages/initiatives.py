"""« Initiatives »: the filtered initiatives as a searchable, sortable table, with a detail view."""

from __future__ import annotations

import streamlit as st

from territoires.analysis.aggregate import THEME_LABELS
from territoires.exports import (
    MIME_TYPES,
    export_about,
    export_initiatives,
    export_name,
    initiative_details,
    initiatives_browse_table,
)
from territoires.geo.rurality import rurality_label
from territoires.maps.build import scope_label, source_line
from territoires.ui import map_view as mv
from territoires.ui.cache import get_initiatives, get_reference, per_frame
from territoires.ui.chrome import demo_data_shown, details_html
from territoires.ui.editing_view import detail_actions, new_initiative_button, show_flash
from territoires.ui.selection import selectable_table
from territoires.ui.sidebar import filters_sidebar, sync_filter_params

st.title("Initiatives")
show_flash()
new_initiative_button()
reference = get_reference()
initiatives = get_initiatives()
filters, filtered = filters_sidebar(initiatives, reference, rurality=mv.rurality_or_none())
sync_filter_params(filters)
st.caption(
    "Les initiatives retenues par les filtres (recherche libre dans la barre latérale). "
    "Cliquez sur un en-tête pour trier, sur une ligne pour voir le détail."
)

if filtered.empty:
    st.info("Aucune initiative ne correspond aux filtres.")
    st.stop()

table = per_frame(  # once per data version and filters, for every session
    filtered, "browse_table", lambda: initiatives_browse_table(filtered, reference, THEME_LABELS)
)
chosen = selectable_table(  # by id: the rows change with a search, or another user's import
    table,
    filtered["id"],
    key="initiatives_table",
    hide_index=True,
    width="stretch",
    height=460,
    column_config={
        "Montant (€)": st.column_config.NumberColumn(format="%.0f €"),
        "Année": st.column_config.NumberColumn(format="%d"),
        "Fiche": st.column_config.LinkColumn(
            "Fiche", display_text="Fiche de la commune", help="Ouvre la fiche de la commune"
        ),
    },
)

if chosen is not None:
    selected = filtered.loc[filtered["id"] == chosen].iloc[0]
    st.subheader("Détail de l'initiative")
    st.html(details_html(initiative_details(selected, reference, THEME_LABELS)))
    st.page_link(
        "app_pages/fiche.py",
        label="Ouvrir la fiche de la commune",
        icon=":material/location_city:",
        query_params={"niveau": "commune", "code": str(selected["commune_code"])},
    )
    detail_actions(selected)

st.subheader("Exporter ces initiatives")
place = scope_label(reference, filters.scope)
about = export_about(
    place,
    filters,
    source_line(reference.manifest, demo_data_shown()),
    rurality=rurality_label(reference),
)
columns = st.columns(3)
for column, (fmt, label) in zip(
    columns, (("csv", "CSV (Excel)"), ("xlsx", "XLSX"), ("geojson", "GeoJSON")), strict=True
):
    column.download_button(
        label,
        data=lambda fmt=fmt: export_initiatives(filtered, reference, fmt, about=about),
        on_click="ignore",
        file_name=export_name("initiatives", place, ext=fmt),
        mime=MIME_TYPES[fmt],
        icon=":material/download:",
        width="stretch",
    )
