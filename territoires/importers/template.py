"""A blank file to fill in for the import, and its help sheet.

Its headers are ones the importer recognises on its own (``headers.guess_field``), so a
filled-in copy needs no column mapping. It holds no example row: an example left in by
mistake would be imported as an initiative. The examples are in the help sheet.
"""

from __future__ import annotations

import pandas as pd

from territoires.exports import to_csv_bytes, xlsx_workbook
from territoires.store import Referentiels

# field, header, required, what goes in it, example
_COLUMNS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "reference",
        "Référence",
        "non",
        "Votre identifiant de l'initiative. Réimporter une ligne de même référence la met "
        "à jour au lieu de la dupliquer.",
        "CTE-2024-012",
    ),
    ("titre", "Titre", "oui", "Intitulé du projet.", "Café associatif du bourg"),
    ("porteur", "Porteur", "non", "Structure porteuse.", "Association Les Liens"),
    (
        "type",
        "Type",
        "non",
        "« projet associatif » (si vide), « fondation territoriale » ou « autre ».",
        "projet associatif",
    ),
    ("themes", "Thèmes", "non", "", "Prendre soin ; Cultures et savoirs"),
    ("financeurs", "Financeurs", "non", "", "Fondation de France ; Fondation JM Bruneau"),
    (
        "montant",
        "Montant (€)",
        "non",
        "Montant total accordé, en euros (« 12 000 », « 15 k€ »).",
        "12 000",
    ),
    ("annee", "Année", "non", "Année de décision, ou sa date.", "2024"),
    (
        "commune",
        "Commune",
        "oui (*)",
        "Nom de la commune où l'initiative a lieu.",
        "Rostrenen",
    ),
    (
        "code_insee",
        "Code INSEE",
        "oui (*)",
        "Code officiel de la commune, le plus sûr (5 caractères, 2A ou 2B en Corse).",
        "22266",
    ),
    (
        "code_postal",
        "Code postal",
        "non",
        "Distingue les communes de même nom.",
        "22110",
    ),
    (
        "departement",
        "Département",
        "non",
        "Code ou nom ; distingue aussi les communes de même nom.",
        "22",
    ),
    ("latitude", "Latitude", "oui (*)", "Degrés décimaux (WGS 84).", "48,2226"),
    (
        "longitude",
        "Longitude",
        "oui (*)",
        "Degrés décimaux (WGS 84), négatifs à l'ouest de Greenwich (-3,3135 à Rostrenen).",
        "",
    ),
    (
        "zone_intervention",
        "Zone d'intervention",
        "non",
        "Autres territoires touchés, séparés par « ; » : communes (code INSEE ou nom), "
        "EPCI, départements ou territoires nommés (« epci:242200715 », "
        "« territoire:centre-bretagne »).",
        "Plouguernével ; Kergrist-Moëlou",
    ),
    ("description", "Description", "non", "Quelques lignes sur le projet.", ""),
    ("statut", "Statut", "non", "Texte libre.", "en cours"),
    ("date_debut", "Date de début", "non", "Date.", "01/09/2024"),
    ("date_fin", "Date de fin", "non", "Date.", "30/06/2026"),
    ("site_web", "Site web", "non", "Adresse du site.", "https://exemple.org"),
    ("contact", "Contact", "non", "Courriel ou téléphone.", ""),
)

TEMPLATE_HEADERS: dict[str, str] = {field: header for field, header, *_ in _COLUMNS}
# Typed as text in the XLSX template, so that Excel keeps their leading zeros.
CODE_HEADERS: tuple[str, ...] = ("Code INSEE", "Code postal", "Département")
LOCATION_NOTE = (
    "(*) Au moins un moyen de situer l'initiative : le code INSEE, le nom de la commune (avec "
    "son code postal ou son département si plusieurs communes portent ce nom), ou la latitude "
    "et la longitude. Une ligne qu'on ne peut situer est rejetée, avec sa raison."
)


def template_frame() -> pd.DataFrame:
    """The blank table: the headers, no row."""
    return pd.DataFrame({header: pd.Series(dtype=object) for header in TEMPLATE_HEADERS.values()})


def help_frame(referentiels: Referentiels) -> pd.DataFrame:
    """One row per column: required or not, what goes in it, an example."""
    themes = " ; ".join(theme.court for theme in referentiels.themes)
    funders = " ; ".join(funder.nom for funder in referentiels.funders)
    listed = {
        "themes": f"Un ou plusieurs, séparés par « ; » : {themes}. "
        "Un thème non reconnu met la ligne en attente d'une correspondance à confirmer.",
        "financeurs": f"Un ou plusieurs, séparés par « ; ». Connus : {funders}. "
        "Un nouveau nom n'est créé qu'une fois confirmé (étape « Correspondances »).",
    }
    rows = [
        {
            "Colonne": header,
            "Obligatoire": required,
            "Contenu attendu": listed.get(field, meaning),
            "Exemple": example,
        }
        for field, header, required, meaning, example in _COLUMNS
    ]
    rows.append({"Colonne": "", "Obligatoire": "", "Contenu attendu": LOCATION_NOTE, "Exemple": ""})
    return pd.DataFrame(rows)


def template_xlsx(referentiels: Referentiels) -> bytes:
    """The XLSX template: the sheet to fill in, then the help sheet."""
    sheets = {"Initiatives": template_frame(), "Aide": help_frame(referentiels)}
    return xlsx_workbook(sheets, text_columns=CODE_HEADERS)


def template_csv() -> bytes:
    """The CSV template (headers only), for French Excel like the exports."""
    return to_csv_bytes(template_frame())
