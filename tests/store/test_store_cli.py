"""The command-line interfaces scripts depend on (issue 19 §3): import --user, history,
imports, undo-import."""

from __future__ import annotations

import getpass

import pytest

from territoires import cli
from territoires.importers import cli as import_cli
from territoires.importers.reading import read_table
from territoires.store import open_store

HEADER = "Réf;Titre;Porteur;Code INSEE;Financeurs;Montant;Année\n"
FIRST = (
    HEADER
    + "A1;Jardin;Asso;22001;Carasso + Mairie X;12 000 €;2023\nA2;Café;Asso;22002;FdF;500;2024\n"
)
SECOND = (
    HEADER + "A1;Jardin partagé;Asso;22001;Carasso;13 000,5 €;2023\nA3;Bus;Asso;22005;FdF;;2024\n"
)


@pytest.fixture
def db(tiny_reference, tmp_path, monkeypatch) -> str:
    monkeypatch.setattr(import_cli, "_reference", lambda: tiny_reference)
    monkeypatch.setenv("TERRITOIRES_DEMO", "0")
    return f"sqlite:///{tmp_path / 'cli.db'}"


def _import(db: str, tmp_path, name: str, text: str, *extra: str) -> int:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    # A new funder is created only once confirmed (issue 20).
    mapping = tmp_path / "correspondances.csv"
    mapping.write_text("colonne;valeur;proposition;raison\nfinanceurs;Mairie X;Mairie X;\n")
    return cli.main(["import", str(path), "--db", db, "--mapping", str(mapping), *extra])


def test_import_records_the_user_and_the_os_user_by_default(db, tmp_path, capsys) -> None:
    assert _import(db, tmp_path, "a.csv", FIRST, "--user", "jean@exemple.fr") == 0
    assert "Lot d'import n° 1" in capsys.readouterr().out
    assert _import(db, tmp_path, "b.csv", SECOND) == 0
    assert cli.main(["imports", "--db", db, "--output", str(tmp_path / "imports.csv")]) == 0
    journal = read_table(tmp_path / "imports.csv").frame
    assert list(journal.columns) == [
        "lot",
        "date",
        "utilisateur",
        "fichier",
        "nouvelles",
        "modifiees",
        "inchangees",
        "rejetees",
        "annule",
    ]
    assert journal["utilisateur"].tolist() == [getpass.getuser(), "jean@exemple.fr"]
    assert journal[["lot", "nouvelles", "modifiees", "annule"]].values.tolist() == [
        ["2", "1", "1", "non"],
        ["1", "2", "0", "non"],
    ]
    capsys.readouterr()
    assert cli.main(["imports", "--db", db]) == 0
    assert "jean@exemple.fr" in capsys.readouterr().out


def test_history_csv_has_one_row_per_changed_field(db, tmp_path) -> None:
    _import(db, tmp_path, "a.csv", FIRST, "--user", "jean@exemple.fr")
    _import(db, tmp_path, "b.csv", SECOND, "--user", "marie@exemple.fr")
    out = tmp_path / "historique.csv"
    assert cli.main(["history", "--db", db, "--output", str(out), "--reference", "A1"]) == 0
    raw = out.read_bytes()
    assert raw.startswith(
        "\ufeffdate;utilisateur;action;reference;champ;avant;apres;lot\r\n".encode()
    )
    frame = read_table(out).frame
    assert set(frame["reference"]) == {"A1"}
    changes = frame[frame["utilisateur"] == "marie@exemple.fr"]
    assert changes[["champ", "avant", "apres", "lot"]].values.tolist() == [
        ["titre", "Jardin", "Jardin partagé", "2"],
        [
            "financements",
            "Fondation Daniel et Nina Carasso ; Mairie X",
            "Fondation Daniel et Nina Carasso",
            "2",
        ],
        ["montant", "12000", "13000.5", "2"],  # amounts as plain numbers
        ["source_fichier", "a.csv", "b.csv", "2"],
    ]
    created = frame[frame["utilisateur"] == "jean@exemple.fr"]
    assert created["champ"].tolist()[:3] == ["reference", "titre", "porteur"]  # oldest first
    assert set(created["action"]) == {"import"} and (created["avant"] == "").all()


def test_undo_import_command(db, tmp_path, capsys) -> None:
    _import(db, tmp_path, "a.csv", FIRST, "--user", "jean@exemple.fr")
    _import(db, tmp_path, "b.csv", SECOND, "--user", "jean@exemple.fr")
    store = open_store(db)
    ident = int(store.list_initiatives().set_index("reference").loc["A1", "id"])
    store.close()
    capsys.readouterr()
    assert cli.main(["undo-import", "1", "--db", db]) == 2  # A1 was changed by lot 2 since
    err = capsys.readouterr().err
    assert err.startswith("Erreur : Annuler le lot 1") and "A1 « Jardin partagé »" in err
    assert cli.main(["undo-import", "2", "--db", db, "--user", "jean@exemple.fr"]) == 0
    assert "Lot 2 annulé : 1 initiative retirée, 1 initiative rétablie." in capsys.readouterr().out
    assert cli.main(["undo-import", "2", "--db", db]) == 2
    assert "déjà été annulé" in capsys.readouterr().err
    store = open_store(db)
    try:
        assert store.get_initiative(ident)["titre"] == "Jardin"
        assert store.imports().set_index("lot").loc[2, "annule_par"] == "jean@exemple.fr"
    finally:
        store.close()


def test_undo_import_force(db, tmp_path, capsys) -> None:
    _import(db, tmp_path, "a.csv", FIRST)
    _import(db, tmp_path, "b.csv", SECOND)
    capsys.readouterr()
    assert cli.main(["undo-import", "1", "--db", db, "--force"]) == 0
    out = capsys.readouterr().out
    assert "Lot 1 annulé : 2 initiatives retirées" in out and "Modification écrasée : A1" in out


def test_help_is_french(capsys) -> None:
    for command in ("history", "imports", "undo-import", "backup", "restore", "users"):
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        text = capsys.readouterr().out
        assert text.startswith(f"utilisation : python -m territoires {command}")
        assert "afficher cette aide et quitter" in text
