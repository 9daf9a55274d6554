"""``python -m bench``: run every ``bench/bench_*.py`` module's ``main()`` in turn.

Each benchmark prints its figures next to a naive baseline measured in the same run, so the
ratios hold on any machine. Speed targets live here, never in the timed tests.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def modules(selected: list[str] | None = None) -> list[str]:
    """Names of the benchmark modules, optionally filtered by a substring of their name."""
    names = sorted(f"bench.{p.stem}" for p in Path(__file__).parent.glob("bench_*.py"))
    if selected:
        names = [n for n in names if any(s in n for s in selected)]
    return names


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    for name in modules(args):
        print(f"\n=== {name} ===", flush=True)
        start = time.perf_counter()
        importlib.import_module(name).main()
        print(f"--- {name} : {time.perf_counter() - start:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
