"""Backup and restore in one portable file, lossless from SQLite to PostgreSQL and back."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest
from test_store import record

from territoires import cli
from territoires.errors import PermissionDeniedError, StoreError
from territoires.store import Actor, Store, open_store, restore_backup
from territoires.store.backup import BOOLEAN_COLUMNS, TABLES

ADMIN = Actor("admin@exemple.fr", "admin")
JEAN = Actor("jean@exemple.fr", "editeur")


def _fill(store: Store) -> None:
    """Every kind of row: demo, imports, edits, a deletion, a merge, an undo, users."""
    store.import_batch([record("Démo", fictif=True)], actor=ADMIN, source="démo")
    store.import_batch(
        [
            record("Été <b>", reference="R-1", montant=0.1 + 0.2, latitude=48.0512345678901),
            record("=SOMME(A1)", description="Ligne 1\nLigne 2 « guillemets »", annee=None),
            record("Sans montant", montant=None, financements=[], themes=[]),
        ],
        actor=JEAN,
        source="comité.csv",
        new_funders=["Mairie de Glomel"],
        replace_demo=True,
        rejected=3,
    )
    ids = store.list_initiatives().set_index("titre")["id"]
    store.update_initiative(
        int(ids["Sans montant"]), {"montant": 1e-7}, expected_version=1, actor=JEAN
    )
    store.delete_initiative(int(ids["=SOMME(A1)"]), expected_version=1, actor=JEAN)
    store.merge_funders("Fondation JM Bruneau", "Fondation de France", actor=ADMIN)
    lot = store.import_batch([record("Éphémère")], actor=JEAN).lot
    store.undo_import(lot, actor=JEAN)
    store.set_user("jean@exemple.fr", "editeur", actor=ADMIN)
    store.set_user("admin@exemple.fr", "admin", actor=ADMIN)


def _tables(store: Store) -> dict[str, list[tuple]]:
    """Every backed-up table's rows, booleans as booleans, in a stable order."""
    content = {}
    for table, order in TABLES:
        cursor = store._db.execute(f"SELECT * FROM {table} ORDER BY {order}")
        columns = [d[0] for d in cursor.description]
        flags = [columns.index(c) for c in BOOLEAN_COLUMNS.get(table, ())]
        rows = []
        for row in cursor.fetchall():
            values = list(row)
            for index in flags:
                values[index] = bool(values[index])
            rows.append(tuple(values))
        content[table] = rows
    return content


@pytest.mark.postgres
@pytest.mark.parametrize("direction", ["sqlite-vers-postgresql", "postgresql-vers-sqlite"])
def test_backup_restores_every_table_across_backends(
    direction: str, postgres_url: str, tmp_path
) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'base.db'}"
    source_url, target_url = (
        (sqlite_url, postgres_url) if direction.startswith("sqlite") else (postgres_url, sqlite_url)
    )
    source = open_store(source_url)
    _fill(source)
    path = source.backup(tmp_path / "sauvegarde.jsonl.gz")
    expected = _tables(source)
    initiatives, deleted, history = (
        source.list_initiatives(),
        source.list_deleted(),
        source.history(),
    )
    source.close()
    assert all(expected[t] for t in ("initiatives", "history", "imports", "users", "meta"))

    counts = restore_backup(path, target_url, actor=ADMIN)
    assert counts["initiatives"] == len(expected["initiatives"])
    target = open_store(target_url)
    try:
        assert _tables(target) == expected
        pd.testing.assert_frame_equal(target.list_initiatives(), initiatives)
        pd.testing.assert_frame_equal(target.list_deleted(), deleted)
        pd.testing.assert_frame_equal(target.history(), history)
        # the restored database goes on: new ids do not collide with the restored ones
        target.import_batch([record("Après restauration")], actor=JEAN)
        assert target.count() == len(initiatives) + 1
        assert target.imports().iloc[0]["fichier"] is None
    finally:
        target.close()


def test_restore_refuses_a_database_that_is_not_empty(store: Store, tmp_path) -> None:
    _fill(store)
    path = store.backup(tmp_path / "s.gz")
    other = open_store(f"sqlite:///{tmp_path / 'autre.db'}")
    other.import_batch([record("Autre")], actor=JEAN)
    before = other.data_version()
    with pytest.raises(StoreError, match="n'est pas vide"):
        other.restore(path, actor=ADMIN)
    assert other.list_initiatives()["titre"].tolist() == ["Autre"]
    with pytest.raises(PermissionDeniedError):
        other.restore(path, actor=JEAN, force=True)
    other.restore(path, actor=ADMIN, force=True)
    assert "Autre" not in set(other.list_initiatives()["titre"])
    assert other.data_version() > before  # running apps see the change
    other.close()


def test_a_file_that_is_not_a_backup_is_a_french_error(store: Store, tmp_path) -> None:
    bad = tmp_path / "pas-une-sauvegarde.gz"
    bad.write_bytes(gzip.compress(b'{"format": "autre"}\n'))
    with pytest.raises(StoreError, match="n'est pas une sauvegarde"):
        store.restore(bad, actor=ADMIN)
    truncated = tmp_path / "tronquee.gz"
    good = store.backup(tmp_path / "s.gz")
    lines = gzip.decompress(good.read_bytes()).splitlines(keepends=True)
    truncated.write_bytes(gzip.compress(b"".join(lines[:-2])))
    with pytest.raises(StoreError, match="tronquée"):
        store.restore(truncated, actor=ADMIN)
    assert store.data_version() >= 1


def test_backup_and_restore_commands(tmp_path, capsys) -> None:
    source = f"sqlite:///{tmp_path / 'a.db'}"
    target = f"sqlite:///{tmp_path / 'b.db'}"
    store = open_store(source)
    _fill(store)
    store.close()
    path = tmp_path / "s.jsonl.gz"
    assert cli.main(["backup", "--db", source, "--output", str(path)]) == 0
    assert cli.main(["restore", str(path), "--db", target]) == 0
    assert "Base restaurée" in capsys.readouterr().out
    assert cli.main(["restore", str(path), "--db", target]) == 2
    assert "--force" in capsys.readouterr().err
    assert cli.main(["restore", str(path), "--db", target, "--force", "--user", "x@y.fr"]) == 0
