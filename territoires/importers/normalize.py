"""Text normalisation shared by header matching, alias tables and commune names."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_LIGATURES = str.maketrans(
    {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"}
    | {ch: " " for ch in "’‘´`«»–—‐‑"}  # punctuation that NFKD would not turn into ASCII
)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_ARTICLE_SUFFIX = re.compile(r"^(?P<name>.+?)\s*\(\s*(?P<article>les|la|le|l['’]?)\s*\)\s*$", re.I)
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
# A trailing acronym or département in brackets: « Fondation de France (FdF) », « Morlaix (29) ».
_TRAILING_TAG = re.compile(r"\s*[(\[]\s*[^\s()\[\]]{1,12}\s*[)\]]\s*$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def strip_accents(text: str) -> str:
    """Return ``text`` lower-cased, without accents, ligatures expanded (ASCII only)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES).casefold())
    return decomposed.encode("ascii", "ignore").decode("ascii")


@lru_cache(maxsize=65536)
def words_key(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key with words kept apart.

    >>> words_key("Fondation Daniel & Nina Carasso")
    'fondation daniel nina carasso'
    """
    return " ".join(_NON_ALNUM.split(strip_accents(text))).strip()


def compact_key(text: str) -> str:
    """Key with every non-alphanumeric character removed (headers: « Financeur(s) »)."""
    return _NON_ALNUM.sub("", strip_accents(text))


@lru_cache(maxsize=65536)
def commune_key(name: str) -> str:
    """Normalise a commune name for matching.

    Case-, accent-, hyphen- and apostrophe-insensitive; ``St``/``Ste`` become ``Saint``/``Sainte``;
    ``œ`` becomes ``oe``; a trailing article in parentheses moves to the front
    (« Faouët (Le) » = « Le Faouët »).
    """
    text = name.strip()
    match = _ARTICLE_SUFFIX.match(text)
    if match:
        text = f"{match.group('article')} {match.group('name')}"
    words = words_key(text).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


def is_article(text: str) -> bool:
    """Whether ``text`` is a French article as found in « Faouët (Le) »."""
    return words_key(text) in ("le", "la", "les", "l")


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """Key of a funder, theme or type label: what people write the same way, one key.

    On top of ``words_key`` (case, accents, punctuation, spacing, hyphens): « & » = « et »;
    initials are joined (« J.-M. » = « JM » = « J-M »); « St »/« Ste » = « Saint »/« Sainte »;
    a trailing acronym or département in brackets is dropped (« (FdF) », « (22) »); a final
    « s » or « x » of a word of four letters or more is dropped (singular = plural).

    >>> label_key("Fond. J.-M. Bruneau & Fils (FdF)")
    'fond jm bruneau et fil'
    """
    stripped = _TRAILING_TAG.sub("", text)
    words = words_key((stripped or text).replace("&", " et ")).split()
    joined: list[str] = []
    initials = False  # whether the last joined word is made of single letters only
    for word in words:
        letter = len(word) == 1 and word.isalpha()
        if letter and initials:
            joined[-1] += word
        else:
            joined.append(_ABBREVIATIONS.get(word, word))
        initials = letter
    return " ".join(_singular(word) for word in joined)


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word[-1] in "sx" and not word.isdigit() else word


def postal_code_key(value: object) -> str:
    """A postcode without the spaces people put inside it: « 56 300 » -> « 56300 »."""
    return _SPACES.sub("", str(value))
