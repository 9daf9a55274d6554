"""Timing helper shared by the benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def best_of(function: Callable[[], T], repeat: int = 1) -> tuple[float, T]:
    """Run ``function`` ``repeat`` times; return the best time in seconds and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result
