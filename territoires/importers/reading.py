"""Read a CSV or XLSX file into a table of raw cells, detecting separator and encoding."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from territoires.errors import ImportFileError

SEPARATORS = (";", ",", "\t")
SEPARATOR_LABELS = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}
XLSX_SUFFIXES = (".xlsx", ".xlsm")


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
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"Classeur Excel illisible : « {name} ».") from exc
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def decode(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``: UTF-8 (with or without BOM), else cp1252, else latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8 avec BOM"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


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
    return SourceTable(_clean_columns(frame, name), name, "csv", encoding, separator)


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
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"Classeur Excel illisible : « {name} ».") from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise ImportFileError(
                f"Feuille « {sheet} » absente de « {name} » "
                f"(feuilles : {', '.join(book.sheetnames)})."
            )
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        rows = [list(row) for row in worksheet.iter_rows(values_only=True)]
        title = worksheet.title
    finally:
        book.close()
    filled = [i for i, row in enumerate(rows) if any(_filled(v) for v in row)]
    if not filled:
        raise ImportFileError(f"La feuille « {title} » de « {name} » est vide.")
    start, end = filled[0], filled[-1]
    header = ["" if v is None else str(v).strip() for v in rows[start]]
    frame = pd.DataFrame(rows[start + 1 : end + 1], columns=header, dtype=object)
    return SourceTable(_clean_columns(frame, name), name, "xlsx", sheet=title, first_line=start + 2)


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
