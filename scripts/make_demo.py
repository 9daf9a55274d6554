"""Regenerate the committed fictional demo dataset from the real commune reference.

Usage: ``python scripts/make_demo.py [--size 480] [--seed 20240915]``. The output is
deterministic for a given reference, size and seed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from territoires.demo import DEMO_PATH, DEMO_SEED, DEMO_SIZE, generate_demo, write_demo  # noqa: E402
from territoires.geo.cache import load_reference  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Génère le jeu de démonstration fictif.")
    parser.add_argument("--size", type=int, default=DEMO_SIZE)
    parser.add_argument("--seed", type=int, default=DEMO_SEED)
    parser.add_argument("--output", type=Path, default=DEMO_PATH)
    args = parser.parse_args(argv)
    records = generate_demo(load_reference(), size=args.size, seed=args.seed)
    path = write_demo(records, args.output)
    print(f"{len(records)} initiatives fictives écrites dans {path}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
