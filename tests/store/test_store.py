"""Store behaviour, identical on SQLite and PostgreSQL."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from territoires.errors import StoreError
from territoires.store import (
    INITIATIVE_COLUMNS,
    SCHEMA_VERSION,
    Actor,
    Store,
    content_key,
    open_store,
    record_key,
)

ACTOR = Actor("test@exemple.fr", "editeur")


def record(titre: str = "Jardin partagé", **fields: object) -> dict:
    base = {
        "reference": None,
        "titre": titre,
        "description": None,
        "porteur": "Les Amis",
        "type": "projet associatif",
        "themes": ["prendre-soin"],
        "financements": [{"financeur": "Fondation de France", "montant": 1000.0}],
        "montant": 1000.0,
        "annee": 2023,
        "date_debut": None,
        "date_fin": None,
        "statut": None,
        "commune_code": "22001",
        "zone_intervention": [],
        "latitude": None,
        "longitude": None,
        "site_web": None,
        "contact": None,
        "source_fichier": "test.csv",
        "source_ligne": 2,
        "fictif": False,
    }
    base.update(fields)
    return base


def test_new_database_is_at_latest_schema_with_seeded_references(store: Store) -> None:
    assert store.schema_version() == SCHEMA_VERSION
    assert store.themes()["code"].tolist() == [
        "prendre-soin",
        "cultures-savoirs",
        "espaces-cooperation",
    ]
    funders = store.funders()
    assert set(funders["nom"]) >= {
        "Fondation Daniel et Nina Carasso",
        "Fondation JM Bruneau",
        "Fondation Entreprendre",
        "Fonds de dotation Terre et Fils",
        "Fondation de France",
    }
    assert funders["configure"].all()
    assert ("Carasso", "Fondation Daniel et Nina Carasso") in store.funder_aliases()


def test_empty_store_lists_the_contract_columns(store: Store) -> None:
    frame = store.list_initiatives()
    assert tuple(frame.columns) == INITIATIVE_COLUMNS
    assert frame.empty
    assert store.count() == 0
    assert not store.has_real_data()


def test_import_then_list_round_trips_every_field(store: Store) -> None:
    rec = record(
        reference="R-1",
        titre="<script>alert(1)</script>",
        themes=["cultures-savoirs", "prendre-soin"],
        financements=[
            {"financeur": "Fondation de France", "montant": 600.0},
            {"financeur": "Fondation JM Bruneau", "montant": None},
        ],
        zone_intervention=[{"level": "epci", "code": "200000001"}],
        latitude=48.05,
        longitude=-3.45,
        date_debut="2023-01-15",
    )
    result = store.import_batch([rec], actor=ACTOR)
    assert (result.nouvelles, result.modifiees, result.inchangees) == (1, 0, 0)
    row = store.list_initiatives().iloc[0]
    assert row["titre"] == "<script>alert(1)</script>"
    assert row["themes"] == ["cultures-savoirs", "prendre-soin"]
    assert row["financeurs"] == ["Fondation de France", "Fondation JM Bruneau"]
    assert row["financements"][1] == {"financeur": "Fondation JM Bruneau", "montant": None}
    assert row["zone_intervention"] == [{"level": "epci", "code": "200000001"}]
    assert (row["latitude"], row["longitude"], row["annee"]) == (48.05, -3.45, 2023)
    assert row["date_debut"] == "2023-01-15" and row["reference"] == "R-1"
    assert row["source_ligne"] == 2 and not row["fictif"]
    frame = store.list_initiatives()
    assert str(frame["annee"].dtype) == "Int64" and frame["montant"].dtype == "float64"


def test_reimport_is_idempotent_and_detects_updates(store: Store) -> None:
    batch = [record("A", reference="1"), record("B"), record("C", montant=None)]
    assert store.import_batch(batch, actor=ACTOR).nouvelles == 3
    again = store.import_batch(batch, actor=ACTOR)
    assert (again.nouvelles, again.modifiees, again.inchangees) == (0, 0, 3)
    changed = [
        record("A", reference="1", montant=5.0),
        record("B", porteur="LES  amis"),
        record("C", montant=None),
    ]
    result = store.import_batch(changed, actor=ACTOR)
    # "A" matches by reference; "B" by content key (case/space-insensitive) and its porteur is
    # stored verbatim, so it is updated; "C" is unchanged.
    assert (result.nouvelles, result.modifiees, result.inchangees) == (0, 2, 1)
    assert store.count() == 3
    frame = store.list_initiatives().set_index("titre")
    assert frame.loc["A", "montant"] == 5.0
    assert frame.loc["B", "porteur"] == "LES  amis"
    assert math.isnan(frame.loc["C", "montant"])


def test_reference_given_later_updates_the_content_matched_record(store: Store) -> None:
    store.import_batch([record("A")], actor=ACTOR)
    result = store.import_batch([record("A", reference="X-9")], actor=ACTOR)
    assert (result.nouvelles, result.modifiees) == (0, 1)
    assert store.list_initiatives()["reference"].tolist() == ["X-9"]


def test_keys_are_documented_rules() -> None:
    assert record_key(record(reference="R")) == "ref:R"
    assert content_key(record("Un  Titre", porteur="Asso")) == "contenu:un titre|asso|22001|2023"


def test_failed_batch_leaves_the_database_unchanged(store: Store) -> None:
    store.import_batch([record("A")], actor=ACTOR)
    bad = [record("B"), record("C", themes=["pas-un-theme"])]  # foreign key violation
    with pytest.raises(StoreError) as error:
        store.import_batch(bad, new_funders=["Nouveau financeur"], actor=ACTOR)
    assert "n'a pas été modifiée" in error.value.user_message
    assert store.list_initiatives()["titre"].tolist() == ["A"]
    assert "Nouveau financeur" not in set(store.funders()["nom"])


def test_dry_run_counts_without_writing(store: Store) -> None:
    store.import_batch([record("A")], actor=ACTOR)
    result = store.import_batch(
        [record("A", montant=2.0), record("B")], new_funders=["Autre"], dry_run=True, actor=ACTOR
    )
    assert result.dry_run and (result.nouvelles, result.modifiees) == (1, 1)
    assert result.financeurs_crees == ("Autre",)
    assert store.count() == 1
    assert store.list_initiatives()["montant"].tolist() == [1000.0]
    assert "Autre" not in set(store.funders()["nom"])


def test_new_funders_are_created_not_configured(store: Store) -> None:
    rec = record(financements=[{"financeur": "Mairie de Rostrenen", "montant": None}])
    result = store.import_batch([rec], new_funders=["Mairie de Rostrenen"], actor=ACTOR)
    assert result.financeurs_crees == ("Mairie de Rostrenen",)
    funders = store.funders().set_index("nom")
    assert not funders.loc["Mairie de Rostrenen", "configure"]
    assert store.list_initiatives()["financeurs"].iloc[0] == ["Mairie de Rostrenen"]


def test_fields_absent_from_the_source_keep_their_stored_values(store: Store) -> None:
    zone = [{"level": "territoire", "code": "tiny-ouest"}]
    funds = [
        {"financeur": "Fondation de France", "montant": 700.0},
        {"financeur": "Fondation JM Bruneau", "montant": 300.0},
    ]
    store.import_batch(
        [record("A", reference="1", zone_intervention=zone, financements=funds)], actor=ACTOR
    )
    exported = record(
        "A",
        reference="1",
        zone_intervention=[],
        financements=[{"financeur": f["financeur"], "montant": None} for f in funds],
    )
    fields = set(exported) - {"zone_intervention"}
    result = store.import_batch([exported], fields=fields, actor=ACTOR)
    assert result.inchangees == 1
    row = store.list_initiatives().iloc[0]
    assert row["zone_intervention"] == zone
    assert row["financements"] == funds


def test_demo_records_and_real_data(store: Store) -> None:
    store.import_batch([record("Démo", fictif=True)], actor=ACTOR)
    assert store.count(fictif=True) == 1 and not store.has_real_data()
    result = store.import_batch([record("Réel")], replace_demo=True, actor=ACTOR)
    assert result.fictives_supprimees == 1
    assert store.list_initiatives()["titre"].tolist() == ["Réel"]
    assert store.has_real_data()
    store.import_batch([record("Démo 2", fictif=True)], actor=ACTOR)
    assert store.delete_demo(actor=ACTOR) == 1 and store.count() == 1


def test_import_journal(store: Store) -> None:
    store.import_batch([record("A")], source="fichier.csv", actor=ACTOR)
    journal = store.last_imports()
    assert journal["fichier"].tolist() == ["fichier.csv"]
    assert journal["nouvelles"].tolist() == [1]


def test_existing_database_upgrades_without_loss(store_url: str) -> None:
    old = Store(store_url, target_version=1)
    assert old.schema_version() == 1
    old._db.execute(  # write like version 1 would, without the v2 journal table
        "INSERT INTO initiatives (cle, empreinte, titre, type, commune_code, fictif, cree_le, "
        "modifie_le) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ("contenu:x", "-", "Ancienne", "autre", "22001", False, "2020-01-01", "2020-01-01"),
    )
    old.close()
    upgraded = open_store(store_url)
    try:
        assert upgraded.schema_version() == SCHEMA_VERSION
        assert upgraded.list_initiatives()["titre"].tolist() == ["Ancienne"]
        assert upgraded.last_imports().empty
    finally:
        upgraded.close()


def test_referentiels_are_reseeded_only_when_the_config_changes(store_url: str) -> None:
    from territoires.store import FunderSpec, Referentiels, load_referentiels

    base = load_referentiels()
    first = open_store(store_url)
    first._db.execute("DELETE FROM funder_aliases WHERE alias = ?", ("Carasso",))
    first.close()
    same = open_store(store_url)  # unchanged config: no rewrite, the deletion stays
    assert ("Carasso", "Fondation Daniel et Nina Carasso") not in same.funder_aliases()
    same.close()
    extra = FunderSpec("Fondation Nouvelle", "Nouvelle", ("FN",))
    changed = open_store(store_url, referentiels=Referentiels(base.themes, (*base.funders, extra)))
    try:
        aliases = changed.funder_aliases()
        assert ("Carasso", "Fondation Daniel et Nina Carasso") in aliases
        assert ("FN", "Fondation Nouvelle") in aliases
    finally:
        changed.close()


def test_newer_schema_is_refused(store: Store, store_url: str) -> None:
    store._db.execute(
        "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)",
        (SCHEMA_VERSION + 1, "future", "2030-01-01"),
    )
    with pytest.raises(StoreError, match="plus récent"):
        open_store(store_url)


def test_sqlite_file_is_created_on_first_use(tmp_path) -> None:
    path = tmp_path / "sub" / "dir" / "base.db"
    opened = open_store(f"sqlite:///{path}")
    opened.close()
    assert path.is_file()
    plain = open_store(str(tmp_path / "plain.db"))
    assert plain.backend == "sqlite"
    plain.close()


def test_open_store_defaults_to_the_settings(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(tmp_path / "donnees"))
    monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
    opened = open_store()
    opened.close()
    assert (tmp_path / "donnees" / "territoires.db").is_file()


def test_unsupported_url_is_a_french_error() -> None:
    with pytest.raises(StoreError, match="non prise en charge"):
        open_store("mysql://localhost/base")


def test_list_initiatives_frame_types(store: Store) -> None:
    store.import_batch([record("A", annee=None, latitude=48.0, longitude=-3.4)], actor=ACTOR)
    frame = store.list_initiatives()
    assert frame["annee"].isna().all()
    assert isinstance(frame["themes"].iloc[0], list)
    assert frame["fictif"].dtype == bool
    assert pd.api.types.is_integer_dtype(frame["id"])


def _fingerprint_before_issue_19(record: dict) -> str:
    """The fingerprint as earlier versions computed it (stored in existing databases)."""
    import hashlib

    from territoires.store import DATA_FIELDS

    defaults = {"type": "projet associatif", "themes": [], "financements": []}
    defaults["zone_intervention"] = []
    data = {name: record.get(name, defaults.get(name)) for name in DATA_FIELDS}

    def clean(value):
        return None if value is None or math.isnan(float(value)) else float(value)

    for name in ("montant", "latitude", "longitude"):
        data[name] = clean(data[name])
    data["financements"] = [
        (f["financeur"], clean(f.get("montant"))) for f in data["financements"] or []
    ]
    data["zone_intervention"] = [(z["level"], z["code"]) for z in data["zone_intervention"] or []]
    return hashlib.sha1(repr([data[name] for name in DATA_FIELDS]).encode("utf-8")).hexdigest()


def test_fingerprints_stay_those_stored_by_earlier_versions(store: Store) -> None:
    from territoires.demo import load_demo_records
    from territoires.store import fingerprint

    samples = [
        *load_demo_records(),
        record("A", montant=float("nan"), latitude=48.1, longitude=-3.2, annee=None),
        record("B", financements=[{"financeur": "FdF", "montant": float("nan")}]),
        {"titre": "Sans type", "commune_code": "22001"},
    ]
    for sample in samples:
        assert fingerprint(sample) == _fingerprint_before_issue_19(sample)
    funders = {f["financeur"] for s in samples[:50] for f in s["financements"]}
    store.import_batch(samples[:50], actor=ACTOR, new_funders=sorted(funders))
    stored = store._db.execute("SELECT empreinte FROM initiatives ORDER BY id").fetchall()
    assert [row[0] for row in stored] == [_fingerprint_before_issue_19(s) for s in samples[:50]]
