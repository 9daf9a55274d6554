"""Class breaks for choropleths (mapclassify), with zero and missing values kept apart.

Class index convention, shared by the web map, the legend and the PNG:

- ``-1``: no data (NaN, e.g. a per-inhabitant measure where the population is 0);
- ``0``: zero (no initiative);
- ``1..n``: classes of the strictly positive values, by quantiles or natural breaks.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import mapclassify
import numpy as np

Method = Literal["quantiles", "jenks"]
METHODS: tuple[Method, ...] = ("quantiles", "jenks")
METHOD_LABELS: dict[str, str] = {"quantiles": "Quantiles", "jenks": "Seuils naturels (Jenks)"}
NO_DATA = -1
ZERO = 0
_JENKS_SAMPLE = 200  # Fisher–Jenks is O(k·n²) in pure Python without numba


@dataclass(frozen=True)
class Classification:
    """Breaks of the positive values and the class of each value.

    Attributes
    ----------
    lower : float or None
        Smallest positive value (the lower bound of class 1), None without positive values.
    breaks : tuple of float
        Upper bound of each class 1..n (inclusive).
    classes : tuple of int
        Class of each input value (``-1`` no data, ``0`` zero, ``1..n``).
    """

    lower: float | None
    breaks: tuple[float, ...]
    classes: tuple[int, ...]

    @property
    def count(self) -> int:
        """Number of classes of positive values."""
        return len(self.breaks)


def _bins(positive: np.ndarray, method: Method, k: int, integer: bool) -> np.ndarray:
    distinct = np.unique(positive)
    k = max(1, min(k, distinct.size))
    if k == 1:
        return np.array([distinct[-1]])
    if method == "quantiles":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "Not enough unique values…"
            bins = mapclassify.Quantiles(positive, k=k).bins
    else:
        sample = positive
        if positive.size > _JENKS_SAMPLE:  # deterministic sample: evenly spaced order statistics
            order = np.sort(positive)
            sample = order[np.linspace(0, order.size - 1, _JENKS_SAMPLE).round().astype(int)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "Numba not installed"
            bins = mapclassify.FisherJenks(sample, k=k).bins
    bins = np.asarray(bins, dtype=float)
    if integer:  # counts: classes are whole numbers (1 – 3, 4, 5 – 9…)
        bins = np.floor(bins)
    bins = np.unique(bins)
    bins[-1] = max(bins[-1], distinct[-1])
    return bins


def classify(
    values, method: Method = "quantiles", k: int = 5, *, integer: bool = False
) -> Classification:
    """Classify values for a choropleth.

    Parameters
    ----------
    values : array-like of float
        One value per territory; NaN means no data.
    method : {"quantiles", "jenks"}
        Quantiles, or Fisher–Jenks natural breaks (on a deterministic sample above 200 values).
    k : int
        Wanted number of classes of positive values (fewer when there are fewer distinct values).
    integer : bool
        Values are counts: class bounds are whole numbers.
    """
    if method not in METHODS:
        raise ValueError(f"expected a method in {METHODS}, got {method!r}")
    if not 1 <= k <= 9:
        raise ValueError(f"expected 1 <= k <= 9, got {k}")
    array = np.asarray(values, dtype=float)
    classes = np.full(array.shape, NO_DATA, dtype=int)
    classes[array == 0] = ZERO
    positive_mask = np.isfinite(array) & (array > 0)
    positive = array[positive_mask]
    if positive.size == 0:
        return Classification(None, (), tuple(int(c) for c in classes))
    bins = _bins(positive, method, k, integer)
    classes[positive_mask] = np.searchsorted(bins, positive, side="left") + 1
    return Classification(
        float(positive.min()), tuple(float(b) for b in bins), tuple(int(c) for c in classes)
    )
