"""French number formatting: one convention for every text users read."""

from __future__ import annotations

import math
import re

import pytest

from territoires.formatting import (
    MISSING,
    NBSP,
    THOUSANDS,
    fr_count,
    fr_euros,
    fr_euros_short,
    fr_file_size,
    fr_km,
    fr_number,
    fr_percent,
    markdown_literal,
)


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0, 0, "0"),
        (999, 0, "999"),
        (1234567, 0, f"1{THOUSANDS}234{THOUSANDS}567"),
        (1234.5, 1, f"1{THOUSANDS}234,5"),
        (-12000, 0, f"-12{THOUSANDS}000"),
        (2.346, 2, "2,35"),  # rounded, with a decimal comma
        (None, 0, MISSING),
        (math.nan, 1, MISSING),
        (math.inf, 0, "∞"),
    ],
)
def test_fr_number(value, decimals, expected):
    assert fr_number(value, decimals) == expected


def test_units_are_bound_to_their_number():
    assert fr_euros(12345.4) == f"12{THOUSANDS}345{NBSP}€"
    assert fr_percent(0.416) == f"42{NBSP}%"
    assert fr_km(3.26) == f"3,3{NBSP}km"
    assert fr_km(math.inf) == "aucune initiative dans la zone"
    assert {fr_euros(None), fr_percent(math.nan), fr_km(None)} == {MISSING}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (850, f"850{NBSP}€"),
        (9999, f"9{THOUSANDS}999{NBSP}€"),
        (12500, f"12,5{NBSP}k€"),
        (20_300_000, f"20,3{NBSP}M€"),
        (None, MISSING),
    ],
)
def test_fr_euros_short(value, expected):
    assert fr_euros_short(value) == expected


def test_fr_count_uses_the_singular_for_zero_and_one():
    assert fr_count(0, "ligne") == "0 ligne"
    assert fr_count(1, "ligne lue", "lignes lues") == "1 ligne lue"
    assert fr_count(2, "ligne lue", "lignes lues") == "2 lignes lues"
    assert fr_count(1234, "initiative") == f"1{THOUSANDS}234 initiatives"
    # decimals: the rule reads the number as written
    assert fr_count(1.54, "initiative", decimals=1) == "1,5 initiative"
    assert fr_count(1.96, "initiative", decimals=1) == "2,0 initiatives"


def test_file_sizes_read_in_french_units():
    assert fr_file_size(40) == "40\u00a0o"
    assert fr_file_size(1023) == "1\u202f023\u00a0o"
    assert fr_file_size(12_800) == "12,5\u00a0Ko"
    assert fr_file_size(3 * 1024**2 + 400 * 1024) == "3,4\u00a0Mo"


def test_markdown_literal_escapes_every_markdown_mark():
    text = "[lien](http://e) **gras** :red[rouge] :material/home: $x$ <b>b</b> 1. # _a_ ~b~ `c`"
    escaped = markdown_literal(text)
    # each mark is backslash-escaped (CommonMark shows « \\X » as « X » for punctuation)...
    marks = "[]()*:$<>#_~`."
    for i, c in enumerate(escaped):
        if c in marks:
            assert escaped[i - 1] == "\\", (escaped, i)
    # ...and removing the escapes gives the text back
    assert re.sub(r"\\(.)", r"\1", escaped) == text
    assert markdown_literal("Saint-Brieuc (22)") == "Saint\\-Brieuc \\(22\\)"
    assert markdown_literal("sans ponctuation") == "sans ponctuation"
