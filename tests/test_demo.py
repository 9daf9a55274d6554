"""The fictional demo dataset: generator, committed file, loading on first start."""

from __future__ import annotations

from collections import Counter

import pytest

from territoires.demo import (
    DEMO_PATH,
    ensure_demo,
    generate_demo,
    load_demo_records,
    write_demo,
)
from territoires.geo.reference import GeoReference
from territoires.store import Actor, open_store

ACTOR = Actor("test@exemple.fr", "editeur")

FIVE_FUNDERS = {
    "Fondation Daniel et Nina Carasso",
    "Fondation JM Bruneau",
    "Fondation Entreprendre",
    "Fonds de dotation Terre et Fils",
    "Fondation de France",
}
THEMES = {"prendre-soin", "cultures-savoirs", "espaces-cooperation"}


@pytest.fixture
def store(tmp_path):
    opened = open_store(f"sqlite:///{tmp_path / 'demo.db'}")
    yield opened
    opened.close()


def test_generator_is_seeded_and_realistic(tiny_reference: GeoReference) -> None:
    records = generate_demo(tiny_reference, size=300, seed=7)
    assert records == generate_demo(tiny_reference, size=300, seed=7)
    assert records != generate_demo(tiny_reference, size=300, seed=8)
    assert len({r["reference"] for r in records}) == 300
    assert all(r["fictif"] and "fictive" in r["porteur"] for r in records)
    assert {t for r in records for t in r["themes"]} == THEMES
    assert {f["financeur"] for r in records for f in r["financements"]} >= FIVE_FUNDERS
    assert all(2000 <= r["montant"] <= 200000 for r in records)
    assert {r["annee"] for r in records} == set(range(2019, 2027))
    cofunded = [r for r in records if len(r["financements"]) > 1]
    assert cofunded and all(
        sum(f["montant"] for f in r["financements"]) == pytest.approx(r["montant"])
        for r in cofunded
    )
    assert any(r["zone_intervention"] for r in records)
    assert any(r["type"] == "fondation territoriale" for r in records)
    assert set(r["commune_code"] for r in records) <= set(tiny_reference.communes["code_insee"])


def test_committed_dataset_shape() -> None:
    records = load_demo_records()
    assert 300 <= len(records) <= 600
    assert all(r["fictif"] for r in records)
    assert {t for r in records for t in r["themes"]} == THEMES
    assert {f["financeur"] for r in records for f in r["financements"]} > FIVE_FUNDERS
    departements = Counter(r["commune_code"][:2] for r in records)
    bretagne = sum(departements[d] for d in ("22", "29", "56"))
    assert bretagne / len(records) > 0.25  # the Centre-Bretagne cluster
    territories = {
        z["code"] for r in records for z in r["zone_intervention"] if z["level"] == "territoire"
    }
    assert territories and territories <= {"centre-bretagne", "centre-ouest-bretagne"}


def test_ensure_demo_loads_once_on_an_empty_database(
    store, tiny_reference, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("TERRITOIRES_DEMO", "1")
    records = generate_demo(tiny_reference, size=40, seed=1)
    records[0]["commune_code"] = "99999"  # unknown to the reference: skipped
    path = write_demo(records, tmp_path / "demo.json")
    assert ensure_demo(store, tiny_reference, path=path, actor=ACTOR) == 39
    assert store.count(fictif=True) == 39 and not store.has_real_data()
    assert ensure_demo(store, tiny_reference, path=path, actor=ACTOR) == 0
    frame = store.list_initiatives()
    assert frame["fictif"].all()
    assert set(frame["source_fichier"]) == {"jeu de démonstration fictif"}


def test_ensure_demo_respects_the_setting(store, tiny_reference, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TERRITOIRES_DEMO", "0")
    path = write_demo(generate_demo(tiny_reference, size=5), tmp_path / "demo.json")
    assert ensure_demo(store, tiny_reference, path=path, actor=ACTOR) == 0
    assert store.count() == 0


@pytest.mark.realdata
def test_committed_dataset_matches_the_real_reference(store, monkeypatch) -> None:
    from territoires.errors import GeodataError
    from territoires.geo.cache import load_reference

    try:
        reference = load_reference()
    except GeodataError as exc:
        pytest.skip(exc.user_message)
    monkeypatch.setenv("TERRITOIRES_DEMO", "1")
    assert ensure_demo(store, reference, path=DEMO_PATH, actor=ACTOR) == len(load_demo_records())
    communes = reference.communes.set_index("code_insee")
    codes = store.list_initiatives()["commune_code"]
    assert (communes.loc[codes, "densite"] < 60).mean() > 0.7  # mostly rural communes
