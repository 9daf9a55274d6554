"""Timing helper shared by the benchmarks."""

from __future__ import annotations

import resource
import subprocess
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def best_of(function: Callable[[], T], repeat: int = 1) -> tuple[float, T]:
    """Run ``function`` ``repeat`` times; return the best time in seconds and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def timed_process(command: Sequence[str], **options: Any) -> tuple[float, float, Any]:
    """Run a command to its end (``subprocess.run`` options, output captured as text); return
    its wall-clock seconds, its CPU seconds (less sensitive than the clock to a machine shared
    with other work) and the finished process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(list(command), capture_output=True, text=True, check=False, **options)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, done
