"""One measurement process of ``bench_scale``: the app's pages run server-side (AppTest) by the
code found in the current folder, on the database that ``TERRITOIRES_DATABASE_URL`` names.

Run as a script (``python bench/scale_worker.py``) from the folder of the code measured, with
that folder on ``PYTHONPATH``, so that the same measurements run today's code and the code of
before; prints one JSON line of figures (seconds and MB). Never used by the product.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

CODE = Path.cwd()
CARTE = "app_pages/carte.py"
SESSIONS = 5  # extra sessions opened to measure the memory each one holds
TIMEOUT_S = 900


def rss_mb() -> float:
    """The process's resident memory, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def visit(page: str, **params: str):
    """A new session's first run of ``page``: the session and its seconds."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(CODE / "app.py"), default_timeout=TIMEOUT_S)
    at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    return at, rerun(at)


def rerun(at) -> float:
    """Seconds of one run of a session's script, checked to raise nothing."""
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError([e.value for e in at.exception])
    return elapsed


def filter_changes(at) -> list[float]:
    """Seconds of three filter changes in a session on « Carte » (each one new to the
    process: computed, not read from a cache)."""
    from territoires.analysis.aggregate import THEMES
    from territoires.analysis.synthetic import FUNDERS
    from territoires.filters import Filters

    themes = list(THEMES)
    changes = [
        Filters(themes=(themes[0],)),
        Filters(themes=(themes[1],), year_min=2021),
        Filters(funders=(FUNDERS[0],), themes=(themes[2],)),
    ]
    times = []
    for filters in changes:
        at.session_state["territoires_filters"] = filters  # what the sidebar's widgets set
        times.append(rerun(at))
    return times


def edit_one() -> None:
    """Change one initiative's title through the store, as a user's edit does: a new data
    version, the same communes served. The title goes back and forth between runs."""
    from territoires.store import open_store
    from territoires.store.users import local_actor

    store = open_store(os.environ["TERRITOIRES_DATABASE_URL"])
    record = store.get_initiative(1)
    title = str(record["titre"])
    changed = title.removesuffix(" (modifiée)") if title.endswith(")") else f"{title} (modifiée)"
    store.update_initiative(
        1, {"titre": changed}, expected_version=record["version"], actor=local_actor()
    )
    store.close()


def release() -> None:
    """What the server does once sessions closed: the code's own release of freed memory
    (``territoires.ui.memory.release_memory``) when it has one, else a collection."""
    try:
        from territoires.ui.memory import release_memory
    except ImportError:
        gc.collect()
    else:
        release_memory()


def main() -> None:
    from territoires.filters import Filters, filters_to_params
    from territoires.geo.reference import Scope

    start_mb = rss_mb()
    _, first = visit(CARTE)
    session, france = visit(CARTE)
    changes = filter_changes(session)
    bretagne = filters_to_params(Filters(scope=Scope("region", "53")))
    _, bzh = visit(CARTE, **bretagne)
    _, couverture = visit("app_pages/couverture.py")
    _, couverture_again = visit("app_pages/couverture.py")
    _, table = visit("app_pages/initiatives.py")
    _, table_again = visit("app_pages/initiatives.py")
    del session
    gc.collect()
    before = rss_mb()
    sessions = [visit(CARTE)[0] for _ in range(SESSIONS)]
    opened = rss_mb()
    del sessions
    release()
    closed = rss_mb()
    edit_one()  # last: the figures above are those of one data version
    _, couverture_edited = visit("app_pages/couverture.py")
    figures = {
        "carte_premiere_s": first,
        "carte_france_s": france,
        "filtre_s": statistics.median(changes),
        "carte_bretagne_s": bzh,
        "couverture_s": couverture,
        "couverture_2_s": couverture_again,
        "couverture_modif_s": couverture_edited,
        "initiatives_s": table,
        "initiatives_2_s": table_again,
        "memoire_mb": opened,
        "memoire_depart_mb": start_mb,
        "par_session_mb": (opened - before) / SESSIONS,
        "apres_fermeture_mb": closed - before,
    }
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    sys.exit(main())
