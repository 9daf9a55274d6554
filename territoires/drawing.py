"""The one way the project draws with matplotlib: every text drawn as typed.

matplotlib reads a text between two ``$`` as a formula (« mathtext »): a funder named
``Fonds $\\undefinedmacro{$ local`` or a search typed in a shared link would either be drawn as
something else or make the export fail. The map's slide PNG and the meeting sheet's map and
charts are all drawn through ``render_png``, which turns formulas off for every text of the
figure (titles, labels, legends, tick labels: the last are made while saving, hence inside).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping

import matplotlib
from matplotlib.figure import Figure

# Texts are drawn as typed: no formula (mathtext), no LaTeX.
LITERAL_TEXT: dict[str, object] = {"text.parse_math": False, "text.usetex": False}


def render_png(
    draw: Callable[[Figure], None],
    *,
    figsize: tuple[float, float],
    dpi: int,
    rc: Mapping[str, object] | None = None,
    **savefig: object,
) -> bytes:
    """Draw a figure with ``draw(fig)`` and return it as PNG bytes, every text literal.

    Parameters
    ----------
    draw : callable
        Fills the (pyplot-free, thread-safe) figure it is given.
    figsize : (float, float)
        Size in inches.
    dpi : int
        Resolution of the PNG.
    rc : mapping, optional
        Other matplotlib settings for this figure (``{"hatch.linewidth": 0.6}``).
    **savefig
        Passed to ``Figure.savefig`` (``bbox_inches="tight"``…).
    """
    with matplotlib.rc_context({**(rc or {}), **LITERAL_TEXT}):
        fig = Figure(figsize=figsize, dpi=dpi)
        draw(fig)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, facecolor="white", **savefig)
    return buffer.getvalue()
