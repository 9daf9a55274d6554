"""French number formatting for texts users read (reasons, reports, tables)."""

from __future__ import annotations

import math

NBSP = "\u00a0"


def fr_number(value: float | int | None, decimals: int = 0) -> str:
    """Format a number the French way: ``12 345,6`` (non-breaking space, decimal comma)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",")


def fr_percent(share: float | None, decimals: int = 0) -> str:
    """Format a share in [0, 1] as a French percentage: ``42 %``."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    return f"{fr_number(100 * share, decimals)}{NBSP}%"


def fr_euros(value: float | None) -> str:
    """Format an amount in euros: ``12 345 €``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{fr_number(value)}{NBSP}€"


def fr_km(value: float | None, decimals: int = 1) -> str:
    """Format a distance in km: ``12,3 km``; an infinite distance reads « aucune initiative »."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if math.isinf(value):
        return "aucune initiative dans la zone"
    return f"{fr_number(value, decimals)}{NBSP}km"
