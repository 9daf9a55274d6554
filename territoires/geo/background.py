"""Build the geodata cache once per process, in a background thread.

The app's first start must survive a user clicking around (each click interrupts the Streamlit
script run) and several browsers opening at once: the build runs in one thread per process,
and every session only reads its progress.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from territoires.errors import TerritoiresError

BuildFunction = Callable[..., object]


@dataclass
class BuildJob:
    """Progress of the one background build: fraction in [0, 1], French message, outcome."""

    fraction: float = 0.0
    message: str = ""
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def report(self, fraction: float, message: str) -> None:
        self.fraction = min(max(float(fraction), 0.0), 1.0)
        self.message = message


_lock = threading.Lock()
_job: BuildJob | None = None


def background_build(build: BuildFunction | None = None) -> BuildJob:
    """Start the geodata build unless one was started in this process; return its job.

    Parameters
    ----------
    build : callable, optional
        Called as ``build(progress=job.report)``; ``build_geodata(if_missing=True)`` by default.
    """
    global _job
    with _lock:
        if _job is not None:
            return _job
        if build is None:
            from territoires.geo.build import build_geodata

            # another app process may be building it, or have built it meanwhile: wait, keep it
            build = functools.partial(build_geodata, if_missing=True)
        job = BuildJob()

        def run() -> None:
            try:
                build(progress=job.report)
            except TerritoiresError as exc:
                job.error = exc.user_message
            finally:
                job.done.set()

        threading.Thread(target=run, name="geodata-build", daemon=True).start()
        _job = job
        return job


def forget_job() -> None:
    """Forget the finished job, so that a later call may build again (tests, retries)."""
    global _job
    with _lock:
        if _job is not None and _job.done.is_set():
            _job = None
