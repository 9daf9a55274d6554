"""Sub-commands ``import`` and ``export`` of ``python -m territoires``."""

from __future__ import annotations

import argparse
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from territoires.errors import ExportError
from territoires.geo.reference import GeoReference


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``import``, ``modele`` and ``export`` sub-commands."""
    parser = subparsers.add_parser(
        "import",
        help="Importer des initiatives depuis un fichier CSV ou XLSX.",
        description=(
            "Importe un fichier CSV ou XLSX en une seule transaction. Statut de sortie : 0 si "
            "toutes les lignes sont importées, 1 si des lignes sont rejetées (les autres sont "
            "importées), 2 si le fichier est illisible (rien n'est importé)."
        ),
    )
    parser.add_argument("file", metavar="FICHIER", type=Path)
    parser.add_argument("--db", help="adresse de la base (défaut : TERRITOIRES_DATABASE_URL)")
    parser.add_argument("--dry-run", action="store_true", help="simuler sans rien enregistrer")
    parser.add_argument(
        "--user",
        metavar="EMAIL",
        help="qui importe, écrit dans l'historique (défaut : le nom d'utilisateur du système)",
    )
    parser.add_argument("--rejects", type=Path, help="fichier des lignes rejetées (.csv ou .xlsx)")
    parser.add_argument("--sheet", help="feuille du classeur XLSX (défaut : la première)")
    parser.add_argument(
        "--suggestions",
        type=Path,
        metavar="CHEMIN",
        help="écrire les valeurs non reconnues et leur proposition (CSV : colonne, valeur, "
        "proposition, raison), à vérifier puis à relire par --mapping",
    )
    parser.add_argument(
        "--mapping",
        type=Path,
        metavar="CHEMIN",
        help="appliquer les correspondances de ce fichier (même format que --suggestions) "
        "et les enregistrer pour les prochains imports",
    )
    parser.add_argument(
        "--confirm-updates",
        action="store_true",
        help="confirmer que les lignes dont la référence est déjà enregistrée, avec au moins "
        "deux de leurs titre, porteur et commune différents, sont des mises à jour (sans "
        "cette option, elles sont rejetées avec les deux versions)",
    )
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLONNE=CHAMP",
        help="forcer la correspondance d'une colonne (répétable), ex. « Ville=commune »",
    )
    parser.set_defaults(func=run_import)

    parser = subparsers.add_parser(
        "modele",
        help="Écrire le modèle de fichier à remplir pour l'import (XLSX ou CSV).",
        description=(
            "Écrit un fichier vide dont les colonnes sont reconnues par « import » ; en XLSX, "
            "une feuille « Aide » dit quoi mettre dans chaque colonne. Le format suit "
            "l'extension du fichier (.xlsx ou .csv)."
        ),
    )
    parser.add_argument(
        "--output", type=Path, required=True, metavar="CHEMIN", help="fichier à écrire"
    )
    parser.set_defaults(func=run_template)

    parser = subparsers.add_parser("export", help="Exporter les initiatives.")
    parser.add_argument("--db", help="adresse de la base (défaut : TERRITOIRES_DATABASE_URL)")
    parser.add_argument("--format", choices=("csv", "xlsx", "geojson"), default="csv")
    parser.add_argument("--output", type=Path, required=True, metavar="CHEMIN")
    parser.set_defaults(func=run_export)


def _reference() -> GeoReference:
    """The reference without its outlines (read on first use: a row located by its point,
    a GeoJSON export); the import needs only the tables, postcodes and aliases."""
    from territoires.geo.cache import load_reference

    return load_reference(geometries=False)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector (reference counting still frees memory at once).

    An import builds hundreds of thousands of small objects that live until its end, and the
    collector would walk them again and again for nothing: about a sixth of the command's
    time on 50,000 rows. Used by the command, a process of its own, not by the app's server.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_import(args: argparse.Namespace) -> int:
    from territoires.importers.correspondences import read_correspondences, write_suggestions
    from territoires.importers.headers import parse_mapping_options
    from territoires.importers.pipeline import import_file
    from territoires.store import cli_actor, open_store

    mapping = parse_mapping_options(args.map)
    confirmed = read_correspondences(args.mapping) if args.mapping else []
    store = open_store(args.db)
    try:
        with cyclic_gc_paused():
            report = import_file(
                args.file,
                store,
                _reference(),
                actor=cli_actor(args.user),
                sheet=args.sheet,
                mapping=mapping,
                correspondences=confirmed,
                confirm_updates=args.confirm_updates,
                dry_run=args.dry_run,
                rejects_path=args.rejects,
            )
    finally:
        store.close()
    print("\n".join(report.summary_lines()))
    if args.suggestions is not None:
        write_suggestions(report.plan.suggestions, args.suggestions)
        print(f"Suggestions écrites dans {args.suggestions} ({len(report.plan.suggestions)}).")
    elif report.plan.suggestions:
        print("Astuce : --suggestions suggestions.csv écrit les valeurs à confirmer.")
    if report.rejected and args.rejects is None:
        print("Astuce : --rejects rejets.csv écrit les lignes rejetées pour les corriger.")
    return report.exit_code


def run_template(args: argparse.Namespace) -> int:
    from territoires.exports import write_file
    from territoires.importers.template import template_csv, template_xlsx
    from territoires.store import load_referentiels

    suffix = args.output.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ExportError(
            f"Extension non prise en charge : « {suffix} » (attendu : .xlsx ou .csv)."
        )
    data = template_xlsx(load_referentiels()) if suffix == ".xlsx" else template_csv()
    write_file(args.output, data)
    print(f"Modèle d'import écrit dans {args.output}.")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from territoires.exports import export_initiatives, write_file
    from territoires.store import open_store

    store = open_store(args.db)
    try:
        initiatives = store.list_initiatives()
    finally:
        store.close()
    reference = _reference()
    if args.format == "geojson":
        reference.commune_geometries()  # points inside the communes
    write_file(args.output, export_initiatives(initiatives, reference, args.format))
    print(f"{len(initiatives)} initiatives exportées dans {args.output} ({args.format}).")
    return 0
