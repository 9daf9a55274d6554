"""Indicator tables in the shapes the Observatoire des territoires and INSEE export, read on the
tiny reference (codes 22001 … 56012, EPCI 200000001 … 200000003)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from territoires.analysis.indicator_files import parse_number, read_indicator_table
from territoires.errors import ImportFileError

OBSERVATOIRE = """\
"Part des personnes âgées de 75 ans ou plus (%)";;;
"Source : Insee, RP";;;
;;;
codgeo;libgeo;an;p_pop75p
22001;Commune 1;2015;10,1
22001;Commune 1;2021;12,5
22002;Commune 2;2021;8
56003;Commune 3;2021;s
99999;Nulle part;2021;4,2
"""

INSEE = """\
Taux de pauvreté 2021
Zone géographique : communes
Code;Libellé;Population 2021;Taux de pauvreté 2021
22005;Commune 5;1 234;14,7 %
22006;Commune 6;2 001;N/A - résultat non disponible
56007;Commune 7;12 345,0;9,25
Source : Insee, Filosofi 2021
"""


def write(tmp_path, text: str, name: str = "indicateur.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_observatoire_long_format_keeps_the_latest_year(tmp_path, tiny_reference):
    table = read_indicator_table(write(tmp_path, OBSERVATOIRE), tiny_reference)
    assert table.level == "commune"
    assert table.values.to_dict() == {"22001": 12.5, "22002": 8.0}  # 2021, not 2015
    assert table.column == "p_pop75p"
    assert table.label_hint == "Part des personnes âgées de 75 ans ou plus (%)"
    assert table.vintage_hint == ""  # no year in the title lines, header or file name
    assert table.missing == 1  # 56003's secret value
    assert table.unknown == ("99999",)
    assert "1 code inconnu(s) écarté(s) : 99999" in table.summary()


def test_insee_export_with_title_lines_and_french_numbers(tmp_path, tiny_reference):
    path = write(tmp_path, INSEE, "pauvrete.csv", encoding="cp1252")
    table = read_indicator_table(path, tiny_reference)
    assert table.columns == ("Population 2021", "Taux de pauvreté 2021")
    assert table.column == "Taux de pauvreté 2021"  # the last numeric column by default
    assert table.values.to_dict() == {"22005": 14.7, "56007": 9.25}
    assert table.vintage_hint == "2021"
    assert table.label_hint == "Taux de pauvreté 2021"
    assert table.rows == 3  # the source line under the table is not a row
    population = read_indicator_table(path, tiny_reference, column="Population 2021")
    assert population.values.to_dict() == {"22005": 1234.0, "22006": 2001.0, "56007": 12345.0}


def test_epci_codes_are_detected(tmp_path, tiny_reference):
    text = "SIREN;Nom de l'EPCI;APL aux médecins généralistes\n"
    text += "200000001;CC Un;2,1\n200000003;CC Trois;3,4\n"
    table = read_indicator_table(write(tmp_path, text), tiny_reference)
    assert table.level == "epci"
    assert table.values.to_dict() == {"200000001": 2.1, "200000003": 3.4}


def test_xlsx_export(tmp_path, tiny_reference):
    path = tmp_path / "apl.xlsx"
    frame = pd.DataFrame(
        [
            ["Accessibilité potentielle localisée (APL) aux médecins généralistes", None, None],
            ["Source : DREES, 2023", None, None],
            ["Code", "Libellé", "APL 2023"],
            ["22009", "Commune 9", 3.5],
            ["22010", "Commune 10", "2,75"],
        ]
    )
    frame.to_excel(path, header=False, index=False)
    table = read_indicator_table(path, tiny_reference)
    assert table.values.to_dict() == {"22009": 3.5, "22010": 2.75}
    assert table.vintage_hint == "2023"
    assert table.label_hint.startswith("Accessibilité potentielle localisée")


def test_a_former_commune_is_carried_to_the_commune_that_absorbed_it(
    tmp_path, tiny_reference, monkeypatch
):
    from territoires.geo import history

    merges = pd.DataFrame(
        {"code_ancien": ["22099"], "code_insee": ["22001"], "nom_ancien": [""], "dernier_cog": [""]}
    )
    monkeypatch.setattr(history, "read_merges", lambda: merges)
    text = "Code;Libellé;Valeur\n22099;Ancienne commune;7\n22002;Commune 2;5\n"
    table = read_indicator_table(write(tmp_path, text), tiny_reference)
    assert table.values.to_dict() == {"22001": 7.0, "22002": 5.0}
    assert table.carried == 1 and table.unknown == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Nom;Valeur\nA;1\n", "Colonne des codes introuvable"),
        ("Code;Libellé\n22001;Commune 1\n", "Aucune colonne de valeurs numériques"),
        ("Code;Valeur\n01001;1\n01002;2\n", "Aucun code du fichier ne correspond"),
        ("Code;Valeur\n22001;1\n22002;2\n22005;3\n22006;beaucoup\n", "Valeur illisible ligne 5"),
    ],
)
def test_bad_files_raise_a_french_error(tmp_path, tiny_reference, text, message):
    with pytest.raises(ImportFileError, match=message):
        read_indicator_table(write(tmp_path, text), tiny_reference)


def test_unknown_column_is_named(tmp_path, tiny_reference):
    with pytest.raises(ImportFileError, match="Colonne « APL » introuvable"):
        read_indicator_table(write(tmp_path, INSEE), tiny_reference, column="APL")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,5", 12.5),
        ("1 234,5", 1234.5),
        ("1\u202f234", 1234.0),
        ("12,5 %", 12.5),
        ("1.234,5", 1234.5),
        ("-3,2", -3.2),
        ("−3,2", -3.2),
        ("7", 7.0),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "s", "nd", "N/A - division par 0", "secret statistique"])
def test_parse_number_missing(text):
    assert math.isnan(parse_number(text))


def test_parse_number_refuses_words():
    assert parse_number("beaucoup") is None


def test_record_needs_a_label_a_source_and_a_vintage(tmp_path, tiny_reference):
    table = read_indicator_table(write(tmp_path, INSEE), tiny_reference)
    assert table.record("Taux", "eleve", "", "") == (
        "À renseigner avant d'importer : source, millésime."
    )
    assert table.record("Taux", "haut", "INSEE", "2021").startswith("Sens inconnu")
    record = table.record(" Taux de pauvreté ", "eleve", "INSEE, Filosofi", "2021", "%", "f.csv")
    assert record == {
        "libelle": "Taux de pauvreté",
        "unite": "%",
        "sens": "eleve",
        "niveau": "commune",
        "source": "INSEE, Filosofi",
        "millesime": "2021",
        "fichier": "f.csv",
    }
