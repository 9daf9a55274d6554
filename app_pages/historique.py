"""« Historique »: every change, filtered by initiative, user, date and import; the import
journal with « Annuler cet import »."""

from __future__ import annotations

import streamlit as st

from territoires.ui.cache import get_store
from territoires.ui.editing_view import show_flash
from territoires.ui.history_view import (
    history_caption,
    history_filters,
    imports_display,
    show_history,
    undo_import_panel,
)

st.title("Historique des modifications")
st.caption(
    "Chaque import, création, modification, suppression, restauration, fusion et annulation, "
    "champ par champ : qui, quand, la valeur avant et après, et le lot d'import."
)
show_flash()
store = get_store()
journal = store.imports()

with st.container(horizontal=True):
    reference = st.text_input("Référence ou n° d'initiative", key="te_h_ref").strip()
    user = st.selectbox(
        "Utilisateur",
        sorted(set(journal["utilisateur"].astype(str)) | set(store.users()["email"].astype(str))),
        index=None,
        key="te_h_user",
        placeholder="Tous",
        accept_new_options=True,
    )
    lot = st.selectbox(
        "Import (lot)",
        [int(v) for v in journal["lot"]],
        index=None,
        format_func=lambda v: f"Lot {v}",
        key="te_h_lot",
        placeholder="Tous",
    )
    days = st.date_input("Période", value=(), key="te_h_days", format="DD/MM/YYYY")

filters = history_filters(reference, user, lot, days)
history = store.history(**filters)
st.caption(history_caption(history))
show_history(history, key="te_h_table", height=420)

st.subheader("Journal des imports")
if journal.empty:
    st.caption("Aucun import pour l'instant.")
else:
    st.dataframe(
        imports_display(journal),
        hide_index=True,
        width="stretch",
        column_config={
            "Date": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
            "Lot": st.column_config.NumberColumn(format="%d"),
        },
    )
    undo_import_panel(journal)
