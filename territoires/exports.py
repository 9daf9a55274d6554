"""Exports of initiatives (CSV, XLSX, GeoJSON) and of any table (CSV, XLSX).

Text cells starting with ``=`` ``+`` ``-`` ``@`` get a « ' » prefix so that a spreadsheet never
runs them as formulas; the importer removes that prefix, so export → import is lossless.
Numeric columns are written as numbers and never prefixed.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal

import pandas as pd

from territoires.errors import ExportError
from territoires.filters import Filters, describe_filters
from territoires.formatting import fr_euros
from territoires.geo.reference import GeoReference
from territoires.importers.normalize import words_key
from territoires.importers.values import neutralise


def file_slug(text: str) -> str:
    """« Centre-Bretagne (périmètre élargi) » → ``centre-bretagne-perimetre-elargi``: the words
    of ``words_key`` (ASCII, lower case) joined by hyphens (no path separator, no space)."""
    return words_key(text).replace(" ", "-")


def write_file(path: Path, data: bytes, what: str = "") -> None:
    """Write an export to ``path``; a folder that is missing or read-only gives a French
    ``ExportError`` naming ``what`` was written (« les rejets »), never a traceback."""
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        target = f"{what} dans {path}" if what else str(path)
        raise ExportError(f"Impossible d'écrire {target} ({exc.strerror}).") from exc


def export_name(*parts: str, ext: str, day: dt.date | None = None) -> str:
    """A download's file name: what it holds, for which territory, and the day it was made.

    ``export_name("carte", "Nombre d'initiatives", "Centre-Bretagne", ext="png")`` →
    ``carte_nombre-d-initiatives_centre-bretagne_2026-11-26.png``; two exports of different
    views never take the same name, and a folder of them sorts by subject.
    """
    slugs = [slug for slug in (file_slug(part) for part in parts) if slug]
    day = day or dt.date.today()
    return "_".join([*slugs, day.isoformat()]) + f".{ext}"


ExportFormat = Literal["csv", "xlsx", "geojson"]
EXPORT_FORMATS: tuple[str, ...] = ("csv", "xlsx", "geojson")
FORMAT_LABELS: dict[str, str] = {"csv": "CSV", "xlsx": "XLSX", "geojson": "GeoJSON"}
EXPORT_COLUMNS: tuple[str, ...] = (
    "reference",
    "titre",
    "porteur",
    "type",
    "themes",
    "financeurs",
    "montant",
    "annee",
    "commune_code",
    "commune_nom",
    "epci_code",
    "departement_code",
    "region_code",
    "latitude",
    "longitude",
    "description",
)
LIST_SEPARATOR = " ; "
MIME_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}
_MAX_WIDTH = 60


def initiatives_table(initiatives: pd.DataFrame, reference: GeoReference) -> pd.DataFrame:
    """The export table of initiatives, with exactly ``EXPORT_COLUMNS``.

    ``themes`` holds theme codes and ``financeurs`` full names, joined by `` ; ``; ``montant``
    is a number (NaN when unknown); commune name and parent codes come from ``reference``.
    """
    missing = {"titre", "commune_code", "themes", "financeurs"} - set(initiatives.columns)
    if missing:
        raise ValueError(f"expected columns {sorted(missing)} in initiatives")
    communes = reference.communes.set_index("code_insee")
    codes = initiatives["commune_code"]
    table = pd.DataFrame(index=initiatives.index)
    for name in EXPORT_COLUMNS:
        if name in ("themes", "financeurs"):
            table[name] = [
                LIST_SEPARATOR.join(v) if isinstance(v, list) else "" for v in initiatives[name]
            ]
        elif name == "commune_nom":
            table[name] = codes.map(communes["nom"])
        elif name in ("epci_code", "departement_code", "region_code"):
            table[name] = codes.map(communes[name])
        elif name in ("montant", "latitude", "longitude"):
            table[name] = pd.to_numeric(initiatives.get(name), errors="coerce").astype("float64")
        elif name == "annee":
            table[name] = pd.array(initiatives[name], dtype="Int64")
        else:
            table[name] = initiatives[name].astype(object) if name in initiatives else None
    for name in table.columns:
        if table[name].dtype == object or pd.api.types.is_string_dtype(table[name]):
            table[name] = table[name].astype(object).where(table[name].notna(), None)
    return table.reset_index(drop=True)


def _is_text(series: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series))


def _number_text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    number = float(value)  # type: ignore[arg-type]
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def _cell_text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return neutralise(str(value))


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV for French Excel: UTF-8 with BOM, ``;`` separator, formulas neutralised.

    Numbers use a dot decimal and no exponent (« 12000 », « 4200.5 »); empty when missing.
    """
    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        column = frame[name]
        if _is_text(column):
            out[str(name)] = [_cell_text(v) for v in column]
        else:
            out[str(name)] = [_number_text(v) for v in column]
    text = out.to_csv(sep=";", index=False, lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


ABOUT_SHEET = "À propos"


def about_frame(about: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """The « À propos » sheet of an XLSX export: what it holds, from where, chosen how."""
    return pd.DataFrame(list(about), columns=["Rubrique", "Valeur"])


def export_about(
    place: str,
    filters: Filters,
    source: str,
    today: dt.date | None = None,
    *,
    rurality: str | None = None,
) -> list[tuple[str, str]]:
    """The lines of an export's « À propos » sheet: date, scope, filters and sources, and the
    rurality source (``rurality_label``, saying « approximation » when it is one) if given."""
    day = today or dt.date.today()
    lines = [
        ("Exporté le", day.strftime("%d/%m/%Y")),
        ("Périmètre", place),
        ("Initiatives retenues", describe_filters(filters) or "toutes"),
        ("Sources", source.removeprefix("Sources : ")),
    ]
    if rurality:
        lines.append(("Ruralité", rurality))
    return lines


def to_xlsx_bytes(
    frame: pd.DataFrame, sheet: str = "Données", *, about: Sequence[tuple[str, str]] = ()
) -> bytes:
    """XLSX with a bold header, a frozen first row and sensible widths; formulas neutralised.

    ``about`` (``export_about``) adds an « À propos » sheet after the data."""
    sheets = {sheet: frame}
    if about:
        sheets[ABOUT_SHEET] = about_frame(about)
    return xlsx_workbook(sheets)


def xlsx_workbook(sheets: Mapping[str, pd.DataFrame], *, text_columns: Iterable[str] = ()) -> bytes:
    """XLSX of several sheets, each as ``to_xlsx_bytes`` writes one.

    ``text_columns`` are formatted as text, so that what someone types there later keeps its
    leading zeros (« 01004 », « 2A004 »): a blank file to fill in.
    """
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = workbook.add_format({"bold": True})
    as_text = workbook.add_format({"num_format": "@"})
    texts = set(text_columns)
    for sheet, frame in sheets.items():
        worksheet = workbook.add_worksheet(sheet[:31])
        worksheet.freeze_panes(1, 0)
        for col, name in enumerate(frame.columns):
            column = frame[name]
            worksheet.write_string(0, col, str(name), bold)
            text = _is_text(column)
            widths = [len(str(name))]
            for row, value in enumerate(column.tolist(), start=1):
                if text:
                    cell = _cell_text(value)
                    if cell:
                        worksheet.write_string(row, col, cell)
                    widths.append(max((len(part) for part in cell.splitlines()), default=0))
                elif _number_text(value):
                    worksheet.write_number(row, col, float(value))
                    widths.append(len(_number_text(value)))
            width = min(max(widths) + 2, _MAX_WIDTH)
            worksheet.set_column(col, col, width, as_text if name in texts else None)
    workbook.close()
    return buffer.getvalue()


def initiatives_geojson(initiatives: pd.DataFrame, reference: GeoReference) -> bytes:
    """GeoJSON points: the exact position when given, else a point inside the commune.

    Properties are the export columns (lists as lists) plus ``position`` (« exacte » or
    « commune »).
    """
    table = initiatives_table(initiatives, reference)
    needed = set(table["commune_code"].dropna())
    communes = reference.communes.loc[reference.communes["code_insee"].isin(needed)]
    points = dict(
        zip(communes["code_insee"], communes.geometry.representative_point(), strict=True)
    )
    features = []
    for index, row in enumerate(table.to_dict("records")):
        exact = _number_text(row["latitude"]) and _number_text(row["longitude"])
        if exact:
            coordinates = [float(row["longitude"]), float(row["latitude"])]
        elif row["commune_code"] in points:
            point = points[row["commune_code"]]
            coordinates = [round(point.x, 6), round(point.y, 6)]
        else:
            coordinates = None
        properties = {k: _json_value(v) for k, v in row.items()}
        properties["themes"] = list(initiatives["themes"].iloc[index] or [])
        properties["financeurs"] = list(initiatives["financeurs"].iloc[index] or [])
        properties["position"] = "exacte" if exact else "commune"
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": coordinates} if coordinates else None,
                "properties": properties,
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False).encode("utf-8")


def _json_value(value: object) -> object:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if hasattr(value, "item"):
        return value.item()  # numpy scalars
    return value


def export_initiatives(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    fmt: ExportFormat,
    *,
    about: Sequence[tuple[str, str]] = (),
) -> bytes:
    """Export initiatives (all or filtered) as ``csv``, ``xlsx`` or ``geojson`` bytes.

    ``about`` (``export_about``) adds an « À propos » sheet after the XLSX's initiatives; the
    CSV and GeoJSON stay bare, so that they import back as they are.
    """
    if fmt == "csv":
        return to_csv_bytes(initiatives_table(initiatives, reference))
    if fmt == "xlsx":
        return to_xlsx_bytes(initiatives_table(initiatives, reference), "Initiatives", about=about)
    if fmt == "geojson":
        return initiatives_geojson(initiatives, reference)
    raise ExportError(f"Format d'export inconnu : « {fmt} » (attendu : csv, xlsx ou geojson).")


# --- on-screen table ---------------------------------------------------------------------
BROWSE_COLUMNS: tuple[str, ...] = (
    "Titre",
    "Porteur",
    "Commune",
    "Département",
    "Thèmes",
    "Financeurs",
    "Montant (€)",
    "Année",
    "Type",
    "Fiche",
)


def fiche_link(code_insee: str) -> str:
    """Relative link to a commune's « Fiche territoire » page."""
    return f"./fiche?niveau=commune&code={code_insee}"


def initiatives_browse_table(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    theme_labels: dict[str, str] | None = None,
) -> pd.DataFrame:
    """The « Initiatives » page table, indexed by initiative id, with a link to each fiche.

    Text stays verbatim (the table widget shows it as plain text, never as HTML).
    """
    labels = theme_labels or {}
    communes = reference.communes.set_index("code_insee")
    codes = initiatives["commune_code"]
    table = pd.DataFrame(
        {
            "Titre": initiatives["titre"].astype(object),
            "Porteur": initiatives["porteur"].astype(object),
            "Commune": codes.map(reference.commune_labels()).fillna(codes).astype(object),
            "Département": codes.map(communes["departement_nom"]).astype(object),
            "Thèmes": [
                ", ".join(labels.get(c, c) for c in v) if isinstance(v, list) else ""
                for v in initiatives["themes"]
            ],
            "Financeurs": [
                ", ".join(v) if isinstance(v, list) else "" for v in initiatives["financeurs"]
            ],
            "Montant (€)": pd.to_numeric(initiatives["montant"], errors="coerce"),
            "Année": pd.array(initiatives["annee"], dtype="Int64"),
            "Type": initiatives["type"].astype(object),
            "Fiche": [fiche_link(str(c)) for c in codes],
        }
    )
    table.index = pd.Index(initiatives["id"].to_numpy(), name="id")
    return table


def zone_label(part: dict, reference: GeoReference) -> str:
    """« Territoire : Centre Bretagne », « EPCI : CC Un », « Commune : Commune 1 (22001) »."""
    level, code = str(part.get("level")), str(part.get("code"))
    if level == "territoire" and code in reference.territories:
        return f"Territoire : {reference.territories[code].label}"
    frames = {
        "commune": (reference.communes, "code_insee", "Commune"),
        "epci": (reference.epci, "code", "EPCI"),
        "departement": (reference.departements, "code", "Département"),
        "region": (reference.regions, "code", "Région"),
    }
    if level in frames:
        frame, column, label = frames[level]
        names = frame.loc[frame[column].astype(str) == code, "nom"]
        if not names.empty:
            return f"{label} : {names.iloc[0]} ({code})"
    return f"{level} {code}"


def initiative_details(
    row: pd.Series, reference: GeoReference, theme_labels: dict[str, str] | None = None
) -> pd.DataFrame:
    """One initiative as ``(Champ, Valeur)`` rows of plain text, for the detail view."""
    labels = theme_labels or {}
    code = str(row["commune_code"])
    names = reference.commune_labels()
    commune = f"{names[code]} ({code})" if code in names.index else code
    funds = [
        f"{f['financeur']}" + (f" : {fr_euros(f['montant'])}" if f.get("montant") else "")
        for f in row["financements"] or []
    ]
    zone = " ; ".join(zone_label(z, reference) for z in row["zone_intervention"] or [])
    items = [
        ("Titre", row["titre"]),
        ("Référence", row["reference"]),
        ("Porteur", row["porteur"]),
        ("Type", row["type"]),
        ("Thèmes", ", ".join(labels.get(t, t) for t in row["themes"] or [])),
        ("Financements", " ; ".join(funds)),
        ("Montant total", fr_euros(row["montant"]) if _number_text(row["montant"]) else ""),
        ("Année de décision", _number_text(row["annee"])),
        ("Début / fin", " → ".join(str(d) for d in (row["date_debut"], row["date_fin"]) if d)),
        ("Statut", row["statut"]),
        ("Commune", commune),
        ("Zone d'intervention", zone or "la commune"),
        ("Position exacte", _position(row)),
        ("Site web", row["site_web"]),
        ("Contact", row["contact"]),
        ("Description", row["description"]),
        ("Source", _source(row)),
        ("Données fictives", "oui" if row["fictif"] else "non"),
    ]
    return pd.DataFrame(
        [(k, "" if v is None or v is pd.NA else str(v)) for k, v in items],
        columns=["Champ", "Valeur"],
    )


def _position(row: pd.Series) -> str:
    lat, lon = _number_text(row["latitude"]), _number_text(row["longitude"])
    return f"{lat}, {lon}" if lat and lon else ""


def _source(row: pd.Series) -> str:
    name = row["source_fichier"] or ""
    line = _number_text(row["source_ligne"])
    return f"{name}, ligne {line}" if name and line else name
