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
