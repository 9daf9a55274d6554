"""Sub-commands ``coverage``, ``suggest`` and ``sheet`` for scripted reports.

Examples::

    python -m territoires coverage --level epci --scope region:53 --output epci.xlsx
    python -m territoires suggest --k 10 --radius-km 15 --scope departement:29 --output sites.csv
    python -m territoires sheet --territory territoire:centre-bretagne --output fiche.pdf
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from territoires.analysis.coverage import DEFAULT_RADIUS_KM, commune_coverage, coverage
from territoires.analysis.profile import parse_territory
from territoires.analysis.score import ScoreWeights, underserved_score
from territoires.analysis.suggest import suggest_sites
from territoires.analysis.tables import coverage_export, suggestion_export
from territoires.errors import AnalysisError
from territoires.geo.reference import GeoReference

COVERAGE_LEVELS = ("commune", "epci", "departement", "region", "territoire")


def rural_codes(reference: GeoReference) -> set[str] | None:
    """INSEE codes of rural communes (official grid when imported, else the approximation)."""
    from territoires.geo.rurality import rurality_frame

    frame = rurality_frame(reference)
    if frame is None or frame.empty:
        return None
    return set(frame.loc[frame["rural"].astype(bool), "code_insee"].astype(str))


def frr_codes(reference: GeoReference) -> set[str] | None:
    """INSEE codes of FRR communes when the official list has been imported, else None."""
    from territoires.analysis.coverage import frr_codes_from

    return frr_codes_from(getattr(reference, "frr", None))


def rurality_lines(reference: GeoReference) -> list[str]:
    """Source lines naming the rurality (and FRR list) in use."""
    from territoires.geo.rurality import rurality_source

    return [f"Ruralité : {rurality_source(reference)}"]


def _load(args: argparse.Namespace) -> tuple[GeoReference, pd.DataFrame]:
    from territoires.geo.cache import load_reference
    from territoires.store import open_store

    reference = load_reference()
    store = open_store(args.db)
    try:
        initiatives = store.list_initiatives()
    finally:
        store.close()
    return reference, initiatives


TABLE_FORMATS = ("csv", "xlsx")


def _table_format(output: Path) -> str:
    suffix = output.suffix.lower().lstrip(".")
    if suffix not in TABLE_FORMATS:
        raise AnalysisError(
            f"Format de sortie non pris en charge : « {output.suffix or output.name} » "
            f"(attendu : {', '.join('.' + a for a in TABLE_FORMATS)})."
        )
    return suffix


def _write_table(frame: pd.DataFrame, output: Path) -> None:
    from territoires.exports import to_csv_bytes, to_xlsx_bytes, write_file

    suffix = _table_format(output)
    write_file(output, to_csv_bytes(frame) if suffix == "csv" else to_xlsx_bytes(frame))


def run_coverage(args: argparse.Namespace) -> int:
    _table_format(Path(args.output))
    reference, initiatives = _load(args)
    scope = parse_territory(args.scope, reference).scope
    table = coverage(
        initiatives,
        reference,
        args.level,
        scope,
        radius_km=args.radius_km,
        rural_codes=rural_codes(reference),
        frr_codes=frr_codes(reference),
    )
    scored = underserved_score(table, ScoreWeights(), radius_km=args.radius_km)
    _write_table(coverage_export(scored), Path(args.output))
    print(f"{len(scored)} territoires écrits dans {args.output}")
    return 0


def run_suggest(args: argparse.Namespace) -> int:
    _table_format(Path(args.output))
    reference, initiatives = _load(args)
    scope = parse_territory(args.scope, reference).scope
    sites = suggest_sites(
        initiatives,
        reference,
        k=args.k,
        radius_km=args.radius_km,
        scope=scope,
        rural_codes=rural_codes(reference),
        frr_codes=frr_codes(reference),
        frr_only=args.frr_only,
    )
    _write_table(suggestion_export(sites), Path(args.output))
    print(
        f"{len(sites)} propositions (algorithme glouton) écrites dans {args.output} ; "
        f"population rurale non couverte au départ : {sites.attrs['population_a_couvrir']}"
    )
    return 0


def run_sheet(args: argparse.Namespace) -> int:
    from territoires.exports import write_file
    from territoires.reports import check_format, sheet_for_territory

    output = Path(args.output)
    check_format(output.suffix.lower().lstrip("."))
    reference, initiatives = _load(args)
    key = parse_territory(args.territory, reference)
    communes = commune_coverage(initiatives, reference, radius_km=args.radius_km)
    data = sheet_for_territory(
        initiatives,
        reference,
        key,
        output_format=output.suffix.lower().lstrip("."),
        reference_level=args.reference,
        radius_km=args.radius_km,
        rural_codes=rural_codes(reference),
        frr_codes=frr_codes(reference),
        communes=communes,
        extra_sources=rurality_lines(reference),
    )
    write_file(output, data)
    print(f"Fiche « {key.label} » écrite dans {output}")
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=None, help="URL de la base (défaut : réglage)")
    parser.add_argument(
        "--radius-km",
        type=float,
        default=DEFAULT_RADIUS_KM,
        help="portée X en km (défaut : 15)",
    )
    parser.add_argument("--output", required=True, help="fichier de sortie")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``coverage``, ``suggest`` and ``sheet`` sub-commands."""
    scope_help = (
        "périmètre : france, departement:29, region:53, epci:242900744, "
        "territoire:centre-bretagne (défaut : france)"
    )
    cov = subparsers.add_parser("coverage", help="Couverture et score par territoire (CSV/XLSX).")
    cov.add_argument("--level", choices=COVERAGE_LEVELS, required=True)
    cov.add_argument("--scope", default="france", help=scope_help)
    _common(cov)
    cov.set_defaults(func=run_coverage)

    sug = subparsers.add_parser("suggest", help="Où agir ensuite ? (algorithme glouton).")
    sug.add_argument("--k", type=int, default=10, help="nombre de propositions (défaut : 10)")
    sug.add_argument("--scope", default="france", help=scope_help)
    sug.add_argument("--frr-only", action="store_true", help="seulement des communes FRR")
    _common(sug)
    sug.set_defaults(func=run_suggest)

    sheet = subparsers.add_parser("sheet", help="Fiche de réunion d'un territoire (PDF/PPTX).")
    sheet.add_argument(
        "--territory", required=True, help="territoire : code, identifiant ou niveau:code"
    )
    sheet.add_argument(
        "--reference",
        choices=("departement", "region", "france"),
        default="france",
        help="territoire de comparaison (défaut : france)",
    )
    _common(sheet)
    sheet.set_defaults(func=run_sheet)
