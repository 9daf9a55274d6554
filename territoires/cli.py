"""Command-line entry point.

Each domain module that offers commands exposes ``register(subparsers)``; this module only
wires them together and turns ``TerritoiresError`` into a French message and exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from territoires.errors import TerritoiresError

# Modules that contribute sub-commands, each with a ``register(subparsers)`` function.
COMMAND_MODULES: tuple[str, ...] = (
    "territoires.geo.cli",
    "territoires.importers.cli",
    "territoires.analysis.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m territoires",
        description="Territoires d'engagement : référentiel géographique, imports, analyses.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except TerritoiresError as exc:
        print(f"Erreur : {exc.user_message}", file=sys.stderr)
        return 2
