"""Match a file's column headers to initiative fields, through synonyms or an explicit mapping."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from territoires.errors import ImportFileError
from territoires.importers.normalize import compact_key

IGNORE = "ignorer"
# Columns the export writes that are computed from the commune: recognised, then ignored.
DERIVED = "calculee"

# Field -> header synonyms (compared case-, accent- and punctuation-insensitively).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "titre": ("titre", "intitulé", "intitulé du projet", "nom du projet", "projet"),
    "porteur": ("porteur", "structure porteuse", "structure", "association", "bénéficiaire"),
    "commune": ("commune", "ville", "localité", "lieu", "commune d'implantation", "commune_nom"),
    "code_insee": ("code insee", "code commune", "insee", "cog", "commune_code", "code_insee"),
    "code_postal": ("code postal", "cp"),
    "departement": ("département", "dept", "dép", "departement_code", "code département"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "lng", "long"),
    "financeurs": ("financeur", "financeurs", "financeur(s)", "fondation", "fondations"),
    "themes": ("thème", "thèmes", "axe", "axes", "thématique", "thématiques", "themes"),
    "montant": ("montant", "montant accordé", "montant (€)", "subvention", "montant total"),
    "annee": ("année", "date", "date de décision", "annee", "année de décision"),
    "type": ("type", "type de projet"),
    "reference": (
        "référence",
        "réf",
        "réf.",
        "id",
        "identifiant",
        "n°",
        "no",
        "numéro",
        "n° dossier",
        "n° de dossier",
        "n° du dossier",
        "no dossier",
        "num dossier",
        "numéro dossier",
        "numéro de dossier",
        "numéro du dossier",
        "dossier",
        "référence dossier",
        "référence du dossier",
        "réf dossier",
        "identifiant dossier",
        "id dossier",
        "code dossier",
        "n° de demande",
        "n° demande",
        "numéro de demande",
        "numéro demande",
        "référence de la demande",
        "réf demande",
        "n° projet",
        "numéro de projet",
        "référence projet",
        "id projet",
        "code projet",
    ),
    "description": ("description", "objet", "résumé"),
    "zone_intervention": (
        "zone d'intervention",
        "territoire d'intervention",
        "communes concernées",
    ),
    "statut": ("statut", "état"),
    "date_debut": ("date de début", "début", "date_debut"),
    "date_fin": ("date de fin", "fin", "date_fin"),
    "site_web": ("site web", "site", "site internet", "url", "site_web"),
    "contact": ("contact", "courriel", "email", "e-mail", "téléphone"),
    DERIVED: ("epci_code", "region_code", "code epci", "code région"),
}
FIELDS: tuple[str, ...] = tuple(f for f in SYNONYMS if f != DERIVED)

FIELD_LABELS: dict[str, str] = {
    "titre": "Titre",
    "porteur": "Porteur",
    "commune": "Commune (nom)",
    "code_insee": "Code INSEE",
    "code_postal": "Code postal",
    "departement": "Département",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "financeurs": "Financeurs",
    "themes": "Thèmes",
    "montant": "Montant (€)",
    "annee": "Année",
    "type": "Type",
    "reference": "Référence",
    "description": "Description",
    "zone_intervention": "Zone d'intervention",
    "statut": "Statut",
    "date_debut": "Date de début",
    "date_fin": "Date de fin",
    "site_web": "Site web",
    "contact": "Contact",
    IGNORE: "(ignorer)",
}

_LOOKUP: dict[str, str] = {
    compact_key(synonym): name for name, synonyms in SYNONYMS.items() for synonym in synonyms
}


@dataclass(frozen=True)
class ColumnMapping:
    """Which source column feeds which field, and what was left over.

    ``columns`` maps field -> source column. ``unknown`` lists source columns matching no field;
    ``duplicates`` those whose field was already fed by an earlier column; ``derived`` the
    export's computed columns (ignored on import).
    """

    columns: dict[str, str]
    unknown: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()
    derived: tuple[str, ...] = ()

    def source_of(self, field: str) -> str | None:
        return self.columns.get(field)


def guess_field(header: str) -> str | None:
    """The field a header names through a synonym, or ``None``."""
    field = _LOOKUP.get(compact_key(header))
    return None if field == DERIVED else field


def parse_mapping_options(options: Iterable[str]) -> dict[str, str]:
    """Parse CLI ``--map "Source column=field"`` options into ``{source column: field}``."""
    mapping: dict[str, str] = {}
    for option in options:
        column, sep, field = option.rpartition("=")
        if not sep or not column.strip() or not field.strip():
            raise ImportFileError(
                f"Correspondance illisible : « {option} » (attendu : « Colonne=champ »)."
            )
        mapping[column.strip()] = field.strip()
    return mapping


def match_columns(
    headers: Iterable[str], explicit: Mapping[str, str] | None = None, *, name: str = "fichier"
) -> ColumnMapping:
    """Match headers to fields; ``explicit`` ({source column: field or "ignorer"}) wins.

    Raises ``ImportFileError`` (« aucune colonne reconnue ») when no header names a field.
    """
    headers = list(headers)
    explicit = dict(explicit or {})
    by_key = {compact_key(h): h for h in headers}
    forced: dict[str, str] = {}
    for column, field in explicit.items():
        source = column if column in headers else by_key.get(compact_key(column))
        if source is None:
            raise ImportFileError(
                f"Colonne « {column} » absente du fichier (colonnes : {', '.join(headers)})."
            )
        if field not in FIELDS and field != IGNORE:
            raise ImportFileError(
                f"Champ inconnu « {field} » pour la colonne « {column} » "
                f"(champs possibles : {', '.join(FIELDS)}, {IGNORE})."
            )
        forced[source] = field
    columns: dict[str, str] = {}
    for source, field in forced.items():
        if field == IGNORE:
            continue
        if field in columns:
            raise ImportFileError(
                f"Le champ « {field} » est choisi pour deux colonnes : "
                f"« {columns[field]} » et « {source} »."
            )
        columns[field] = source
    unknown, duplicates, derived = [], [], []
    for header in headers:
        if header in forced:
            continue
        field = _LOOKUP.get(compact_key(header))
        if field == DERIVED:
            derived.append(header)
        elif field is None:
            unknown.append(header)
        elif field in columns:
            duplicates.append(header)
        else:
            columns[field] = header
    if not columns:
        raise ImportFileError(no_column_message(name, headers))
    return ColumnMapping(columns, tuple(unknown), tuple(duplicates), tuple(derived))


def no_column_message(name: str, headers: Iterable[str]) -> str:
    """Why a file with no recognised column is refused, and how to mend it."""
    listed = ", ".join(f"« {h} »" for h in list(headers)[:12]) or "aucune"
    return (
        f"Aucune colonne reconnue dans « {name} » (colonnes lues : {listed}) : nommez-les comme "
        "le modèle d'import (Titre, Commune, Financeurs…) ou indiquez le champ de chacune "
        "(« Correspondance des colonnes » dans l'application, --map « Colonne=champ » en "
        "ligne de commande)."
    )
