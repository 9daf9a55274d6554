"""Versioned migrations of the store's schema, recorded in ``schema_version``.

Each migration is ``(version, description, statements)``; ``{pk}`` is the dialect's
auto-increment primary key. Never edit a released migration: append a new one.
"""

from __future__ import annotations

from territoires.errors import StoreError
from territoires.store.backends import Backend
from territoires.store.records import now

MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (
        1,
        "initial schema: reference tables and initiatives",
        (
            """CREATE TABLE themes (
                code TEXT PRIMARY KEY,
                libelle TEXT NOT NULL,
                court TEXT,
                ordre INTEGER NOT NULL DEFAULT 0)""",
            """CREATE TABLE theme_aliases (
                alias TEXT NOT NULL,
                code TEXT NOT NULL REFERENCES themes(code),
                PRIMARY KEY (alias, code))""",
            """CREATE TABLE funders (
                nom TEXT PRIMARY KEY,
                court TEXT,
                configure BOOLEAN NOT NULL DEFAULT FALSE,
                ordre INTEGER NOT NULL DEFAULT 1000,
                cree_le TEXT NOT NULL)""",
            """CREATE TABLE funder_aliases (
                alias TEXT NOT NULL,
                nom TEXT NOT NULL REFERENCES funders(nom),
                PRIMARY KEY (alias, nom))""",
            """CREATE TABLE initiatives (
                id {pk},
                cle TEXT NOT NULL UNIQUE,
                empreinte TEXT NOT NULL,
                reference TEXT UNIQUE,
                titre TEXT NOT NULL,
                description TEXT,
                porteur TEXT,
                type TEXT NOT NULL,
                montant DOUBLE PRECISION,
                annee INTEGER,
                date_debut TEXT,
                date_fin TEXT,
                statut TEXT,
                commune_code TEXT NOT NULL,
                zone_intervention TEXT NOT NULL DEFAULT '[]',
                latitude DOUBLE PRECISION,
                longitude DOUBLE PRECISION,
                site_web TEXT,
                contact TEXT,
                source_fichier TEXT,
                source_ligne INTEGER,
                fictif BOOLEAN NOT NULL DEFAULT FALSE,
                cree_le TEXT NOT NULL,
                modifie_le TEXT NOT NULL)""",
            """CREATE TABLE initiative_themes (
                initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                code TEXT NOT NULL REFERENCES themes(code),
                PRIMARY KEY (initiative_id, position))""",
            """CREATE TABLE initiative_funders (
                initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                financeur TEXT NOT NULL REFERENCES funders(nom),
                montant DOUBLE PRECISION,
                PRIMARY KEY (initiative_id, position))""",
        ),
    ),
    (
        2,
        "import journal and lookup indexes",
        (
            """CREATE TABLE imports (
                id {pk},
                fichier TEXT,
                importe_le TEXT NOT NULL,
                nouvelles INTEGER NOT NULL,
                modifiees INTEGER NOT NULL,
                inchangees INTEGER NOT NULL,
                fictives_supprimees INTEGER NOT NULL)""",
            "CREATE INDEX initiatives_commune ON initiatives (commune_code)",
            "CREATE INDEX initiatives_annee ON initiatives (annee)",
        ),
    ),
    (
        3,
        "store metadata (fingerprint of the seeded referentiels)",
        ("CREATE TABLE meta (cle TEXT PRIMARY KEY, valeur TEXT NOT NULL)",),
    ),
    (
        4,
        "users and their roles",
        (
            """CREATE TABLE users (
                email TEXT PRIMARY KEY,
                role TEXT NOT NULL CHECK (role IN ('lecteur', 'editeur', 'admin')),
                cree_le TEXT NOT NULL,
                cree_par TEXT)""",
        ),
    ),
    (
        5,
        "data version, bumped by every write",
        (
            "CREATE TABLE data_version (id INTEGER PRIMARY KEY, version BIGINT NOT NULL)",
            "INSERT INTO data_version (id, version) VALUES (1, 0)",
        ),
    ),
    (
        6,
        "history: versions, authors and soft deletion of initiatives, field-level history, "
        "import batches with their author and undo, merged aliases",
        (
            "ALTER TABLE initiatives ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
            "ALTER TABLE initiatives ADD COLUMN cree_par TEXT",
            "ALTER TABLE initiatives ADD COLUMN modifie_par TEXT",
            "ALTER TABLE initiatives ADD COLUMN supprime_le TEXT",
            "ALTER TABLE initiatives ADD COLUMN supprime_par TEXT",
            """CREATE TABLE history (
                id {pk},
                date TEXT NOT NULL,
                utilisateur TEXT NOT NULL,
                action TEXT NOT NULL,
                initiative_id BIGINT,
                reference TEXT,
                titre TEXT,
                champ TEXT NOT NULL DEFAULT '',
                avant TEXT,
                apres TEXT,
                lot BIGINT,
                version INTEGER)""",
            "CREATE INDEX history_initiative ON history (initiative_id, id)",
            "CREATE INDEX history_lot ON history (lot, id)",
            "CREATE INDEX history_date ON history (date)",
            "ALTER TABLE imports ADD COLUMN utilisateur TEXT",
            "ALTER TABLE imports ADD COLUMN rejetees INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE imports ADD COLUMN financeurs_crees TEXT NOT NULL DEFAULT '[]'",
            "ALTER TABLE imports ADD COLUMN annule_le TEXT",
            "ALTER TABLE imports ADD COLUMN annule_par TEXT",
            "ALTER TABLE theme_aliases ADD COLUMN origine TEXT NOT NULL DEFAULT 'config'",
            "ALTER TABLE funder_aliases ADD COLUMN origine TEXT NOT NULL DEFAULT 'config'",
        ),
    ),
    (
        7,
        "confirmed import correspondences of communes and types (issue 20)",
        (
            """CREATE TABLE import_aliases (
                colonne TEXT NOT NULL,
                cle TEXT NOT NULL,
                valeur TEXT NOT NULL,
                proposition TEXT NOT NULL,
                cree_le TEXT NOT NULL,
                cree_par TEXT,
                PRIMARY KEY (colonne, cle))""",
        ),
    ),
    (
        8,
        "need indicators imported by users (issue 22)",
        (
            """CREATE TABLE indicators (
                id {pk},
                libelle TEXT NOT NULL UNIQUE,
                unite TEXT NOT NULL DEFAULT '',
                sens TEXT NOT NULL CHECK (sens IN ('eleve', 'faible')),
                niveau TEXT NOT NULL CHECK (niveau IN ('commune', 'epci')),
                source TEXT NOT NULL,
                millesime TEXT NOT NULL,
                fichier TEXT,
                importe_le TEXT NOT NULL,
                importe_par TEXT)""",
            """CREATE TABLE indicator_values (
                indicator_id BIGINT NOT NULL REFERENCES indicators(id) ON DELETE CASCADE,
                code TEXT NOT NULL,
                valeur DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (indicator_id, code))""",
        ),
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1][0]


def current_version(db: Backend) -> int:
    """The database's schema version (0 for an empty database)."""
    if not db.table_exists("schema_version"):
        return 0
    row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(db: Backend, target: int = SCHEMA_VERSION) -> None:
    """Apply the migrations above the database's version, up to ``target``.

    Run it inside ``db.migration_lock()``: two processes starting at once on an empty database
    then migrate one after the other, and the second finds the work done.
    """
    if not db.table_exists("schema_version"):
        db.execute(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER PRIMARY KEY, description TEXT, applied_at TEXT NOT NULL)"
        )
    current = current_version(db)
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"La base est au schéma {current}, plus récent que celui de l'application "
            f"({SCHEMA_VERSION}) : mettez l'application à jour."
        )
    for version, description, statements in MIGRATIONS:
        if current < version <= target:
            for statement in statements:
                db.execute(statement.format(pk=db.pk))
            db.execute(
                "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)",
                (version, description, now()),
            )
