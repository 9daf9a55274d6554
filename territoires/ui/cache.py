"""The one place where Streamlit caching wraps the domain.

- ``get_reference()``: the geographic reference, a shared read-only object (``cache_resource``).
- ``get_initiatives()``: the initiatives frame (``cache_data``), cleared by ``clear_after_write()``.
- ``store_session()``: a short-lived store connection for reads and writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import streamlit as st

from territoires.geo.reference import GeoReference


@st.cache_resource(show_spinner="Chargement du référentiel géographique…")
def get_reference() -> GeoReference:
    """Return the geographic reference loaded from the cache (built beforehand by bootstrap)."""
    from territoires.geo.cache import load_reference

    return load_reference()


@contextmanager
def store_session() -> Iterator:
    """Open the configured store for the duration of a block, then close it."""
    from territoires.store import open_store

    store = open_store()
    try:
        yield store
    finally:
        store.close()


@st.cache_data(show_spinner=False)
def get_initiatives() -> pd.DataFrame:
    """Return every initiative in the store (see docs/architecture.md for the columns)."""
    with store_session() as store:
        return store.list_initiatives()


@st.cache_data(show_spinner=False)
def get_demo_shown() -> bool:
    """True while the store holds only fictional demo records (and at least one).

    Answered by the store's counts, so pages that only need this flag do not copy the whole
    initiatives frame out of the cache.
    """
    with store_session() as store:
        return not store.has_real_data() and store.count() > 0


@st.cache_data(show_spinner=False)
def get_rurality() -> pd.DataFrame:
    """Return the rurality of every commune, from the official file when imported."""
    from territoires.geo.rurality import rurality_frame

    return rurality_frame(get_reference())


def clear_after_write() -> None:
    """Clear every cached read after a write to the store or an official-file import."""
    get_initiatives.clear()
    get_demo_shown.clear()
    get_rurality.clear()
