"""A whole import and export round trip on each backend (SQLite and PostgreSQL)."""

from __future__ import annotations

import pandas as pd

from territoires.exports import export_initiatives
from territoires.importers.pipeline import import_file
from territoires.importers.vocabulary import Correspondence
from territoires.store import Actor, Store

ACTOR = Actor("test@exemple.fr", "editeur")

DATA = (
    "Réf;Titre;Porteur;Commune;Financeurs;Thèmes;Montant;Année;Zone d'intervention\n"
    "A1;=SOMME(1);<b>Asso</b>;Commune 1;Carasso + Fondation Locale;soin;12 000 €;2023;tiny-ouest\n"
    ";Sans référence;Asso;22002;FdF;;;2024;\n"
    "A3;Rejetée;Asso;Nulle part;FdF;;;2024;\n"
).encode()


def test_import_reimport_and_round_trip(store: Store, tiny_reference) -> None:
    # "22002" in the name column is not guessed as a code: that row is rejected too.
    # A new funder is created only once confirmed.
    new = Correspondence("financeurs", "Fondation Locale", "Fondation Locale")
    first = import_file(
        DATA, store, tiny_reference, name="f.csv", correspondences=[new], actor=ACTOR
    )
    assert (first.nouvelles, len(first.rejected)) == (1, 2)
    assert first.plan.new_funders == ["Fondation Locale"]
    again = import_file(DATA, store, tiny_reference, name="f.csv", actor=ACTOR)
    assert (again.nouvelles, again.modifiees, again.inchangees) == (0, 0, 1)
    before = store.list_initiatives()
    row = before.iloc[0]
    assert (row["titre"], row["porteur"]) == ("=SOMME(1)", "<b>Asso</b>")
    assert row["zone_intervention"] == [{"level": "territoire", "code": "tiny-ouest"}]
    exported = export_initiatives(before, tiny_reference, "xlsx")
    report = import_file(exported, store, tiny_reference, name="export.xlsx", actor=ACTOR)
    assert (report.nouvelles, report.modifiees, report.inchangees) == (0, 0, 1)
    pd.testing.assert_frame_equal(store.list_initiatives(), before)


def test_bulk_rows_keep_every_character(store: Store) -> None:
    """Bulk inserts (one prepared INSERT on SQLite, COPY on PostgreSQL, issue 21) store text
    exactly: tabs, line breaks, backslashes, quotes, « \\N », accents; and numbers and NULLs."""
    awkward = "a\tb\nc\r\nd \\ e \\N « é » 'f' \"g\" ; h"
    record = {
        "reference": "R\t1",
        "titre": awkward,
        "description": "\\N",
        "porteur": None,
        "themes": ["prendre-soin"],
        "financements": [{"financeur": "Fondation de France", "montant": 12.5}],
        "montant": 1234.5,
        "annee": 2024,
        "commune_code": "22001",
        "zone_intervention": [{"level": "epci", "code": "200000001"}],
        "latitude": 48.1,
        "source_ligne": 7,
    }
    result = store.import_batch([record], actor=ACTOR, fields=None)
    row = store.list_initiatives().iloc[0]
    assert (row["reference"], row["titre"], row["description"]) == ("R\t1", awkward, "\\N")
    assert row["porteur"] is None and row["longitude"] != row["longitude"]  # NULL, NaN
    assert (row["montant"], row["annee"], row["latitude"]) == (1234.5, 2024, 48.1)
    assert row["financements"] == [{"financeur": "Fondation de France", "montant": 12.5}]
    assert row["zone_intervention"] == [{"level": "epci", "code": "200000001"}]
    assert bool(row["fictif"]) is False
    created = store.history(lot=result.lot)
    assert awkward in list(created["apres"])
