"""Chrome shared by every page: the fictional-data banner and the sidebar heading."""

from __future__ import annotations

import streamlit as st

from territoires import texts
from territoires.ui.cache import get_demo_shown


def demo_data_shown() -> bool:
    """True while the store holds only fictional demo records."""
    return get_demo_shown()


def render_chrome(*, presentation: bool = False) -> None:
    """Show the demo banner (always, even in presentation mode) and the sidebar heading."""
    if demo_data_shown():
        if presentation:
            st.caption(f":orange-badge[{texts.DEMO_BADGE}]")
        else:
            st.warning(texts.DEMO_BANNER, icon=":material/science:")
    if not presentation:
        with st.sidebar:
            st.markdown(f"### {texts.APP_TITLE}")
            st.caption(texts.APP_SUBTITLE)
