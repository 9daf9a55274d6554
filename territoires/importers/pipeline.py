"""The import: read a file, turn rows into records or rejections, apply them in one transaction.

``prepare_import`` is pure (a table in, a plan out). ``import_file`` reads, prepares, applies
through ``Store.import_batch`` and, when asked, writes the rejected rows and the suggestions.
The CLI and the import page both call ``import_file`` (or ``prepare_import`` + ``apply_plan``).

Values that match nothing known (funders, themes, types, commune names) are never guessed:
their rows are rejected with a suggestion (``plan.suggestions``), until a person confirms a
correspondence (``correspondences=``), which then applies as if the file had said so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from territoires.formatting import fr_count
from territoires.geo.reference import GeoReference
from territoires.importers.against_store import (
    Collision,
    IdentityIndex,
    collision_reason,
    find_collisions,
    store_duplicates,
)
from territoires.importers.headers import ColumnMapping, match_columns
from territoires.importers.locate import CommuneLocator, locator_for
from territoires.importers.preview import change_lines
from territoires.importers.reading import FormulaWithoutValue, SourceTable, read_table
from territoires.importers.rows import TEXT_FIELDS, Pending, RowContext, check_row
from territoires.importers.suggest import (
    COLONNES,
    NEW_FUNDER,
    Suggestion,
    suggest_commune,
    suggest_label,
)
from territoires.importers.values import is_empty
from territoires.importers.vocabulary import (
    IGNORE_VALUE,
    Correspondence,
    Vocabulary,
    value_key,
)
from territoires.store import Actor, FieldChange, Store, record_key

REJECT_COLUMN = "erreur"
# Record field(s) fed by each source field, to know what a file provides.
_PROVIDES: dict[str, tuple[str, ...]] = {
    **{name: (name,) for name in TEXT_FIELDS},
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
class ImportPlan:
    """The outcome of reading rows: records to apply, rejected rows and warnings.

    ``suggestions`` lists each distinct value that matched nothing, with its proposal and its
    lines; ``correspondences`` the confirmed ones applied to this import (with canonical
    propositions: saved as aliases when the import is recorded); ``collisions`` the rows
    rejected because their reference, already stored, probably names another initiative.
    """

    table: SourceTable
    mapping: ColumnMapping
    records: list[dict[str, Any]]
    rejected: list[tuple[int, int, str]]  # (row index, file line, reason)
    warnings: list[str]
    new_funders: list[str]
    empty_rows: int
    fields: tuple[str, ...]
    suggestions: list[Suggestion] = field(default_factory=list)
    correspondences: list[Correspondence] = field(default_factory=list)
    collisions: list[Collision] = field(default_factory=list)

    @property
    def has_reference(self) -> bool:
        """Whether a column of the file gives each initiative's reference."""
        return "reference" in self.mapping.columns


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
    titles: dict[int, str] = field(default_factory=dict)  # stored titles, before the import

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
            *([] if plan.has_reference else [no_reference_message(plan.mapping.unknown)]),
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
            created = "Financeurs à créer" if self.dry_run else "Financeurs créés"
            lines.append(f"{created} (confirmés) : {', '.join(plan.new_funders)}.")
        if plan.correspondences:
            count = fr_count(
                len(plan.correspondences),
                "correspondance confirmée appliquée",
                "correspondances confirmées appliquées",
            )
            kept = sum(c.proposition != IGNORE_VALUE for c in plan.correspondences)
            saved = "seraient enregistrées" if self.dry_run else "enregistrées"
            lines.append(f"{count}, dont {kept} {saved} pour les prochains imports.")
        if plan.suggestions:
            lines.append(suggestions_line(plan.suggestions))
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
        lines.extend(change_lines(self.changes, self.titles, dry_run=self.dry_run))
        lines.extend(f"Ligne {line} rejetée : {reason}" for _, line, reason in plan.rejected)
        if self.rejects_path is not None:
            lines.append(f"Lignes rejetées écrites dans {self.rejects_path}.")
        return lines


def no_reference_message(unknown: Sequence[str]) -> str:
    """The first thing said about a file whose reference column is not recognised;
    ``unknown`` are the file's columns that feed no field."""
    hint = (
        f" Si l'une des colonnes non reconnues ({', '.join(unknown)}) est ce numéro, "
        "choisissez pour elle le champ « Référence » (--map « Colonne=reference »)."
        if unknown
        else ""
    )
    return (
        "Aucune colonne de référence reconnue (« Référence », « N° dossier », « Numéro de "
        "dossier », « N° de demande », « Identifiant »…) : chaque ligne sera reconnue par son "
        "titre, son porteur, sa commune et son année, et un fichier de corrections ne pourra "
        f"pas la retrouver par son numéro.{hint}"
    )


def suggestions_line(suggestions: Sequence[Suggestion]) -> str:
    """« Valeurs à confirmer : 3 (2 financeurs, 1 commune) ; leurs lignes sont rejetées… »."""
    nouns = {
        "financeurs": ("financeur", "financeurs"),
        "themes": ("thème", "thèmes"),
        "type": ("type", "types"),
        "commune": ("commune", "communes"),
    }
    counts = pd.Series([s.colonne for s in suggestions]).value_counts()
    detail = ", ".join(fr_count(int(n), *nouns[c]) for c, n in counts.items())
    return (
        f"Valeurs à confirmer : {len(suggestions)} ({detail}) ; leurs lignes sont rejetées "
        "jusqu'à confirmation (étape « Correspondances » de la page Importer, ou "
        "--suggestions puis --mapping en ligne de commande)."
    )


# --- plan ------------------------------------------------------------------------------------
def prepare_import(
    table: SourceTable,
    reference: GeoReference,
    vocabulary: Vocabulary,
    *,
    mapping: Mapping[str, str] | None = None,
    locator: CommuneLocator | None = None,
    correspondences: Iterable[Correspondence] = (),
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
    correspondences : iterable of Correspondence
        Confirmed correspondences (a ``--mapping`` file, the « Correspondances » step).

    Raises
    ------
    ImportFileError
        When no column is recognised, or a correspondence is not valid.
    """
    columns = match_columns(table.frame.columns, mapping, name=table.name)
    locator = locator or locator_for(reference)
    applied = vocabulary.confirm(correspondences, locator)
    ctx = RowContext(locator, reference, vocabulary, table.name)
    fields = list(columns.columns)
    values = [table.frame[columns.columns[f]].tolist() for f in fields]
    rows = _Rows()
    for index, row in enumerate(zip(*values, strict=True)):
        line = table.first_line + index
        if all(is_empty(v) for v in row):
            rows.empty += 1
            continue
        cells = dict(zip(fields, row, strict=True))
        faults = _formula_faults(cells, columns) if table.has_formulas_without_value else []
        rows.add(index, line, check_row(cells, ctx, line, faults))
    suggestions = _suggestions(rows.pending, vocabulary, locator)
    rejected = sorted(rows.rejected + rows.waiting(suggestions, locator))
    provided = {"commune_code"} | {p for f in fields for p in _PROVIDES.get(f, ())}
    if "latitude" in fields and "longitude" in fields:
        provided |= {"latitude", "longitude"}
    used = {f["financeur"] for record in rows.records for f in record["financements"]}
    return ImportPlan(
        table,
        columns,
        rows.records,
        rejected,
        [*table.warnings, *rows.warnings],
        [name for name in vocabulary.new_funders if name in used],
        rows.empty,
        tuple(sorted(provided)),
        list(suggestions.values()),
        [c for c in applied if c.raison != NEW_FUNDER or c.proposition in used],
    )


@dataclass
class _Rows:
    """Rows sorted as they are checked: records, rejections, rows waiting for a decision."""

    records: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[tuple[int, int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pending: dict[tuple[str, str], list[tuple[Pending, int]]] = field(default_factory=dict)
    empty: int = 0
    _waiting: list[tuple[int, int, list[str], list[Pending]]] = field(default_factory=list)
    _keys: dict[str, int] = field(default_factory=dict)
    _contents: IdentityIndex = field(default_factory=IdentityIndex)

    def add(self, index: int, line: int, check: Any) -> None:
        errors = list(check.errors)
        if check.record is not None:
            duplicate = self._duplicate(check.record)
            if duplicate:
                errors.append(duplicate)
        for item in check.pending:
            self.pending.setdefault(
                (item.colonne, value_key(item.colonne, item.valeur)), []
            ).append((item, line))
        if check.pending:
            self._waiting.append((index, line, errors, list(check.pending)))
        elif errors:
            self.rejected.append((index, line, " ; ".join(errors)))
        else:
            self._remember(check.record, line)
            self.records.append(check.record)
            self.warnings.extend(check.warnings)

    def _duplicate(self, record: dict[str, Any]) -> str | None:
        """The same row twice (same key), or probably twice: same title, porteur, commune
        and year under another reference."""
        other = self._keys.get(record_key(record))
        if other is not None:
            return f"Doublon de la ligne {other}"
        found = self._contents.find(record)
        if not found:
            return None
        line, reference = found[0]
        return (
            f"Doublon probable de la ligne {line} : même titre, porteur, commune et année, "
            f"références {_quoted(reference)} et {_quoted(record.get('reference'))}"
        )

    def _remember(self, record: dict[str, Any], line: int) -> None:
        self._keys[record_key(record)] = line
        self._contents.add(record, (line, record.get("reference")))

    def waiting(
        self, suggestions: Mapping[tuple[str, str], Suggestion], locator: CommuneLocator
    ) -> list[tuple[int, int, str]]:
        """Rows waiting for a decision, rejected with their errors and each value's proposal."""
        return [
            (
                index,
                line,
                " ; ".join(
                    [
                        *errors,
                        *(
                            _pending_reason(
                                p, suggestions[(p.colonne, value_key(p.colonne, p.valeur))], locator
                            )
                            for p in pending
                        ),
                    ]
                ),
            )
            for index, line, errors, pending in self._waiting
        ]


def _quoted(reference: object) -> str:
    return f"« {reference} »" if reference else "(aucune)"


def _formula_faults(cells: dict[str, object], columns: ColumnMapping) -> list[str]:
    """« Montant : formule sans valeur calculée (=B2*C2) » for each such cell (then emptied)."""
    faults = []
    for name, value in cells.items():
        if isinstance(value, FormulaWithoutValue):
            faults.append(
                f"{columns.columns[name]} : formule sans valeur calculée ({value.formula})"
            )
            cells[name] = None
    return faults


def _suggestions(
    pending: Mapping[tuple[str, str], list[tuple[Pending, int]]],
    vocabulary: Vocabulary,
    locator: CommuneLocator,
) -> dict[tuple[str, str], Suggestion]:
    """One suggestion per distinct pending value, with the lines where it stands."""
    tables = {"financeurs": vocabulary.funders, "themes": vocabulary.themes}
    found: dict[tuple[str, str], Suggestion] = {}
    for key, items in pending.items():
        first = items[0][0]
        if first.colonne == "commune":
            suggestion = suggest_commune(
                locator, first.valeur, first.name, first.postal_code, first.departement
            )
        elif first.colonne == "type":
            suggestion = suggest_label("type", first.valeur, vocabulary.types, str)
        else:
            display = vocabulary.theme_label if first.colonne == "themes" else str
            suggestion = suggest_label(first.colonne, first.valeur, tables[first.colonne], display)
        lines = tuple(sorted({line for _, line in items}))
        found[key] = dataclasses.replace(suggestion, lignes=lines)
    order = sorted(found, key=lambda k: (COLONNES.index(found[k].colonne), found[k].lignes))
    return {key: found[key] for key in order}


def _pending_reason(pending: Pending, suggestion: Suggestion, locator: CommuneLocator) -> str:
    """The row's reason for a value waiting for a decision, with the proposal to confirm."""
    if suggestion.raison == NEW_FUNDER:
        return f"{pending.message} : nouveau financeur, à confirmer"
    if suggestion.proposition and pending.colonne == "commune":
        code = suggestion.proposition
        return f"{pending.message} ; proposition à confirmer : {locator.nom[code]} ({code})"
    if suggestion.proposition:
        return f"{pending.message} ; proposition à confirmer : {suggestion.proposition}"
    if pending.colonne == "commune":
        return pending.message
    return f"{pending.message} ({suggestion.raison})"


def check_against_store(
    plan: ImportPlan,
    stored: pd.DataFrame,
    locator: CommuneLocator,
    confirmed: bool | Collection[str] = False,
) -> None:
    """Reject reference collisions (unless ``confirmed``: all, or these references) and warn
    of probable duplicates of stored initiatives; ``stored`` is ``Store.identities()``."""
    # A commune merged since an initiative was stored is the same commune (its former code).
    stored = stored.assign(
        commune_code=[locator.former_codes.get(str(c), c) for c in stored["commune_code"]]
    )
    collisions = find_collisions(plan.records, stored, confirmed)
    if collisions:
        lines = {c.line for c in collisions}
        name = lambda code: locator.nom.get(code, code)  # noqa: E731
        plan.records = [r for r in plan.records if r["source_ligne"] not in lines]
        plan.rejected = sorted(
            plan.rejected
            + [
                (c.line - plan.table.first_line, c.line, collision_reason(c, name))
                for c in collisions
            ]
        )
        plan.collisions = collisions
        used = {f["financeur"] for r in plan.records for f in r["financements"]}
        plan.new_funders = [n for n in plan.new_funders if n in used]
    plan.warnings.extend(store_duplicates(plan.records, stored))


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
        aliases=[
            (c.colonne, value_key(c.colonne, c.valeur), c.valeur, c.proposition)
            for c in plan.correspondences
            if c.proposition != IGNORE_VALUE
        ],
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
    correspondences: Sequence[Correspondence] = (),
    confirm_updates: bool | Collection[str] = False,
    dry_run: bool = False,
    rejects_path: str | Path | None = None,
) -> ImportReport:
    """Read, check and import a CSV/XLSX file in one transaction, as ``actor`` (who is
    written in the history); see ``ImportReport``.

    ``correspondences`` are confirmed correspondences (a ``--mapping`` file, the page's
    « Correspondances » step): applied to this import, and saved for the next ones.
    ``confirm_updates`` confirms reference collisions as updates (all, or these references).
    Raises ``ImportFileError`` when the file cannot be read (nothing is imported).
    """
    table = read_table(source, name=name, sheet=sheet)
    locator = locator_for(reference)
    plan = prepare_import(
        table,
        reference,
        Vocabulary.from_store(store),
        mapping=mapping,
        locator=locator,
        correspondences=correspondences,
    )
    stored = store.identities()
    check_against_store(plan, stored, locator, confirm_updates)
    report = apply_plan(store, plan, actor=actor, dry_run=dry_run)
    report.titles = dict(zip(stored["id"], stored["titre"], strict=True))
    if rejects_path is not None and plan.rejected:
        report.rejects_path = write_rejects(plan, rejects_path)
    return report
