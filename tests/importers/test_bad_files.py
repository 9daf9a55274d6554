"""Bad files: each is read correctly, or refused with a French message and exit status 2,
with nothing imported."""

from __future__ import annotations

import io
import random

import pytest
import xlsxwriter

from territoires.errors import ImportFileError
from territoires.importers import cli as import_cli
from territoires.importers.pipeline import import_file
from territoires.importers.reading import read_table
from territoires.store import Actor, open_store

TABBED = "Titre\tCommune\tMontant\tAnnée\r\nCafé « L'Œil »\tCommune 1\t12 000 €\t2024\r\n"

ACTOR = Actor("test@exemple.fr", "editeur")


@pytest.fixture
def store(tmp_path):
    opened = open_store(f"sqlite:///{tmp_path / 'base.db'}")
    yield opened
    opened.close()


@pytest.fixture
def cli_db(tmp_path, tiny_reference, monkeypatch) -> str:
    monkeypatch.setattr(import_cli, "_reference", lambda: tiny_reference)
    return f"sqlite:///{tmp_path / 'cli.db'}"


def run_cli(*args: str) -> int:
    from territoires.cli import main

    return main(list(args))


# --- UTF-16 (Excel's « Texte Unicode ») ------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "label"),
    [
        (TABBED.encode("utf-16"), "UTF-16 avec BOM"),  # BOM + little-endian, as Excel writes
        (TABBED.encode("utf-16-le"), "UTF-16"),
        (TABBED.encode("utf-16-be"), "UTF-16"),
    ],
    ids=["bom", "le-sans-bom", "be-sans-bom"],
)
def test_utf16_csv_is_read_as_utf16(data: bytes, label: str, store, tiny_reference) -> None:
    table = read_table(data, name="texte-unicode.txt")
    assert (table.encoding, table.separator) == (label, "\t")
    assert table.frame.iloc[0].tolist() == ["Café « L'Œil »", "Commune 1", "12 000 €", "2024"]
    report = import_file(data, store, tiny_reference, name="texte-unicode.txt", actor=ACTOR)
    assert (report.nouvelles, report.rejected) == (1, [])
    assert store.list_initiatives()["montant"].tolist() == [12000.0]


# --- XLSX formulas -----------------------------------------------------------------------------
def _formula_workbook(cached: bool) -> bytes:
    """A workbook as a program writes it: a formula with or without its saved result."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Projets")
    sheet.write_row(0, 0, ["Titre", "Commune", "Montant", "Année"])
    sheet.write_row(1, 0, ["Sans formule", "Commune 1", 1000, 2024])
    sheet.write_row(2, 0, ["Avec formule", "Commune 2"])
    # xlsxwriter saves 0 as the result unless told otherwise: an empty string means none.
    sheet.write_formula(2, 2, "=1000*12", None, 12000 if cached else "")
    sheet.write_formula(2, 3, "=2020+4", None, 2024 if cached else "")
    book.close()
    return buffer.getvalue()


def test_formula_without_saved_result_rejects_its_row(store, tiny_reference) -> None:
    report = import_file(
        _formula_workbook(False), store, tiny_reference, name="programme.xlsx", actor=ACTOR
    )
    assert report.nouvelles == 1
    assert [(line, reason) for _, line, reason in report.rejected] == [
        (
            3,
            "Montant : formule sans valeur calculée (=1000*12) ; "
            "Année : formule sans valeur calculée (=2020+4)",
        )
    ]
    assert store.list_initiatives()["titre"].tolist() == ["Sans formule"]


def test_formula_with_saved_result_is_read(store, tiny_reference) -> None:
    report = import_file(
        _formula_workbook(True), store, tiny_reference, name="excel.xlsx", actor=ACTOR
    )
    assert (report.nouvelles, report.rejected) == (2, [])
    frame = store.list_initiatives().set_index("titre")
    assert (frame.loc["Avec formule", "montant"], frame.loc["Avec formule", "annee"]) == (
        12000.0,
        2024,
    )


# --- a first sheet with no data -------------------------------------------------------------
def test_first_sheet_without_data_names_the_sheets_with_data(
    cli_db, tmp_path, make_xlsx, capsys
) -> None:
    path = tmp_path / "comite.xlsx"
    path.write_bytes(
        make_xlsx(
            {
                "Notes": [["Comité du 12 mars : voir les feuilles suivantes"]],
                "Vide": [],
                "2024": [["Titre", "Commune"], ["Café", "Commune 1"]],
                "2025": [["Intitulé", "Ville"], ["Fête", "Commune 2"]],
            }
        )
    )
    assert run_cli("import", str(path), "--db", cli_db) == 2
    err = capsys.readouterr().err
    assert "La première feuille « Notes » de « comite.xlsx » ne contient aucune initiative" in err
    assert "feuilles avec des données : « 2024 », « 2025 »" in err
    assert "--sheet" in err
    assert open_store(cli_db).count() == 0
    assert run_cli("import", str(path), "--db", cli_db, "--sheet", "2025") == 0


# --- random bytes, no recognisable column ----------------------------------------------------
@pytest.mark.parametrize(
    "data",
    [
        bytes(random.Random(20).randrange(256) for _ in range(3000)),
        "Nom de la fête;Couleur préférée\nA;bleu\nB;vert\n".encode(),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
    ],
    ids=["octets-aleatoires", "colonnes-inconnues", "image-png"],
)
def test_no_recognisable_column_exits_2(data: bytes, cli_db, tmp_path, capsys) -> None:
    path = tmp_path / "fichier.csv"
    path.write_bytes(data)
    assert run_cli("import", str(path), "--db", cli_db) == 2
    assert "aucune colonne reconnue" in capsys.readouterr().err.lower()
    assert open_store(cli_db).count() == 0


# --- NUL and other control characters ---------------------------------------------------------
def test_control_characters_are_removed_with_a_warning(store, tiny_reference) -> None:
    data = (
        "Titre;Porteur;Commune;Année\n"
        "Caf\x00é;Asso\x07 du\x1b bourg;Commune 1;2024\n"
        "Propre;Asso;Commune 2;2024\n"
    ).encode()
    report = import_file(data, store, tiny_reference, name="nul.csv", actor=ACTOR)
    assert (report.nouvelles, report.rejected) == (2, [])
    frame = store.list_initiatives().set_index("titre")
    assert frame.loc["Café", "porteur"] == "Asso du bourg"
    assert report.plan.warnings[0] == (
        "caractères de contrôle invisibles (NUL…) retirés : 3 caractères, ligne 2 du fichier"
    )


def test_control_characters_in_xlsx_cells_are_removed(store, tiny_reference) -> None:
    # Excel writes a control character as « _x000B_ » (which openpyxl leaves as it is).
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("F")
    sheet.write_row(0, 0, ["Titre", "Commune", "Note"])
    sheet.write_row(1, 0, ["A\x0bB", "Commune 1", "prix_x0031_"])
    book.close()
    report = import_file(buffer.getvalue(), store, tiny_reference, name="f.xlsx", actor=ACTOR)
    assert store.list_initiatives()["titre"].tolist() == ["AB"]
    assert report.plan.table.frame.loc[0, "Note"] == "prix1"  # Excel's own reading
    assert "retirés : 1 caractère, ligne 2 du fichier" in report.plan.warnings[0]


def test_unreadable_file_errors_stay_import_file_errors() -> None:
    with pytest.raises(ImportFileError, match="(?i)aucune colonne reconnue"):
        read_table(b"\x00\x01\x02\x03\x04\x05\x06" * 50, name="x.csv")
