"""Values that depend on the geographic reference alone, computed ahead in the background.

The « Couverture » page needs, besides the initiatives, tables derived from the reference and
the built-in need indicators: each commune's point and distance to a town, the FRR list, the
need means of the EPCI and of their départements. They do not change with the data, so the
server computes them once per process, in a background thread started after the first page
it serves, instead of making the first visitor of « Couverture » wait for them. The page
computes them itself when it comes first (the values are memoised per reference either way).
"""

from __future__ import annotations

import logging
import threading

from territoires.geo.reference import GeoReference

_LOG = logging.getLogger("territoires")
_started: list[threading.Thread] = []
_lock = threading.Lock()


def warm_reference(reference: GeoReference) -> None:
    """Compute what « Couverture » opened with its defaults takes from the reference alone:
    the built-in indicators, the FRR codes and the ranking's need side (EPCI of France,
    compared with their départements, the indicators used by default)."""
    from territoires.analysis.aggregate import FRANCE
    from territoires.analysis.indicators import builtin_indicators, frr_codes
    from territoires.analysis.ranking import DEFAULT_REFERENCE_LEVEL, need_side
    from territoires.analysis.score import ScoreSettings

    indicators = builtin_indicators(reference)
    frr_codes(reference)
    defaults = ScoreSettings()
    used = [i for i in indicators if defaults.need.get(i.key, 0) > 0]
    need_side(reference, "epci", FRANCE, DEFAULT_REFERENCE_LEVEL, used)


def started() -> bool:
    """Whether ``start_warmup`` already ran in this process."""
    return bool(_started)


def start_warmup(reference: GeoReference) -> bool:
    """Start ``warm_reference`` in a background thread, once per process. Returns whether
    this call started it."""
    with _lock:
        if _started:
            return False
        thread = threading.Thread(
            target=_warm, args=(reference,), name="territoires-prechauffage", daemon=True
        )
        _started.append(thread)
    thread.start()
    return True


def _warm(reference: GeoReference) -> None:
    try:
        warm_reference(reference)
    except Exception:  # the page computes them itself; never let this thread fail loudly
        _LOG.exception("Préparation des tables du référentiel impossible")
