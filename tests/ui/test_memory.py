"""The server freezes its long-lived objects after each page's first run."""

from __future__ import annotations

import gc
import weakref

import pytest

from territoires.ui import memory


@pytest.fixture
def fresh_memory(monkeypatch):
    monkeypatch.setattr(memory, "_settled", set())
    yield
    gc.unfreeze()  # leave the test process's collector as it was


class _Node:
    """A container the cyclic collector tracks."""


def _tracked(obj: object) -> bool:
    return any(o is obj for o in gc.get_objects())


def test_first_run_of_a_page_freezes_the_survivors(fresh_memory):
    survivor = _Node()
    assert _tracked(survivor)  # the collector walks it before
    assert memory.settle_after_first_run("carte") is True
    assert gc.get_freeze_count() > 0
    assert not _tracked(survivor)  # frozen: later collections skip it


def test_garbage_is_collected_before_the_freeze(fresh_memory):
    cycle = _Node()
    cycle.me = cycle  # a reference cycle: only the cyclic collector frees it
    alive = weakref.ref(cycle)
    del cycle
    memory.settle_after_first_run("carte")
    assert alive() is None  # freed, not frozen for the life of the process


def test_once_per_page(fresh_memory):
    assert memory.settle_after_first_run("carte") is True
    later = _Node()
    assert memory.settle_after_first_run("carte") is False
    assert _tracked(later)  # the second run of the page froze nothing
    assert memory.settle_after_first_run("fiche") is True
    assert not _tracked(later)


def test_release_memory_hands_freed_memory_back_on_glibc():
    import platform

    from territoires.ui.memory import release_memory

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("malloc_trim n'existe que dans la bibliothèque C GNU")
    assert release_memory() is True


class _Session:
    """Stands for a closed tab's AppSession: an id, and whether it was shut down."""

    def __init__(self, session_id: str) -> None:
        self.id = session_id
        self.shut_down = False

    def shutdown(self) -> None:
        self.shut_down = True


def _manager(ttl_seconds: float):
    """Streamlit's own session manager and in-memory storage, as the server builds them."""
    from streamlit.runtime.memory_session_storage import MemorySessionStorage
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

    return WebsocketSessionManager(
        MemorySessionStorage(ttl_seconds=ttl_seconds),
        MemoryUploadedFileManager("/_stcore/upload_file"),
        ScriptCache(),
        message_enqueued_callback=None,
    )


def _closed(manager, session_id: str) -> _Session:
    """A session kept for a reconnection, as ``disconnect_session`` stores it."""
    from streamlit.runtime.session_manager import SessionInfo

    session = _Session(session_id)
    manager._session_storage.save(SessionInfo(client=None, session=session))
    return session


@pytest.fixture
def releases(monkeypatch) -> list[bool]:
    calls: list[bool] = []
    monkeypatch.setattr(memory, "release_memory", lambda: calls.append(True) or True)
    return calls


def test_sessions_past_their_reconnection_delay_are_shut_down_and_released(releases):
    import time

    manager = _manager(ttl_seconds=1.5)
    closed = [_closed(manager, "a"), _closed(manager, "b")]
    assert memory.sweep_sessions(manager) == (0, 0)  # still within their delay
    time.sleep(1.6)
    assert memory.sweep_sessions(manager) == (2, 0)
    assert all(session.shut_down for session in closed)
    assert manager._session_storage._cache._data == {}  # gone from Streamlit's storage
    assert releases == [True]
    assert memory.sweep_sessions(manager) == (0, 0)  # nothing more to do
    assert releases == [True]


def test_sessions_within_their_reconnection_delay_are_kept(releases):
    manager = _manager(ttl_seconds=60)
    kept = _closed(manager, "a")
    assert memory.sweep_sessions(manager) == (0, 0)
    assert not kept.shut_down
    assert manager.get_session_info("a").session is kept  # a reconnection still finds it
    assert releases == []


def test_memory_is_released_when_active_sessions_closed_outright(releases):
    manager = _manager(ttl_seconds=60)
    assert memory.sweep_sessions(manager, active_before=0) == (0, 0)
    assert releases == []
    assert memory.sweep_sessions(manager, active_before=3) == (0, 0)  # three closed since
    assert releases == [True]


def test_the_sweeper_starts_once_per_process(monkeypatch):
    import threading

    monkeypatch.setattr(memory, "_sweeper", None)
    assert memory.start_session_sweeper(interval_s=3600) is True
    assert memory.start_session_sweeper(interval_s=3600) is False
    names = [thread.name for thread in threading.enumerate()]
    assert names.count("territoires-sessions") >= 1
