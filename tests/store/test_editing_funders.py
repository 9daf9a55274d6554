"""Editing in place names a funder the store does not know yet: it is created, as an import
creates it, in the same transaction (the form accepts a new funder's name, like a file)."""

from __future__ import annotations

from territoires.store import Actor, Store

JEAN = Actor("jean@exemple.fr", "editeur")


def _funders(store: Store) -> set[str]:
    return set(store.funders()["nom"])


def test_create_and_update_create_the_funders_they_name(store: Store) -> None:
    record = {
        "titre": "Jardin",
        "commune_code": "22001",
        "financements": [{"financeur": "Fonds du Poher", "montant": None}],
    }
    ident = store.create_initiative(record, actor=JEAN)
    assert store.get_initiative(ident)["financeurs"] == ["Fonds du Poher"]
    assert "Fonds du Poher" in _funders(store)
    changes = {"financements": [{"financeur": "Mairie de Rostrenen", "montant": 500.0}]}
    store.update_initiative(ident, changes, expected_version=1, actor=JEAN)
    assert store.get_initiative(ident)["financements"] == changes["financements"]
    assert "Mairie de Rostrenen" in _funders(store)
