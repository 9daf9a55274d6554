"""French number formatting for every text users read: pages, popups, legends, reports, CLI.

One convention everywhere: a narrow no-break space between thousands (``12 345``), a decimal
comma, a no-break space before a unit (``12 345 €``, ``42 %``, ``3,5 km``), and an en dash
(``–``) for a missing value. Files meant for spreadsheets (CSV, XLSX) keep plain numbers.
"""

from __future__ import annotations

import math

NBSP = "\u00a0"  # between a number and its unit
THOUSANDS = "\u202f"  # narrow no-break space, French typography's thousands separator
MISSING = "–"


def _missing(value: float | int | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fr_number(value: float | int | None, decimals: int = 0) -> str:
    """Format a number the French way: ``12 345,6``; ``–`` when missing, ``∞`` when infinite."""
    if _missing(value):
        return MISSING
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", THOUSANDS).replace(".", ",")


def fr_count(number: float, singular: str, plural: str | None = None, decimals: int = 0) -> str:
    """« 0 ligne », « 1 ligne », « 1,5 initiative », « 1 234 lignes »: in French, a number
    below 2 (as written, once rounded) takes the singular."""
    noun = singular if abs(round(number, decimals)) < 2 else (plural or f"{singular}s")
    return f"{fr_number(number, decimals)} {noun}"


def fr_percent(share: float | None, decimals: int = 0) -> str:
    """Format a share in [0, 1] as a French percentage: ``42 %``."""
    if _missing(share):
        return MISSING
    return f"{fr_number(100 * share, decimals)}{NBSP}%"


def fr_euros(value: float | None) -> str:
    """Format an amount in euros, rounded to the euro: ``12 345 €``."""
    if _missing(value):
        return MISSING
    return f"{fr_number(value)}{NBSP}€"


def fr_euros_short(value: float | None) -> str:
    """A compact amount for key figures: ``850 €``, ``12,5 k€``, ``20,3 M€``."""
    if _missing(value):
        return MISSING
    if abs(value) >= 1e6:
        return f"{fr_number(value / 1e6, 1)}{NBSP}M€"
    if abs(value) >= 1e4:
        return f"{fr_number(value / 1e3, 1)}{NBSP}k€"
    return fr_euros(value)


def fr_file_size(size: int) -> str:
    """A file's size in French units: ``850 o``, ``12,5 Ko``, ``3,4 Mo`` (base 1024)."""
    if size < 1024:
        return f"{fr_number(size)}{NBSP}o"
    if size < 1024**2:
        return f"{fr_number(size / 1024, 1)}{NBSP}Ko"
    return f"{fr_number(size / 1024**2, 1)}{NBSP}Mo"


def fr_km(value: float | None, decimals: int = 1) -> str:
    """Format a distance in km: ``12,3 km``; an infinite distance reads « aucune initiative »."""
    if _missing(value):
        return MISSING
    if math.isinf(value):
        return "aucune initiative dans la zone"
    return f"{fr_number(value, decimals)}{NBSP}km"


_MARKDOWN_PUNCTUATION = frozenset("\\`*_{}[]()<>#+-.!|~$:=&^\"'")


def markdown_literal(text: str) -> str:
    """``text`` as Markdown that shows it as typed: links, emphasis, Streamlit's colours and
    icons (``:red[…]``, ``:material/…:``) and formulas (``$…$``) are escaped."""
    return "".join(f"\\{c}" if c in _MARKDOWN_PUNCTUATION else c for c in text)
