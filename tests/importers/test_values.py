"""Cell values: amounts, years, codes, separators, aliases, normalisation."""

from __future__ import annotations

import datetime as dt

import pytest

from territoires.importers.normalize import commune_key, compact_key, words_key
from territoires.importers.values import (
    AliasTable,
    cell_text,
    code_text,
    neutralise,
    parse_amount,
    parse_date,
    parse_type,
    parse_year,
    split_values,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12 000 €", 12000.0),
        ("12\u00a0000\u00a0€", 12000.0),
        ("45.000 €", 45000.0),
        ("4 200,50 €", 4200.5),
        ("1.234.567,8", 1234567.8),
        ("1,234,567.8", 1234567.8),
        ("2500", 2500.0),
        ("2500.5", 2500.5),
        ("3,5", 3.5),
        ("15 k€", 15000.0),
        ("8000 euros", 8000.0),
        (12000, 12000.0),
        (4200.5, 4200.5),
        ("", None),
        (None, None),
    ],
)
def test_french_amounts(raw: object, expected: float | None) -> None:
    assert parse_amount(raw) == expected


@pytest.mark.parametrize("raw", ["beaucoup", "12 000 € environ", "1.2.3", "€"])
def test_unreadable_amounts_raise_a_french_message(raw: str) -> None:
    with pytest.raises(ValueError, match="Montant illisible"):
        parse_amount(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024", 2024),
        ("15/03/2023", 2023),
        ("2022-09-01", 2022),
        ("2022-09-01 00:00:00", 2022),
        (dt.datetime(2021, 5, 4), 2021),
        (dt.date(2020, 1, 1), 2020),
        (2019, 2019),
        (2019.0, 2019),
        ("", None),
    ],
)
def test_years(raw: object, expected: int | None) -> None:
    assert parse_year(raw) == expected


@pytest.mark.parametrize("raw", ["l'an dernier", "24", "3000", 2019.5])
def test_unreadable_years(raw: object) -> None:
    with pytest.raises(ValueError, match="Année illisible"):
        parse_year(raw)


def test_dates() -> None:
    assert parse_date("15/03/2023") == "2023-03-15"
    assert parse_date(dt.datetime(2023, 3, 15, 10, 0)) == "2023-03-15"
    with pytest.raises(ValueError, match="Date illisible"):
        parse_date("31/02/2023")


def test_codes_get_their_leading_zeros_back() -> None:
    assert code_text(1053, 5) == "01053"
    assert code_text("1053", 5) == "01053"
    assert code_text(1053.0, 5) == "01053"
    assert code_text("2a004", 5) == "2A004"
    assert code_text("1", 2) == "01"
    assert code_text("", 5) is None


def test_split_on_every_separator_but_never_on_et() -> None:
    cell = "Terre et Fils; Carasso + FdF / Entreprendre, Daniel et Nina Carasso\nBruneau"
    assert split_values(cell) == [
        "Terre et Fils",
        "Carasso",
        "FdF",
        "Entreprendre",
        "Daniel et Nina Carasso",
        "Bruneau",
    ]


def test_alias_table_resolves_whole_cell_first_then_parts() -> None:
    table = AliasTable.build(
        [
            ("soin", "prendre-soin"),
            ("Valoriser les cultures, savoirs et savoir-faire locaux", "cultures-savoirs"),
        ]
    )
    assert table.resolve("Valoriser les cultures, savoirs et savoir-faire locaux") == (
        ["cultures-savoirs"],
        [],
    )
    assert table.resolve("SOIN ; Prendre-Soin ; sport") == (["prendre-soin"], ["sport"])


def test_type_values() -> None:
    assert parse_type("") == "projet associatif"
    assert parse_type("Fondation territoriale") == "fondation territoriale"
    assert parse_type("Projets associatifs") == "projet associatif"
    assert parse_type("coopérative") is None  # waits for a confirmed correspondence


def test_formula_prefix_is_added_then_undone() -> None:
    for text in ("=SOMME(A1)", "+33 6", "-moins", "@cmd"):
        assert neutralise(text) == "'" + text
        assert cell_text(neutralise(text)) == text
    assert neutralise("Jardin") == "Jardin"
    assert cell_text("'apostrophe") == "'apostrophe"


def test_normalisation_keys() -> None:
    assert compact_key("Financeur(s)") == "financeurs"
    assert compact_key("Montant (€)") == "montant"
    assert words_key("Fondation Daniel & Nina Carasso") == "fondation daniel nina carasso"
    assert commune_key("Faouët (Le)") == commune_key("le faouet")
    assert commune_key("Ste-Anne-d’Auray") == "sainte anne d auray"
    assert commune_key("Plœmeur") == "ploemeur"
    assert commune_key("L'Hermitage") == commune_key("Hermitage (L')")
