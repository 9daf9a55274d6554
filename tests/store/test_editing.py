"""Editing in place: create, update with optimistic concurrency, soft delete, restore."""

from __future__ import annotations

import threading

import pytest
from test_store import record

from territoires.errors import PermissionDeniedError, StoreError, VersionConflictError
from territoires.store import DATA_FIELDS, Actor, Store, open_store

JEAN = Actor("jean@exemple.fr", "editeur")
MARIE = Actor("marie@exemple.fr", "editeur")
ADMIN = Actor("admin@exemple.fr", "admin")
LECTEUR = Actor("lea@exemple.fr", "lecteur")


def data(titre: str = "Jardin", **fields: object) -> dict:
    return {k: v for k, v in record(titre, **fields).items() if k in DATA_FIELDS}


def test_create_then_read_back(store: Store) -> None:
    ident = store.create_initiative(data(reference="R-1", montant=1500.5), actor=JEAN)
    row = store.get_initiative(ident)
    assert row is not None
    assert (row["titre"], row["montant"], row["version"]) == ("Jardin", 1500.5, 1)
    assert (row["cree_par"], row["modifie_par"], row["supprime_le"]) == (JEAN.user, JEAN.user, None)
    assert row["themes"] == ["prendre-soin"] and row["source_fichier"] is None
    listed = store.list_initiatives()
    assert tuple(listed.columns[-3:]) == ("version", "cree_par", "modifie_par")
    assert listed["id"].tolist() == [ident]
    history = store.history(initiative_id=ident)
    assert set(history["action"]) == {"creation"} and "montant" in set(history["champ"])
    assert store.get_initiative(ident + 1000) is None


def test_create_refuses_what_the_store_cannot_hold(store: Store) -> None:
    store.create_initiative(data(reference="R-1"), actor=JEAN)
    with pytest.raises(StoreError, match="même référence"):
        store.create_initiative(data("Autre", reference="R-1"), actor=JEAN)
    store.create_initiative(data("Sans référence"), actor=JEAN)
    with pytest.raises(StoreError, match="même titre, porteur, commune et année"):
        store.create_initiative(data("SANS  référence"), actor=JEAN)
    with pytest.raises(StoreError, match="Champs inconnus : couleur"):
        store.create_initiative({**data("C"), "couleur": "bleu"}, actor=JEAN)
    with pytest.raises(StoreError, match="Titre manquant"):
        store.create_initiative(data(" "), actor=JEAN)
    with pytest.raises(StoreError, match="n'a pas été créée"):
        store.create_initiative(data("D", themes=["pas-un-theme"]), actor=JEAN)
    with pytest.raises(PermissionDeniedError):
        store.create_initiative(data("E"), actor=LECTEUR)
    assert store.count() == 2


def test_update_records_each_field_and_raises_the_version(store: Store) -> None:
    ident = store.create_initiative(data(), actor=JEAN)
    version = store.update_initiative(
        ident, {"montant": 2000.0, "titre": "Jardin partagé"}, expected_version=1, actor=MARIE
    )
    assert version == 2
    row = store.get_initiative(ident)
    assert (row["montant"], row["titre"], row["modifie_par"]) == (
        2000.0,
        "Jardin partagé",
        MARIE.user,
    )
    changes = store.history(initiative_id=ident, user=MARIE.user)
    assert sorted(zip(changes["champ"], changes["avant"], changes["apres"], strict=True)) == [
        ("montant", 1000.0, 2000.0),
        ("titre", "Jardin", "Jardin partagé"),
    ]
    assert set(changes["action"]) == {"modification"}
    # nothing to change: same version, nothing recorded
    assert store.update_initiative(ident, {"montant": 2000.0}, expected_version=2, actor=JEAN) == 2
    assert set(store.history(initiative_id=ident, user=JEAN.user)["action"]) == {"creation"}


def test_a_stale_version_is_refused_with_their_change_and_yours(store: Store) -> None:
    ident = store.create_initiative(data(), actor=JEAN)
    store.update_initiative(ident, {"montant": 2000.0}, expected_version=1, actor=MARIE)
    before = store.data_version()
    with pytest.raises(VersionConflictError) as error:
        store.update_initiative(ident, {"montant": 1500.0}, expected_version=1, actor=JEAN)
    conflict = error.value
    assert [(c.utilisateur, c.champ, c.avant, c.apres) for c in conflict.theirs] == [
        (MARIE.user, "montant", 1000.0, 2000.0)
    ]
    assert conflict.yours == {"montant": 1500.0}
    assert (
        "marie@exemple.fr" in conflict.user_message
        and "montant 1000 → 2000" in conflict.user_message
    )
    assert "montant → 1500" in conflict.user_message
    assert store.get_initiative(ident)["montant"] == 2000.0
    assert store.data_version() == before


def test_concurrent_saves_of_one_version_let_exactly_one_through(store_url: str) -> None:
    setup = open_store(store_url)
    ident = setup.create_initiative(data(), actor=JEAN)
    setup.close()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(amount: float) -> None:
        store = open_store(store_url)
        barrier.wait()
        try:
            store.update_initiative(ident, {"montant": amount}, expected_version=1, actor=JEAN)
            outcomes.append("ok")
        except VersionConflictError:
            outcomes.append("conflit")
        finally:
            store.close()

    threads = [threading.Thread(target=save, args=(a,)) for a in (1.0, 2.0)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflit", "ok"]
    check = open_store(store_url)
    try:
        assert check.get_initiative(ident)["version"] == 2
    finally:
        check.close()


def test_soft_delete_and_restore(store: Store) -> None:
    ident = store.create_initiative(data(reference="R-1"), actor=JEAN)
    with pytest.raises(VersionConflictError):
        store.delete_initiative(ident, expected_version=5, actor=JEAN)
    store.delete_initiative(ident, expected_version=1, actor=JEAN)
    assert store.count() == 0 and store.list_initiatives().empty
    deleted = store.list_deleted()
    assert deleted["id"].tolist() == [ident]
    assert deleted.iloc[0]["supprime_par"] == JEAN.user and deleted.iloc[0]["version"] == 2
    assert store.get_initiative(ident)["supprime_le"] is not None
    with pytest.raises(StoreError, match="a été supprimée"):
        store.update_initiative(ident, {"montant": 1.0}, expected_version=2, actor=JEAN)
    with pytest.raises(PermissionDeniedError, match="administrateurs"):
        store.restore_initiative(ident, actor=JEAN)
    store.restore_initiative(ident, actor=ADMIN)
    row = store.get_initiative(ident)
    assert (row["supprime_le"], row["version"]) == (None, 3)
    assert store.list_deleted().empty and store.count() == 1
    actions = store.history(initiative_id=ident)["action"].tolist()
    assert actions[:2] == ["restauration", "suppression"]


def test_a_reimport_leaves_a_deleted_initiative_deleted_and_says_so(store: Store) -> None:
    store.import_batch([record("A", reference="R-1"), record("B")], actor=JEAN)
    ident = int(store.list_initiatives().set_index("titre").loc["A", "id"])
    store.delete_initiative(ident, expected_version=1, actor=JEAN)
    result = store.import_batch(
        [record("A", reference="R-1", montant=9.0), record("B")], actor=JEAN
    )
    assert (result.nouvelles, result.modifiees, result.inchangees) == (0, 0, 1)
    assert result.supprimees_ignorees == ("R-1 « A »",)
    assert store.get_initiative(ident)["supprime_le"] is not None
    assert store.get_initiative(ident)["montant"] == 1000.0


def test_lecteur_writes_nothing(store: Store) -> None:
    ident = store.create_initiative(data(), actor=JEAN)
    for attempt in (
        lambda: store.update_initiative(ident, {"montant": 1.0}, expected_version=1, actor=LECTEUR),
        lambda: store.delete_initiative(ident, expected_version=1, actor=LECTEUR),
        lambda: store.restore_initiative(ident, actor=LECTEUR),
    ):
        with pytest.raises(PermissionDeniedError, match="vous êtes « lecteur »"):
            attempt()
    assert store.get_initiative(ident)["version"] == 1
