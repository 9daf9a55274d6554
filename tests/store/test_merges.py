"""Merging funders and themes (admin): initiatives follow, the old label stays an alias."""

from __future__ import annotations

import pytest
from test_store import record

from territoires.errors import PermissionDeniedError, StoreError
from territoires.importers.pipeline import import_file
from territoires.store import Actor, Referentiels, Store, load_referentiels, open_store

ADMIN = Actor("admin@exemple.fr", "admin")
JEAN = Actor("jean@exemple.fr", "editeur")
CANON = "Fondation de France"


def _funds(*pairs: tuple[str, float | None]) -> list[dict]:
    return [{"financeur": name, "montant": amount} for name, amount in pairs]


def test_merge_funders_moves_initiatives_and_keeps_the_old_name_as_alias(
    store: Store, tiny_reference
) -> None:
    store.import_batch(
        [
            record("A", financements=_funds(("Fondation de Frnace", 300.0))),
            record("B", financements=_funds(("Fondation de Frnace", 200.0), (CANON, 100.0))),
            record("C", financements=_funds((CANON, None))),
        ],
        actor=JEAN,
        new_funders=["Fondation de Frnace"],
    )
    assert store.merge_funders("Fondation de Frnace", CANON, actor=ADMIN) == 2
    rows = store.list_initiatives().set_index("titre")
    assert rows.loc["A", "financements"] == _funds((CANON, 300.0))
    assert rows.loc["B", "financements"] == _funds((CANON, 300.0))  # listed once, amounts added
    assert (rows.loc["A", "version"], rows.loc["C", "version"]) == (2, 1)
    assert "Fondation de Frnace" not in set(store.funders()["nom"])
    assert ("Fondation de Frnace", CANON) in store.funder_aliases()
    history = store.history()
    merges = history[history["action"] == "fusion"]
    assert len(merges) == 3  # one per initiative changed, one for the merge itself
    assert set(merges["champ"]) == {"financements", "financeur"}
    # the next import files the old name under the target
    data = "Titre;Porteur;Code INSEE;Financeurs;Année\nD;Asso;22001;Fondation de Frnace;2024\n"
    report = import_file(data.encode(), store, tiny_reference, name="d.csv", actor=JEAN)
    assert report.plan.new_funders == []
    assert store.list_initiatives().set_index("titre").loc["D", "financeurs"] == [CANON]


def test_a_merged_configured_funder_stays_merged_when_the_config_is_seeded_again(
    store_url: str,
) -> None:
    store = open_store(store_url)
    store.import_batch(
        [record("A", financements=_funds(("Fondation JM Bruneau", 5.0)))], actor=JEAN
    )
    store.merge_funders("Fondation JM Bruneau", CANON, actor=ADMIN)
    store.close()
    base = load_referentiels()
    changed = Referentiels(base.themes, tuple(reversed(base.funders)))  # forces a new seed
    again = open_store(store_url, referentiels=changed)
    try:
        assert "Fondation JM Bruneau" not in set(again.funders()["nom"])
        aliases = dict(again.funder_aliases())
        assert aliases["Fondation JM Bruneau"] == CANON and aliases["JM Bruneau"] == CANON
        assert again.list_initiatives().iloc[0]["financeurs"] == [CANON]
    finally:
        again.close()


def test_merge_themes(store: Store) -> None:
    store.import_batch(
        [
            record("A", themes=["cultures-savoirs"]),
            record("B", themes=["prendre-soin", "cultures-savoirs"]),
        ],
        actor=JEAN,
    )
    libelle = store.themes().set_index("code").loc["cultures-savoirs", "libelle"]
    assert store.merge_themes("cultures-savoirs", "prendre-soin", actor=ADMIN) == 2
    rows = store.list_initiatives().set_index("titre")
    assert rows.loc["A", "themes"] == ["prendre-soin"]
    assert rows.loc["B", "themes"] == ["prendre-soin"]
    assert store.themes()["code"].tolist() == ["prendre-soin", "espaces-cooperation"]
    aliases = dict(store.theme_aliases())
    assert aliases["cultures-savoirs"] == "prendre-soin" and aliases[libelle] == "prendre-soin"


def test_merges_are_for_admins_and_check_their_names(store: Store) -> None:
    with pytest.raises(PermissionDeniedError, match="administrateurs"):
        store.merge_funders("Fondation JM Bruneau", CANON, actor=JEAN)
    with pytest.raises(PermissionDeniedError):
        store.merge_themes("cultures-savoirs", "prendre-soin", actor=JEAN)
    with pytest.raises(StoreError, match="Financeur inconnu : « Personne »"):
        store.merge_funders("Personne", CANON, actor=ADMIN)
    with pytest.raises(StoreError, match="lui-même"):
        store.merge_funders(CANON, CANON, actor=ADMIN)
    with pytest.raises(StoreError, match="Thème inconnu"):
        store.merge_themes("sport", "prendre-soin", actor=ADMIN)
