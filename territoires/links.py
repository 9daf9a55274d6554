"""What a shared link can set: values of bounded length, quoted back shortened.

A link is text anyone can write. Each of its values is bounded here before any page reads it
(``bounded_params``): a value longer than its limit is left out, with a French message, so that
a 100 KB search or a 300-digit amount never reaches the filters, the page, or a message that
would quote it back. Messages about a link quote its values through ``quoted``.
"""

from __future__ import annotations

from collections.abc import Mapping

from territoires.formatting import fr_number

SEARCH_PARAM = "q"
MAX_SEARCH_CHARS = 200  # the free search: a few words (the sidebar's field has the same limit)
MAX_VALUE_CHARS = 1000  # any other value: a list of funders, of territories to step through
MAX_QUOTED_CHARS = 60  # what a message quotes of a value


def max_chars(key: str) -> int:
    """The longest value a link may give to ``key``."""
    return MAX_SEARCH_CHARS if key == SEARCH_PARAM else MAX_VALUE_CHARS


def quoted(text: object) -> str:
    """``text`` as a message quotes it: at most ``MAX_QUOTED_CHARS`` characters, then « … »."""
    text = str(text)
    if len(text) <= MAX_QUOTED_CHARS:
        return text
    return text[: MAX_QUOTED_CHARS - 1] + "…"


def too_long(key: str, text: str) -> str:
    """The French message for a value of a link left out for its length."""
    return (
        f"Valeur trop longue pour « {quoted(key)} » ({fr_number(len(text))} caractères, "
        f"{fr_number(max_chars(key))} au plus) : elle est ignorée."
    )


def bounded_params(params: Mapping[str, object]) -> tuple[dict[str, str], list[str]]:
    """The last value of each parameter, those over their length limit left out.

    Parameters
    ----------
    params : mapping
        Query parameters, a value being a text or a list of texts (the last one counts).

    Returns
    -------
    dict, list of str
        The parameters kept, and a French message for each one left out.
    """
    kept: dict[str, str] = {}
    problems: list[str] = []
    for key, raw in params.items():
        text = str(raw[-1] if isinstance(raw, list | tuple) and raw else raw)
        if len(text) > max_chars(key):
            problems.append(too_long(key, text))
        else:
            kept[key] = text
    return kept, problems
