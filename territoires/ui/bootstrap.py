"""First-start work, shown to the user: build the geodata cache, load the demo dataset."""

from __future__ import annotations

import streamlit as st

from territoires import texts
from territoires.errors import TerritoiresError
from territoires.ui.cache import get_reference, store_session


def _build_geodata_with_progress() -> None:
    from territoires.geo.build import build_geodata

    bar = st.progress(0.0, text=texts.GEODATA_BUILDING)

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=f"{texts.GEODATA_BUILDING} {message}")

    build_geodata(progress=progress)
    bar.empty()


@st.cache_resource(show_spinner=False)
def _demo_checked() -> int:
    """Load the demo dataset into an empty store, once per server process."""
    from territoires.demo import ensure_demo
    from territoires.ui.cache import clear_after_write

    with store_session() as store:
        loaded = ensure_demo(store, get_reference())
    if loaded:
        clear_after_write()
    return loaded


def ensure_ready() -> bool:
    """Make sure the geodata cache exists and the store is initialised.

    Returns False (after showing a French error) when the app cannot start.
    """
    from territoires.geo.cache import cache_is_complete

    try:
        if not cache_is_complete():
            _build_geodata_with_progress()
        _demo_checked()
    except TerritoiresError as exc:
        st.error(exc.user_message)
        return False
    return True
