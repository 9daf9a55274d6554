"""The blank import file: recognised headers, a help sheet, and a filled copy that imports."""

from __future__ import annotations

import io

import openpyxl
import pytest

from territoires.geo.reference import GeoReference
from territoires.importers.headers import FIELDS, guess_field
from territoires.importers.pipeline import import_file
from territoires.importers.template import (
    CODE_HEADERS,
    TEMPLATE_HEADERS,
    template_csv,
    template_xlsx,
)
from territoires.store import Actor, load_referentiels, open_store

ACTOR = Actor("test@exemple.fr", "editeur")


def test_every_header_is_recognised_as_its_field_and_every_field_has_one():
    assert {field: guess_field(header) for field, header in TEMPLATE_HEADERS.items()} == {
        field: field for field in TEMPLATE_HEADERS
    }
    assert set(TEMPLATE_HEADERS) == set(FIELDS)


def test_csv_template_is_headers_only_for_french_excel():
    text = template_csv().decode("utf-8")
    assert text.startswith("\ufeffRéférence;Titre;Porteur;")
    assert text.count("\r\n") == 1  # no example row that could be imported by mistake


def test_xlsx_template_has_a_blank_sheet_with_text_codes_and_a_help_sheet():
    referentiels = load_referentiels()
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(referentiels)))
    assert book.sheetnames == ["Initiatives", "Aide"]
    sheet = book["Initiatives"]
    headers = [cell.value for cell in sheet[1]]
    assert headers == list(TEMPLATE_HEADERS.values()) and sheet.max_row == 1
    # codes typed later keep their leading zeros: those columns are formatted as text
    text_columns = {
        col
        for dim in sheet.column_dimensions.values()
        if dim.number_format == "@"
        for col in range(dim.min, dim.max + 1)
    }
    assert text_columns == {headers.index(h) + 1 for h in CODE_HEADERS}
    aide = book["Aide"]
    rows = {row[0]: row for row in aide.iter_rows(min_row=2, values_only=True) if row[0]}
    assert set(rows) == set(TEMPLATE_HEADERS.values())
    assert rows["Titre"][1] == "oui" and rows["Porteur"][1] == "non"
    # the accepted themes and the known funders come from the referentials
    assert all(theme.court in rows["Thèmes"][2] for theme in referentiels.themes)
    assert all(funder.nom in rows["Financeurs"][2] for funder in referentiels.funders)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_filled_in_template_imports_without_any_mapping(
    kind, tiny_reference: GeoReference, tmp_path
):
    headers = list(TEMPLATE_HEADERS.values())
    row = {
        "Référence": "T-1",
        "Titre": "Jardin partagé",
        "Code INSEE": "22001",
        "Thèmes": "Prendre soin",
        "Montant (€)": "12 000",
        "Année": "2024",
    }
    if kind == "csv":
        data = template_csv() + (";".join(row.get(h, "") for h in headers) + "\r\n").encode()
    else:
        book = openpyxl.load_workbook(io.BytesIO(template_xlsx(load_referentiels())))
        sheet = book["Initiatives"]
        for col, header in enumerate(headers, start=1):
            if header in row:
                sheet.cell(2, col, row[header])
        buffer = io.BytesIO()
        book.save(buffer)
        data = buffer.getvalue()
    store = open_store(f"sqlite:///{tmp_path / 'base.db'}")
    try:
        report = import_file(data, store, tiny_reference, name=f"modele.{kind}", actor=ACTOR)
        assert report.rejected == [] and report.nouvelles == 1
        assert report.plan.mapping.unknown == ()
        saved = store.list_initiatives().iloc[0]
        assert (saved["reference"], saved["commune_code"], saved["montant"]) == (
            "T-1",
            "22001",
            12000,
        )
    finally:
        store.close()


def test_cli_writes_the_template_in_the_format_of_its_extension(tmp_path, capsys):
    from territoires.cli import main

    assert main(["modele", "--output", str(tmp_path / "modele.xlsx")]) == 0
    book = openpyxl.load_workbook(tmp_path / "modele.xlsx")
    assert book.sheetnames == ["Initiatives", "Aide"]
    assert main(["modele", "--output", str(tmp_path / "modele.csv")]) == 0
    assert (tmp_path / "modele.csv").read_bytes() == template_csv()
    assert "Modèle d'import écrit" in capsys.readouterr().out
    assert main(["modele", "--output", str(tmp_path / "modele.ods")]) == 2
    assert "Extension non prise en charge : « .ods »" in capsys.readouterr().err
    assert not (tmp_path / "modele.ods").exists()


def test_cli_says_in_french_when_the_template_cannot_be_written(tmp_path, capsys):
    from territoires.cli import main

    missing = tmp_path / "absent" / "modele.xlsx"
    assert main(["modele", "--output", str(missing)]) == 2
    assert f"Impossible d'écrire {missing} (" in capsys.readouterr().err
