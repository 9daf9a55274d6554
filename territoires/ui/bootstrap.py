"""First-start work, shown to the user: build the geodata cache, load the demo dataset."""

from __future__ import annotations

import time

import streamlit as st

from territoires import texts
from territoires.errors import TerritoiresError
from territoires.formatting import markdown_literal
from territoires.ui.cache import get_reference, store_session


def _geodata_ready() -> bool:
    """Build the cache in the background on first start; show its progress meanwhile.

    Returns True once the cache is complete. While the build runs, the script shows the
    progress bar and reruns itself every half second (clicks do not restart the build).
    """
    from territoires.geo.background import background_build, forget_job
    from territoires.geo.cache import cache_is_complete

    if cache_is_complete():
        return True
    job = background_build()
    if not job.done.is_set():
        st.progress(job.fraction, text=f"{texts.GEODATA_BUILDING} {job.message}")
        time.sleep(0.5)
        st.rerun()
    forget_job()  # a failed build may be tried again by the next visit
    if job.error:
        st.error(job.error)
    elif not cache_is_complete():
        st.error(texts.GEODATA_FAILED)
    return cache_is_complete()


@st.cache_resource(show_spinner=False)
def _demo_checked() -> int:
    """Load the demo dataset into an empty store, once per server process."""
    from territoires.demo import ensure_demo
    from territoires.store import local_actor
    from territoires.ui.cache import clear_after_write

    with store_session() as store:
        loaded = ensure_demo(store, get_reference(), actor=local_actor())
    if loaded:
        clear_after_write()
    return loaded


def ensure_ready() -> bool:
    """Make sure the geodata cache exists and the store is initialised.

    Returns False (after showing a French error) when the app cannot start.
    """
    if not _geodata_ready():
        return False
    try:
        _demo_checked()
    except TerritoiresError as exc:
        st.error(markdown_literal(exc.user_message))
        return False
    return True
