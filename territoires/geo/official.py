"""Parsers for the official rurality files a user downloads and imports.

- INSEE's *grille communale de densité* (7, 4 or 3 levels): a code column and a level column,
  as CSV or XLSX (INSEE's workbooks start with title rows before the header);
- ANCT's *France Ruralités Revitalisation* (FRR) list: ``;``-separated CSV with a classement
  column (``Non classée``, ``FRR socle``, ``FRR+``, ...);
- INSEE's *table d'appartenance géographique des communes* (or any file with the same columns):
  the unité urbaine (``UU2020``) and aire d'attraction des villes (``AAV2020``, and
  ``CATEAAV2020`` when present) of each commune.

Both return plain frames keyed by ``code_insee`` (string, 5 characters). XLSX files are read
from their XML directly: openpyxl can fail on the styles of INSEE's workbooks.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd

from territoires.errors import ImportFileError

CODE_PATTERN = re.compile(r"^(\d[\dAB]\d{3})$")
# Header names as compared by ``header_key`` (lowercase, no accents, spaces or underscores).
CODE_HEADERS = ("codgeo", "codeinsee", "codecommune", "code", "com", "insee")
GRID_HEADERS = ("grille7", "grille4", "grille3", "grille", "dens", "dens7", "dens3", "degre")
FRR_HEADER_WORDS = ("frr", "classement")
NOT_CLASSED = "non classee"
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass(frozen=True)
class ParsedFile:
    """A parsed official file: its rows, detected levels and vintage hints."""

    frame: pd.DataFrame
    levels: int | None
    vintage_hint: str | None
    header: tuple[str, ...]


def header_key(text: str) -> str:
    """Lowercase, accents and spaces removed: ``"Code géo"`` -> ``"codegeo"``."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9_+]", "", plain).replace("_", "")


def normalise_code(value: object) -> str | None:
    """A 5-character INSEE code, or ``None`` (restores a leading zero lost by a spreadsheet)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip().upper()
    if text.endswith(".0"):
        text = text[:-2]
    if len(text) == 4 and text.isdigit():
        text = "0" + text
    return text if CODE_PATTERN.match(text) else None


def vintage_from_text(*texts: str) -> str | None:
    """The first year (19xx/20xx) found in the texts (header, file name)."""
    for text in texts:
        match = re.search(r"(19|20)\d{2}", text or "")
        if match:
            return match.group(0)
    return None


# --- generic reading -------------------------------------------------------------------------


def read_rows(path: Path) -> list[list[str]]:
    """Read a CSV or XLSX file as rows of strings (all sheets' rows for XLSX, see below)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFileError(f"Fichier illisible : {path} ({exc.strerror}).") from exc
    if not data.strip():
        raise ImportFileError(f"Le fichier « {Path(path).name} » est vide.")
    if data[:2] == b"PK":
        return _xlsx_rows(data, Path(path).name)
    return _csv_rows(data)


def _csv_rows(data: bytes) -> list[list[str]]:
    text = data.decode("latin-1")  # never fails; replaced below when a better fit decodes
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    first = text.splitlines()[0] if text else ""
    separator = max((";", ",", "\t"), key=first.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=separator))
    return [[cell.strip() for cell in row] for row in rows if any(c.strip() for c in row)]


def _xlsx_rows(data: bytes, name: str) -> list[list[str]]:
    """Rows of the first sheet that has a recognisable header (code column)."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        strings = _shared_strings(book)
        for sheet in _sheet_paths(book):
            rows = _sheet_rows(book.read(sheet), strings)
            if find_header(rows, CODE_HEADERS) is not None:
                return rows
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        raise ImportFileError(f"Classeur Excel illisible : « {name} ».") from exc
    raise ImportFileError(f"Aucune feuille de « {name} » n'a de colonne de code commune.")


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t")) for si in root]


def _sheet_paths(book: zipfile.ZipFile) -> list[str]:
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    paths = []
    for sheet in workbook.iter(f"{{{_NS['m']}}}sheet"):
        target = targets.get(sheet.get(_REL_NS), "")
        target = target.lstrip("/")
        paths.append(target if target.startswith("xl/") else f"xl/{target}")
    return paths


def _column_index(reference: str) -> int:
    letters = re.match(r"[A-Z]+", reference)
    index = 0
    for char in letters.group(0) if letters else "A":
        index = index * 26 + ord(char) - 64
    return index - 1


def _sheet_rows(xml: bytes, strings: list[str]) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in ElementTree.fromstring(xml).iter(f"{{{_NS['m']}}}row"):
        cells: dict[int, str] = {}
        for cell in row.iter(f"{{{_NS['m']}}}c"):
            value = cell.find("m:v", _NS)
            inline = cell.find("m:is", _NS)
            if cell.get("t") == "s" and value is not None:
                text = strings[int(value.text or 0)]
            elif inline is not None:
                text = "".join(t.text or "" for t in inline.iter(f"{{{_NS['m']}}}t"))
            else:
                text = value.text if value is not None and value.text else ""
            cells[_column_index(cell.get("r", "A"))] = text.strip()
        if any(cells.values()):
            width = max(cells) + 1
            rows.append([cells.get(i, "") for i in range(width)])
    return rows


def find_header(rows: list[list[str]], names: tuple[str, ...]) -> int | None:
    """Index of the first row (among the first 20) with a cell named like one of ``names``."""
    for index, row in enumerate(rows[:20]):
        keys = {header_key(cell) for cell in row}
        if keys & set(names):
            return index
    return None


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    keys = [header_key(cell) for cell in header]
    for name in names:
        if name in keys:
            return keys.index(name)
    return None


# --- density grid ----------------------------------------------------------------------------


def parse_density_grid(path: Path, levels: int | None = None) -> ParsedFile:
    """Parse INSEE's density grid: ``code_insee, niveau_source`` (int 1..levels).

    Parameters
    ----------
    path : Path
        CSV or XLSX with a code column (``CODGEO``, ``code``...) and a level column
        (``grille7``, ``DENS``...).
    levels : {7, 4, 3}, optional
        Number of levels; detected from the header (``7`` in its name) or the values.
    """
    rows = read_rows(path)
    start = find_header(rows, CODE_HEADERS)
    if start is None:
        raise ImportFileError("Grille de densité : colonne du code commune introuvable.")
    header = rows[start]
    code_col = _column(header, CODE_HEADERS)
    level_col = _grid_column(header)
    if level_col is None or code_col is None:
        raise ImportFileError(
            "Grille de densité : colonne du niveau introuvable (attendu « grille7 », « DENS »…)."
        )
    records = []
    for line, row in enumerate(rows[start + 1 :], start=start + 2):
        code = normalise_code(row[code_col] if code_col < len(row) else None)
        raw = row[level_col].strip() if level_col < len(row) else ""
        if code is None and not raw:
            continue
        level = _level_value(raw)
        if code is None or level is None:
            raw_code = row[code_col] if code_col < len(row) else ""
            raise ImportFileError(
                f"Grille de densité, ligne {line} : code « {raw_code} » "
                f"ou niveau « {raw} » invalide."
            )
        records.append((code, level))
    if not records:
        raise ImportFileError("Grille de densité : aucune commune lue.")
    frame = pd.DataFrame(records, columns=["code_insee", "niveau_source"]).drop_duplicates(
        "code_insee", keep="last"
    )
    detected = levels or _detect_levels(header[level_col], frame["niveau_source"].max())
    if frame["niveau_source"].max() > detected or frame["niveau_source"].min() < 1:
        raise ImportFileError(
            f"Grille de densité : niveaux hors de 1 à {detected} dans le fichier."
        )
    titles = [" ".join(row) for row in rows[:start]]
    hint = vintage_from_text(" ".join(header), *titles, Path(path).name)
    return ParsedFile(frame.reset_index(drop=True), detected, hint, tuple(header))


def _grid_column(header: list[str]) -> int | None:
    """The level column: ``grille7``, ``DENS``, ``Degré de densité``... (not a density value)."""
    for index, cell in enumerate(header):
        key = header_key(cell)
        is_level = key in GRID_HEADERS or key.startswith(("grille", "dens", "typo", "degre"))
        if is_level and not key.startswith("densite"):
            return index
    return None


def _level_value(raw: str) -> int | None:
    match = re.match(r"^\s*(\d)(\.0)?\b", raw)
    return int(match.group(1)) if match else None


def _detect_levels(column_name: str, max_value: int) -> int:
    key = header_key(column_name)
    for count in (7, 4, 3):
        if str(count) in key:
            return count
    if max_value > 4:
        return 7
    return 4 if max_value == 4 else 3


# --- France Ruralités Revitalisation ----------------------------------------------------------


def parse_frr(path: Path) -> ParsedFile:
    """Parse ANCT's FRR list: ``code_insee, frr`` (the classement as written in the file)."""
    rows = read_rows(path)
    start = find_header(rows, CODE_HEADERS)
    if start is None:
        raise ImportFileError("Liste FRR : colonne du code commune introuvable.")
    header = rows[start]
    code_col = _column(header, CODE_HEADERS)
    keys = [header_key(cell) for cell in header]
    frr_col = next(
        (i for i, key in enumerate(keys) if any(word in key for word in FRR_HEADER_WORDS)), None
    )
    if frr_col is None or code_col is None:
        raise ImportFileError("Liste FRR : colonne du classement FRR introuvable.")
    records = []
    for line, row in enumerate(rows[start + 1 :], start=start + 2):
        raw_code = row[code_col] if code_col < len(row) else ""
        code = normalise_code(raw_code)
        value = row[frr_col].strip() if frr_col < len(row) else ""
        if code is None:
            raise ImportFileError(
                f"Liste FRR, ligne {line} : code commune « {raw_code} » invalide."
            )
        records.append((code, value or "Non classée"))
    if not records:
        raise ImportFileError("Liste FRR : aucune commune lue.")
    frame = pd.DataFrame(records, columns=["code_insee", "frr"]).drop_duplicates(
        "code_insee", keep="last"
    )
    hint = vintage_from_text(header[frr_col], Path(path).name)
    return ParsedFile(frame.reset_index(drop=True), None, hint, tuple(header))


def frr_is_classed(value: str) -> bool:
    """True for any FRR classement other than « Non classée »."""
    return header_key(value).replace("+", "") != NOT_CLASSED.replace(" ", "")


# --- zonings (unités urbaines, aires d'attraction des villes) ----------------------------------

ZONING_COLUMNS = ("uu2020", "aav2020", "cateaav2020")
# INSEE's codes for a commune outside any aire (AAV2020) and its category (CATEAAV2020).
AAV_NONE = "000"
CATEAAV_OUTSIDE = "30"


def parse_zonings(path: Path) -> ParsedFile:
    """Parse INSEE's zonings per commune: ``code_insee, uu2020, aav2020, cateaav2020``.

    Parameters
    ----------
    path : Path
        XLSX or CSV with ``CODGEO``, ``UU2020`` and ``AAV2020`` columns, such as INSEE's *table
        d'appartenance géographique des communes* (title rows first; several sheets: the first
        with a code column is read). ``CATEAAV2020`` (category in the aire: 11 commune-centre,
        12 pôle, 13 pôle secondaire, 20 couronne, 30 hors attraction) is read when present;
        the table d'appartenance lacks it, and then only category 30 is known (``AAV2020`` =
        ``000``): the others are left empty.
    """
    rows = read_rows(path)
    start = find_header(rows, CODE_HEADERS)
    if start is None:
        raise ImportFileError("Zonages : colonne du code commune introuvable (« CODGEO »).")
    header = rows[start]
    code_col = _column(header, CODE_HEADERS)
    columns = {name: _column(header, (name,)) for name in ZONING_COLUMNS}
    absent = [name.upper() for name in ZONING_COLUMNS[:2] if columns[name] is None]
    if absent or code_col is None:
        raise ImportFileError(f"Zonages : colonne(s) {', '.join(absent)} introuvable(s).")
    records = []
    for line, row in enumerate(rows[start + 1 :], start=start + 2):
        code = normalise_code(_cell(row, code_col))
        if code is None:
            raise ImportFileError(
                f"Zonages, ligne {line} : code commune « {_cell(row, code_col)} » invalide."
            )
        records.append((code, *(_cell(row, columns[name]) for name in ZONING_COLUMNS)))
    if not records:
        raise ImportFileError("Zonages : aucune commune lue.")
    frame = pd.DataFrame(records, columns=["code_insee", *ZONING_COLUMNS])
    derived = frame["cateaav2020"].eq("") & frame["aav2020"].eq(AAV_NONE)
    frame.loc[derived, "cateaav2020"] = CATEAAV_OUTSIDE
    frame = frame.drop_duplicates("code_insee", keep="last").reset_index(drop=True)
    titles = [" ".join(row) for row in rows[:start]]
    hint = vintage_from_text(*titles, Path(path).name)
    return ParsedFile(frame, None, hint, tuple(header))


def _cell(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""
