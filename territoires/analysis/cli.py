"""Sub-commands ``coverage``, ``suggest`` and ``sheet`` for scripted reports.

Examples::

    python -m territoires coverage --level epci --scope region:53 --output epci.xlsx
    python -m territoires coverage --level epci --theme prendre-soin --part-signalee 10 \
        --reference region --output epci.csv
    python -m territoires suggest --k 10 --radius-km 15 --scope departement:29 --output sites.csv
    python -m territoires suggest --objectif rurale --output sites.csv
    python -m territoires sheet --territory territoire:centre-bretagne --output fiche.pdf
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from territoires.analysis.aggregate import THEMES, theme_label
from territoires.analysis.coverage import DEFAULT_RADIUS_KM, commune_coverage
from territoires.analysis.indicators import (
    DIRECTION_LABELS,
    DIRECTIONS,
    IMPORTED_PREFIX,
    INDICATOR_LEVELS,
    Indicator,
    builtin_indicators,
)
from territoires.analysis.profile import parse_territory
from territoires.analysis.ranking import REFERENCE_LEVELS, rank_territories, selection_of
from territoires.analysis.score import (
    DEFAULT_COVERAGE_WEIGHTS,
    DEFAULT_FLAGGED_SHARE,
    DEFAULT_NEED_SHARE,
    DEFAULT_NEED_WEIGHTS,
    ScoreSettings,
)
from territoires.analysis.suggest import OBJECTIVES, suggest_sites
from territoires.analysis.tables import coverage_export, suggestion_export
from territoires.errors import AnalysisError
from territoires.geo.reference import GeoReference

USER_HELP = "qui agit, écrit dans l'historique (défaut : le nom d'utilisateur du système)"
COVERAGE_LEVELS = ("commune", "epci", "departement", "region", "territoire")


def rural_codes(reference: GeoReference) -> set[str] | None:
    """INSEE codes of rural communes (official grid when imported, else the approximation)."""
    from territoires.geo.rurality import rurality_frame

    frame = rurality_frame(reference)
    if frame is None or frame.empty:
        return None
    return set(frame.loc[frame["rural"].astype(bool), "code_insee"].astype(str))


def frr_codes(reference: GeoReference) -> set[str] | None:
    """INSEE codes of FRR communes: the imported list, else the committed one (July 2025)."""
    from territoires.analysis.indicators import frr_codes as codes

    return codes(reference)


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


def _filters(args: argparse.Namespace, reference: GeoReference, initiatives: pd.DataFrame):
    """The ``--theme`` / ``--financeur`` filters, and the initiatives they keep."""
    from territoires.filters import Filters, apply_filters

    themes = tuple(_theme_code(text) for text in args.theme or [])
    filters = Filters(themes=themes, funders=tuple(args.financeur or []))
    if filters.is_default:
        return filters, initiatives
    return filters, apply_filters(initiatives, filters, reference)


def _theme_code(text: str) -> str:
    wanted = text.strip().lower()
    for theme in THEMES:
        if wanted in (theme, theme_label(theme).lower()):
            return theme
    raise AnalysisError(f"Thème inconnu : « {text} » (attendu : {', '.join(THEMES)}).")


def indicators_for(reference: GeoReference, args: argparse.Namespace) -> list[Indicator]:
    """The need indicators offered: built in, then imported (stored in the database)."""
    from territoires.analysis.indicators import stored_indicators
    from territoires.store import open_store

    store = open_store(args.db)
    try:
        return builtin_indicators(reference) + stored_indicators(store)
    finally:
        store.close()


def _settings(args: argparse.Namespace, indicators: list[Indicator]) -> ScoreSettings:
    need = dict(DEFAULT_NEED_WEIGHTS) | {i.key: 1.0 for i in indicators if i.imported}
    if args.besoin is not None:
        keys = [key.strip() for key in args.besoin.split(",") if key.strip()]
        known = {indicator.key for indicator in indicators}
        unknown = [key for key in keys if key not in known]
        if unknown:
            raise AnalysisError(
                f"Indicateur de besoin inconnu : {', '.join(unknown)} (disponibles : "
                f"{', '.join(sorted(known))})."
            )
        need = {key: 1.0 for key in keys}
    return ScoreSettings(
        coverage_weights=DEFAULT_COVERAGE_WEIGHTS,
        need_weights=tuple(need.items()),
        need_share=args.part_besoin / 100,
        flagged_share=args.part_signalee / 100,
    )


def run_coverage(args: argparse.Namespace) -> int:
    _table_format(Path(args.output))
    reference, initiatives = _load(args)
    scope = parse_territory(args.scope, reference).scope
    filters, pool = _filters(args, reference, initiatives)
    indicators = indicators_for(reference, args)
    scored = rank_territories(
        pool,
        reference,
        args.level,
        scope,
        settings=_settings(args, indicators),
        indicators=indicators,
        selection=selection_of(filters),
        reference_level=args.reference,
        radius_km=args.radius_km,
        rural_codes=rural_codes(reference),
        frr_codes=frr_codes(reference),
    )
    from territoires.geo.rurality import rurality_label

    _write_table(coverage_export(scored, rurality_label(reference)), Path(args.output))
    ranked, flagged = int(scored["eligible"].sum()), int(scored["signale"].sum())
    print(
        f"{len(scored)} territoires écrits dans {args.output} ; {ranked} classés, "
        f"{flagged} signalés"
    )
    return 0


def run_suggest(args: argparse.Namespace) -> int:
    _table_format(Path(args.output))
    reference, initiatives = _load(args)
    scope = parse_territory(args.scope, reference).scope
    filters, pool = _filters(args, reference, initiatives)
    indicators = indicators_for(reference, args)
    sites = suggest_sites(
        pool,
        reference,
        k=args.k,
        radius_km=args.radius_km,
        scope=scope,
        rural_codes=rural_codes(reference),
        frr_codes=frr_codes(reference),
        frr_only=args.frr_only,
        rural_candidates=not args.toutes_communes,
        objective=args.objectif,
        indicators=indicators,
        need_weights=_settings(args, indicators).need,
    )
    _write_table(suggestion_export(sites), Path(args.output))
    print(
        f"{len(sites)} propositions (algorithme glouton) écrites dans {args.output} ; "
        f"population rurale non couverte au départ : {sites.attrs['population_a_couvrir']}"
    )
    return 0


def run_indicator_import(args: argparse.Namespace) -> int:
    from territoires.analysis.indicator_files import read_indicator_table
    from territoires.geo.cache import load_reference
    from territoires.store import cli_actor, open_store

    reference = load_reference()
    table = read_indicator_table(args.file, reference, level=args.niveau, column=args.colonne)
    record = table.record(
        args.libelle or table.label_hint or table.column,
        args.sens,
        args.source,
        args.millesime or table.vintage_hint,
        args.unite,
        Path(args.file).name,
    )
    if isinstance(record, str):
        raise AnalysisError(record)
    store = open_store(args.db)
    try:
        ident = store.save_indicator(record, table.values, actor=cli_actor(args.user))
    finally:
        store.close()
    print(table.summary())
    print(
        f"Indicateur « {record['libelle']} » enregistré ({IMPORTED_PREFIX}{ident}, "
        f"millésime {record['millesime']}) : il s'utilise dans le score avec "
        f"--besoin {IMPORTED_PREFIX}{ident}."
    )
    return 0


def run_indicator_list(args: argparse.Namespace) -> int:
    from territoires.store import open_store

    store = open_store(args.db)
    try:
        rows = store.indicators()
    finally:
        store.close()
    if rows.empty:
        print("Aucun indicateur importé.")
    for row in rows.to_dict("records"):
        print(
            f"{IMPORTED_PREFIX}{row['id']} : {row['libelle']} — {row['source']}, millésime "
            f"{row['millesime']} ; {row['valeurs']} valeurs par {row['niveau']} ; "
            f"{DIRECTION_LABELS[row['sens']]} ; importé le {str(row['importe_le'])[:10]}"
        )
    return 0


def run_indicator_remove(args: argparse.Namespace) -> int:
    from territoires.store import cli_actor, open_store

    ident = args.indicateur.removeprefix(IMPORTED_PREFIX)
    if not ident.isdigit():
        raise AnalysisError(f"Indicateur inconnu : « {args.indicateur} » (attendu : import-3).")
    store = open_store(args.db)
    try:
        removed = store.remove_indicator(int(ident), actor=cli_actor(args.user))
    finally:
        store.close()
    if not removed:
        raise AnalysisError(f"Indicateur inconnu : « {args.indicateur} ».")
    print(f"Indicateur {IMPORTED_PREFIX}{ident} retiré.")
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


def _percent(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"pourcentage attendu, reçu « {text} »") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"pourcentage entre 0 et 100 attendu, reçu {text}")
    return value


def _filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--theme",
        action="append",
        help=f"ne retenir que les initiatives de ce thème (répétable : {', '.join(THEMES)})",
    )
    parser.add_argument(
        "--financeur", action="append", help="ne retenir que ce financeur (répétable)"
    )
    parser.add_argument(
        "--besoin",
        default=None,
        help="indicateurs de besoin retenus, séparés par des virgules, à poids égaux "
        "(défaut : frr, hors_uu, hors_aav, evolution_population, eloignement ; "
        "« » pour aucun)",
    )
    parser.add_argument(
        "--part-besoin",
        type=_percent,
        default=100 * DEFAULT_NEED_SHARE,
        help="part du besoin dans le score, en %% (défaut : 40)",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``coverage``, ``suggest`` and ``sheet`` sub-commands."""
    scope_help = (
        "périmètre : france, departement:29, region:53, epci:242900744, "
        "territoire:centre-bretagne (défaut : france)"
    )
    cov = subparsers.add_parser("coverage", help="Couverture et score par territoire (CSV/XLSX).")
    cov.add_argument("--level", choices=COVERAGE_LEVELS, required=True)
    cov.add_argument("--scope", default="france", help=scope_help)
    cov.add_argument(
        "--reference",
        choices=REFERENCE_LEVELS,
        default="departement",
        help="territoire auquel les raisons comparent chaque valeur (défaut : departement)",
    )
    cov.add_argument(
        "--part-signalee",
        type=_percent,
        default=100 * DEFAULT_FLAGGED_SHARE,
        help="part des territoires classés à signaler, en %% (défaut : 20)",
    )
    _filter_options(cov)
    _common(cov)
    cov.set_defaults(func=run_coverage)

    sug = subparsers.add_parser("suggest", help="Où agir ensuite ? (algorithme glouton).")
    sug.add_argument("--k", type=int, default=10, help="nombre de propositions (défaut : 10)")
    sug.add_argument("--scope", default="france", help=scope_help)
    sug.add_argument("--frr-only", action="store_true", help="seulement des communes FRR")
    sug.add_argument(
        "--toutes-communes",
        action="store_true",
        help="proposer aussi des communes non rurales (défaut : communes rurales seulement)",
    )
    sug.add_argument(
        "--objectif",
        choices=OBJECTIVES,
        default="besoin",
        help="population rurale nouvellement couverte pondérée par le besoin de sa commune "
        "(besoin, défaut) ou non (rurale)",
    )
    _filter_options(sug)
    sug.set_defaults(part_besoin=100 * DEFAULT_NEED_SHARE, part_signalee=20.0)
    _common(sug)
    sug.set_defaults(func=run_suggest)

    _register_indicators(subparsers)

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


def _register_indicators(subparsers: argparse._SubParsersAction) -> None:
    """``indicator import|list|remove``: need indicators imported by a user."""
    parser = subparsers.add_parser(
        "indicator", help="Indicateurs de besoin importés (Observatoire des territoires, INSEE)."
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("import", help="Importer un tableau par commune ou par EPCI.")
    add.add_argument("file", type=Path, metavar="FICHIER", help="CSV ou XLSX")
    add.add_argument(
        "--sens",
        choices=DIRECTIONS,
        required=True,
        help="eleve : une valeur "
        "élevée signale un besoin ; faible : une valeur faible signale un besoin",
    )
    add.add_argument("--source", required=True, help="producteur et jeu de données")
    add.add_argument("--libelle", help="nom de l'indicateur (défaut : titre du fichier)")
    add.add_argument("--millesime", help="millésime (défaut : l'année lue dans le fichier)")
    add.add_argument("--unite", default="", help="unité des valeurs (facultatif)")
    add.add_argument(
        "--niveau", choices=INDICATOR_LEVELS, help="commune ou epci (défaut : d'après les codes)"
    )
    add.add_argument("--colonne", help="colonne de valeurs (défaut : la dernière numérique)")
    add.add_argument("--db", default=None, help="URL de la base (défaut : réglage)")
    add.add_argument("--user", metavar="EMAIL", help=USER_HELP)
    add.set_defaults(func=run_indicator_import)
    listing = actions.add_parser("list", help="Lister les indicateurs importés.")
    listing.add_argument("--db", default=None, help="URL de la base (défaut : réglage)")
    listing.set_defaults(func=run_indicator_list)
    remove = actions.add_parser("remove", help="Retirer un indicateur importé.")
    remove.add_argument("indicateur", metavar="INDICATEUR", help="identifiant (import-3)")
    remove.add_argument("--db", default=None, help="URL de la base (défaut : réglage)")
    remove.add_argument("--user", metavar="EMAIL", help=USER_HELP)
    remove.set_defaults(func=run_indicator_remove)
