"""The suggestions / mapping file: CSV (UTF-8 with BOM, ``;``), columns ``colonne, valeur,
proposition, raison``.

``python -m territoires import FILE --suggestions PATH`` writes one line per distinct value
that matched nothing; ``--mapping PATH`` reads the same file, edited or not, and applies it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from territoires.errors import ImportFileError
from territoires.importers.normalize import compact_key
from territoires.importers.reading import read_table
from territoires.importers.suggest import Suggestion
from territoires.importers.values import cell_text
from territoires.importers.vocabulary import Correspondence

CSV_COLUMNS: tuple[str, ...] = ("colonne", "valeur", "proposition", "raison")


def suggestions_frame(suggestions: Iterable[Suggestion]) -> pd.DataFrame:
    """The suggestions as the four columns of the file, in the order found."""
    rows = [(s.colonne, s.valeur, s.proposition, s.raison) for s in suggestions]
    return pd.DataFrame(rows, columns=list(CSV_COLUMNS), dtype=object)


def write_suggestions(suggestions: Sequence[Suggestion], path: str | Path) -> Path:
    """Write the suggestions file (CSV for French Excel: UTF-8 with BOM, ``;``)."""
    from territoires.exports import to_csv_bytes, write_file

    path = Path(path)
    write_file(path, to_csv_bytes(suggestions_frame(suggestions)), "les suggestions")
    return path


def read_correspondences(
    source: str | Path | bytes, *, name: str | None = None
) -> list[Correspondence]:
    """Read a mapping file (the suggestions file, edited or not; CSV or XLSX).

    Raises ``ImportFileError`` when a column is missing.
    """
    table = read_table(source, name=name)
    columns = {compact_key(str(c)): c for c in table.frame.columns}
    missing = [c for c in CSV_COLUMNS[:3] if c not in columns]
    if missing:
        raise ImportFileError(
            f"Fichier de correspondances « {table.name} » : colonnes attendues "
            f"{', '.join(CSV_COLUMNS)} (manquantes : {', '.join(missing)})."
        )
    frame = table.frame
    raison = columns.get("raison")
    return [
        Correspondence(
            (cell_text(row[columns["colonne"]]) or "").lower(),  # type: ignore[arg-type]
            cell_text(row[columns["valeur"]]) or "",
            cell_text(row[columns["proposition"]]) or "",
            (cell_text(row[raison]) or "") if raison else "",
        )
        for _, row in frame.iterrows()
        if cell_text(row[columns["valeur"]])
    ]
