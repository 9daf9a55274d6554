"""The whole import: rows to records or rejections, one transaction, reports, CLI."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd
import pytest

from territoires.errors import ImportFileError, StoreError
from territoires.geo.reference import GeoReference
from territoires.importers import cli as import_cli
from territoires.importers.pipeline import import_file, rejects_frame
from territoires.importers.reading import read_table
from territoires.importers.vocabulary import IGNORE_VALUE, Correspondence
from territoires.store import Actor, Store, open_store
from territoires.store import initiatives as store_initiatives

ACTOR = Actor("test@exemple.fr", "editeur")

HEADER = (
    "Réf;Intitulé du projet;Structure porteuse;Ville;Code postal;Financeur(s);Axes;"
    "Montant (€);Date de décision;Remarque"
)
ROWS = [
    "R1;Jardin <script>alert(1)</script>;Les Amis;Commune 1;;Carasso + Terre et Fils;"
    "Prendre soin;12 000 €;15/03/2023;ok",
    "R2;Fête du pain;Asso du four;Commune 2;;Fondation JM Bruneau;cultures;4 200,50 €;2022-09-01;",
    "R3;Tiers-lieu;Collectif;Nulle Part;;FdF;coopération;1000;2024;",
    "R4;Café;Asso;Commune 3;;Mairie de Rostrenen;sport;beaucoup;2024;",
    "R5;Bus;Asso;;;;;;2024;",
    "R6;Atelier;Asso;Commune 4;;FdF;coopération;5000;2021;",
]


def csv_file(rows: list[str] = ROWS, encoding: str = "cp1252") -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode(encoding)


@pytest.fixture
def store(tmp_path) -> Store:
    opened = open_store(f"sqlite:///{tmp_path / 'base.db'}")
    yield opened
    opened.close()


def test_realistic_file(store: Store, tiny_reference: GeoReference, tmp_path) -> None:
    report = import_file(
        csv_file(),
        store,
        tiny_reference,
        name="comite.csv",
        rejects_path=tmp_path / "rejets.csv",
        actor=ACTOR,
    )
    assert (report.nouvelles, report.modifiees, report.inchangees) == (3, 0, 0)
    assert [(line, reason) for _, line, reason in report.rejected] == [
        (4, "Commune inconnue : « Nulle Part »"),
        (
            5,
            "Montant illisible : « beaucoup » ; Thème inconnu : « sport » (aucun thème proche) ; "
            "Financeur inconnu : « Mairie de Rostrenen » : nouveau financeur, à confirmer",
        ),
        (6, "Aucune localisation : ni code INSEE, ni nom de commune, ni coordonnées"),
    ]
    assert report.exit_code == 1
    frame = store.list_initiatives().set_index("reference")
    assert frame.loc["R1", "titre"] == "Jardin <script>alert(1)</script>"
    assert frame.loc["R1", "financeurs"] == [
        "Fondation Daniel et Nina Carasso",
        "Fonds de dotation Terre et Fils",
    ]
    assert frame.loc["R1", "themes"] == ["prendre-soin"] and frame.loc["R1", "annee"] == 2023
    assert frame.loc["R2", "montant"] == 4200.5 and frame.loc["R2", "annee"] == 2022
    assert frame.loc["R2", "financements"] == [
        {"financeur": "Fondation JM Bruneau", "montant": None}
    ]
    assert frame.loc["R6", "commune_code"] == "56004"
    assert (
        frame.loc["R1", "source_fichier"] == "comite.csv" and frame.loc["R6", "source_ligne"] == 7
    )
    # R4: the amount is unreadable -> rejected; its unknown funder is not created.
    assert "R4" not in frame.index
    assert "Mairie de Rostrenen" not in set(store.funders()["nom"])
    summary = "\n".join(report.summary_lines())
    assert "Colonnes non reconnues (ignorées) : Remarque." in summary
    assert "Ligne 5 rejetée : Montant illisible : « beaucoup » ; Thème inconnu" in summary


def test_rejects_file_has_source_columns_plus_erreur(store, tiny_reference, tmp_path) -> None:
    path = tmp_path / "rejets.csv"
    import_file(csv_file(), store, tiny_reference, name="c.csv", rejects_path=path, actor=ACTOR)
    rejects = read_table(path).frame
    assert list(rejects.columns) == [*HEADER.split(";"), "erreur"]
    assert rejects["Réf"].tolist() == ["R3", "R4", "R5"]
    assert rejects.loc[1, "Montant (€)"] == "beaucoup"
    assert rejects.loc[1, "erreur"].startswith("Montant illisible : « beaucoup » ; ")
    # Fix the rows, import only them: the erreur column is reported, the rest goes in, but
    # for the row whose funder and theme wait for a confirmation.
    fixed = rejects.assign(Ville=["Commune 5", "Commune 3", "Commune 6"], **{"Montant (€)": "10"})
    from territoires.exports import to_csv_bytes

    report = import_file(
        to_csv_bytes(fixed), store, tiny_reference, name="corrige.csv", actor=ACTOR
    )
    assert (report.nouvelles, [line for _, line, _ in report.rejected]) == (2, [3])
    assert [(s.colonne, s.valeur, s.proposition) for s in report.plan.suggestions] == [
        ("financeurs", "Mairie de Rostrenen", "Mairie de Rostrenen"),
        ("themes", "sport", ""),
    ]
    assert "Mairie de Rostrenen" not in set(store.funders()["nom"])
    confirmed = [
        Correspondence("themes", "sport", IGNORE_VALUE),
        Correspondence("financeurs", "Mairie de Rostrenen", "Mairie de Rostrenen"),
    ]
    report = import_file(
        to_csv_bytes(fixed),
        store,
        tiny_reference,
        name="corrige.csv",
        correspondences=confirmed,
        actor=ACTOR,
    )
    assert (report.nouvelles, report.rejected) == (1, [])
    assert report.plan.new_funders == ["Mairie de Rostrenen"]
    assert store.count() == 6


def test_reimport_creates_no_duplicates(store, tiny_reference) -> None:
    import_file(csv_file(), store, tiny_reference, name="c.csv", actor=ACTOR)
    again = import_file(csv_file(), store, tiny_reference, name="c.csv", actor=ACTOR)
    assert (again.nouvelles, again.modifiees, again.inchangees) == (0, 0, 3)
    changed = csv_file([ROWS[0].replace("12 000 €", "13 000 €"), *ROWS[1:]])
    result = import_file(changed, store, tiny_reference, name="c.csv", actor=ACTOR)
    assert (result.nouvelles, result.modifiees, result.inchangees) == (0, 1, 2)
    assert store.count() == 3


def test_rows_without_reference_upsert_by_content(store, tiny_reference) -> None:
    data = "Titre;Porteur;Commune;Année\nA;P;Commune 1;2023\nB;P;Commune 2;2023\n".encode()
    import_file(data, store, tiny_reference, name="a.csv", actor=ACTOR)
    report = import_file(data, store, tiny_reference, name="a.csv", actor=ACTOR)
    assert (report.nouvelles, report.inchangees) == (0, 2)


def test_duplicate_rows_in_one_file_are_rejected(store, tiny_reference) -> None:
    data = "Titre;Commune;Année\nA;Commune 1;2023\nA;commune 1;2023\n".encode()
    report = import_file(data, store, tiny_reference, name="a.csv", actor=ACTOR)
    assert [r[1:] for r in report.rejected] == [(3, "Doublon de la ligne 2")]


def test_dry_run_writes_nothing(store, tiny_reference) -> None:
    report = import_file(csv_file(), store, tiny_reference, name="c.csv", dry_run=True, actor=ACTOR)
    assert report.dry_run and report.nouvelles == 3
    assert "Simulation : rien n'a été enregistré." in report.summary_lines()
    assert store.count() == 0


def test_failure_mid_import_rolls_everything_back(store, tiny_reference, monkeypatch) -> None:
    import_file(csv_file(ROWS[:1]), store, tiny_reference, name="c.csv", actor=ACTOR)
    before = store.list_initiatives()

    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("disque plein")

    monkeypatch.setattr(store_initiatives, "update", broken)
    changed = csv_file([ROWS[0].replace("Les Amis", "Autres"), *ROWS[1:]])
    with pytest.raises(StoreError, match="n'a pas été modifiée"):
        import_file(changed, store, tiny_reference, name="c.csv", actor=ACTOR)
    pd.testing.assert_frame_equal(store.list_initiatives(), before)


def test_explicit_mapping_overrides_synonyms(store, tiny_reference) -> None:
    data = b"Nom;Lieu du projet;Ville;Financeur\nA;Commune 3;Commune 9;Carasso\n"
    report = import_file(
        data,
        store,
        tiny_reference,
        name="m.csv",
        mapping={"Nom": "titre", "lieu du projet": "commune", "Ville": "ignorer"},
        actor=ACTOR,
    )
    assert report.plan.mapping.columns["commune"] == "Lieu du projet"
    assert store.list_initiatives()["commune_code"].tolist() == ["56003"]
    with pytest.raises(ImportFileError, match="Champ inconnu « ville »"):
        import_file(
            data, store, tiny_reference, name="m.csv", mapping={"Nom": "ville"}, actor=ACTOR
        )
    with pytest.raises(ImportFileError, match="choisi pour deux colonnes"):
        import_file(
            data,
            store,
            tiny_reference,
            name="m.csv",
            mapping={"Nom": "titre", "Ville": "titre"},
            actor=ACTOR,
        )
    with pytest.raises(ImportFileError, match="Colonne « Absente » absente"):
        import_file(
            data, store, tiny_reference, name="m.csv", mapping={"Absente": "titre"}, actor=ACTOR
        )


def test_xlsx_with_excel_numbers_and_dates(store, faouet_reference, make_xlsx) -> None:
    data = make_xlsx(
        {
            "Feuil1": [
                ["Titre", "Code INSEE", "Commune", "CP", "Montant", "Date", "Thèmes"],
                ["A", 1053, None, None, 12000, dt.datetime(2023, 3, 15), "soin"],
                ["B", None, "Le Faouët", 56320, 4200.5, 2024, "Cultures, savoirs"],
                ["C", None, "Le Faouët", None, None, None, None],
                ["D", None, "Mûr-de-Bretagne", None, None, None, None],
            ]
        }
    )
    report = import_file(data, store, faouet_reference, name="comite.xlsx", actor=ACTOR)
    frame = store.list_initiatives().set_index("titre")
    assert frame.loc["A", "commune_code"] == "01053" and frame.loc["A", "annee"] == 2023
    assert frame.loc["B", "commune_code"] == "56057" and frame.loc["B", "montant"] == 4200.5
    assert frame.loc["B", "themes"] == ["cultures-savoirs"]
    assert frame.loc["D", "commune_code"] == "22158"
    assert report.rejected == [
        (
            2,
            4,
            "Le Faouët : 2 communes, 22057 (Côtes-d'Armor) et 56057 (Morbihan) ; "
            "précisez le département ou le code postal",
        )
    ]


def test_area_served(store, tiny_reference) -> None:
    data = (
        b"Titre;Commune;Zone d'intervention\n"
        b"A;Commune 1;Tiny Ouest\n"
        b'B;Commune 1;"200000003 ; Commune 5 ; 22006"\n'
        b"C;Commune 1;territoire:tiny-ouest\n"
        b"D;Commune 1;Pays imaginaire\n"
        b"E;Commune 1;Bretagne\n"
    )
    report = import_file(data, store, tiny_reference, name="z.csv", actor=ACTOR)
    frame = store.list_initiatives().set_index("titre")
    assert frame.loc["A", "zone_intervention"] == [{"level": "territoire", "code": "tiny-ouest"}]
    assert frame.loc["B", "zone_intervention"] == [
        {"level": "epci", "code": "200000003"},
        {"level": "commune", "code": "22005"},
        {"level": "commune", "code": "22006"},
    ]
    assert frame.loc["C", "zone_intervention"] == frame.loc["A", "zone_intervention"]
    assert report.rejected[0][2].startswith("Zone d'intervention : Commune inconnue")
    assert frame.loc["E", "zone_intervention"] == [{"level": "region", "code": "53"}]


def test_first_real_import_replaces_the_demo(store, tiny_reference) -> None:
    demo = "Titre;Commune\nDémo;Commune 1\n".encode()
    import_file(demo, store, tiny_reference, name="demo.csv", actor=ACTOR)
    store._db.execute("UPDATE initiatives SET fictif = ?", (True,))
    assert not store.has_real_data()
    report = import_file(csv_file(), store, tiny_reference, name="c.csv", actor=ACTOR)
    assert report.fictives_supprimees == 1
    assert "initiatives de démonstration fictives ont été supprimées" in "\n".join(
        report.summary_lines()
    )
    assert store.count(fictif=True) == 0 and store.has_real_data()


def test_rejects_frame_keeps_source_cells(store, tiny_reference) -> None:
    report = import_file(csv_file(), store, tiny_reference, name="c.csv", dry_run=True, actor=ACTOR)
    frame = rejects_frame(report.plan)
    assert frame["Ville"].tolist() == ["Nulle Part", "Commune 3", ""]


# --- CLI -----------------------------------------------------------------------------------
@pytest.fixture
def cli_env(tmp_path, tiny_reference, monkeypatch):
    monkeypatch.setattr(import_cli, "_reference", lambda: tiny_reference)
    return f"sqlite:///{tmp_path / 'cli.db'}"


def run_cli(*args: str) -> int:
    from territoires.cli import main

    return main(list(args))


def test_cli_exit_codes(cli_env, tmp_path, capsys) -> None:
    good = tmp_path / "bon.csv"
    good.write_bytes(csv_file([ROWS[0], ROWS[1]]))
    assert run_cli("import", str(good), "--db", cli_env, "--dry-run") == 0
    assert "Simulation" in capsys.readouterr().out
    assert run_cli("import", str(good), "--db", cli_env) == 0
    mixed = tmp_path / "mixte.csv"
    mixed.write_bytes(csv_file())
    rejects = tmp_path / "rejets.xlsx"
    assert run_cli("import", str(mixed), "--db", cli_env, "--rejects", str(rejects)) == 1
    out = capsys.readouterr().out
    assert "1 nouvelle, 0 modifiée, 2 inchangées, 3 rejetées" in out
    assert read_table(rejects).frame["erreur"].str.len().gt(0).all()
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    assert run_cli("import", str(empty), "--db", cli_env) == 2
    assert "Erreur : Le fichier « vide.csv » est vide." in capsys.readouterr().err


def test_cli_mapping_option(cli_env, tmp_path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(b"Nom;Endroit\nA;Commune 2\n")
    assert (
        run_cli(
            "import", str(path), "--db", cli_env, "--map", "Nom=titre", "--map", "Endroit=commune"
        )
        == 0
    )
    assert run_cli("import", str(path), "--db", cli_env, "--map", "Nom") == 2


def test_cli_export(cli_env, tmp_path) -> None:
    path = tmp_path / "bon.csv"
    path.write_bytes(csv_file([ROWS[0]]))
    run_cli("import", str(path), "--db", cli_env)
    for fmt in ("csv", "xlsx", "geojson"):
        output = tmp_path / f"export.{fmt}"
        assert run_cli("export", "--db", cli_env, "--format", fmt, "--output", str(output)) == 0
        assert output.stat().st_size > 0


def test_a_rejected_row_gives_all_its_reasons_at_once(store, tiny_reference) -> None:
    header = "Titre;Commune;Montant;Année;Latitude;Longitude"
    rows = [
        ";Nulle Part;beaucoup;2024;;",  # three faults
        "Café;Commune 1;100;2024;quarante-huit;-3.4",  # an unreadable coordinate: one fault
    ]
    data = ("\n".join([header, *rows]) + "\n").encode()
    report = import_file(data, store, tiny_reference, name="fautes.csv", dry_run=True, actor=ACTOR)
    reasons = [reason for _, _, reason in report.rejected]
    assert reasons[0] == (
        "Titre manquant ; Montant illisible : « beaucoup » ; Commune inconnue : « Nulle Part »"
    )
    assert reasons[1].startswith("Latitude") and " ; " not in reasons[1]
