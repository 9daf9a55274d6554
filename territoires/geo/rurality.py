"""Rurality of communes: a density approximation by default, official files when imported."""

from __future__ import annotations

import pandas as pd


def load_official_override() -> pd.DataFrame | None:
    """Placeholder until official files are supported."""
    return None
