"""Territoires d'engagement — Streamlit entry point (thin: config, navigation, shared chrome)."""

from __future__ import annotations

import streamlit as st

from territoires import texts
from territoires.ui.bootstrap import ensure_ready
from territoires.ui.chrome import render_chrome
from territoires.ui.sidebar import PAGE_KEY

st.set_page_config(
    page_title=texts.APP_TITLE,
    page_icon="🗺️",  # an emoji favicon is a data: URL; a :material/…: one is fetched from Google
    layout="wide",
    initial_sidebar_state="expanded",
)

presentation = st.query_params.get("presentation") == "1"

PAGES = [
    st.Page(
        "app_pages/carte.py", title="Carte", icon=":material/map:", url_path="carte", default=True
    ),
    st.Page(
        "app_pages/couverture.py",
        title="Couverture",
        icon=":material/travel_explore:",
        url_path="couverture",
    ),
    st.Page(
        "app_pages/fiche.py",
        title="Fiche territoire",
        icon=":material/location_city:",
        url_path="fiche",
    ),
    st.Page(
        "app_pages/initiatives.py",
        title="Initiatives",
        icon=":material/table_rows:",
        url_path="initiatives",
    ),
    st.Page(
        "app_pages/importer.py",
        title="Importer",
        icon=":material/upload_file:",
        url_path="importer",
    ),
    st.Page(
        "app_pages/methodologie.py",
        title="Méthodologie et sources",
        icon=":material/menu_book:",
        url_path="methodologie",
    ),
]

page = st.navigation(PAGES, position="hidden" if presentation else "sidebar")
st.session_state[PAGE_KEY] = page.url_path  # the filters' widgets are reloaded on a new page
if ensure_ready():
    render_chrome(presentation=presentation)
    page.run()
