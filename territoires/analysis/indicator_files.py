"""Read an indicator table a user downloaded from the Observatoire des territoires or INSEE.

Both export one row per territory with a code, a name (libellé) and one or more values, often
under a few title lines (« Part des 75 ans ou plus », « Source : Insee, RP 2021 »), with French
decimals (``12,5``), thousands separated by spaces and markers for missing or secret values
(``s``, ``nd``, ``N/A - résultat non disponible``). The Observatoire's long format adds a year
column (``an``): the latest year of each territory is kept.

``read_indicator_table`` returns the values by commune (INSEE code, carried over to the
current communes) or by EPCI (SIREN), what it found and what it left out; it never writes
anything. A file that cannot be read as such a table raises ``ImportFileError`` with a French
message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from territoires.analysis.indicators import DIRECTIONS, IndicatorLevel
from territoires.errors import ImportFileError
from territoires.formatting import fr_count
from territoires.geo.official import header_key, normalise_code, read_rows, vintage_from_text
from territoires.geo.reference import GeoReference

CODE_NAMES = (
    "codgeo",
    "codeinsee",
    "codecommune",
    "codecom",
    "depcom",
    "insee",
    "com",
    "codeepci",
    "sirenepci",
    "siren",
    "epci",
    "code",
)
LABEL_NAMES = (
    "libgeo",
    "libelle",
    "libellegeographique",
    "nom",
    "nomcommune",
    "libellecommune",
    "commune",
    "libepci",
    "nomepci",
    "libelleepci",
    "territoire",
)
YEAR_NAMES = ("an", "annee", "millesime", "year")
MISSING_MARKERS = {"", "s", "nd", "n.d.", "n.d", "na", "n/a", "nc", "-", "–", "—", "…", "..."}
MISSING_PREFIXES = ("n/a", "secret", "non disponible", "sans objet")
HEADER_SCAN = 30
SIREN = re.compile(r"^\d{9}$")
MAX_CITED = 5


@dataclass(frozen=True)
class IndicatorTable:
    """What a file holds, ready to be stored as an indicator.

    Attributes
    ----------
    values : Series
        Value per current commune code or EPCI SIREN (str index), missing values left out.
    level : {"commune", "epci"}
        What the codes are.
    column : str
        The value column read.
    columns : tuple of str
        Every column that holds numbers (the user may choose another one).
    label_hint, vintage_hint : str
        A name and a year read in the title lines, the header or the file name ("" if none).
    rows : int
        Data rows read.
    missing : int
        Rows whose value is missing or secret.
    unknown : tuple of str
        Codes the reference does not know (left out).
    carried : int
        Former communes' codes carried over to the commune that absorbed them.
    """

    values: pd.Series
    level: IndicatorLevel
    column: str
    columns: tuple[str, ...]
    label_hint: str = ""
    vintage_hint: str = ""
    rows: int = 0
    missing: int = 0
    unknown: tuple[str, ...] = field(default_factory=tuple)
    carried: int = 0

    def record(
        self,
        label: str,
        direction: str,
        source: str,
        vintage: str,
        unit: str = "",
        file_name: str = "",
    ) -> dict | str:
        """The description the store keeps of this indicator (``Store.save_indicator``), or
        a French message naming what is missing."""
        missing = [
            name
            for name, value in (("libellé", label), ("source", source), ("millésime", vintage))
            if not str(value or "").strip()
        ]
        if missing:
            return f"À renseigner avant d'importer : {', '.join(missing)}."
        if direction not in DIRECTIONS:
            return f"Sens inconnu : « {direction} » (attendu : {' ou '.join(DIRECTIONS)})."
        return {
            "libelle": label.strip(),
            "unite": (unit or "").strip(),
            "sens": direction,
            "niveau": self.level,
            "source": source.strip(),
            "millesime": vintage.strip(),
            "fichier": file_name,
        }

    def summary(self) -> str:
        """One French sentence on what was read and what was left out."""
        found = (
            fr_count(len(self.values), "commune")
            if self.level == "commune"
            else fr_count(len(self.values), "EPCI", "EPCI")
        )
        parts = [
            f"{fr_count(self.rows, 'ligne')} lue{'s' if self.rows > 1 else ''}, "
            f"{found} avec une valeur (colonne « {self.column} »)"
        ]
        if self.missing:
            parts.append(f"{fr_count(self.missing, 'valeur')} manquante(s) ou secrète(s)")
        if self.carried:
            parts.append(
                f"{fr_count(self.carried, 'ancienne commune')} rapportée(s) à sa commune actuelle"
            )
        if self.unknown:
            cited = ", ".join(self.unknown[:MAX_CITED])
            more = " …" if len(self.unknown) > MAX_CITED else ""
            parts.append(
                f"{fr_count(len(self.unknown), 'code')} inconnu(s) écarté(s) : {cited}{more}"
            )
        return " ; ".join(parts) + "."


def parse_number(text: str) -> float | None:
    """A French or plain number (``12,5``, ``1 234,5``, ``12,5 %``, ``1.234,5``, ``-3``);
    ``nan`` for a missing or secret marker; ``None`` when it is not a number at all."""
    cleaned = unicodedata.normalize("NFKC", str(text)).strip()
    lowered = cleaned.lower()
    if lowered in MISSING_MARKERS or lowered.startswith(MISSING_PREFIXES):
        return float("nan")
    cleaned = re.sub(r"[\s\u202f\u00a0%€]", "", cleaned).replace("−", "-")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def _header_row(rows: list[list[str]]) -> int:
    for index, row in enumerate(rows[:HEADER_SCAN]):
        keys = [header_key(cell) for cell in row]
        if any(key in CODE_NAMES for key in keys) and len([c for c in row if c]) >= 2:
            return index
    raise ImportFileError(
        "Colonne des codes introuvable : la ligne d'en-tête doit nommer une colonne « Code », "
        "« CODGEO », « Code INSEE » ou « SIREN » (dans les 30 premières lignes)."
    )


def _first(keys: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in keys:
            return keys.index(name)
    return None


def _numeric_columns(header: list[str], body: list[list[str]], skip: set[int]) -> list[int]:
    """Columns where most filled cells read as numbers."""
    found = []
    for index, _ in enumerate(header):
        if index in skip:
            continue
        cells = [row[index] for row in body if index < len(row) and row[index].strip()]
        numbers = [parse_number(c) for c in cells]
        readable = [n for n in numbers if n is not None and not np.isnan(n)]
        if readable and len(readable) >= 0.5 * len(cells):
            found.append(index)
    return found


def _value_column(header: list[str], numeric: list[int], column: str | None) -> int:
    if column is not None:
        wanted = header_key(column)
        for index in numeric:
            if header_key(header[index]) == wanted:
                return index
        raise ImportFileError(
            f"Colonne « {column} » introuvable parmi les colonnes de valeurs : "
            f"{', '.join(header[i] for i in numeric) or 'aucune'}."
        )
    if not numeric:
        raise ImportFileError("Aucune colonne de valeurs numériques dans le fichier.")
    return numeric[-1] if len(numeric) > 1 else numeric[0]


def _codes(raw: pd.Series, level: str | None) -> tuple[pd.Series, str]:
    text = raw.astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    if level is None:
        level = "epci" if text.str.fullmatch(SIREN.pattern).mean() > 0.5 else "commune"
    if level == "epci":
        return text.where(text.str.fullmatch(SIREN.pattern)), level
    return text.map(normalise_code), level


def read_indicator_table(
    path: Path | str,
    reference: GeoReference,
    *,
    level: IndicatorLevel | None = None,
    column: str | None = None,
) -> IndicatorTable:
    """Read an indicator table (CSV or XLSX) by commune or by EPCI.

    Parameters
    ----------
    path : Path or str
        The file.
    reference : GeoReference
        The communes and EPCI the codes must name.
    level : {"commune", "epci"}, optional
        What the codes are; detected from them (9 digits: EPCI) when not given.
    column : str, optional
        The value column, when the file has several (default: the last numeric one).
    """
    rows = read_rows(Path(path))
    start = _header_row(rows)
    header, body = rows[start], rows[start + 1 :]
    keys = [header_key(cell) for cell in header]
    code_col = _first(keys, CODE_NAMES)
    label_col = _first(keys, LABEL_NAMES)
    year_col = _first(keys, YEAR_NAMES)
    skip = {i for i in (code_col, label_col, year_col) if i is not None}
    numeric = _numeric_columns(header, body, skip)
    value_col = _value_column(header, numeric, column)
    frame = _frame(body, code_col, value_col, year_col, first_line=start + 2)
    values, found_level, unknown, carried = _matched(frame, reference, level)
    titles = [" ".join(cell for cell in row if cell) for row in rows[:start]]
    return IndicatorTable(
        values=values,
        level=found_level,  # type: ignore[arg-type]
        column=header[value_col],
        columns=tuple(header[i] for i in numeric),
        label_hint=next((t for t in titles if t and not t.lower().startswith("source")), ""),
        vintage_hint=vintage_from_text(header[value_col], *titles, Path(path).name) or "",
        rows=len(frame),
        missing=int(frame["valeur"].isna().sum()),
        unknown=tuple(unknown),
        carried=carried,
    )


def _frame(
    body: list[list[str]], code_col: int, value_col: int, year_col: int | None, first_line: int
) -> pd.DataFrame:
    """``code, valeur, annee`` per data row; notes under the table (no code, or text in the
    code column and no value, such as « Source : Insee ») are skipped."""

    def cell(row: list[str], index: int | None) -> str:
        return row[index].strip() if index is not None and index < len(row) else ""

    records = []
    for line, row in enumerate(body, start=first_line):
        code, raw = cell(row, code_col), cell(row, value_col)
        number = parse_number(raw)
        if not code or (number is not None and np.isnan(number) and not _looks_like_code(code)):
            continue
        if number is None:
            raise ImportFileError(
                f"Valeur illisible ligne {line} : « {raw} » (attendu un nombre, par exemple "
                "« 12,5 », ou une valeur manquante : vide, « s », « nd »). Rien n'a été importé."
            )
        records.append((code, number, cell(row, year_col)))
    frame = pd.DataFrame(records, columns=["code", "valeur", "annee"])
    if year_col is not None:  # long format: keep each territory's latest year
        frame = frame.sort_values("annee", kind="stable").drop_duplicates("code", keep="last")
    return frame


def _looks_like_code(text: str) -> bool:
    return bool(re.fullmatch(r"[0-9][0-9AB][0-9.]*", text.strip().upper()))


def _matched(frame: pd.DataFrame, reference: GeoReference, level: str | None):
    codes, found_level = _codes(frame["code"], level)
    table = frame.assign(code_insee=codes.to_numpy(), valeur=frame["valeur"].to_numpy())
    invalid = table.loc[table["code_insee"].isna(), "code"].tolist()
    table = table.dropna(subset=["code_insee", "valeur"]).drop_duplicates("code_insee", keep="last")
    if found_level == "epci":
        known = set(reference.epci["code"].astype(str))
        unknown = sorted(set(table["code_insee"]) - known) + invalid
        kept = table.loc[table["code_insee"].isin(known)].drop_duplicates("code_insee")
        carried = 0
    else:
        from territoires.geo.history import to_current

        current = set(reference.communes["code_insee"].astype(str))
        kept = to_current(table[["code_insee", "valeur"]], current)
        carried = int((kept["code_source"] != kept["code_insee"]).sum())
        used = set(kept["code_source"])
        unknown = sorted(set(table["code_insee"]) - used - current) + invalid
    if kept.empty:
        raise ImportFileError(
            "Aucun code du fichier ne correspond à une "
            f"{'commune' if found_level == 'commune' else 'EPCI'} du référentiel "
            f"(exemples lus : {', '.join(frame['code'].astype(str).head(3))})."
        )
    values = pd.Series(
        kept["valeur"].astype(float).to_numpy(), index=kept["code_insee"].astype(str).to_numpy()
    )
    return values.sort_index(), found_level, unknown, carried
