"""Need indicators imported by users: their description and one value per code.

``indicators`` holds what a reader must know of each (label, unit, direction, level, source,
vintage, file, who imported it and when); ``indicator_values`` its values by commune INSEE code
or EPCI SIREN. An indicator is matched by its label: importing one again replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from territoires.errors import StoreError
from territoires.store.backends import Backend

DESCRIPTION: tuple[str, ...] = (
    "libelle",
    "unite",
    "sens",
    "niveau",
    "source",
    "millesime",
    "fichier",
)
INDICATOR_COLUMNS: tuple[str, ...] = ("id", *DESCRIPTION, "importe_le", "importe_par", "valeurs")


def frame(db: Backend) -> pd.DataFrame:
    """Every imported indicator, oldest first: ``INDICATOR_COLUMNS`` (``valeurs``: how many)."""
    columns = ", ".join(f"i.{c}" for c in INDICATOR_COLUMNS[:-1])
    rows = db.execute(
        f"SELECT {columns}, (SELECT COUNT(*) FROM indicator_values v "
        "WHERE v.indicator_id = i.id) FROM indicators i ORDER BY i.id"
    ).fetchall()
    result = pd.DataFrame([tuple(r) for r in rows], columns=list(INDICATOR_COLUMNS), dtype=object)
    return result.astype({"id": "int64", "valeurs": "int64"})


def values(db: Backend, indicator_id: int) -> pd.Series:
    """One indicator's values, float per code (sorted)."""
    rows = db.execute(
        "SELECT code, valeur FROM indicator_values WHERE indicator_id = ? ORDER BY code",
        (int(indicator_id),),
    ).fetchall()
    return pd.Series([float(r[1]) for r in rows], index=[str(r[0]) for r in rows], dtype=float)


def describe(record: Mapping[str, Any], count: int) -> str:
    """The history's line for an indicator: « Taux de pauvreté — INSEE, 2021, 2 034 valeurs »."""
    return f"{record['libelle']} — {record['source']}, {record['millesime']}, {count} valeurs"


def save(
    db: Backend, record: Mapping[str, Any], data: pd.Series, *, stamp: str, user: str
) -> tuple[int, str | None]:
    """Insert or replace (same label) an indicator and its values, inside the caller's
    transaction; return its id and the description it replaced (None for a new one)."""
    clean = data.astype(float).dropna()
    if clean.empty:
        raise StoreError("L'indicateur n'a aucune valeur : rien n'a été enregistré.")
    fields = [str(record.get(name) or "") for name in DESCRIPTION]
    found = db.execute("SELECT id FROM indicators WHERE libelle = ?", (fields[0],)).fetchone()
    replaced = None
    if found is not None:
        ident = int(found[0])
        previous = frame(db).set_index("id").loc[ident]
        replaced = describe(previous, int(previous["valeurs"]))
        assignments = ", ".join(
            f"{name} = ?" for name in (*DESCRIPTION, "importe_le", "importe_par")
        )
        db.execute(
            f"UPDATE indicators SET {assignments} WHERE id = ?", (*fields, stamp, user, ident)
        )
        db.execute("DELETE FROM indicator_values WHERE indicator_id = ?", (ident,))
    else:
        names = (*DESCRIPTION, "importe_le", "importe_par")
        inserted = db.execute(
            f"INSERT INTO indicators ({', '.join(names)}) "
            f"VALUES ({', '.join('?' for _ in names)}) RETURNING id",
            (*fields, stamp, user),
        )
        ident = int(inserted.fetchone()[0])
    db.insert_rows(
        "indicator_values",
        ("indicator_id", "code", "valeur"),
        [(ident, str(code), float(value)) for code, value in clean.items()],
    )
    return ident, replaced


def remove(db: Backend, indicator_id: int) -> str | None:
    """Delete an indicator and its values; return its description (None when there was none)."""
    listed = frame(db).set_index("id")
    if int(indicator_id) not in listed.index:
        return None
    row = listed.loc[int(indicator_id)]
    db.execute("DELETE FROM indicator_values WHERE indicator_id = ?", (int(indicator_id),))
    db.execute("DELETE FROM indicators WHERE id = ?", (int(indicator_id),))
    return describe(row, int(row["valeurs"]))
