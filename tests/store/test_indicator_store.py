"""Need indicators imported by users, kept in the store (SQLite and PostgreSQL)."""

from __future__ import annotations

import pandas as pd
import pytest

from territoires.analysis.indicators import stored_indicators
from territoires.errors import PermissionDeniedError, StoreError
from territoires.store import Actor, Store

RECORD = {
    "libelle": "Taux de pauvreté",
    "unite": "%",
    "sens": "eleve",
    "niveau": "commune",
    "source": "INSEE, Filosofi",
    "millesime": "2021",
    "fichier": "pauvrete.csv",
}
EDITOR = Actor("marie@exemple.fr", "editeur")
READER = Actor("paul@exemple.fr", "lecteur")


def test_save_list_and_read_back(store: Store) -> None:
    assert store.indicators().empty
    version = store.data_version()
    values = pd.Series({"22005": 14.7, "56007": 9.25, "22006": None})
    ident = store.save_indicator(RECORD, values, actor=EDITOR)
    assert store.data_version() > version  # open pages read it again
    (row,) = store.indicators().to_dict("records")
    assert row == {
        **RECORD,
        "id": ident,
        "importe_le": row["importe_le"],
        "importe_par": "marie@exemple.fr",
        "valeurs": 2,
    }
    assert store.indicator_values(ident).to_dict() == {"22005": 14.7, "56007": 9.25}
    (indicator,) = stored_indicators(store)
    assert indicator.key == f"import-{ident}" and indicator.vintage == "2021"
    assert indicator.values.to_dict() == {"22005": 14.7, "56007": 9.25}
    entry = store.history().iloc[0]
    assert entry["action"] == "indicateur" and entry["utilisateur"] == "marie@exemple.fr"
    assert entry["apres"] == "Taux de pauvreté — INSEE, Filosofi, 2021, 2 valeurs"


def test_same_label_replaces_the_indicator_and_its_values(store: Store) -> None:
    first = store.save_indicator(RECORD, pd.Series({"22005": 14.7, "56007": 9.25}), actor=EDITOR)
    other = store.save_indicator(
        {**RECORD, "libelle": "Part des 75 ans"}, pd.Series({"1": 1.0}), actor=EDITOR
    )
    again = store.save_indicator(
        {**RECORD, "millesime": "2022"}, pd.Series({"22005": 15.0}), actor=EDITOR
    )
    assert again == first and other != first
    assert store.indicators()["millesime"].tolist() == ["2022", "2021"]
    assert store.indicator_values(first).to_dict() == {"22005": 15.0}
    replaced = store.history().iloc[0]
    assert replaced["avant"] == "Taux de pauvreté — INSEE, Filosofi, 2021, 2 valeurs"


def test_nothing_is_written_without_values_or_by_a_reader(store: Store) -> None:
    with pytest.raises(StoreError, match="aucune valeur"):
        store.save_indicator(RECORD, pd.Series({"22005": None}, dtype=float), actor=EDITOR)
    with pytest.raises(PermissionDeniedError):
        store.save_indicator(RECORD, pd.Series({"22005": 1.0}), actor=READER)
    assert store.indicators().empty


def test_remove(store: Store) -> None:
    ident = store.save_indicator(RECORD, pd.Series({"22005": 14.7}), actor=EDITOR)
    with pytest.raises(PermissionDeniedError):
        store.remove_indicator(ident, actor=READER)
    assert store.remove_indicator(ident, actor=EDITOR)
    assert store.indicators().empty and store.indicator_values(ident).empty
    assert not store.remove_indicator(ident, actor=EDITOR)


def test_backup_keeps_the_indicators(store: Store, tmp_path) -> None:
    from territoires.store import open_store

    ident = store.save_indicator(RECORD, pd.Series({"22005": 14.7}), actor=EDITOR)
    path = store.backup(tmp_path / "sauvegarde.json")
    fresh = open_store(f"sqlite:///{tmp_path / 'restauree.db'}")
    try:
        fresh.restore(path, actor=Actor("admin@exemple.fr", "admin"))
        assert fresh.indicators()["libelle"].tolist() == ["Taux de pauvreté"]
        assert fresh.indicator_values(ident).to_dict() == {"22005": 14.7}
    finally:
        fresh.close()
