"""What a shared link can set: bounded lengths, shortened quotes, French messages."""

from __future__ import annotations

from territoires.filters import AMOUNT_MAX, parse_filter_params
from territoires.links import (
    MAX_QUOTED_CHARS,
    MAX_SEARCH_CHARS,
    MAX_VALUE_CHARS,
    bounded_params,
    quoted,
)


def test_values_over_their_limit_are_left_out_and_reported_in_french():
    params = {
        "q": "zebre " * 20_000,
        "themes": "prendre-soin",
        "etapes": ["x" * (MAX_VALUE_CHARS + 1)],
        "financeurs": ["a", "b" * MAX_VALUE_CHARS],  # the last value counts
    }
    kept, problems = bounded_params(params)
    assert kept == {"themes": "prendre-soin", "financeurs": "b" * MAX_VALUE_CHARS}
    assert problems[0] == (
        "Valeur trop longue pour « q » (120\u202f000 caractères, 200 au plus) : elle est ignorée."
    )
    assert len(problems) == 2 and "« etapes »" in problems[1]
    assert all(len(p) < 200 for p in problems)


def test_the_search_has_its_own_shorter_limit():
    assert bounded_params({"q": "a" * MAX_SEARCH_CHARS})[0] == {"q": "a" * MAX_SEARCH_CHARS}
    assert bounded_params({"q": "a" * (MAX_SEARCH_CHARS + 1)})[0] == {}


def test_quoted_shortens_what_a_message_echoes():
    assert quoted("court") == "court"
    long = quoted("x" * 10_000)
    assert len(long) == MAX_QUOTED_CHARS and long.endswith("…")


def test_an_amount_of_a_link_is_bounded_and_never_echoed_whole():
    """Reported: ``montant_min=1e308`` echoed as a 300-digit number."""
    filters, problems = parse_filter_params({"montant_min": "1e308", "montant_max": "-5"})
    assert filters.amount_min is None and filters.amount_max is None
    assert problems[0] == (
        "Valeur hors limites pour « montant_min » : « 1e308 » "
        "(de 0\u00a0€ à 1\u202f000\u202f000\u202f000\u202f000\u00a0€). Ce filtre est ignoré."
    )
    assert "« -5 »" in problems[1]
    kept, _ = parse_filter_params({"montant_max": str(AMOUNT_MAX)})
    assert kept.amount_max == AMOUNT_MAX


def test_a_year_of_a_link_is_one_an_initiative_can_have():
    filters, problems = parse_filter_params(
        {"annee_min": "9" * 5000, "annee_max": "99999999999999999999"}
    )
    assert filters.year_min is None and filters.year_max is None
    assert "Valeur non reconnue pour « annee_min »" in problems[0]  # no 5000-digit integer
    assert "Valeur hors limites pour « annee_max »" in problems[1]
    assert all(len(p) < 250 for p in problems)
