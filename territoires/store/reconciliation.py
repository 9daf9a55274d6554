"""What the importer's reconciliation needs from the store (issue 20).

- **Confirmed correspondences** saved for the next imports: a funder's or a theme's as an alias
  of origin « import » (they survive the seeding of the configured aliases and follow merges,
  like any alias); a commune's (a name with its postcode or département → an INSEE code) or a
  type's in ``import_aliases``, keyed by the importer's normalised form of the value.
- **Identities** of the stored initiatives (reference, title, porteur, commune, year): what
  reference collisions and probable duplicates are checked against.

Runs inside the caller's transaction for writes.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from territoires import texts
from territoires.store.backends import Backend
from territoires.store.records import now

# A correspondence as the importer hands it over: (colonne, key, value as written, target).
Alias = tuple[str, str, str, str]
IDENTITY_COLUMNS: tuple[str, ...] = (
    "id",
    "reference",
    "titre",
    "porteur",
    "commune_code",
    "annee",
)
_LABEL_TABLES = {"financeurs": ("funder_aliases", "nom"), "themes": ("theme_aliases", "code")}
SAVED_COLUMNS: tuple[str, ...] = ("colonne", "cle", "valeur", "proposition", "cree_le", "cree_par")


def save_aliases(db: Backend, aliases: Iterable[Alias], user: str) -> int:
    """Save confirmed correspondences (targets already exist); return how many were given."""
    stamp = now()
    rows = list(aliases)
    for colonne, (table, column) in _LABEL_TABLES.items():
        db.executemany(
            db.sql(
                f"INSERT INTO {table} (alias, {column}, origine) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING"
            ),
            [
                (valeur, target, "import")
                for c, _, valeur, target in rows
                if c == colonne and valeur != target  # a name is its own alias already
            ],
        )
    db.executemany(
        db.sql(
            "INSERT INTO import_aliases (colonne, cle, valeur, proposition, cree_le, cree_par) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (colonne, cle) DO UPDATE SET "
            "valeur = excluded.valeur, proposition = excluded.proposition, "
            "cree_le = excluded.cree_le, cree_par = excluded.cree_par"
        ),
        [(c, key, v, t, stamp, user) for c, key, v, t in rows if c not in _LABEL_TABLES],
    )
    return len(rows)


def import_aliases(db: Backend) -> list[tuple[str, str, str]]:
    """Saved commune and type correspondences: ``(colonne, value as written, target)``."""
    rows = db.execute(
        "SELECT colonne, valeur, proposition FROM import_aliases ORDER BY colonne, cle"
    ).fetchall()
    return [(str(c), str(v), str(t)) for c, v, t in rows]


def identities(db: Backend) -> pd.DataFrame:
    """Id, reference, title, porteur, commune and year of every initiative not deleted."""
    rows = db.execute(
        f"SELECT {', '.join(IDENTITY_COLUMNS)} FROM initiatives WHERE supprime_le IS NULL "
        "ORDER BY id"
    ).fetchall()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(IDENTITY_COLUMNS), dtype=object)


def saved_correspondences(db: Backend) -> pd.DataFrame:
    """Every correspondence confirmed at an import and kept for the next ones, as
    ``SAVED_COLUMNS``: funders and themes (aliases of origin « import »: ``cle`` is the alias,
    no date), then communes and types (``cle`` is the importer's normalised form)."""
    rows: list[tuple] = []
    for colonne, (table, column) in _LABEL_TABLES.items():
        found = db.execute(
            f"SELECT alias, {column} FROM {table} WHERE origine = ? ORDER BY alias", ("import",)
        ).fetchall()
        rows += [(colonne, str(a), str(a), str(t), None, None) for a, t in found]
    found = db.execute(
        "SELECT colonne, cle, valeur, proposition, cree_le, cree_par FROM import_aliases "
        "ORDER BY colonne, cle"
    ).fetchall()
    rows += [tuple(row) for row in found]
    return pd.DataFrame(rows, columns=list(SAVED_COLUMNS), dtype=object)


def remove_correspondence(db: Backend, colonne: str, cle: str, proposition: str) -> str | None:
    """Delete one saved correspondence (``saved_correspondences``' keys); return what it said,
    « Financeur : « FdF » → Fondation de France », or ``None`` when there was none."""
    if colonne in _LABEL_TABLES:
        table, column = _LABEL_TABLES[colonne]
        where = f"FROM {table} WHERE alias = ? AND {column} = ? AND origine = ?"
        params: tuple = (cle, proposition, "import")
        found = db.execute(f"SELECT alias {where}", params).fetchone()
    else:
        where = "FROM import_aliases WHERE colonne = ? AND cle = ? AND proposition = ?"
        params = (colonne, cle, proposition)
        found = db.execute(f"SELECT valeur {where}", params).fetchone()
    if found is None:
        return None
    db.execute(f"DELETE {where}", params)
    target = proposition
    if colonne == "themes":
        label = db.execute(
            "SELECT COALESCE(court, libelle) FROM themes WHERE code = ?", (proposition,)
        ).fetchone()
        target = str(label[0]) if label else proposition
    return f"{texts.CORRESPONDENCE_COLUMNS.get(colonne, colonne)} : « {found[0]} » → {target}"
