"""Cell values: amounts, years, codes, multi-valued cells and alias tables.

Each parser takes a raw cell (``str`` from a CSV, or ``int``/``float``/``datetime`` from an XLSX)
and returns a Python value, ``None`` for an empty cell, or raises ``ValueError`` with a French
message when a non-empty cell cannot be read.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from territoires.importers.normalize import label_key

# Cells starting with these characters are prefixed with « ' » on export (formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@")
# Funders and themes: « ; » « | » « / » « + » and line breaks; a comma only outside known labels.
_LABEL_SEPARATORS = re.compile(r"\s*(?:;|\||/|\+|\r?\n)\s*")
_SEPARATORS = re.compile(r"\s*(?:;|\||/|\+|,|\r?\n)\s*")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_AMOUNT_CLEAN = re.compile(r"[\s\u00a0\u202f€]|eur(?:os?)?$", re.I)
_YEAR = re.compile(r"^(\d{4})(?:\.0+)?$")
_DATE_FR = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_MIN_YEAR, _MAX_YEAR = 1900, 2100
YEAR_RANGE = (_MIN_YEAR, _MAX_YEAR)  # the years an initiative can have (imports, links)

INITIATIVE_TYPES = ("projet associatif", "fondation territoriale", "autre")
_TYPE_ALIASES = {
    "projet associatif": "projet associatif",
    "projet": "projet associatif",
    "association": "projet associatif",
    "associatif": "projet associatif",
    "fondation territoriale": "fondation territoriale",
    "fondation": "fondation territoriale",
    "autre": "autre",
}


def is_empty(value: object) -> bool:
    """Whether a cell is empty (``None``, NaN, NaT or blank text)."""
    if value.__class__ is str:  # most cells: tested first
        return not value.strip()  # type: ignore[attr-defined]
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(value != value)  # NaT and other NA scalars
    except (TypeError, ValueError):
        return False


def cell_text(value: object) -> str | None:
    """Return a cell as stripped text with the export's anti-formula prefix undone, or ``None``."""
    if value.__class__ is str:  # most cells: the same as below, faster
        text = value.strip()  # type: ignore[attr-defined]
        if not text:
            return None
    elif is_empty(value):
        return None
    else:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
    if not text.isprintable():
        text = _CONTROLS.sub("", text).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
        text = text[1:]
    return text or None


def neutralise(text: str) -> str:
    """Prefix a cell that a spreadsheet would read as a formula with « ' »."""
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


# Cells repeat (amounts, years, dates): a value parsed once in a file is not parsed again.
# ``typed``: 1, 1.0 and True are different cells (True is no amount).
_memoised = lru_cache(maxsize=4096, typed=True)


@_memoised
def parse_amount(value: object) -> float | None:
    """Read « 12 000 € », « 45.000 € », « 4 200,50 € », plain or Excel numbers."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"Montant illisible : « {value} »")
    if isinstance(value, int | float):
        return float(value)
    raw = str(value).strip()
    text = _AMOUNT_CLEAN.sub("", raw.removeprefix("'"))
    text = re.sub(r"(?i)k€?$", "000", text) if re.fullmatch(r"(?i)\d+k€?", text) else text
    number = _amount_number(text)
    if number is None:
        raise ValueError(f"Montant illisible : « {raw} »")
    return number


def _amount_number(text: str) -> float | None:
    if not re.fullmatch(r"-?[\d.,']+", text) or not re.search(r"\d", text):
        return None
    text = text.replace("'", "")
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        text = text.replace(thousands, "").replace(decimal, ".")
    elif "," in text:
        head, _, tail = text.rpartition(",")
        if text.count(",") == 1 and len(tail) != 3:
            text = f"{head}.{tail}"
        elif all(len(part) == 3 for part in text.split(",")[1:]):
            text = text.replace(",", "")
        else:
            return None
    elif "." in text:
        parts = text.split(".")
        if len(parts) > 2 or len(parts[-1]) == 3:
            if not all(len(part) == 3 for part in parts[1:]):
                return None
            text = text.replace(".", "")
    try:
        return float(text)
    except ValueError:
        return None


@_memoised
def parse_year(value: object) -> int | None:
    """Read a decision year from « 2024 », « 15/03/2023 », « 2022-09-01 » or an Excel date."""
    if is_empty(value):
        return None
    if isinstance(value, dt.date):
        return _check_year(value.year, value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer():
            return _check_year(int(value), value)
        raise ValueError(f"Année illisible : « {value} »")
    text = str(value).strip()
    for pattern, group in ((_YEAR, 1), (_DATE_FR, 3), (_DATE_ISO, 1)):
        match = pattern.match(text)
        if match:
            return _check_year(int(match.group(group)), value)
    raise ValueError(f"Année illisible : « {text} »")


def _check_year(year: int, raw: object) -> int:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise ValueError(f"Année illisible : « {raw} »")
    return year


@_memoised
def parse_date(value: object) -> str | None:
    """Read a date as ISO ``YYYY-MM-DD`` (« 15/03/2023 », « 2023-03-15 », Excel date)."""
    if is_empty(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    try:
        match = _DATE_FR.match(text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day).isoformat()
        match = _DATE_ISO.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day).isoformat()
    except ValueError:
        pass
    raise ValueError(f"Date illisible : « {text} »")


def parse_float(value: object, label: str) -> float | None:
    """Read a decimal number with a dot or a comma (coordinates)."""
    if is_empty(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{label} illisible : « {value} »") from None
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"{label} illisible : « {value} »")
    return number


def parse_type(value: object) -> str | None:
    """The type of a cell: empty means « projet associatif »; ``None`` when not recognised
    (the value then waits for a confirmed correspondence)."""
    if is_empty(value):
        return "projet associatif"
    return TYPES.get(str(value))


def code_text(value: object, width: int) -> str | None:
    """Read a code that Excel may have turned into a number: restore its leading zeros."""
    if is_empty(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().upper().removeprefix("'")
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if text.isdigit() and len(text) < width:
        text = text.zfill(width)
    return text


def split_values(value: object) -> list[str]:
    """Split a multi-valued cell on ``;`` ``|`` ``/`` ``+`` ``,`` or a line break (never on
    « et ») — areas served; labels go through ``AliasTable.split``, which keeps commas inside
    known labels."""
    text = cell_text(value)
    if text is None:
        return []
    return [part for part in (p.strip() for p in _SEPARATORS.split(text)) if part]


@dataclass
class AliasTable:
    """Map normalised aliases (``label_key``) to canonical values (theme codes, funders' names).

    ``labels`` keeps, for each key, the text of the alias as configured (to explain a
    suggestion); ``comma_labels`` the known labels holding a comma, cut at their commas.
    """

    aliases: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    comma_labels: list[tuple[str, ...]] = field(default_factory=list)

    @classmethod
    def build(cls, pairs: Iterable[tuple[str, str]]) -> AliasTable:
        """Build from ``(alias, canonical)`` pairs; the canonical value is its own alias."""
        table = cls()
        for alias, canonical in pairs:
            table.add(canonical, canonical)
            table.add(alias, canonical)
        return table

    def add(self, alias: str, canonical: str) -> None:
        """Add an alias (the first one given for a key wins)."""
        key = label_key(alias)
        if not key or key in self.aliases:
            return
        self.aliases[key] = canonical
        self.labels[key] = alias
        if "," in alias:
            self.comma_labels.append(tuple(label_key(p) for p in alias.split(",")))

    def get(self, text: str) -> str | None:
        """Return the canonical value for ``text``, or ``None``."""
        return self.aliases.get(label_key(text))

    def split(self, text: str) -> list[str]:
        """The values of a multi-valued cell: split on ``;`` ``|`` ``/`` ``+`` and line breaks,
        and on a comma only where it is not inside a known label."""
        parts: list[str] = []
        for part in (p.strip() for p in _LABEL_SEPARATORS.split(text)):
            if not part:
                continue
            if "," in part and self.get(part) is None:
                parts.extend(self._comma_parts(part))
            else:
                parts.append(part)
        return parts

    def resolve(self, value: object) -> tuple[list[str], list[str]]:
        """Return ``(canonical values, unknown parts)`` of a multi-valued cell.

        The whole cell is tried first, so that an alias containing a separator still matches.
        """
        text = cell_text(value)
        if text is None:
            return [], []
        whole = self.get(text)
        if whole is not None:
            return [whole], []
        found: list[str] = []
        unknown: list[str] = []
        for part in self.split(text):
            canonical = self.get(part)
            if canonical is None:
                unknown.append(part)
            elif canonical not in found:
                found.append(canonical)
        return found, unknown

    def _comma_parts(self, part: str) -> list[str]:
        """Cut at commas, keeping together the pieces of a known label (« Cultures, savoirs et
        savoir-faire » stays whole: it is a piece of « Valoriser les cultures, savoirs… »)."""
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        keys = [label_key(p) for p in pieces]
        parts: list[str] = []
        start = 0
        while start < len(pieces):
            end = next(
                (
                    stop
                    for stop in range(len(pieces), start + 1, -1)
                    if self.get(", ".join(pieces[start:stop])) is not None
                    or self._inside_comma_label(keys[start:stop])
                ),
                start + 1,
            )
            parts.append(", ".join(pieces[start:end]))
            start = end
        return parts

    def _inside_comma_label(self, run: list[str]) -> bool:
        """Whether pieces (keys) cut at commas are consecutive pieces of a known label: the
        first ends one of its pieces, the last begins one, those between are whole pieces."""
        for label in self.comma_labels:
            for offset in range(len(label) - len(run) + 1):
                window = label[offset : offset + len(run)]
                if (
                    _ends_with_words(window[0], run[0])
                    and _starts_with_words(window[-1], run[-1])
                    and list(window[1:-1]) == run[1:-1]
                ):
                    return True
        return False


def _ends_with_words(text: str, tail: str) -> bool:
    return bool(tail) and (text == tail or text.endswith(f" {tail}"))


def _starts_with_words(text: str, head: str) -> bool:
    return bool(head) and (text == head or text.startswith(f"{head} "))


TYPES = AliasTable.build(_TYPE_ALIASES.items())
