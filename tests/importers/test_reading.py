"""Reading CSV (encodings, separators) and XLSX (first or named sheet, Excel types)."""

from __future__ import annotations

import datetime as dt

import pytest

from territoires.errors import ImportFileError
from territoires.importers.reading import read_table, sheet_names

HEADER = ["Intitulé", "Commune", "Montant"]
ROW = ["Café associatif « L'Œil »", "Plœmeur", "12 000 €"]


def csv_bytes(separator: str, encoding: str, bom: bool = False) -> bytes:
    text = "\n".join(
        separator.join(f'"{c}"' if separator in c else c for c in r) for r in [HEADER, ROW]
    )
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


@pytest.mark.parametrize("separator", [";", ",", "\t"])
@pytest.mark.parametrize(
    ("encoding", "bom", "label"),
    [
        ("utf-8", False, "UTF-8"),
        ("utf-8", True, "UTF-8 avec BOM"),
        ("cp1252", False, "Windows-1252"),
    ],
)
def test_csv_separators_and_encodings(separator: str, encoding: str, bom: bool, label: str) -> None:
    table = read_table(csv_bytes(separator, encoding, bom), name="f.csv")
    assert list(table.frame.columns) == HEADER
    assert table.frame.iloc[0].tolist() == ROW
    assert (table.separator, table.encoding, table.kind) == (separator, label, "csv")


def test_latin1_bytes_undefined_in_cp1252_still_read() -> None:
    # 0x81 is undefined in Windows-1252: read as Latin-1, where it is a control character.
    data = "Intitulé;Commune\nAé\x81;B\n".encode("latin-1")
    table = read_table(data, name="f.csv")
    assert table.encoding == "Latin-1" and table.frame.iloc[0, 0] == "Aé"
    assert table.warnings == (
        "caractères de contrôle invisibles (NUL…) retirés : 1 caractère, ligne 2 du fichier",
    )


def test_csv_keeps_leading_zeros_and_quoted_newlines() -> None:
    data = b'Titre;Code INSEE;Description\nA;01053;"ligne 1\nligne 2"\n'
    frame = read_table(data, name="f.csv").frame
    assert frame.iloc[0].tolist() == ["A", "01053", "ligne 1\nligne 2"]


def test_xlsx_first_sheet_keeps_excel_numbers_and_dates(make_xlsx) -> None:
    data = make_xlsx(
        {
            "Projets": [
                ["Titre", "INSEE", "Montant", "Date"],
                ["A", 1053, 4200.5, dt.datetime(2023, 3, 15)],
            ],
            "Autre": [["x"], ["y"]],
        }
    )
    table = read_table(data, name="classeur.xlsx")
    assert (table.kind, table.sheet) == ("xlsx", "Projets")
    assert table.frame.iloc[0].tolist() == ["A", 1053, 4200.5, dt.datetime(2023, 3, 15)]


def test_xlsx_named_sheet_and_line_numbers_after_blank_rows(make_xlsx) -> None:
    data = make_xlsx(
        {"A": [["x"], ["y"]], "Initiatives": [[None], ["Titre"], ["Un"], [None], ["Deux"]]}
    )
    assert sheet_names(data) == ["A", "Initiatives"]
    assert sheet_names(b"Titre;Commune\n") == []
    table = read_table(data, name="c.xlsx", sheet="Initiatives")
    assert table.first_line == 3
    assert table.frame["Titre"].tolist() == ["Un", None, "Deux"]
    with pytest.raises(ImportFileError, match="Feuille « Absente » absente"):
        read_table(data, name="c.xlsx", sheet="Absente")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "vide.csv", "est vide"),
        (b"PK\x03\x04 pas un zip", "faux.xlsx", "Classeur Excel illisible"),
    ],
)
def test_unreadable_files(data: bytes, name: str, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        read_table(data, name=name)


def test_ragged_csv_gets_a_french_reason() -> None:
    data = b"Titre;Commune\nA;B\nC;D;E;F\n"
    with pytest.raises(ImportFileError) as error:
        read_table(data, name="f.csv")
    assert error.value.user_message == (
        "CSV illisible : « f.csv », ligne 3 : 4 colonnes au lieu de 2 (séparateur "
        "point-virgule). Une cellule contenant le séparateur doit être entre guillemets."
    )


def test_missing_file(tmp_path) -> None:
    with pytest.raises(ImportFileError, match="Fichier illisible"):
        read_table(tmp_path / "absent.csv")
