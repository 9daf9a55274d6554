"""Values memoised per reference object (references are read-only by contract).

A value is recomputed when the reference's communes frame (or any object named in ``token``)
is replaced, and dropped when the reference is garbage-collected.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_MEMO: dict[tuple[int, str], tuple[weakref.ref, tuple[int, ...], Any]] = {}


def per_reference(
    reference: Any, name: str, compute: Callable[[], T], token: tuple[Any, ...] = ()
) -> T:
    """Return ``compute()``, computed once per ``(reference, name)`` while ``token`` holds.

    Parameters
    ----------
    reference : GeoReference
        The object the value belongs to (weakly referenced).
    name : str
        What is memoised (several values per reference).
    compute : callable
        Computes the value.
    token : tuple, optional
        Objects the value also depends on; a new object (another ``id``) recomputes it.
    """
    key = (id(reference), name)
    ids = (id(reference.communes), *(id(part) for part in token))
    memo = _MEMO.get(key)
    if memo is not None and memo[0]() is reference and memo[1] == ids:
        return memo[2]
    value = compute()
    if memo is None or memo[0]() is not reference:
        weakref.finalize(reference, _MEMO.pop, key, None)
    _MEMO[key] = (weakref.ref(reference), ids, value)
    return value
