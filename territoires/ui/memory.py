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
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading

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
