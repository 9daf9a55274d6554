"""Labels as people write them: normalisation, multi-valued cells, suggestions (never applied
alone), confirmed correspondences, the --suggestions / --mapping round trip, duplicates."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import communes_frame

from territoires.errors import ImportFileError, RowError
from territoires.geo.reference import GeoReference
from territoires.importers import cli as import_cli
from territoires.importers.correspondences import CSV_COLUMNS, read_correspondences
from territoires.importers.locate import CommuneLocator
from territoires.importers.normalize import label_key
from territoires.importers.pipeline import import_file
from territoires.importers.reading import read_table
from territoires.importers.rows import validate_row
from territoires.importers.suggest import suggest_commune, suggest_label
from territoires.importers.values import AliasTable
from territoires.importers.vocabulary import IGNORE_VALUE, Correspondence, Vocabulary
from territoires.store import Actor, load_referentiels, open_store

ACTOR = Actor("test@exemple.fr", "editeur")


# --- normalisation: one test per rule ---------------------------------------------------------
@pytest.mark.parametrize(
    ("written", "known"),
    [
        ("fondation de france", "Fondation de France"),  # case
        ("Fondation de Frànce", "Fondation de France"),  # accents
        ("Fondation  de   France.", "Fondation de France"),  # punctuation and spacing
        ("J.-M. Bruneau", "JM Bruneau"),  # initials with dots and a hyphen
        ("J-M Bruneau", "JM Bruneau"),
        ("Fondation Daniel & Nina Carasso", "Fondation Daniel et Nina Carasso"),  # & = et
        ("Ste Anne", "Sainte-Anne"),  # Ste = Sainte, hyphen = space
        ("St Brieuc", "Saint Brieuc"),  # St = Saint
        ("Terre-et-Fils", "Terre et Fils"),  # hyphens vs spaces
        ("Fondation de France (FdF)", "Fondation de France"),  # trailing acronym in brackets
        ("Fondation de France [FDF]", "Fondation de France"),
        ("Pays du Centre Bretagne (22)", "Pays du Centre Bretagne"),  # département in brackets
        ("Culture et savoir", "Cultures et savoirs"),  # singular vs plural
        ("Espace de coopération", "Espaces de coopération"),
    ],
)
def test_each_normalisation_rule(written: str, known: str) -> None:
    assert label_key(written) == label_key(known)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Fondation de France", "Fondation de Franche"),
        ("Terre et Fils", "Terre Fils"),  # « et » is a word, not noise
        ("Les Amis", "Amis"),
        ("Fondation (FdF) de France", "Fondation de France"),  # brackets only at the end
    ],
)
def test_normalisation_keeps_what_differs(one: str, other: str) -> None:
    assert label_key(one) != label_key(other)


def test_postcode_with_spaces(faouet_reference: GeoReference) -> None:
    locator = CommuneLocator(faouet_reference)
    assert locator.locate(name="Le Faouët", postal_code="56 320").code_insee == "56057"
    assert locator.locate(name="Le Faouët", postal_code="56\u00a0320").code_insee == "56057"


# --- multi-valued cells ----------------------------------------------------------------------
@pytest.fixture
def themes() -> AliasTable:
    return AliasTable.build(
        [
            ("Prendre soin", "prendre-soin"),
            ("Valoriser les cultures, savoirs et savoir-faire locaux", "cultures-savoirs"),
            ("Cultures et savoirs", "cultures-savoirs"),
            ("Espaces de coopération", "espaces-cooperation"),
        ]
    )


@pytest.mark.parametrize(
    ("cell", "parts"),
    [
        ("Prendre soin; Espaces de coopération", ["Prendre soin", "Espaces de coopération"]),
        ("Prendre soin | Espaces de coopération", ["Prendre soin", "Espaces de coopération"]),
        ("Prendre soin / Espaces de coopération", ["Prendre soin", "Espaces de coopération"]),
        ("Prendre soin\nEspaces de coopération", ["Prendre soin", "Espaces de coopération"]),
        ("Prendre soin, Espaces de coopération", ["Prendre soin", "Espaces de coopération"]),
        ("Cultures et savoirs", ["Cultures et savoirs"]),  # never on « et »
        # A comma inside a known label: kept, whole or in part.
        ("Cultures, savoirs et savoir-faire", ["Cultures, savoirs et savoir-faire"]),
        (
            "Prendre soin, Cultures, savoirs et savoir-faire",
            ["Prendre soin", "Cultures, savoirs et savoir-faire"],
        ),
        ("sport, loisirs", ["sport", "loisirs"]),
    ],
)
def test_split_multi_valued_cells(themes: AliasTable, cell: str, parts: list[str]) -> None:
    assert themes.split(cell) == parts


def test_configured_themes_resolve_as_people_write_them() -> None:
    ref = load_referentiels()
    table = AliasTable.build([(a, t.code) for t in ref.themes for a in (t.libelle, *t.aliases)])
    assert table.resolve("Cultures, savoirs et savoir-faire ; Culture et savoirs") == (
        ["cultures-savoirs"],
        [],
    )
    assert table.resolve("Espace de coopération / Prendre soins") == (
        ["espaces-cooperation", "prendre-soin"],
        [],
    )


# --- suggestions -----------------------------------------------------------------------------
@pytest.fixture
def funders() -> AliasTable:
    ref = load_referentiels()
    return AliasTable.build([(a, f.nom) for f in ref.funders for a in (f.court, *f.aliases)])


@pytest.mark.parametrize(
    ("written", "proposition"),
    [
        ("Fondation Nina Carasso", "Fondation Daniel et Nina Carasso"),
        ("Fond. Daniel & Nina Carasso", "Fondation Daniel et Nina Carasso"),
        ("Fondation de Fr.", "Fondation de France"),
        ("Fondation Bruneau J.-M.", "Fondation JM Bruneau"),
    ],
)
def test_close_funder_is_proposed_with_its_reason(
    funders: AliasTable, written: str, proposition: str
) -> None:
    suggestion = suggest_label("financeurs", written, funders, str)
    assert suggestion.proposition == proposition
    assert suggestion.raison.startswith("proche de « ")
    assert suggestion.options[0] == proposition


def test_funder_without_close_match_is_a_new_funder(funders: AliasTable) -> None:
    suggestion = suggest_label("financeurs", "Mairie de Rostrenen", funders, str)
    assert (suggestion.proposition, suggestion.raison) == (
        "Mairie de Rostrenen",
        "nouveau financeur",
    )


def test_theme_without_close_match_has_no_proposition(themes: AliasTable) -> None:
    suggestion = suggest_label("themes", "sport", themes, str)
    assert (suggestion.proposition, suggestion.raison) == ("", "aucun thème proche")
    assert suggest_label("themes", "coop", themes, str).proposition == "espaces-cooperation"


@pytest.fixture
def brittany() -> GeoReference:
    """Communes whose names begin alike, in several postcodes and départements."""
    communes = [
        ("29024", "Carhaix-Plouguer", "29", "Finistère", "29270"),
        ("29152", "Motreff", "29", "Finistère", "29270"),
        ("56999", "Carhaix-sur-Blavet", "56", "Morbihan", "56150"),  # fictional
        ("56073", "Guémené-sur-Scorff", "56", "Morbihan", "56160"),
        ("56120", "Lignol", "56", "Morbihan", "56160"),
        ("44067", "Guémené-Penfao", "44", "Loire-Atlantique", "44290"),
        ("22158", "Guerlédan", "22", "Côtes-d'Armor", "22530"),
        ("56178", "Pontivy", "56", "Morbihan", "56300"),
    ]
    frame = communes_frame(
        [
            (code, name, dep, dep_name, index, 0.0)
            for index, (code, name, dep, dep_name, _) in enumerate(communes)
        ]
    )
    postal = pd.DataFrame([{"code_postal": cp, "code_insee": code} for code, *_, cp in communes])
    aliases = pd.DataFrame(
        [{"nom": "Mûr-de-Bretagne", "code_insee": "22158", "type": "COMD", "code_ancien": "22153"}]
    )
    return GeoReference.from_frames(frame, aliases=aliases, postal_codes=postal)


@pytest.mark.parametrize(
    ("name", "cp", "dep", "proposition", "reason"),
    [
        (
            "Carhaix",
            "29270",
            None,
            "29024",
            "Carhaix-Plouguer : seule commune du code postal 29270 dont le nom commence par "
            "« Carhaix »",
        ),
        (
            "Guémené",
            "56160",
            None,
            "56073",
            "Guémené-sur-Scorff : seule commune du code postal 56160 dont le nom commence par "
            "« Guémené »",
        ),
        ("Carhaix", None, "56", "56999", None),  # the département ranks first
        ("Carhaix", None, None, "", None),  # two in France: no proposition
        (
            "Pontivi",
            "56300",
            None,
            "56178",
            "Pontivy : nom proche (86 %), commune du code postal 56300",
        ),
    ],
)
def test_commune_suggestions_rank_by_postcode_then_departement(
    brittany: GeoReference, name, cp, dep, proposition, reason
) -> None:
    suggestion = suggest_commune(CommuneLocator(brittany), name, name, cp, dep)
    assert suggestion.proposition == proposition
    if reason:
        assert suggestion.raison == reason
    if not proposition:
        assert suggestion.raison.startswith("plusieurs communes possibles : ")
        assert set(suggestion.options) == {"29024", "56999"}


# --- the import: pending values, confirmations ----------------------------------------------
HEADER = "N° dossier;Intitulé;Structure;Commune;CP;Financeurs;Thèmes;Type;Montant;Année"


def committee_file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


@pytest.fixture
def store(tmp_path):
    opened = open_store(f"sqlite:///{tmp_path / 'base.db'}")
    yield opened
    opened.close()


def test_values_that_match_nothing_wait_for_a_confirmation(store, brittany) -> None:
    data = committee_file(
        "D1;Café;Les Amis;Carhaix;29270;Fondation de France (FdF);Culture et savoirs;;1000;2024",
        "D2;Fête;Asso;Pontivy;56 300;J.-M. Bruneau;Espace de coopération;;1000;2024",
        "D3;Bal;Asso;Guémené;56160;Fond. Daniel & Nina Carasso;soin;;1000;2024",
        "D4;Jeu;Asso;Pontivy;;Mairie de Pontivy;sport;coopérative;1000;2024",
    )
    report = import_file(data, store, brittany, name="comite.csv", dry_run=True, actor=ACTOR)
    assert report.nouvelles == 1  # D2 only: normalisation is not guessing
    reasons = {line: reason for _, line, reason in report.rejected}
    assert reasons[2] == (
        "Commune inconnue : « Carhaix » ; proposition à confirmer : Carhaix-Plouguer (29024)"
    )
    assert reasons[4] == (
        "Financeur inconnu : « Fond. Daniel & Nina Carasso » ; proposition à confirmer : "
        "Fondation Daniel et Nina Carasso ; Commune inconnue : « Guémené » ; proposition à "
        "confirmer : Guémené-sur-Scorff (56073)"
    )
    assert reasons[5] == (
        "Type inconnu : « coopérative » (aucun type proche) ; Thème inconnu : « sport » (aucun "
        "thème proche) ; Financeur inconnu : « Mairie de Pontivy » : nouveau financeur, à confirmer"
    )
    assert [(s.colonne, s.valeur, s.proposition, s.lignes) for s in report.plan.suggestions] == [
        ("commune", "Carhaix (29270)", "29024", (2,)),
        ("commune", "Guémené (56160)", "56073", (4,)),
        ("financeurs", "Fond. Daniel & Nina Carasso", "Fondation Daniel et Nina Carasso", (4,)),
        ("financeurs", "Mairie de Pontivy", "Mairie de Pontivy", (5,)),
        ("themes", "sport", "", (5,)),
        ("type", "coopérative", "", (5,)),
    ]
    # Confirmed, the same values go in as if written that way; a new funder is created.
    confirmed = [
        Correspondence(s.colonne, s.valeur, s.proposition) for s in report.plan.suggestions
    ] + [
        Correspondence("type", "coopérative", "autre"),
        Correspondence("themes", "sport", IGNORE_VALUE),
    ]
    report = import_file(
        data, store, brittany, name="comite.csv", correspondences=confirmed, actor=ACTOR
    )
    assert (report.nouvelles, report.rejected) == (4, [])
    frame = store.list_initiatives().set_index("reference")
    assert frame.loc["D1", "commune_code"] == "29024"
    assert frame.loc["D3", "financeurs"] == ["Fondation Daniel et Nina Carasso"]
    assert (frame.loc["D4", "type"], frame.loc["D4", "themes"]) == ("autre", [])
    assert report.plan.new_funders == ["Mairie de Pontivy"]
    assert "Mairie de Pontivy" in set(store.funders()["nom"])


def test_nothing_is_created_without_confirmation(store, brittany) -> None:
    data = committee_file("D1;Café;Les Amis;Pontivy;;Mairie de Pontivy;;;;2024")
    report = import_file(data, store, brittany, name="c.csv", actor=ACTOR)
    assert (report.nouvelles, report.plan.new_funders) == (0, [])
    assert "Mairie de Pontivy" not in set(store.funders()["nom"])


def test_invalid_correspondences_refuse_the_import(store, brittany) -> None:
    data = committee_file("D1;Café;Les Amis;Carhaix;29270;;;;;2024")
    bad = [
        Correspondence("commune", "Carhaix (29270)", "99999"),
        Correspondence("themes", "sport", "Sport et loisirs"),
        Correspondence("ville", "X", "Y"),  # type: ignore[arg-type]
    ]
    with pytest.raises(ImportFileError) as error:
        import_file(data, store, brittany, name="c.csv", correspondences=bad, actor=ACTOR)
    assert error.value.user_message == (
        "Correspondances illisibles, rien n'a été importé : ligne 2 : code INSEE inconnu "
        "« 99999 » pour « Carhaix (29270) » ; ligne 3 : thème inconnu « Sport et loisirs » pour "
        "« sport » ; ligne 4 : colonne « ville » inconnue (attendu : commune, financeurs, "
        "themes, type)."
    )
    assert store.count() == 0


def test_validate_row_on_its_own(brittany) -> None:
    vocabulary = Vocabulary.from_store(open_store("sqlite:///:memory:"))
    record = validate_row(
        {"titre": "Café", "commune": "Pontivy", "financeurs": "FdF ; JM Bruneau"},
        reference=brittany,
        vocabulary=vocabulary,
    )
    assert record["commune_code"] == "56178"
    assert [f["financeur"] for f in record["financements"]] == [
        "Fondation de France",
        "Fondation JM Bruneau",
    ]
    with pytest.raises(RowError) as error:
        validate_row({"commune": "Carhaix"}, reference=brittany, vocabulary=vocabulary)
    assert error.value.reasons == ("Titre manquant", "Commune inconnue : « Carhaix »")


# --- --suggestions / --mapping round trip ---------------------------------------------------
@pytest.fixture
def cli_db(tmp_path, brittany, monkeypatch) -> str:
    monkeypatch.setattr(import_cli, "_reference", lambda: brittany)
    return f"sqlite:///{tmp_path / 'cli.db'}"


def run_cli(*args: str) -> int:
    from territoires.cli import main

    return main(list(args))


def test_suggestions_then_mapping_round_trip(cli_db, tmp_path, capsys) -> None:
    source = tmp_path / "comite.csv"
    source.write_bytes(
        committee_file(
            "D1;Café;Les Amis;Carhaix;29270;FdF;;;1000;2024",
            "D2;Fête;Asso;Carhaix;29270;Fondation Nina Carasso;;;1000;2024",
            "D3;Bal;Asso;Pontivy;;=Mairie de Pontivy;sport;;1000;2024",
        )
    )
    suggestions = tmp_path / "suggestions.csv"
    args = ("import", str(source), "--db", cli_db)
    assert run_cli(*args, "--dry-run", "--suggestions", str(suggestions)) == 1
    raw = suggestions.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == ";".join(CSV_COLUMNS)
    assert lines[1:] == [
        "commune;Carhaix (29270);29024;Carhaix-Plouguer : seule commune du code postal 29270 "
        "dont le nom commence par « Carhaix »",
        "financeurs;Fondation Nina Carasso;Fondation Daniel et Nina Carasso;proche de « Fondation "
        "Carasso » (87 %)",
        "financeurs;'=Mairie de Pontivy;'=Mairie de Pontivy;nouveau financeur",
        "themes;sport;;aucun thème proche",
    ]
    assert "Suggestions écrites dans" in capsys.readouterr().out
    assert open_store(cli_db).count() == 0  # a dry run

    # The file as written: every proposal is applied; « sport » has none, its row waits.
    assert run_cli(*args, "--mapping", str(suggestions)) == 1
    store = open_store(cli_db)
    frame = store.list_initiatives().set_index("reference")
    assert sorted(frame.index) == ["D1", "D2"]
    assert frame.loc["D2", "financeurs"] == ["Fondation Daniel et Nina Carasso"]
    assert "=Mairie de Pontivy" not in set(store.funders()["nom"])  # its row is rejected
    store.close()

    # Edited in a spreadsheet: the theme is left aside, the file is read back as it is.
    edited = suggestions.read_text(encoding="utf-8-sig").replace(
        "themes;sport;;", f"themes;sport;{IGNORE_VALUE};"
    )
    suggestions.write_text(edited, encoding="cp1252")
    assert run_cli(*args, "--mapping", str(suggestions)) == 0
    assert "=Mairie de Pontivy" in set(open_store(cli_db).funders()["nom"])


def test_mapping_file_needs_its_columns(tmp_path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("colonne;valeur\ncommune;X\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="manquantes : proposition"):
        read_correspondences(path)


# --- probable duplicates ---------------------------------------------------------------------
def test_probable_duplicate_inside_a_file(store, brittany) -> None:
    data = committee_file(
        "D1;Café du bourg;Les Amis;Pontivy;;;;;1000;2024",
        "D2;Fête;Les Amis;Pontivy;;;;;1000;2024",
        "D9;Café du Bourg;Les amis;Pontivy;;;;;2000;2024",  # same, written otherwise
        "D3;Café du bourg;Les Amis;Pontivy;;;;;1000;2025",  # another year: not a duplicate
        "D1;Café du bourg;Les Amis;Pontivy;;;;;1000;2024",  # the same reference twice
    )
    report = import_file(data, store, brittany, name="c.csv", dry_run=True, actor=ACTOR)
    assert [r[1:] for r in report.rejected] == [
        (
            4,
            "Doublon probable de la ligne 2 : même titre, porteur, commune et année, "
            "références « D1 » et « D9 »",
        ),
        (6, "Doublon de la ligne 2"),
    ]


def test_renamed_communes_are_the_same_commune(store, brittany) -> None:
    data = committee_file(
        "D1;Café;Les Amis;Mûr-de-Bretagne;;;;;1000;2014",
        "D2;Café;Les Amis;Guerlédan;;;;;1000;2014",
    )
    report = import_file(data, store, brittany, name="c.csv", dry_run=True, actor=ACTOR)
    assert [r[1] for r in report.rejected] == [3]
    assert "Doublon probable de la ligne 2" in report.rejected[0][2]


def test_missing_reference_column_is_said_first(store, brittany) -> None:
    data = "Intitulé;Commune;Numéro interne\nCafé;Pontivy;12\n".encode()
    report = import_file(data, store, brittany, name="c.csv", dry_run=True, actor=ACTOR)
    first = report.summary_lines()[0]
    assert first.startswith("Aucune colonne de référence reconnue")
    assert "Numéro interne" in first
    data = committee_file("D1;Café;Les Amis;Pontivy;;;;;1000;2024")
    report = import_file(data, store, brittany, name="c.csv", dry_run=True, actor=ACTOR)
    assert report.plan.has_reference
    assert report.summary_lines()[0].startswith("Fichier « c.csv »")


@pytest.mark.parametrize(
    "header",
    [
        "N° dossier",
        "Numéro de dossier",
        "N° de demande",
        "Identifiant",
        "Réf.",
        "No dossier",
        "Référence du dossier",
    ],
)
def test_reference_headers(header: str) -> None:
    from territoires.importers.headers import guess_field

    assert guess_field(header) == "reference"


def test_suggestions_file_reads_back(tmp_path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(b"\xef\xbb\xbfcolonne;valeur;proposition;raison\ncommune;X (29);29024;\n")
    assert read_correspondences(path) == [Correspondence("commune", "X (29)", "29024", "")]
    assert read_table(path).encoding == "UTF-8 avec BOM"


# --- against the store: probable duplicates, reference collisions ---------------------------
def test_probable_duplicate_of_a_stored_initiative_is_a_warning(store, brittany) -> None:
    import_file(
        committee_file("D1;Café;Les Amis;Mûr-de-Bretagne;;;;;1000;2024"),
        store,
        brittany,
        actor=ACTOR,
    )
    data = committee_file("E7;café;Les Amis;Guerlédan;;;;;1000;2024")
    report = import_file(data, store, brittany, name="c.csv", dry_run=True, actor=ACTOR)
    assert report.nouvelles == 1
    assert report.plan.warnings == [
        "ligne 2 : doublon probable de l'initiative enregistrée sous la référence « D1 » (même "
        "titre, porteur, commune et année), référence du fichier « E7 »"
    ]
    # The same reference is an update, not a duplicate.
    again = import_file(
        committee_file("D1;Café;Les Amis;Guerlédan;;;;;900;2024"), store, brittany, actor=ACTOR
    )
    assert (again.modifiees, again.plan.warnings) == (1, [])


def test_reference_collision_is_rejected_unless_confirmed(store, brittany, capsys) -> None:
    first = committee_file(
        "1;Jardin partagé;Les Amis;Pontivy;;;;;1000;2024",
        "2;Café;Asso du bourg;Pontivy;;;;;1000;2024",
    )
    import_file(first, store, brittany, name="2024.csv", actor=ACTOR)
    # 2025's file numbers its projects 1, 2 again: « 1 » is another project, « 2 » a correction.
    later = committee_file(
        "1;Fête du pain;Asso du four;Guerlédan;;;;;5000;2025",
        "2;Café associatif;Asso du bourg;Pontivy;;;;;1000;2024",
    )
    report = import_file(later, store, brittany, name="2025.csv", dry_run=True, actor=ACTOR)
    assert (report.modifiees, [r[1] for r in report.rejected]) == (1, [2])
    assert report.rejected[0][2] == (
        "Référence « 1 » déjà enregistrée pour une autre initiative ? titre, porteur, commune "
        "différents — enregistrée : « Jardin partagé », Les Amis, Pontivy (56178), 2024 ; "
        "fichier : « Fête du pain », Asso du four, Guerlédan (22158), 2025. Confirmez la mise à "
        "jour (« Mises à jour à confirmer » dans l'application, --confirm-updates en ligne de "
        "commande) ou changez la référence"
    )
    assert [c.reference for c in report.plan.collisions] == ["1"]
    confirmed = import_file(
        later, store, brittany, name="2025.csv", confirm_updates={"1"}, actor=ACTOR
    )
    assert (confirmed.modifiees, confirmed.rejected) == (2, [])
    assert store.list_initiatives().set_index("reference").loc["1", "titre"] == "Fête du pain"


def test_confirm_updates_on_the_command_line(cli_db, tmp_path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(committee_file("1;Jardin;Les Amis;Pontivy;;;;;1000;2024"))
    assert run_cli("import", str(path), "--db", cli_db) == 0
    path.write_bytes(committee_file("1;Fête;Autres;Pontivy;;;;;1000;2025"))
    assert run_cli("import", str(path), "--db", cli_db) == 1
    assert run_cli("import", str(path), "--db", cli_db, "--confirm-updates") == 0
    assert open_store(cli_db).list_initiatives()["titre"].tolist() == ["Fête"]


# --- confirmed correspondences are saved for the next imports -------------------------------
def test_confirmed_correspondences_are_saved_as_aliases(store, brittany) -> None:
    data = committee_file(
        "D1;Café;Les Amis;Carhaix;29270;Fond. Daniel & Nina Carasso;Culture & patrimoine;"
        "Coopérative;1000;2024",
        "D2;Fête;Asso;Pontivy;;Mairie de Pontivy;sport;;1000;2024",
    )
    confirmed = [
        Correspondence("commune", "Carhaix (29270)", "29024"),
        Correspondence("financeurs", "Fond. Daniel & Nina Carasso", "Carasso"),
        Correspondence("themes", "Culture & patrimoine", "Cultures et savoirs"),
        Correspondence("type", "Coopérative", "autre"),
        Correspondence("financeurs", "Mairie de Pontivy", "Mairie de Pontivy"),
        Correspondence("themes", "sport", IGNORE_VALUE),
    ]
    # A simulation saves nothing.
    import_file(data, store, brittany, actor=ACTOR, correspondences=confirmed, dry_run=True)
    assert store.import_aliases() == []
    report = import_file(data, store, brittany, actor=ACTOR, correspondences=confirmed)
    assert (report.nouvelles, report.rejected) == (2, [])
    assert "6 correspondances confirmées appliquées, dont 5 enregistrées pour" in "\n".join(
        report.summary_lines()
    )
    assert sorted(store.import_aliases()) == [
        ("commune", "Carhaix (29270)", "29024"),
        ("type", "Coopérative", "autre"),
    ]
    assert ("Fond. Daniel & Nina Carasso", "Fondation Daniel et Nina Carasso") in set(
        store.funder_aliases()
    )
    # The next file written the same way goes in without a question, but for the value left
    # aside (an « ignore » is not saved: it holds for one import).
    again = committee_file(
        "E1;Bal;Les Amis;carhaix;29 270;Fond Daniel et Nina Carasso;culture et patrimoine;"
        "coopératives;1000;2025",
        "E2;Jeu;Asso;Pontivy;;mairie de pontivy;sport;;1000;2025",
    )
    report = import_file(again, store, brittany, actor=ACTOR)
    assert report.nouvelles == 1
    assert [(s.colonne, s.valeur) for s in report.plan.suggestions] == [("themes", "sport")]
    frame = store.list_initiatives().set_index("reference")
    assert frame.loc["E1", "commune_code"] == "29024"
    assert frame.loc["E1", "themes"] == ["cultures-savoirs"]
    assert frame.loc["E1", "type"] == "autre"


# --- the simulation shows the changes, field by field ---------------------------------------
def test_simulation_lists_each_change_field_by_field(store, brittany, cli_db, tmp_path, capsys):
    first = committee_file("1;Jardin;Les Amis;Pontivy;;FdF;;;1000;2024")
    import_file(first, store, brittany, actor=ACTOR)
    corrected = committee_file("1;Jardin partagé;Les Amis;Pontivy;;FdF + Carasso;;;1500;2024")
    report = import_file(corrected, store, brittany, actor=ACTOR, dry_run=True)
    assert report.modifiees == 1
    assert (
        "Serait modifiée : « Jardin » (référence 1) : Titre : « Jardin » → « Jardin partagé » ; "
        "Financements : « Fondation de France » → « Fondation de France ; Fondation Daniel et "
        "Nina Carasso » ; Montant (€) : « 1000 » → « 1500 »."
    ) in report.summary_lines()
    assert store.list_initiatives()["titre"].tolist() == ["Jardin"]
    # The same through the command line's --dry-run.
    path = tmp_path / "a.csv"
    path.write_bytes(first)
    run_cli("import", str(path), "--db", cli_db)
    path.write_bytes(corrected)
    capsys.readouterr()
    assert run_cli("import", str(path), "--db", cli_db, "--dry-run") == 0
    assert "Serait modifiée : « Jardin » (référence 1) : Titre" in capsys.readouterr().out


def test_undoing_an_import_drops_the_funder_it_created_and_its_aliases(store, brittany) -> None:
    data = committee_file("D1;Café;Les Amis;Pontivy;;mairie pontivy;;;1000;2024")
    new = Correspondence("financeurs", "mairie pontivy", "Mairie de Pontivy")
    report = import_file(data, store, brittany, actor=ACTOR, correspondences=[new])
    assert ("mairie pontivy", "Mairie de Pontivy") in set(store.funder_aliases())
    store.undo_import(report.lot, actor=ACTOR)
    assert "Mairie de Pontivy" not in set(store.funders()["nom"])
    assert ("mairie pontivy", "Mairie de Pontivy") not in set(store.funder_aliases())


def test_a_commune_stored_under_its_former_code_is_the_same_commune(brittany) -> None:
    from territoires.importers.pipeline import check_against_store, prepare_import
    from territoires.importers.reading import read_table as read

    # Stored before Mûr-de-Bretagne became Guerlédan (22153 -> 22158).
    stored = pd.DataFrame(
        [(1, "A1", "Café", "Les Amis", "22153", 2014)],
        columns=["id", "reference", "titre", "porteur", "commune_code", "annee"],
    )
    table = read(committee_file("B7;Café;Les Amis;Guerlédan;;;;;1000;2014"), name="c.csv")
    vocabulary = Vocabulary.from_store(open_store("sqlite:///:memory:"))
    plan = prepare_import(table, brittany, vocabulary)
    locator = CommuneLocator(brittany)
    check_against_store(plan, stored, locator)
    assert plan.warnings == [
        "ligne 2 : doublon probable de l'initiative enregistrée sous la référence « A1 » (même "
        "titre, porteur, commune et année), référence du fichier « B7 »"
    ]
