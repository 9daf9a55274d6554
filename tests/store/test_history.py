"""The history: who changed which field of which initiative, when, in which import batch."""

from __future__ import annotations

import datetime as dt

import pytest
from test_store import record

from territoires.store import HISTORY_COLUMNS, IMPORT_COLUMNS, Actor, FieldChange, Store

JEAN = Actor("jean@exemple.fr", "editeur")
MARIE = Actor("Marie@Exemple.fr", "editeur")
ADMIN = Actor("admin@exemple.fr", "admin")


def test_an_import_records_its_batch_and_each_field_it_set(store: Store) -> None:
    result = store.import_batch(
        [record("A", reference="R-1", montant=0.1 + 0.2)], actor=JEAN, source="a.csv", rejected=2
    )
    assert result.lot is not None and result.changes == ()
    frame = store.history()
    assert tuple(frame.columns) == HISTORY_COLUMNS
    assert set(frame["action"]) == {"import"} and set(frame["lot"]) == {result.lot}
    assert set(frame["utilisateur"]) == {"jean@exemple.fr"}
    values = dict(zip(frame["champ"], frame["apres"], strict=True))
    assert values["montant"] == 0.1 + 0.2  # stored exactly, not rounded
    assert values["themes"] == ["prendre-soin"]
    assert values["financements"] == [{"financeur": "Fondation de France", "montant": 1000.0}]
    assert values["reference"] == "R-1" and "description" not in values  # empty: not shown
    assert frame["avant"].isna().all()
    journal = store.imports()
    assert tuple(journal.columns) == IMPORT_COLUMNS
    row = journal.iloc[0]
    assert (row["lot"], row["utilisateur"], row["fichier"]) == (result.lot, JEAN.user, "a.csv")
    assert (row["nouvelles"], row["rejetees"], row["annule"]) == (1, 2, False)


def test_a_reimport_returns_and_records_field_level_changes(store: Store) -> None:
    first = store.import_batch([record("A", reference="R-1"), record("B")], actor=JEAN)
    changed = [record("A", reference="R-1", montant=2500.0, themes=[]), record("B")]
    preview = store.import_batch(changed, actor=MARIE, dry_run=True)
    assert preview.dry_run and preview.lot is None
    ident = int(store.list_initiatives().set_index("titre").loc["A", "id"])
    expected = [
        FieldChange(ident, "R-1", "themes", ["prendre-soin"], []),
        FieldChange(ident, "R-1", "montant", 1000.0, 2500.0),
    ]
    assert list(preview.changes) == expected
    assert len(store.history()) == len(store.history(lot=first.lot))  # dry run: nothing written
    result = store.import_batch(changed, actor=MARIE)
    assert list(result.changes) == expected and result.lot > first.lot
    rows = store.history(lot=result.lot)
    assert set(rows["champ"]) == {"themes", "montant"}
    assert set(rows["utilisateur"]) == {"Marie@Exemple.fr"}
    row = store.list_initiatives().set_index("titre").loc["A"]
    assert (row["version"], row["cree_par"], row["modifie_par"]) == (2, JEAN.user, MARIE.user)


def test_history_filters(store: Store) -> None:
    store.import_batch([record("A"), record("B", reference="R-B")], actor=JEAN)
    ids = store.list_initiatives().set_index("titre")["id"]
    store.update_initiative(int(ids["A"]), {"reference": "R-A"}, expected_version=1, actor=MARIE)
    by_id = store.history(initiative_id=int(ids["A"]))
    assert set(by_id["initiative_id"]) == {ids["A"]}
    assert by_id.iloc[0]["action"] == "modification"  # newest first
    assert set(store.history(user="MARIE@exemple.fr")["action"]) == {"modification"}
    # the reference finds the rows written before the initiative had it
    assert set(store.history(reference="R-A")["action"]) == {"import", "modification"}
    assert set(store.history(reference="R-B")["initiative_id"]) == {ids["B"]}
    today = dt.datetime.now(dt.UTC).date()
    assert len(store.history(since=today, until=today)) == len(store.history())
    assert store.history(until=today - dt.timedelta(days=1)).empty
    assert store.history(since=today + dt.timedelta(days=1)).empty
    assert len(store.history(limit=1)) == 1 and store.history(lot=99).empty


def test_role_changes_are_recorded(store: Store) -> None:
    store.set_user("jean@exemple.fr", "editeur", actor=ADMIN)
    store.set_user("jean@exemple.fr", "admin", actor=ADMIN)
    store.set_user("JEAN@exemple.fr", "admin", actor=ADMIN)  # no change: nothing recorded
    store.set_user("marie@exemple.fr", "admin", actor=ADMIN)
    store.remove_user("jean@exemple.fr", actor=ADMIN)
    frame = store.history().iloc[[0, 2, 3]]
    assert set(frame["action"]) == {"utilisateur"}
    assert frame[["avant", "apres"]].values.tolist() == [
        ["jean@exemple.fr : admin", None],
        ["jean@exemple.fr : editeur", "jean@exemple.fr : admin"],
        [None, "jean@exemple.fr : editeur"],
    ]


def test_a_lecteur_cannot_import(store: Store) -> None:
    from territoires.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError, match="éditeurs et administrateurs"):
        store.import_batch([record("A")], actor=Actor("lea@exemple.fr", "lecteur"))
    assert store.count() == 0 and store.imports().empty
