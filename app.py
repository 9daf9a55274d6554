"""Territoires d'engagement — Streamlit entry point (thin: config, access, navigation, chrome)."""

from __future__ import annotations

import streamlit as st

from territoires import texts
from territoires.errors import TerritoiresError
from territoires.ui.access_view import account_sidebar, gate, refuse_page
from territoires.ui.bootstrap import ensure_ready
from territoires.ui.cache import remember_version, warm_after_first_page, watch_data
from territoires.ui.chrome import render_chrome
from territoires.ui.memory import settle_after_first_run, start_session_sweeper
from territoires.ui.navigation import PAGE_SPECS
from territoires.ui.sidebar import PAGE_KEY

st.set_page_config(
    page_title=texts.APP_TITLE,
    page_icon="🗺️",  # an emoji favicon is a data: URL; a :material/…: one is fetched from Google
    layout="wide",
    initial_sidebar_state="expanded",
)

presentation = st.query_params.get("presentation") == "1"
start_session_sweeper()  # once per process: closed sessions' memory handed back

try:
    access = gate()  # first: a refused start builds and loads nothing
    if access is not None and not ensure_ready():
        access = None
except TerritoiresError as exc:  # a wrong setting, an unreachable database
    st.error(exc.user_message)
    access = None
if access is None:
    st.stop()

# Pages this visitor may not use are left out of the menu; opened by their address, they show
# the French refusal (and the store refuses their writes anyway).
PAGES = [
    st.Page(
        spec.script,
        title=spec.title,
        icon=spec.icon,
        url_path=spec.url_path,
        default=i == 0,
        visibility="visible" if access.may(spec.need) else "hidden",
    )
    for i, spec in enumerate(PAGE_SPECS)
]
NEEDS = {spec.title: spec.need for spec in PAGE_SPECS}  # the default page has no url_path

page = st.navigation(PAGES, position="hidden" if presentation else "sidebar")
st.session_state[PAGE_KEY] = page.url_path  # the filters' widgets are reloaded on a new page
remember_version()
render_chrome(presentation=presentation)
if not presentation:
    account_sidebar(access)
watch_data()
if not access.may(NEEDS[page.title]):
    refuse_page(access, NEEDS[page.title])
    st.stop()
try:
    page.run()
finally:  # also when the page stops early (st.stop) or reruns
    settle_after_first_run(page.url_path)
    warm_after_first_page()  # once per process: the reference's tables, in the background
