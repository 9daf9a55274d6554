"""Read a CSV or XLSX file into a table of raw cells, detecting separator and encoding.

A file is read correctly or refused with a French ``ImportFileError``: UTF-16 (Excel's « Texte
Unicode ») is recognised with or without its BOM; binary content is refused; invisible control
characters (NUL…) are removed and reported; an XLSX formula without a saved result is kept as a
``FormulaWithoutValue`` cell, which rejects its row; a workbook whose first sheet holds no data
names the sheets that do.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from territoires.errors import ImportFileError
from territoires.formatting import fr_count
from territoires.importers.headers import guess_field

SEPARATORS = (";", ",", "\t")
SEPARATOR_LABELS = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}
XLSX_SUFFIXES = (".xlsx", ".xlsm")
# Invisible control characters (C0 but tab and line breaks, DEL, C1): removed from every cell.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Above this share of control characters, a « text » is binary content (an image, a zip…).
_BINARY_SHARE = 0.10
_BINARY_SAMPLE = 65536
# Excel escapes a character that XML cannot hold as « _x000B_ » (ECMA-376 ST_Xstring).
_XLSX_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


@dataclass(frozen=True)
class FormulaWithoutValue:
    """An XLSX cell holding a formula whose result was never saved (a file written by a
    program, not by Excel): its value is unknown, so the row that uses it is rejected."""

    formula: str

    def __str__(self) -> str:
        return self.formula


@dataclass(frozen=True)
class SourceTable:
    """The raw cells of an import file and how it was read.

    ``frame`` has the file's own column names and one row per data line; CSV cells are
    ``str`` (``""`` when empty), XLSX cells keep Excel's numbers and dates.
    ``first_line`` is the file line (1-based) of the first data row.
    """

    frame: pd.DataFrame
    name: str
    kind: str  # "csv" or "xlsx"
    encoding: str | None = None
    separator: str | None = None
    sheet: str | None = None
    first_line: int = 2
    warnings: tuple[str, ...] = ()
    has_formulas_without_value: bool = False

    def describe(self) -> str:
        """A French one-line description of how the file was read."""
        if self.kind == "xlsx":
            return f"Classeur Excel, feuille « {self.sheet} »"
        label = SEPARATOR_LABELS.get(self.separator or "", self.separator)
        return f"CSV, encodage {self.encoding}, séparateur {label}"


def read_table(
    source: str | Path | bytes, *, name: str | None = None, sheet: str | None = None
) -> SourceTable:
    """Read an import file (path or bytes). ``name`` gives the file name for bytes.

    Raises ``ImportFileError`` when the file cannot be read at all.
    """
    if isinstance(source, bytes):
        data, name = source, name or "fichier"
    else:
        path = Path(source)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ImportFileError(f"Fichier illisible : {path} ({exc.strerror}).") from exc
        name = name or path.name
    if not data.strip():
        raise ImportFileError(f"Le fichier « {name} » est vide.")
    if data[:2] == b"PK" or name.lower().endswith(XLSX_SUFFIXES):
        return _read_xlsx(data, name, sheet)
    return _read_csv(data, name)


def sheet_names(data: bytes, name: str = "classeur") -> list[str]:
    """The sheet names of an XLSX workbook (empty list for a CSV)."""
    if data[:2] != b"PK":
        return []
    book = _open_book(data, name, data_only=True)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def decode(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``: UTF-8 or UTF-16 (with or without BOM), else cp1252, else
    latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8 avec BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="strict"), "UTF-16 avec BOM"
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return data.decode(utf16, errors="strict"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when every other byte is zero (text in Latin script
    saved as UTF-16 without its BOM), else ``None``."""
    sample = data[: _BINARY_SAMPLE - _BINARY_SAMPLE % 2]
    pairs = len(sample) // 2
    if pairs < 2 or len(data) % 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 0.4 * pairs and even <= 0.02 * pairs:
        return "utf-16-le"
    if even >= 0.4 * pairs and odd <= 0.02 * pairs:
        return "utf-16-be"
    return None


def _refuse_binary(text: str, name: str) -> None:
    """Refuse content that is not text: too many control characters to be a table."""
    sample = text[:_BINARY_SAMPLE]
    if sample and len(CONTROL_CHARACTERS.findall(sample)) > _BINARY_SHARE * len(sample):
        raise ImportFileError(
            f"Aucune colonne reconnue dans « {name} » : ce n'est pas un tableau CSV ou Excel "
            "(contenu binaire, comme une image ou un document compressé)."
        )


def remove_controls(text: str) -> tuple[str, list[int]]:
    """``text`` without control characters, and the (1-based) lines where some were removed.

    Each removed character is listed by the line it stood on (a line may repeat).
    """
    lines: list[int] = []
    line, position = 1, 0
    for match in CONTROL_CHARACTERS.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        lines.append(line)
    if not lines:
        return text, []
    return CONTROL_CHARACTERS.sub("", text), lines


def controls_warning(lines: Iterable[int]) -> str:
    """« caractères de contrôle invisibles (NUL…) retirés : 3 caractères, lignes 2 et 5 du
    fichier »."""
    lines = list(lines)
    distinct = sorted(set(lines))
    shown = [str(n) for n in distinct[:10]] + (["…"] if len(distinct) > 10 else [])
    where = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" et {shown[-1]}"
    word = "ligne" if len(distinct) == 1 else "lignes"
    return (
        "caractères de contrôle invisibles (NUL…) retirés : "
        f"{fr_count(len(lines), 'caractère')}, {word} {where} du fichier"
    )


def detect_separator(text: str) -> str:
    """The separator that splits the header line into the most columns."""
    header = text.splitlines()[0] if text else ""
    counts = {}
    for separator in SEPARATORS:
        try:
            counts[separator] = len(next(csv.reader([header], delimiter=separator)))
        except (csv.Error, StopIteration):
            counts[separator] = 0
    return max(SEPARATORS, key=lambda s: counts[s])


def _read_csv(data: bytes, name: str) -> SourceTable:
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"Encodage illisible dans « {name} ».") from exc
    _refuse_binary(text, name)
    text, removed = remove_controls(text)
    separator = detect_separator(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except pd.errors.EmptyDataError as exc:
        raise ImportFileError(f"Le fichier « {name} » ne contient aucune colonne.") from exc
    except (pd.errors.ParserError, csv.Error) as exc:
        raise ImportFileError(_parser_message(name, separator, str(exc))) from exc
    warnings = (controls_warning(removed),) if removed else ()
    return SourceTable(
        _clean_columns(frame, name), name, "csv", encoding, separator, warnings=warnings
    )


def _parser_message(name: str, separator: str, detail: str) -> str:
    """A French explanation of a pandas CSV parser error."""
    label = SEPARATOR_LABELS.get(separator, separator)
    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", detail)
    if match:
        expected, line, seen = match.groups()
        return (
            f"CSV illisible : « {name} », ligne {line} : {seen} colonnes au lieu de {expected} "
            f"(séparateur {label}). Une cellule contenant le séparateur doit être entre "
            "guillemets."
        )
    return f"CSV illisible : « {name} » (séparateur {label})."


def _read_xlsx(data: bytes, name: str, sheet: str | None) -> SourceTable:
    book = _open_book(data, name, data_only=True)
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise ImportFileError(
                f"Feuille « {sheet} » absente de « {name} » "
                f"(feuilles : {', '.join(book.sheetnames)})."
            )
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        title = worksheet.title
        rows = _sheet_rows(worksheet)
        if sheet is None and not _holds_data(rows):
            _refuse_first_sheet(book, title, name)
    finally:
        book.close()
    filled = [i for i, row in enumerate(rows) if any(_filled(v) for v in row)]
    if not filled:
        raise ImportFileError(f"La feuille « {title} » de « {name} » est vide.")
    start, end = filled[0], filled[-1]
    rows, removed = _clean_cells(rows[start : end + 1], first_line=start + 1)
    formulas = _formulas_without_value(data, name, title, rows, start) if _has_formulas(data) else 0
    header = ["" if v is None else str(v).strip() for v in rows[0]]
    frame = pd.DataFrame(rows[1:], columns=header, dtype=object)
    return SourceTable(
        _clean_columns(frame, name),
        name,
        "xlsx",
        sheet=title,
        first_line=start + 2,
        warnings=(controls_warning(removed),) if removed else (),
        has_formulas_without_value=formulas > 0,
    )


def _open_book(data: bytes, name: str, *, data_only: bool):  # noqa: ANN202 (openpyxl's type)
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"Classeur Excel illisible : « {name} ».") from exc


def _sheet_rows(worksheet) -> list[list[object]]:  # noqa: ANN001 (openpyxl's type)
    return [list(row) for row in worksheet.iter_rows(values_only=True)]


def _holds_data(rows: list[list[object]]) -> bool:
    """Whether a sheet has a header naming at least one known field, and a row under it."""
    filled = [row for row in rows if any(_filled(v) for v in row)]
    return len(filled) > 1 and any(
        isinstance(v, str) and guess_field(v) is not None for v in filled[0]
    )


def sheets_with_data(data: bytes, name: str = "classeur") -> list[str]:
    """The sheets of a workbook that hold initiatives (a known header and a row)."""
    book = _open_book(data, name, data_only=True)
    try:
        return [ws.title for ws in book.worksheets if _holds_data(_sheet_rows(ws))]
    finally:
        book.close()


def _refuse_first_sheet(book, title: str, name: str) -> None:  # noqa: ANN001 (openpyxl's type)
    """A first sheet without data (notes…): name the sheets that hold some, if any."""
    others = [ws.title for ws in book.worksheets[1:] if _holds_data(_sheet_rows(ws))]
    if not others:
        return
    listed = ", ".join(f"« {other} »" for other in others)
    raise ImportFileError(
        f"La première feuille « {title} » de « {name} » ne contient aucune initiative ; "
        f"feuilles avec des données : {listed}. Choisissez la feuille à importer "
        f"(en ligne de commande : --sheet « {others[0]} »)."
    )


def _clean_cells(rows: list[list[object]], first_line: int) -> tuple[list[list[object]], list[int]]:
    """Decode Excel's « _x000B_ » escapes and remove control characters from text cells."""
    removed: list[int] = []
    for offset, row in enumerate(rows):
        for index, value in enumerate(row):
            if not isinstance(value, str) or ("_x" not in value and value.isprintable()):
                continue
            text = _XLSX_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
            text, lines = remove_controls(text)
            removed.extend([first_line + offset] * len(lines))
            row[index] = text
    return rows, removed


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet of the workbook holds a formula (a cheap scan of its XML)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(
            entry.startswith("xl/worksheets/")
            and entry.endswith(".xml")
            and _FORMULA_TAG.search(archive.read(entry))
            for entry in archive.namelist()
        )


def _formulas_without_value(
    data: bytes, name: str, title: str, rows: list[list[object]], start: int
) -> int:
    """Mark, in ``rows``, the formulas whose result was never saved; return how many."""
    book = _open_book(data, name, data_only=False)
    try:
        formulas = _sheet_rows(book[title])[start : start + len(rows)]
    finally:
        book.close()
    count = 0
    for row, written in zip(rows, formulas, strict=False):
        for index, formula in enumerate(written[: len(row)]):
            if isinstance(formula, str) and formula.startswith("=") and row[index] in (None, ""):
                row[index] = FormulaWithoutValue(formula)
                count += 1
    return count


def _filled(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def _clean_columns(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Drop unnamed empty columns; refuse a file without any named column."""
    keep = [
        i
        for i, column in enumerate(frame.columns)
        if str(column).strip()
        and not str(column).startswith("Unnamed: ")
        or frame.iloc[:, i].map(_filled).any()
    ]
    frame = frame.iloc[:, keep]
    if frame.columns.empty or all(not str(c).strip() for c in frame.columns):
        raise ImportFileError(
            f"Aucune colonne reconnue dans « {name} » : ligne d'en-tête absente ?"
        )
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.reset_index(drop=True)
