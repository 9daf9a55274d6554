"""One row: cells in, a record out, or every reason it cannot be recorded.

``validate_row`` checks one row on its own (the import uses ``check_row`` for each line; an
edit form can call ``validate_row`` with the cells it collected, keyed by field name). A value
that matches nothing known (a funder, a theme, a type, a commune name) leaves the row
*pending*: it waits for a confirmed correspondence, and is never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from territoires.errors import RowError, UnknownCodeError
from territoires.geo.reference import GeoReference
from territoires.importers.locate import (
    CommuneLocator,
    LocationError,
    NameNotFound,
    locator_for,
    postal_code_text,
)
from territoires.importers.normalize import words_key
from territoires.importers.suggest import Colonne
from territoires.importers.values import (
    cell_text,
    code_text,
    parse_amount,
    parse_date,
    parse_float,
    parse_year,
    split_values,
)
from territoires.importers.vocabulary import Vocabulary, commune_value

TEXT_FIELDS = ("reference", "titre", "description", "porteur", "statut", "site_web", "contact")
_PENDING_LABELS: dict[str, str] = {
    "financeurs": "Financeur inconnu",
    "themes": "Thème inconnu",
    "type": "Type inconnu",
}


@dataclass(frozen=True)
class Pending:
    """A value that matched nothing: the row waits for a confirmed correspondence.

    ``message`` is the row's reason before any suggestion; for a commune, ``name``,
    ``postal_code`` and ``departement`` are the row's cells, to rank candidates.
    """

    colonne: Colonne
    valeur: str
    message: str
    name: str = ""
    postal_code: str | None = None
    departement: object = None


@dataclass(frozen=True)
class RowCheck:
    """The outcome of one row: a record, or its errors and pending values (and warnings)."""

    record: dict[str, Any] | None
    errors: tuple[str, ...] = ()
    pending: tuple[Pending, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass
class RowContext:
    """What checking a row needs: the commune indexes, the reference and the vocabulary."""

    locator: CommuneLocator
    reference: GeoReference
    vocabulary: Vocabulary
    source: str | None = None
    _zones: dict[str, dict[str, str]] | None = field(default=None, repr=False)

    def zone_lookup(self) -> dict[str, dict[str, str]]:
        """Normalised names and ids of named territories, EPCI, départements and régions."""
        if self._zones is None:
            self._zones = _zone_table(self.reference, self.locator)
        return self._zones


def validate_row(
    cells: Mapping[str, object],
    *,
    reference: GeoReference,
    vocabulary: Vocabulary,
    locator: CommuneLocator | None = None,
) -> dict[str, Any]:
    """Check one row on its own and return its record (keys of ``DATA_FIELDS`` and more).

    Parameters
    ----------
    cells : mapping
        Raw values keyed by field name (``titre``, ``commune``, ``code_insee``, ``financeurs``…,
        see ``territoires.importers.headers.FIELDS``).
    reference, vocabulary
        The geographic reference and the labels known (``Vocabulary.from_store``).

    Raises
    ------
    RowError
        With every reason at once (``reasons``), pending values included.
    """
    ctx = RowContext(locator or locator_for(reference), reference, vocabulary)
    check = check_row(cells, ctx)
    if check.record is None:
        raise RowError([*check.errors, *(p.message for p in check.pending)])
    return check.record


def check_row(
    cells: Mapping[str, object],
    ctx: RowContext,
    line: int | None = None,
    errors: Sequence[str] = (),
) -> RowCheck:
    """Check one row; ``errors`` are faults found before (a formula without its value)."""
    errors = list(errors)
    pending: list[Pending] = []
    get = cells.get
    record: dict[str, Any] = {name: cell_text(get(name)) for name in TEXT_FIELDS}
    if not record["titre"]:
        errors.append("Titre manquant")
    record["type"] = _type(get("type"), ctx.vocabulary, pending)
    record["themes"] = _labels("themes", ctx.vocabulary.theme_codes(get("themes")), pending)
    funders = _labels("financeurs", ctx.vocabulary.funder_names(get("financeurs")), pending)
    record["montant"] = _read(parse_amount, get("montant"), errors)
    record["annee"] = _read(parse_year, get("annee"), errors)
    record["date_debut"] = _read(parse_date, get("date_debut"), errors)
    record["date_fin"] = _read(parse_date, get("date_fin"), errors)
    before = len(errors)
    record["latitude"] = _read(parse_float, get("latitude"), errors, "Latitude")
    record["longitude"] = _read(parse_float, get("longitude"), errors, "Longitude")
    point = len(errors) == before  # an unreadable coordinate: locate by the other columns
    record["commune_code"] = _commune(cells, record if point else {}, ctx, errors, pending)
    try:
        record["zone_intervention"] = _zone(cells.get("zone_intervention"), ctx)
    except _ZoneError as exc:
        errors.append(str(exc))
    if errors or pending:
        return RowCheck(None, tuple(errors), tuple(pending))
    # Files carry one total amount: per-funder amounts stay unknown (None).
    record["financements"] = [{"financeur": name, "montant": None} for name in funders]
    record.update(source_fichier=ctx.source, source_ligne=line, fictif=False)
    return RowCheck(record)


def _read(parse: Callable[..., Any], value: object, errors: list[str], *args: str) -> Any:
    """``parse(value, *args)``, or None with its French reason added to ``errors``."""
    try:
        return parse(value, *args)
    except ValueError as exc:
        errors.append(str(exc))
        return None


def _type(value: object, vocabulary: Vocabulary, pending: list[Pending]) -> str | None:
    text = cell_text(value)
    if text is None:
        return "projet associatif"
    found = vocabulary.type_of(text)
    if found is None:
        pending.append(Pending("type", text, f"{_PENDING_LABELS['type']} : « {text} »"))
    return found


def _labels(
    colonne: Colonne, resolved: tuple[list[str], list[str]], pending: list[Pending]
) -> list[str]:
    found, unknown = resolved
    pending.extend(Pending(colonne, v, f"{_PENDING_LABELS[colonne]} : « {v} »") for v in unknown)
    return found


def _commune(
    cells: Mapping[str, object],
    point: Mapping[str, Any],
    ctx: RowContext,
    errors: list[str],
    pending: list[Pending],
) -> str | None:
    """The row's INSEE code; a name that matches nothing may have a confirmed correspondence."""
    name = cell_text(cells.get("commune"))
    try:
        return ctx.locator.locate(
            code=cells.get("code_insee"),
            name=name,
            postal_code=cells.get("code_postal"),
            departement=cells.get("departement"),
            latitude=point.get("latitude"),
            longitude=point.get("longitude"),
        ).code_insee
    except NameNotFound as exc:
        cp = postal_code_text(cells.get("code_postal"))
        departement = cell_text(cells.get("departement"))
        valeur = commune_value(name or "", cp, departement)
        confirmed = ctx.vocabulary.commune_of(valeur)
        if confirmed is not None:
            return confirmed
        pending.append(Pending("commune", valeur, str(exc), name or "", cp, departement))
    except LocationError as exc:
        errors.append(str(exc))
    return None


# --- area served ----------------------------------------------------------------------------
class _ZoneError(ValueError):
    pass


def _zone_table(reference: GeoReference, locator: CommuneLocator) -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for ident, territory in reference.territories.items():
        table[words_key(ident)] = {"level": "territoire", "code": ident}
        table[words_key(territory.label)] = {"level": "territoire", "code": ident}
    for code, nom in zip(reference.epci["code"], reference.epci["nom"], strict=True):
        table.setdefault(words_key(str(nom)), {"level": "epci", "code": str(code)})
        table.setdefault(str(code), {"level": "epci", "code": str(code)})
    for key, code in locator.dep_by_key.items():
        table.setdefault(key, {"level": "departement", "code": code})
    regions = reference.regions
    for code, nom in zip(regions["code"], regions["nom"], strict=True):
        table.setdefault(words_key(str(nom)), {"level": "region", "code": str(code)})
    return table


def _zone(cell: object, ctx: RowContext) -> list[dict[str, str]]:
    """Parse an area served: communes, EPCI, départements or named territories."""
    parts: list[dict[str, str]] = []
    for part in split_values(cell):
        level, sep, code = part.partition(":")
        if sep and level.strip() in ("commune", "epci", "departement", "region", "territoire"):
            item = {"level": level.strip(), "code": code.strip()}
            try:
                ctx.locator.zones.communes(item["level"], item["code"])  # type: ignore[arg-type]
            except (UnknownCodeError, KeyError):
                raise _ZoneError(f"Zone d'intervention : « {part} » inconnue") from None
        else:
            item = _zone_part(part, ctx)
        if item not in parts:
            parts.append(item)
    return parts


def _zone_part(part: str, ctx: RowContext) -> dict[str, str]:
    code = code_text(part, 5)
    if code in ctx.locator.codes:
        return {"level": "commune", "code": code}  # type: ignore[dict-item]
    found = ctx.zone_lookup().get(words_key(part)) or ctx.zone_lookup().get(part.strip())
    if found:
        return dict(found)
    try:
        return {"level": "commune", "code": ctx.locator.locate(name=part).code_insee}
    except LocationError as exc:
        raise _ZoneError(f"Zone d'intervention : {exc}") from None
