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
