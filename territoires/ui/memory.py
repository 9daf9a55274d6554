"""Keep Python's cyclic garbage collector off the server's long-lived objects.

Once the geographic reference, the libraries and the caches are loaded, the server process
holds about 320,000 objects that live as long as it does. Each full collection of Python's
collector walks them all: 100 to 180 ms on the reference machine with the interpreter held,
which stalls whichever page runs at that moment (a map then draws that much later). Such
collections come every few page views.

After the first run of each page, everything still alive is collected once and then frozen
(``gc.freeze``): later collections skip it and walk only what came after, in a few
milliseconds. A frozen object is still freed when its last reference goes; only a frozen
reference cycle would stay, so what is frozen is mostly modules, caches and the reference.

Memory freed by Python is handed back to the system after a large import and once closed
sessions are gone (``start_session_sweeper``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import threading
import time

_LOG = logging.getLogger("territoires")
_settled: set[str] = set()
_lock = threading.Lock()


def settle_after_first_run(page: str) -> bool:
    """Collect and freeze the process's surviving objects after the first run of ``page``.

    Returns True when it did (once per page and process), False otherwise. The collection
    costs one full pass (0.1 to 0.2 s), paid once by the first view of each page after start.
    """
    with _lock:
        if page in _settled:
            return False
        _settled.add(page)
    gc.collect()
    gc.freeze()
    return True


RELEASE_DELAY_S = 2.0  # after the page's next run, once Streamlit has let go of the file


def release_memory() -> bool:
    """Collect garbage, then hand the freed memory back to the system.

    Reading a large file leaves the C allocator holding hundreds of megabytes that Python has
    freed: ``malloc_trim`` (GNU C library) returns them. Returns whether it could.
    """
    gc.collect()
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        trim = getattr(libc, "malloc_trim", None)
    except OSError:
        return False
    if trim is None:
        return False
    trim(0)  # 1 when memory went back, 0 when there was none to give
    return True


_last_release: threading.Timer | None = None


def release_memory_soon(delay_s: float | None = None) -> threading.Timer:
    """``release_memory`` in a moment (``RELEASE_DELAY_S``), in the background: after an
    import, once the page has run again without the file."""
    global _last_release
    delay = RELEASE_DELAY_S if delay_s is None else delay_s
    timer = threading.Timer(delay, lambda: release_memory())  # read when it runs
    timer.daemon = True
    timer.start()
    _last_release = timer
    return timer


# --- closed sessions --------------------------------------------------------------------------
#
# When a tab closes, Streamlit keeps its session for ``server.disconnectedSessionTTL`` seconds
# (a reconnection after a network blip finds it again). Past that delay it only drops the
# session on its next write to that storage (another tab closing), and never shuts it down:
# the session's uploaded files stay in memory. Every ``SWEEP_S`` seconds, a thread of the
# process drops and shuts down the sessions past their delay, then hands the freed memory back
# to the system (``release_memory``), as it does when sessions were closed outright.

SWEEP_S = 10.0
_sweeper: threading.Thread | None = None


def expired_sessions(manager: object) -> list:
    """The sessions that ``manager`` (Streamlit's session manager) kept for a reconnection and
    whose delay ran out, removed from its storage; none when its storage is not Streamlit's
    in-memory one."""
    storage = getattr(manager, "_session_storage", None)
    expire = getattr(getattr(storage, "_cache", None), "expire", None)
    lock = getattr(manager, "_storage_lock", None)
    if expire is None or lock is None:
        return []
    with lock:  # the storage is not thread-safe; Streamlit writes it under this lock
        removed = expire()
    return [info.session for _, info in removed]


def sweep_sessions(manager: object, active_before: int | None = None) -> tuple[int, int]:
    """Shut down the expired sessions of ``manager`` and, when sessions went away (expired,
    or fewer active ones than ``active_before``), release the memory they held.

    Returns the number of sessions shut down and the number of active sessions.
    """
    expired = expired_sessions(manager)
    for session in expired:
        session.shutdown()
    count = getattr(manager, "num_active_sessions", None)
    active = count() if count is not None else 0
    if expired or (active_before is not None and active < active_before):
        release_memory()
    return len(expired), active


def start_session_sweeper(interval_s: float = SWEEP_S) -> bool:
    """Start, once per process, the thread that sweeps closed sessions every ``interval_s``
    seconds (``sweep_sessions`` on the running server's session manager). Returns whether this
    call started it."""
    global _sweeper
    with _lock:
        if _sweeper is not None and _sweeper.is_alive():
            return False
        _sweeper = threading.Thread(
            target=_sweep_forever, args=(interval_s,), name="territoires-sessions", daemon=True
        )
        _sweeper.start()
    return True


def _sweep_forever(interval_s: float) -> None:
    from streamlit import runtime

    active: int | None = None
    while True:
        time.sleep(interval_s)
        if not runtime.exists():
            continue
        manager = getattr(runtime.get_instance(), "_session_mgr", None)
        try:
            _, active = sweep_sessions(manager, active)
        except Exception:  # never let the sweeper die: the next pass tries again
            _LOG.exception("Nettoyage des sessions fermées impossible")
