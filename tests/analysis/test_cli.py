"""The coverage, suggest and sheet sub-commands, on the tiny reference (no cache, no store)."""

from __future__ import annotations

import io

import pandas as pd
import pypdf
import pytest

from territoires import cli
from territoires.analysis import cli as analysis_cli
from territoires.analysis.synthetic import initiatives_frame

REQUIRED = [
    "code",
    "nom",
    "population",
    "part_rurale",
    "initiatives",
    "initiatives_10k_hab",
    "euros_par_hab",
    "distance_mediane_km",
    "population_non_couverte",
    "themes_manquants",
    "score",
    "raisons",
]


@pytest.fixture
def wired(monkeypatch, tiny_reference, tmp_path):
    initiatives = initiatives_frame(
        [
            {"commune_code": "22001", "themes": ["prendre-soin"], "montant": 500.0},
            {"commune_code": "56012", "themes": ["cultures-savoirs"], "montant": 100.0},
        ]
    )
    monkeypatch.setattr(analysis_cli, "_load", lambda args: (tiny_reference, initiatives))
    rural = {"22001", "22002", "56003", "56004", "22005", "22006", "56007", "56008"}
    monkeypatch.setattr(analysis_cli, "rural_codes", lambda reference: rural)
    monkeypatch.setattr(analysis_cli, "frr_codes", lambda reference: None)
    monkeypatch.setattr(analysis_cli, "rurality_lines", lambda reference: ["Ruralité : test"])
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(tmp_path / "donnees"))  # an empty database
    return tiny_reference


def test_coverage_csv(wired, tmp_path):
    output = tmp_path / "epci.csv"
    assert cli.main(["coverage", "--level", "epci", "--output", str(output)]) == 0
    table = pd.read_csv(output, sep=";", dtype={"code": str}, encoding="utf-8-sig")
    assert set(REQUIRED) <= set(table.columns)
    assert sorted(table["code"]) == ["200000001", "200000002", "200000003"]
    # only EPCI 200000001 is mostly rural (200000003 is 0.4 % rural with 56011 and 56012)
    ranked = table.dropna(subset=["score"])
    assert list(ranked["code"]) == ["200000001"]
    # the rural share says what it rests on, next to it
    assert list(table.columns[table.columns.get_loc("part_rurale") + 1 :][:1]) == [
        "source_part_rurale"
    ]
    assert set(table["source_part_rurale"]) == {
        "approximation (densité 2023 et unités urbaines INSEE)"
    }


def test_coverage_xlsx_with_scope(wired, tmp_path):
    output = tmp_path / "communes.xlsx"
    code = cli.main(
        ["coverage", "--level", "commune", "--scope", "departement:56", "--output", str(output)]
    )
    assert code == 0
    table = pd.read_excel(output, dtype={"code": str})
    assert len(table) == 6
    assert table["code"].str.startswith("56").all()


def test_suggest_csv(wired, tmp_path):
    output = tmp_path / "sites.csv"
    assert cli.main(["suggest", "--k", "2", "--radius-km", "8", "--output", str(output)]) == 0
    sites = pd.read_csv(output, sep=";", dtype={"code_insee": str}, encoding="utf-8-sig")
    assert list(sites["rang"]) == [1, 2]
    assert sites["population_cumulee"].is_monotonic_increasing


def test_sheet_pdf(wired, tmp_path):
    output = tmp_path / "fiche.pdf"
    assert cli.main(["sheet", "--territory", "tiny-ouest", "--output", str(output)]) == 0
    reader = pypdf.PdfReader(io.BytesIO(output.read_bytes()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Tiny Ouest" in text
    assert "Ruralité : test" in text


def test_errors_are_french_and_exit_2(wired, tmp_path, capsys):
    assert cli.main(["coverage", "--level", "epci", "--output", str(tmp_path / "x.txt")]) == 2
    assert "Format de sortie non pris en charge" in capsys.readouterr().err
    code = cli.main(["sheet", "--territory", "nulle-part", "--output", str(tmp_path / "x.pdf")])
    assert code == 2
    assert "Territoire introuvable" in capsys.readouterr().err


def test_an_unwritable_output_is_a_french_error(wired, tmp_path, capsys):
    missing = tmp_path / "absent" / "epci.csv"
    assert cli.main(["coverage", "--level", "epci", "--output", str(missing)]) == 2
    assert f"Impossible d'écrire {missing} (" in capsys.readouterr().err


def test_coverage_options_reach_the_ranking(wired, tmp_path, capsys):
    output = tmp_path / "communes.csv"
    arguments = ["coverage", "--level", "commune", "--output", str(output)]
    options = ["--part-signalee", "50", "--reference", "region", "--theme", "Prendre soin"]
    assert cli.main([*arguments, *options, "--besoin", "eloignement"]) == 0
    table = pd.read_csv(output, sep=";", dtype={"code": str}, encoding="utf-8-sig")
    ranked = table.dropna(subset=["score"])
    assert len(ranked) == 8 and ranked["signale"].sum() == 4  # half of the 8 rural communes
    assert ranked["raisons"].str.contains(r"\(Bretagne : ").all()
    assert ranked["raisons"].str.contains("« Prendre soin »").all()
    assert not ranked["raisons"].str.contains("Cultures").any()
    assert "besoin_eloignement" in table and "besoin_frr" not in table
    assert "8 classés, 4 signalés" in capsys.readouterr().out


def test_coverage_option_errors_are_french(wired, tmp_path, capsys):
    output = str(tmp_path / "x.csv")
    assert (
        cli.main(["coverage", "--level", "epci", "--theme", "jardinage", "--output", output]) == 2
    )
    assert "Thème inconnu : « jardinage »" in capsys.readouterr().err
    assert (
        cli.main(["coverage", "--level", "epci", "--besoin", "pauvrete", "--output", output]) == 2
    )
    assert "Indicateur de besoin inconnu : pauvrete" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["coverage", "--level", "epci", "--part-signalee", "120", "--output", output])
    assert "pourcentage entre 0 et 100" in capsys.readouterr().err


def test_suggest_need_objective_and_every_commune(wired, tmp_path):
    output = tmp_path / "sites.csv"
    arguments = ["suggest", "--k", "2", "--radius-km", "8", "--output", str(output)]
    assert cli.main([*arguments, "--objectif", "besoin", "--toutes-communes"]) == 0
    sites = pd.read_csv(output, sep=";", dtype={"code_insee": str}, encoding="utf-8-sig")
    assert sites["besoin"].between(0, 1).all()
    assert (
        sites["population_ponderee_nouvellement_couverte"]
        <= sites["population_nouvellement_couverte"]
    ).all()


def test_indicator_import_list_use_and_remove(wired, tmp_path, monkeypatch, capsys):
    """An indicator imported from the command line is listed, used by the score with
    ``--besoin``, and removed."""
    from territoires.geo import cache

    monkeypatch.setattr(cache, "load_reference", lambda: wired)
    db = f"sqlite:///{tmp_path / 'base.db'}"
    source = tmp_path / "pauvrete.csv"
    source.write_text(
        "Taux de pauvreté 2021\nCode;Libellé;Taux de pauvreté 2021\n"
        "22001;Commune 1;20,5\n22002;Commune 2;8\n22005;Commune 5;s\n",
        encoding="utf-8",
    )
    command = ["indicator", "import", str(source), "--sens", "eleve", "--source", "INSEE"]
    assert cli.main([*command, "--unite", "%", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "3 lignes lues, 2 communes avec une valeur" in out
    assert "Indicateur « Taux de pauvreté 2021 » enregistré (import-1, millésime 2021)" in out
    assert cli.main(["indicator", "list", "--db", db]) == 0
    assert "import-1 : Taux de pauvreté 2021 — INSEE, millésime 2021 ; 2 valeurs" in (
        capsys.readouterr().out
    )
    output = tmp_path / "communes.csv"
    coverage = ["coverage", "--level", "commune", "--db", db, "--output", str(output)]
    assert cli.main([*coverage, "--besoin", "import-1"]) == 0
    table = pd.read_csv(output, sep=";", dtype={"code": str}, encoding="utf-8-sig")
    row = table.set_index("code").loc["22001"]
    assert row["besoin_import-1"] == 20.5
    assert "taux de pauvreté 2021 : 20,50\u00a0%" in row["raisons"].lower()
    assert cli.main(["indicator", "remove", "import-1", "--db", db]) == 0
    assert cli.main(["indicator", "list", "--db", db]) == 0
    assert "Aucun indicateur importé." in capsys.readouterr().out
    assert cli.main(["indicator", "remove", "import-1", "--db", db]) == 2
    assert "Indicateur inconnu : « import-1 »" in capsys.readouterr().err


def test_indicator_import_refuses_a_missing_vintage(wired, tmp_path, monkeypatch, capsys):
    from territoires.geo import cache

    monkeypatch.setattr(cache, "load_reference", lambda: wired)
    source = tmp_path / "apl.csv"  # no year anywhere: the vintage must be given
    source.write_text("Code;APL\n22001;2,5\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'base.db'}"
    command = ["indicator", "import", str(source), "--sens", "faible", "--source", "DREES"]
    assert cli.main([*command, "--db", db]) == 2
    assert "À renseigner avant d'importer : millésime." in capsys.readouterr().err
