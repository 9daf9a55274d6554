"""Territoires d'engagement — Streamlit entry point (thin: config, navigation, shared chrome)."""

from __future__ import annotations

import streamlit as st

from territoires import texts
from territoires.ui.bootstrap import ensure_ready
from territoires.ui.chrome import render_chrome
from territoires.ui.memory import settle_after_first_run
from territoires.ui.navigation import PAGE_SPECS
from territoires.ui.sidebar import PAGE_KEY

st.set_page_config(
    page_title=texts.APP_TITLE,
    page_icon="🗺️",  # an emoji favicon is a data: URL; a :material/…: one is fetched from Google
    layout="wide",
    initial_sidebar_state="expanded",
)

presentation = st.query_params.get("presentation") == "1"

PAGES = [
    st.Page(spec.script, title=spec.title, icon=spec.icon, url_path=spec.url_path, default=i == 0)
    for i, spec in enumerate(PAGE_SPECS)
]

page = st.navigation(PAGES, position="hidden" if presentation else "sidebar")
st.session_state[PAGE_KEY] = page.url_path  # the filters' widgets are reloaded on a new page
if ensure_ready():
    render_chrome(presentation=presentation)
    try:
        page.run()
    finally:  # also when the page stops early (st.stop) or reruns
        settle_after_first_run(page.url_path)
