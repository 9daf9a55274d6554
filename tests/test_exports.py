"""Exports: exact columns, CSV for French Excel, XLSX layout, GeoJSON, formulas, round trip."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pandas as pd
import pytest

from territoires.errors import ExportError
from territoires.exports import (
    EXPORT_COLUMNS,
    export_about,
    export_initiatives,
    export_name,
    file_slug,
    initiatives_table,
    to_csv_bytes,
    to_xlsx_bytes,
)
from territoires.filters import Filters
from territoires.geo.reference import GeoReference
from territoires.importers.pipeline import import_file
from territoires.importers.vocabulary import Correspondence
from territoires.store import Actor, Store, open_store

ACTOR = Actor("test@exemple.fr", "editeur")

TRICKY_TITLES = ["=1+1", "+33 6 12", "-moins", "@SOMME(A1)", "<script>alert(1)</script>", "Été"]


def record(titre: str, **fields: object) -> dict:
    base = {
        "reference": None,
        "titre": titre,
        "description": "Ligne 1\nLigne 2 ; « citée »",
        "porteur": "=Asso",
        "type": "projet associatif",
        "themes": ["prendre-soin", "espaces-cooperation"],
        "financements": [
            {"financeur": "Fondation de France", "montant": 700.0},
            {"financeur": "Fonds de dotation Terre et Fils", "montant": 300.0},
        ],
        "montant": 1000.5,
        "annee": 2024,
        "commune_code": "22001",
        "zone_intervention": [{"level": "territoire", "code": "tiny-ouest"}],
        "latitude": None,
        "longitude": None,
        "fictif": False,
    }
    base.update(fields)
    return base


@pytest.fixture
def store(tmp_path) -> Store:
    opened = open_store(f"sqlite:///{tmp_path / 'source.db'}")
    opened.import_batch(
        [record(t, reference=f"R{i}" if i % 2 else None) for i, t in enumerate(TRICKY_TITLES)]
        + [
            record("Sans montant", montant=None, annee=None, themes=[], financements=[]),
            record("Point exact", latitude=48.15, longitude=-3.35, commune_code="22006"),
            record(
                "Nouveau financeur",
                financements=[{"financeur": "Mairie de Rostrenen", "montant": None}],
            ),
        ],
        new_funders=["Mairie de Rostrenen"],
        actor=ACTOR,
    )
    yield opened
    opened.close()


def test_table_has_exactly_the_export_columns(store, tiny_reference) -> None:
    table = initiatives_table(store.list_initiatives(), tiny_reference)
    assert tuple(table.columns) == EXPORT_COLUMNS == (
        "reference", "titre", "porteur", "type", "themes", "financeurs", "montant", "annee",
        "commune_code", "commune_nom", "epci_code", "departement_code", "region_code",
        "latitude", "longitude", "description",
    )  # fmt: skip
    row = table.loc[table["titre"] == "Été"].iloc[0]
    assert row["themes"] == "prendre-soin ; espaces-cooperation"
    assert row["financeurs"] == "Fondation de France ; Fonds de dotation Terre et Fils"
    assert (row["commune_nom"], row["epci_code"], row["departement_code"], row["region_code"]) == (
        "Commune 1",
        "200000001",
        "22",
        "53",
    )


def test_csv_is_utf8_bom_semicolon_with_plain_numbers(store, tiny_reference) -> None:
    data = export_initiatives(store.list_initiatives(), tiny_reference, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header == ";".join(EXPORT_COLUMNS)
    frame = pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    assert frame["montant"].tolist()[:2] == ["1000.5", "1000.5"]
    assert frame.loc[frame["titre"] == "Sans montant", "montant"].item() == ""
    assert frame.loc[frame["titre"] == "Point exact", "longitude"].item() == "-3.35"


def test_formula_cells_are_neutralised_in_csv_and_xlsx(store, tiny_reference) -> None:
    initiatives = store.list_initiatives()
    csv_frame = pd.read_csv(
        io.BytesIO(export_initiatives(initiatives, tiny_reference, "csv")),
        sep=";",
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    assert csv_frame["titre"].tolist()[:4] == ["'=1+1", "'+33 6 12", "'-moins", "'@SOMME(A1)"]
    assert set(csv_frame["porteur"]) == {"'=Asso"}
    book = openpyxl.load_workbook(
        io.BytesIO(export_initiatives(initiatives, tiny_reference, "xlsx"))
    )
    sheet = book.active
    cells = [c.value for c in sheet["B"]][1:5]
    assert cells == ["'=1+1", "'+33 6 12", "'-moins", "'@SOMME(A1)"]
    assert all(c.data_type == "s" for c in sheet["B"])


def test_xlsx_layout(store, tiny_reference) -> None:
    data = export_initiatives(store.list_initiatives(), tiny_reference, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Initiatives"
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert [c.value for c in sheet[1]] == list(EXPORT_COLUMNS)
    assert 8 <= sheet.column_dimensions["B"].width <= 62
    assert isinstance(sheet["G2"].value, float)  # montant stays a number


def test_generic_table_exports_neutralise_text_only() -> None:
    frame = pd.DataFrame({"nom": ["=HYPERLINK()", "Brest"], "valeur": [-1.5, 2.0]})
    text = to_csv_bytes(frame).decode("utf-8-sig")
    assert text.splitlines() == ["nom;valeur", "'=HYPERLINK();-1.5", "Brest;2"]
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame, "Agrégats"))).active
    assert (sheet.title, sheet["A2"].value, sheet["B2"].value) == (
        "Agrégats",
        "'=HYPERLINK()",
        -1.5,
    )


def test_geojson_points(store, tiny_reference) -> None:
    data = json.loads(export_initiatives(store.list_initiatives(), tiny_reference, "geojson"))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 9
    by_title = {f["properties"]["titre"]: f for f in data["features"]}
    exact = by_title["Point exact"]
    assert exact["geometry"]["coordinates"] == [-3.35, 48.15]
    assert exact["properties"]["position"] == "exacte"
    x, y = by_title["Été"]["geometry"]["coordinates"]
    assert -3.5 < x < -3.4 and 48.0 < y < 48.1  # inside commune 22001
    assert by_title["=1+1"]["properties"]["themes"] == ["prendre-soin", "espaces-cooperation"]
    assert by_title["Sans montant"]["properties"]["montant"] is None


def test_zone_labels(tiny_reference) -> None:
    from territoires.exports import zone_label

    assert zone_label({"level": "epci", "code": "200000001"}, tiny_reference) == (
        "EPCI : CC Un (200000001)"
    )
    assert zone_label({"level": "commune", "code": "22001"}, tiny_reference) == (
        "Commune : Commune 1 (22001)"
    )
    assert zone_label({"level": "epci", "code": "999"}, tiny_reference) == "epci 999"


def test_unknown_format() -> None:
    with pytest.raises(ExportError, match="Format d'export inconnu"):
        export_initiatives(pd.DataFrame(columns=list(EXPORT_COLUMNS)), None, "pdf")  # type: ignore[arg-type]


ABOUT = export_about(
    "Centre-Bretagne",
    Filters(themes=("prendre-soin",), search="=1+1"),
    "Sources : COG 2026 (INSEE) ; initiatives : import du 26/11/2026",
    dt.date(2026, 11, 27),
    rurality="approximation (densité 2023 et unités urbaines INSEE)",
)


def test_xlsx_exports_say_what_they_hold_on_an_about_sheet(store, tiny_reference) -> None:
    initiatives = store.list_initiatives()
    for data in (
        export_initiatives(initiatives, tiny_reference, "xlsx", about=ABOUT),
        to_xlsx_bytes(pd.DataFrame({"code": ["22001"], "initiatives": [2]}), "T", about=ABOUT),
    ):
        book = openpyxl.load_workbook(io.BytesIO(data))
        assert book.sheetnames[1:] == ["À propos"]  # after the data, which imports first
        rows = [tuple(r) for r in book["À propos"].iter_rows(values_only=True)]
        assert rows == [
            ("Rubrique", "Valeur"),
            ("Exporté le", "27/11/2026"),
            ("Périmètre", "Centre-Bretagne"),
            ("Initiatives retenues", "thème Prendre soin · recherche « =1+1 »"),
            ("Sources", "COG 2026 (INSEE) ; initiatives : import du 26/11/2026"),
            ("Ruralité", "approximation (densité 2023 et unités urbaines INSEE)"),
        ]
    bare = openpyxl.load_workbook(
        io.BytesIO(export_initiatives(initiatives, tiny_reference, "xlsx"))
    )
    assert bare.sheetnames == ["Initiatives"]
    assert export_about("France", Filters(), "Sources : x")[2] == ("Initiatives retenues", "toutes")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_into_a_new_database_is_lossless(
    store, tiny_reference: GeoReference, tmp_path, fmt: str
) -> None:
    before = store.list_initiatives()
    data = export_initiatives(before, tiny_reference, fmt, about=ABOUT)  # XLSX: two sheets
    target = open_store(f"sqlite:///{tmp_path / 'cible.db'}")
    try:
        # Funders the new database does not know are created once confirmed, as proposed.
        preview = import_file(
            data, target, tiny_reference, name=f"export.{fmt}", dry_run=True, actor=ACTOR
        )
        assert {s.raison for s in preview.plan.suggestions} <= {"nouveau financeur"}
        confirmed = [
            Correspondence(s.colonne, s.valeur, s.proposition) for s in preview.plan.suggestions
        ]
        report = import_file(
            data,
            target,
            tiny_reference,
            name=f"export.{fmt}",
            correspondences=confirmed,
            actor=ACTOR,
        )
        assert report.rejected == [] and report.nouvelles == len(before)
        after = target.list_initiatives()
    finally:
        target.close()
    pd.testing.assert_frame_equal(
        initiatives_table(after, tiny_reference), initiatives_table(before, tiny_reference)
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reimporting_an_export_changes_nothing(store, tiny_reference, fmt: str) -> None:
    before = store.list_initiatives()
    data = export_initiatives(before, tiny_reference, fmt)
    report = import_file(data, store, tiny_reference, name=f"export.{fmt}", actor=ACTOR)
    assert (report.nouvelles, report.modifiees, report.inchangees) == (0, 0, len(before))
    after = store.list_initiatives()
    # Fields the export does not carry (area served, per-funder amounts) are kept as stored.
    pd.testing.assert_frame_equal(after, before)


def test_browse_table_links_each_row_to_its_commune_fiche(store, tiny_reference) -> None:
    from territoires.exports import BROWSE_COLUMNS, initiative_details, initiatives_browse_table

    initiatives = store.list_initiatives()
    table = initiatives_browse_table(initiatives, tiny_reference, {"prendre-soin": "Prendre soin"})
    assert tuple(table.columns) == BROWSE_COLUMNS
    assert table.index.tolist() == initiatives["id"].tolist()
    row = table.loc[table["Titre"] == "Point exact"].iloc[0]
    assert row["Fiche"] == "./fiche?niveau=commune&code=22006"
    assert row["Commune"] == "Commune 6" and row["Département"] == "Côtes-d'Armor"
    assert row["Thèmes"] == "Prendre soin, espaces-cooperation"
    script = table.loc[table["Titre"].str.startswith("<script>"), "Titre"].item()
    assert script == "<script>alert(1)</script>"  # verbatim: the table widget shows plain text
    details = initiative_details(initiatives.iloc[0], tiny_reference).set_index("Champ")["Valeur"]
    assert (
        details["Financements"]
        == "Fondation de France : 700\u00a0€ ; Fonds de dotation Terre et Fils : 300\u00a0€"
    )
    assert details["Zone d'intervention"] == "Territoire : Tiny Ouest"
    assert details["Montant total"] == "1\u202f000\u00a0€"
    assert details["Thèmes"] == "prendre-soin, espaces-cooperation"
    labelled = initiative_details(initiatives.iloc[0], tiny_reference, {"prendre-soin": "Soin"})
    assert labelled.set_index("Champ").loc["Thèmes", "Valeur"] == "Soin, espaces-cooperation"
    assert details["Commune"] == "Commune 1 (22001)"


def test_export_names_say_what_for_which_territory_and_when():
    day = dt.date(2026, 11, 26)
    name = export_name(
        "carte", "Nombre d'initiatives", "Centre-Bretagne (périmètre élargi)", ext="png", day=day
    )
    assert name == "carte_nombre-d-initiatives_centre-bretagne-perimetre-elargi_2026-11-26.png"
    # no path, no space, no accent; empty parts are left out
    assert export_name("rejets", "../Île d'Oléron  2024", "", ext="csv", day=day) == (
        "rejets_ile-d-oleron-2024_2026-11-26.csv"
    )
    assert file_slug("Côtes-d'Armor") == "cotes-d-armor"
    assert file_slug("Cœur de Bretagne") == "coeur-de-bretagne"  # ligature spelt out
    assert file_slug("« ! »") == ""


def test_write_file_names_what_it_could_not_write(tmp_path):
    from territoires.exports import write_file

    write_file(tmp_path / "ok.csv", b"x")
    assert (tmp_path / "ok.csv").read_bytes() == b"x"
    target = tmp_path / "absent" / "rejets.csv"
    with pytest.raises(ExportError, match=r"^Impossible d'écrire les rejets dans .*rejets\.csv \("):
        write_file(target, b"x", "les rejets")
