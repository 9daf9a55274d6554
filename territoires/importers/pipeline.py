"""The import: read a file, turn rows into records or rejections, apply them in one transaction.

``prepare_import`` is pure (a table in, a plan out). ``import_file`` reads, prepares, applies
through ``Store.import_batch`` and, when asked, writes the rejected rows. The CLI and the
import page both call ``import_file`` (or ``prepare_import`` + ``apply_plan``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from territoires.errors import UnknownCodeError
from territoires.formatting import fr_count
from territoires.geo.reference import GeoReference
from territoires.importers.headers import ColumnMapping, match_columns
from territoires.importers.locate import CommuneLocator, LocationError, locator_for
from territoires.importers.normalize import words_key
from territoires.importers.reading import SourceTable, read_table
from territoires.importers.values import (
    AliasTable,
    cell_text,
    code_text,
    is_empty,
    parse_amount,
    parse_date,
    parse_float,
    parse_type,
    parse_year,
    split_values,
)
from territoires.store import Actor, FieldChange, Store, record_key

REJECT_COLUMN = "erreur"
_TEXT_FIELDS = ("reference", "titre", "description", "porteur", "statut", "site_web", "contact")
# Record field(s) fed by each source field, to know what a file provides.
_PROVIDES: dict[str, tuple[str, ...]] = {
    **{name: (name,) for name in _TEXT_FIELDS},
    "type": ("type",),
    "themes": ("themes",),
    "financeurs": ("financements",),
    "montant": ("montant",),
    "annee": ("annee",),
    "date_debut": ("date_debut",),
    "date_fin": ("date_fin",),
    "zone_intervention": ("zone_intervention",),
}


@dataclass
class Vocabulary:
    """Theme and funder alias tables, seeded from the store; grows with new funders."""

    themes: AliasTable
    funders: AliasTable
    new_funders: list[str] = field(default_factory=list)
    _funder_cells: dict[str, list[str]] = field(default_factory=dict)
    _theme_cells: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)

    @classmethod
    def from_store(cls, store: Store) -> Vocabulary:
        return cls(
            AliasTable.build(store.theme_aliases()), AliasTable.build(store.funder_aliases())
        )

    def funder_names(self, value: object) -> list[str]:
        """Canonical funders of a cell; unknown ones are created (and remembered)."""
        key = str(value)
        if key not in self._funder_cells:
            found, unknown = self.funders.resolve(value)
            for name in unknown:
                self.funders.aliases[words_key(name)] = name
                self.new_funders.append(name)
                found.append(name)
            self._funder_cells[key] = list(dict.fromkeys(found))
        return list(self._funder_cells[key])

    def theme_codes(self, value: object) -> tuple[list[str], list[str]]:
        """``(theme codes, unknown parts)`` of a cell."""
        key = str(value)
        if key not in self._theme_cells:
            self._theme_cells[key] = self.themes.resolve(value)
        found, unknown = self._theme_cells[key]
        return list(found), list(unknown)


@dataclass
class ImportPlan:
    """The outcome of reading rows: records to apply, rejected rows and warnings."""

    table: SourceTable
    mapping: ColumnMapping
    records: list[dict[str, Any]]
    rejected: list[tuple[int, int, str]]  # (row index, file line, reason)
    warnings: list[str]
    new_funders: list[str]
    empty_rows: int
    fields: tuple[str, ...]


@dataclass
class ImportReport:
    """What an import did (or would do, for a dry run)."""

    plan: ImportPlan
    nouvelles: int = 0
    modifiees: int = 0
    inchangees: int = 0
    fictives_supprimees: int = 0
    dry_run: bool = False
    rejects_path: Path | None = None
    lot: int | None = None
    changes: tuple[FieldChange, ...] = ()
    ignored_deleted: tuple[str, ...] = ()

    @property
    def rejected(self) -> list[tuple[int, int, str]]:
        return self.plan.rejected

    @property
    def exit_code(self) -> int:
        """0 when every row was imported, 1 when some rows were rejected."""
        return 1 if self.plan.rejected else 0

    def summary_lines(self) -> list[str]:
        """The French summary printed by the CLI and shown by the import page."""
        plan = self.plan
        verb = "seraient" if self.dry_run else "ont été"
        read = len(plan.table.frame) - plan.empty_rows
        lines = [
            f"Fichier « {plan.table.name} » : {plan.table.describe()}.",
            fr_count(read, "ligne lue", "lignes lues")
            + (
                f" ({fr_count(plan.empty_rows, 'ligne vide ignorée', 'lignes vides ignorées')})"
                if plan.empty_rows
                else ""
            )
            + ".",
        ]
        if self.dry_run:
            lines.append("Simulation : rien n'a été enregistré.")
        lines.append(
            "Initiatives : "
            + ", ".join(
                [
                    fr_count(self.nouvelles, "nouvelle", "nouvelles"),
                    fr_count(self.modifiees, "modifiée", "modifiées"),
                    fr_count(self.inchangees, "inchangée", "inchangées"),
                    fr_count(len(plan.rejected), "rejetée", "rejetées"),
                ]
            )
            + "."
        )
        if self.fictives_supprimees:
            lines.append(
                f"Les {self.fictives_supprimees} initiatives de démonstration fictives {verb} "
                "supprimées : la base ne contient plus que des données réelles."
            )
        if plan.new_funders:
            lines.append(f"Financeurs créés : {', '.join(plan.new_funders)}.")
        if self.ignored_deleted:
            lines.append(
                "Lignes laissées de côté, car leur initiative a été supprimée (un administrateur "
                f"peut la restaurer) : {', '.join(self.ignored_deleted)}."
            )
        if self.lot is not None:
            lines.append(
                f"Lot d'import n° {self.lot} : l'historique garde chaque changement ; "
                "ce lot peut être annulé en entier."
            )
        mapping = plan.mapping
        if mapping.unknown:
            lines.append(f"Colonnes non reconnues (ignorées) : {', '.join(mapping.unknown)}.")
        if mapping.duplicates:
            lines.append(
                f"Colonnes en double (ignorées, une autre colonne fournit déjà ce champ) : "
                f"{', '.join(mapping.duplicates)}."
            )
        if mapping.derived:
            lines.append(
                f"Colonnes calculées depuis la commune (ignorées) : {', '.join(mapping.derived)}."
            )
        lines.extend(f"Avertissement : {w}" for w in plan.warnings)
        lines.extend(f"Ligne {line} rejetée : {reason}" for _, line, reason in plan.rejected)
        if self.rejects_path is not None:
            lines.append(f"Lignes rejetées écrites dans {self.rejects_path}.")
        return lines


# --- rows -----------------------------------------------------------------------------------
class _RowError(ValueError):
    pass


@dataclass
class _Context:
    locator: CommuneLocator
    reference: GeoReference
    vocabulary: Vocabulary
    source: str
    warnings: list[str]
    _zones: dict[str, dict[str, str]] | None = None

    def zone_lookup(self) -> dict[str, dict[str, str]]:
        """Normalised names and ids of named territories, EPCI, départements and régions."""
        if self._zones is None:
            table: dict[str, dict[str, str]] = {}
            for ident, territory in self.reference.territories.items():
                table[words_key(ident)] = {"level": "territoire", "code": ident}
                table[words_key(territory.label)] = {"level": "territoire", "code": ident}
            for code, nom in zip(
                self.reference.epci["code"], self.reference.epci["nom"], strict=True
            ):
                table.setdefault(words_key(str(nom)), {"level": "epci", "code": str(code)})
                table.setdefault(str(code), {"level": "epci", "code": str(code)})
            for key, code in self.locator.dep_by_key.items():
                table.setdefault(key, {"level": "departement", "code": code})
            regions = self.reference.regions
            for code, nom in zip(regions["code"], regions["nom"], strict=True):
                table.setdefault(words_key(str(nom)), {"level": "region", "code": str(code)})
            self._zones = table
        return self._zones


def _zone(cell: object, ctx: _Context) -> list[dict[str, str]]:
    """Parse an area served: communes, EPCI, départements or named territories."""
    parts: list[dict[str, str]] = []
    for part in split_values(cell):
        level, sep, code = part.partition(":")
        if sep and level.strip() in ("commune", "epci", "departement", "region", "territoire"):
            item = {"level": level.strip(), "code": code.strip()}
            try:
                ctx.reference.communes_of(item["level"], item["code"])  # type: ignore[arg-type]
            except (UnknownCodeError, KeyError):
                raise _RowError(f"Zone d'intervention : « {part} » inconnue") from None
        else:
            item = _zone_part(part, ctx)
        if item not in parts:
            parts.append(item)
    return parts


def _zone_part(part: str, ctx: _Context) -> dict[str, str]:
    code = code_text(part, 5)
    if code in ctx.locator.codes:
        return {"level": "commune", "code": code}  # type: ignore[dict-item]
    found = ctx.zone_lookup().get(words_key(part)) or ctx.zone_lookup().get(part.strip())
    if found:
        return dict(found)
    try:
        return {"level": "commune", "code": ctx.locator.locate(name=part).code_insee}
    except LocationError as exc:
        raise _RowError(f"Zone d'intervention : {exc}") from None


def _build_record(cells: Mapping[str, object], line: int, ctx: _Context) -> dict[str, Any]:
    """One row as a record; a row with errors is rejected with all of them at once, so that
    its author can mend it in one pass."""
    errors: list[str] = []
    warnings: list[str] = []

    def read(value: Callable[[], Any]) -> Any:
        try:
            return value()
        except ValueError as exc:
            errors.append(str(exc))
            return None

    record: dict[str, Any] = {name: cell_text(cells.get(name)) for name in _TEXT_FIELDS}
    if not record["titre"]:
        errors.append("Titre manquant")
    record["type"], warning = parse_type(cells.get("type"))
    if warning:
        warnings.append(f"ligne {line} : {warning}")
    themes, unknown = ctx.vocabulary.theme_codes(cells.get("themes"))
    warnings.extend(f"ligne {line} : thème inconnu « {name} » ignoré" for name in unknown)
    record["themes"] = themes
    record["montant"] = read(lambda: parse_amount(cells.get("montant")))
    record["annee"] = read(lambda: parse_year(cells.get("annee")))
    record["date_debut"] = read(lambda: parse_date(cells.get("date_debut")))
    record["date_fin"] = read(lambda: parse_date(cells.get("date_fin")))
    before = len(errors)
    record["latitude"] = read(lambda: parse_float(cells.get("latitude"), "Latitude"))
    record["longitude"] = read(lambda: parse_float(cells.get("longitude"), "Longitude"))
    point = len(errors) == before  # an unreadable coordinate: locate by the other columns
    commune = read(
        lambda: ctx.locator.locate(
            code=cells.get("code_insee"),
            name=cell_text(cells.get("commune")),
            postal_code=cells.get("code_postal"),
            departement=cells.get("departement"),
            latitude=record["latitude"] if point else None,
            longitude=record["longitude"] if point else None,
        )
    )
    record["commune_code"] = commune.code_insee if commune is not None else None
    try:
        record["zone_intervention"] = _zone(cells.get("zone_intervention"), ctx)
    except _RowError as exc:
        errors.append(str(exc))
    if errors:
        raise _RowError(" ; ".join(errors))
    ctx.warnings.extend(warnings)
    funders = ctx.vocabulary.funder_names(cells.get("financeurs"))
    # Files carry one total amount: per-funder amounts stay unknown (None).
    record["financements"] = [{"financeur": name, "montant": None} for name in funders]
    record.update(source_fichier=ctx.source, source_ligne=line, fictif=False)
    return record


def prepare_import(
    table: SourceTable,
    reference: GeoReference,
    vocabulary: Vocabulary,
    *,
    mapping: Mapping[str, str] | None = None,
    locator: CommuneLocator | None = None,
) -> ImportPlan:
    """Turn a source table into records and rejections (no database access).

    Parameters
    ----------
    table : SourceTable
        From ``read_table``.
    reference : GeoReference
        Communes, aliases and postal codes used to locate each row.
    vocabulary : Vocabulary
        Theme and funder aliases (``Vocabulary.from_store``).
    mapping : mapping, optional
        Explicit ``{source column: field}`` overriding the header synonyms.
    locator : CommuneLocator, optional
        Prebuilt indexes; default: built once per reference (``locator_for``).
    """
    columns = match_columns(table.frame.columns, mapping)
    ctx = _Context(locator or locator_for(reference), reference, vocabulary, table.name, [])
    fields = list(columns.columns)
    values = [table.frame[columns.columns[f]].tolist() for f in fields]
    records: list[dict[str, Any]] = []
    rejected: list[tuple[int, int, str]] = []
    seen: dict[str, int] = {}
    empty = 0
    for index, row in enumerate(zip(*values, strict=True) if values else []):
        line = table.first_line + index
        if all(is_empty(v) for v in row):
            empty += 1
            continue
        try:
            record = _build_record(dict(zip(fields, row, strict=True)), line, ctx)
            key = record_key(record)
            other = seen.get(key)
            if other is not None:
                raise _RowError(f"Doublon de la ligne {other}")
        except _RowError as exc:
            rejected.append((index, line, str(exc)))
            continue
        seen[key] = line
        records.append(record)
    if not values:
        empty = len(table.frame)
    provided = {"commune_code"} | {p for f in fields for p in _PROVIDES.get(f, ())}
    if "latitude" in fields and "longitude" in fields:
        provided |= {"latitude", "longitude"}
    return ImportPlan(
        table,
        columns,
        records,
        rejected,
        ctx.warnings,
        vocabulary.new_funders,
        empty,
        tuple(sorted(provided)),
    )


def apply_plan(
    store: Store, plan: ImportPlan, *, actor: Actor, dry_run: bool = False
) -> ImportReport:
    """Apply a plan in one transaction, as ``actor``. The first real import replaces the demo
    records."""
    replace_demo = bool(plan.records) and store.count(fictif=True) > 0
    result = store.import_batch(
        plan.records,
        actor=actor,
        fields=plan.fields,
        new_funders=plan.new_funders,
        source=plan.table.name,
        replace_demo=replace_demo,
        dry_run=dry_run,
        rejected=len(plan.rejected),
    )
    return ImportReport(
        plan,
        result.nouvelles,
        result.modifiees,
        result.inchangees,
        result.fictives_supprimees,
        dry_run,
        lot=result.lot,
        changes=result.changes,
        ignored_deleted=result.supprimees_ignorees,
    )


def rejects_frame(plan: ImportPlan) -> pd.DataFrame:
    """Rejected rows in the source's own columns, plus an ``erreur`` column."""
    frame = plan.table.frame.iloc[[index for index, _, _ in plan.rejected]].copy()
    frame[REJECT_COLUMN] = [reason for _, _, reason in plan.rejected]
    return frame.reset_index(drop=True)


def write_rejects(plan: ImportPlan, path: str | Path) -> Path:
    """Write the rejected rows as CSV (UTF-8 BOM, ``;``) or XLSX, by ``path``'s suffix."""
    from territoires.exports import to_csv_bytes, to_xlsx_bytes, write_file

    path = Path(path)
    frame = rejects_frame(plan)
    data = (
        to_xlsx_bytes(frame, "Rejets")
        if path.suffix.lower() in (".xlsx", ".xlsm")
        else to_csv_bytes(frame)
    )
    write_file(path, data, "les rejets")
    return path


def import_file(
    source: str | Path | bytes,
    store: Store,
    reference: GeoReference,
    *,
    actor: Actor,
    name: str | None = None,
    sheet: str | None = None,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    rejects_path: str | Path | None = None,
) -> ImportReport:
    """Read, check and import a CSV/XLSX file in one transaction, as ``actor`` (who is
    written in the history); see ``ImportReport``.

    Raises ``ImportFileError`` when the file cannot be read (nothing is imported).
    """
    table = read_table(source, name=name, sheet=sheet)
    plan = prepare_import(table, reference, Vocabulary.from_store(store), mapping=mapping)
    report = apply_plan(store, plan, actor=actor, dry_run=dry_run)
    if rejects_path is not None and plan.rejected:
        report.rejects_path = write_rejects(plan, rejects_path)
    return report
