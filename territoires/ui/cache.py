"""The one place where Streamlit caching wraps the domain.

- ``get_reference()``: the geographic reference, a shared read-only object (``cache_resource``).
- ``get_store()``: the process's one ``Store`` (``cache_resource``; the store is thread-safe),
  for the configured database.
- ``get_index()``: every initiative and its ``InitiativeIndex``, read once per data version and
  held once per process (``cache_resource``): every session shares that one frame, never a
  copy (``cache_data`` would unpickle a copy of the whole table at each hit). ``get_initiatives()``
  is its frame: read-only for every caller.
- ``get_demo_shown()``, ``get_stored_indicators()`` (the need indicators
  users imported): cached reads keyed on ``store.data_version()``,
  a counter the store bumps in the same transaction as every write. Any write, from this
  session, another one, a second app process or the command line, moves it: the next read
  sees the new data, and no read scans the table to find out.
- ``watch_data()``: a small fragment that reruns the app when the version moved
  (``TERRITOIRES_VEILLE_SECONDES``), so an open page and its demo banner follow other writers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

import pandas as pd
import streamlit as st

from territoires.geo.reference import GeoReference
from territoires.settings import get_settings

if TYPE_CHECKING:
    from territoires.analysis.index import InitiativeIndex

T = TypeVar("T")
VERSION_KEY = "te_data_version"
# Set while an initiative's form is open: the watcher then leaves the page alone (a rerun would
# close the form); saving checks the initiative's version instead.
EDITING_KEY = "te_editing"


@st.cache_resource(show_spinner="Chargement du référentiel géographique…")
def get_reference() -> GeoReference:
    """Return the geographic reference loaded from the cache (built beforehand by bootstrap)."""
    from territoires.geo.cache import load_reference

    return load_reference()


@st.cache_resource(show_spinner=False)
def _store_for(url: str):
    from territoires.store import open_store

    return open_store(url)


def get_store():
    """The process's one store for the configured database (opened and migrated once)."""
    return _store_for(get_settings().database_url)


@contextmanager
def store_session() -> Iterator:
    """The process's store, for a block (kept open: one store serves every session)."""
    yield get_store()


def warm_after_first_page() -> bool:
    """Once per process, after its first page: compute in the background what pages take
    from the reference alone (``territoires.analysis.warmup``). Returns whether it started."""
    from territoires.analysis.warmup import start_warmup, started
    from territoires.errors import TerritoiresError

    if started():
        return False
    try:
        reference = get_reference()
    except TerritoiresError:  # the page said why; nothing to prepare
        return False
    return start_warmup(reference)


def data_version() -> int:
    """The store's data version: one indexed read."""
    return get_store().data_version()


# The last index read per database, with its rows' signatures: the next version reads again
# only the rows that changed since (``Store.read_initiatives``, ``InitiativeIndex.spliced``).
_LATEST: dict[str, tuple[InitiativeIndex, list[tuple]]] = {}
_LATEST_LOCK = threading.Lock()


# Two versions: the one on screen and the next one, while sessions move over to it.
@st.cache_resource(show_spinner=False, max_entries=2)
def _index(url: str, version: int) -> InitiativeIndex:
    return read_index(_store_for(url), get_reference(), url)


def read_index(store, reference: GeoReference, key: str) -> InitiativeIndex:
    """Every initiative of ``store`` and its index: the rows that did not change since the
    last read under ``key`` are taken from that read's index, the others read and indexed
    anew (the result is the same as a whole read: ``tests/ui/test_cache.py``)."""
    from territoires.analysis.index import InitiativeIndex

    with _LATEST_LOCK:
        latest = _LATEST.get(key)
    if latest is not None and latest[0].reference is not reference:
        latest = None
    read = store.read_initiatives(None if latest is None else latest[1])
    if read.full or latest is None:
        index = InitiativeIndex(read.frame, reference)
    else:
        index = latest[0].spliced(read.frame, read.kept)
    with _LATEST_LOCK:
        _LATEST[key] = (index, read.signatures)
    return index


def get_index() -> InitiativeIndex:
    """Every initiative with its index, shared by every session, read again only when the
    data version moved (see ``territoires.analysis.index``)."""
    return _index(get_settings().database_url, data_version())


def get_initiatives() -> pd.DataFrame:
    """Every initiative in the store (see docs/architecture.md for the columns), read again
    only when the data version moved. Shared by every session: never modify it in place."""
    return get_index().frame


def per_frame(frame: pd.DataFrame, name: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per shared frame (``get_initiatives()``, ``filtered_initiatives``:
    once per data version and filters, for every session), else at each call. The value is
    shared: read-only for every caller."""
    from territoires.analysis.index import known_index

    index = known_index(frame, None)
    return compute() if index is None else index.computed(name, compute)


@st.cache_data(show_spinner=False, max_entries=4)
def _demo_shown(url: str, version: int) -> bool:
    store = _store_for(url)
    return not store.has_real_data() and store.count() > 0


def get_demo_shown() -> bool:
    """True while the store holds only fictional demo records (and at least one).

    Answered by the store's counts, so pages that only need this flag do not copy the whole
    initiatives frame out of the cache.
    """
    return _demo_shown(get_settings().database_url, data_version())


@st.cache_data(show_spinner=False)
def get_rurality() -> pd.DataFrame:
    """Return the rurality of every commune, from the official file when imported."""
    from territoires.geo.rurality import rurality_frame

    return rurality_frame(get_reference())


@st.cache_data(show_spinner=False, max_entries=4)
def _stored_indicators(url: str, version: int) -> list:
    from territoires.analysis.indicators import stored_indicators

    return stored_indicators(_store_for(url))


def get_stored_indicators() -> list:
    """The need indicators users imported (``analysis.indicators.stored_indicators``), read
    again only when the data version moved."""
    return _stored_indicators(get_settings().database_url, data_version())


def clear_after_write() -> None:
    """After a write from this session: clear the cached reads that the data version does not
    key (the rurality, after an official-file import), and note the new version as seen, so
    that the watcher does not rerun the page (and drop the report it shows)."""
    get_rurality.clear()
    remember_version()


def remember_version() -> int:
    """Note the data version this run shows (read by ``watch_data``)."""
    version = data_version()
    st.session_state[VERSION_KEY] = version
    return version


def _watch_interval() -> float:
    """The watcher's period; a wrong setting is reported by ``app.py`` (1 s meanwhile)."""
    from territoires.errors import SettingsError

    try:
        return get_settings().watch_seconds
    except SettingsError:
        return 1.0


@st.fragment(run_every=_watch_interval())
def watch_data() -> None:
    """Rerun the app when another writer moved the data version since this run.

    A fragment rerun every ``TERRITOIRES_VEILLE_SECONDES`` (1 s by default): one indexed read
    each time, nothing drawn.
    """
    if st.session_state.get(EDITING_KEY):
        return
    seen = st.session_state.get(VERSION_KEY)
    if seen is not None and data_version() != seen:
        st.rerun(scope="app")
