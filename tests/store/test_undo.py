"""Undo of a whole import batch, on both backends, checked with the real export function."""

from __future__ import annotations

import pytest

from territoires.demo import generate_demo
from territoires.errors import PermissionDeniedError, StoreError, UndoConflictError
from territoires.exports import export_initiatives
from territoires.importers.pipeline import import_file
from territoires.importers.vocabulary import Correspondence
from territoires.store import Actor, Store

JEAN = Actor("jean@exemple.fr", "editeur")
MARIE = Actor("marie@exemple.fr", "editeur")
ADMIN = Actor("admin@exemple.fr", "admin")

HEADER = "Réf;Titre;Porteur;Code INSEE;Financeurs;Thèmes;Montant;Année;Latitude;Longitude\n"
FIRST = HEADER + (
    "A1;Jardin;Les Amis;22001;Carasso;soin;12 000 €;2023;48.05;-3.45\n"
    "A2;Café;Asso;22002;FdF + JM Bruneau;cultures;0,1;2024;;\n"
    "A3;Fête;Asso;56003;FdF;;;2022;;\n"
)
SECOND = HEADER + (
    "A1;Jardin partagé;Les Amis;22001;Carasso + Mairie de Glomel;soin;13 000,5 €;2023;48.05;-3.45\n"
    "A2;Café;Asso;22002;FdF + JM Bruneau;cultures;0,1;2024;;\n"
    "A4;Bus;Asso;56004;Mairie de Glomel;coopération;500;2025;;\n"
)


def _exports(store: Store, reference) -> tuple[bytes, bytes]:
    frame = store.list_initiatives()
    return (
        export_initiatives(frame, reference, "csv"),
        export_initiatives(frame, reference, "geojson"),
    )


# A new funder is created only once confirmed (issue 20).
NEW_FUNDER = Correspondence("financeurs", "Mairie de Glomel", "Mairie de Glomel")


def _load(store: Store, text: str, name: str, actor: Actor, reference):
    return import_file(
        text.encode(), store, reference, name=name, actor=actor, correspondences=[NEW_FUNDER]
    )


@pytest.fixture
def demo_store(store: Store, tiny_reference) -> Store:
    """A store holding a small fictional demo dataset, as on first start."""
    records = generate_demo(tiny_reference, size=12, seed=3)
    known = set(store.funders()["nom"])
    new = sorted({f["financeur"] for r in records for f in r["financements"]} - known)
    store.import_batch(records, actor=ADMIN, new_funders=new, source="démo")
    return store


def test_undo_gives_back_exactly_the_export_made_before_each_import(
    demo_store: Store, tiny_reference
) -> None:
    store = demo_store
    demo_export = _exports(store, tiny_reference)
    first = _load(store, FIRST, "premier.csv", JEAN, tiny_reference)
    assert first.fictives_supprimees == 12 and first.lot is not None
    first_export = _exports(store, tiny_reference)
    second = _load(store, SECOND, "second.csv", JEAN, tiny_reference)
    assert (second.nouvelles, second.modifiees, second.inchangees) == (1, 1, 1)
    assert "Mairie de Glomel" in set(store.funders()["nom"])
    assert _exports(store, tiny_reference) != first_export

    result = store.undo_import(second.lot, actor=JEAN)
    assert (result.supprimees, result.retablies, result.fictives_restaurees) == (1, 1, 0)
    assert result.financeurs_supprimes == ("Mairie de Glomel",)
    assert _exports(store, tiny_reference) == first_export  # byte for byte
    assert "Mairie de Glomel" not in set(store.funders()["nom"])

    result = store.undo_import(first.lot, actor=JEAN)
    assert (result.supprimees, result.fictives_restaurees) == (3, 12)
    assert _exports(store, tiny_reference) == demo_export
    assert store.count(fictif=True) == 12 and not store.has_real_data()
    journal = store.imports().set_index("lot")
    assert journal.loc[second.lot, "annule"] and journal.loc[first.lot, "annule"]
    assert journal.loc[first.lot, "annule_par"] == JEAN.user
    assert store.last_imports()["fichier"].tolist() == ["démo"]  # undone imports left out
    undo_rows = store.history(lot=second.lot)
    assert {"import", "annulation"} == set(undo_rows["action"])
    # the batch can be imported again after its undo, as new
    again = _load(store, FIRST, "premier.csv", JEAN, tiny_reference)
    assert (again.nouvelles, again.fictives_supprimees) == (3, 12)


def test_undo_names_records_edited_since_and_writes_nothing(store: Store, tiny_reference) -> None:
    _load(store, FIRST, "premier.csv", JEAN, tiny_reference)
    second = _load(store, SECOND, "second.csv", JEAN, tiny_reference)
    rows = store.list_initiatives().set_index("reference")
    store.update_initiative(
        int(rows.loc["A1", "id"]), {"montant": 99.0}, expected_version=2, actor=MARIE
    )
    store.update_initiative(
        int(rows.loc["A2", "id"]), {"statut": "terminé"}, expected_version=1, actor=MARIE
    )  # A2 was unchanged by the second import: no conflict
    before, version = _exports(store, tiny_reference), store.data_version()
    with pytest.raises(UndoConflictError) as error:
        store.undo_import(second.lot, actor=JEAN)
    conflicts = error.value.conflicts
    assert [(c.reference, c.titre) for c in conflicts] == [("A1", "Jardin partagé")]
    assert "marie@exemple.fr" in conflicts[0].raison
    assert "A1 « Jardin partagé »" in error.value.user_message
    assert "--force" in error.value.user_message
    assert _exports(store, tiny_reference) == before and store.data_version() == version
    assert not store.imports().set_index("lot").loc[second.lot, "annule"]

    result = store.undo_import(second.lot, actor=JEAN, force=True)
    assert [c.reference for c in result.forcees] == ["A1"]
    row = store.get_initiative(int(rows.loc["A1", "id"]))
    assert (row["titre"], row["montant"]) == ("Jardin", 12000.0)
    assert store.get_initiative(int(rows.loc["A2", "id"]))["statut"] == "terminé"


def test_a_created_record_edited_or_deleted_since_is_a_conflict(
    store: Store, tiny_reference
) -> None:
    first = _load(store, FIRST, "premier.csv", JEAN, tiny_reference)
    ident = int(store.list_initiatives().set_index("reference").loc["A3", "id"])
    store.delete_initiative(ident, expected_version=1, actor=MARIE)
    with pytest.raises(UndoConflictError) as error:
        store.undo_import(first.lot, actor=JEAN)
    assert "supprimée le" in error.value.conflicts[0].raison
    assert store.undo_import(first.lot, actor=JEAN, force=True).supprimees == 3
    assert store.get_initiative(ident) is None and store.list_deleted().empty


def test_undo_in_reverse_order_needs_no_force(store: Store, tiny_reference) -> None:
    first = _load(store, FIRST, "premier.csv", JEAN, tiny_reference)
    second = _load(store, SECOND, "second.csv", JEAN, tiny_reference)
    with pytest.raises(UndoConflictError):  # the second import changed A1 since
        store.undo_import(first.lot, actor=JEAN)
    store.undo_import(second.lot, actor=JEAN)
    store.undo_import(first.lot, actor=JEAN)
    assert store.count() == 0


def test_who_may_undo(store: Store, tiny_reference) -> None:
    lot = _load(store, FIRST, "premier.csv", JEAN, tiny_reference).lot
    with pytest.raises(PermissionDeniedError, match="vos propres imports"):
        store.undo_import(lot, actor=MARIE)
    with pytest.raises(PermissionDeniedError):
        store.undo_import(lot, actor=Actor("jean@exemple.fr", "lecteur"))
    store.undo_import(lot, actor=Actor("JEAN@exemple.fr", "editeur"))  # e-mail case ignored
    with pytest.raises(StoreError, match="déjà été annulé"):
        store.undo_import(lot, actor=ADMIN)
    with pytest.raises(StoreError, match="Lot d'import inconnu"):
        store.undo_import(999, actor=ADMIN)
    lot = _load(store, FIRST, "premier.csv", MARIE, tiny_reference).lot
    assert store.undo_import(lot, actor=ADMIN).supprimees == 3  # an admin undoes any import
