"""Editing one initiative: the form goes through the importer's own row checks and messages."""

from __future__ import annotations

import pytest

from territoires.editing import (
    FormError,
    changes_from,
    form_table,
    form_values,
    prepare_form,
)
from territoires.importers.pipeline import Vocabulary
from territoires.store import open_store


@pytest.fixture
def vocabulary(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'base.db'}")
    yield Vocabulary.from_store(store)
    store.close()


def _values(**overrides):
    values = {
        "titre": "Jardin partagé",
        "porteur": "Les Amis",
        "type": "projet associatif",
        "code_insee": "22001",
        "financeurs": ["Fondation de France", "Fondation JM Bruneau"],
        "themes": ["prendre-soin", "cultures-savoirs"],
        "montant": "4 200,50 €",
        "annee": "2024",
        "zone_intervention": [{"level": "epci", "code": "200000001"}],
    }
    values.update(overrides)
    return values


def test_a_valid_form_gives_the_importer_s_record(tiny_reference, vocabulary):
    prepared = prepare_form(_values(), tiny_reference, vocabulary)
    record = prepared.record
    assert record["titre"] == "Jardin partagé"
    assert record["commune_code"] == "22001"
    assert record["montant"] == 4200.5
    assert record["annee"] == 2024
    assert record["themes"] == ["prendre-soin", "cultures-savoirs"]
    assert [f["financeur"] for f in record["financements"]] == [
        "Fondation de France",
        "Fondation JM Bruneau",
    ]
    assert record["zone_intervention"] == [{"level": "epci", "code": "200000001"}]
    assert "source_fichier" not in record and "fictif" not in record
    assert prepared.new_funders == ()


def test_the_form_rejects_with_the_importer_s_french_messages(tiny_reference, vocabulary):
    with pytest.raises(FormError) as caught:
        prepare_form(
            _values(titre="", montant="beaucoup", annee="3000"), tiny_reference, vocabulary
        )
    message = caught.value.user_message
    assert "Titre manquant" in message
    assert "Montant illisible : « beaucoup »" in message
    with pytest.raises(FormError, match="Aucune localisation"):
        prepare_form(_values(code_insee=""), tiny_reference, vocabulary)


def test_a_typed_new_funder_is_created_and_an_unknown_theme_refused(tiny_reference, vocabulary):
    prepared = prepare_form(_values(financeurs=["Mairie de Rostrenen"]), tiny_reference, vocabulary)
    assert prepared.new_funders == ("Mairie de Rostrenen",)
    assert [f["financeur"] for f in prepared.record["financements"]] == ["Mairie de Rostrenen"]
    with pytest.raises(FormError, match="Thème inconnu : « sport »"):
        prepare_form(_values(themes=["sport"]), tiny_reference, vocabulary)


def test_a_typed_funder_close_to_a_known_one_is_refused_with_the_proposal(
    tiny_reference, vocabulary
):
    with pytest.raises(FormError, match="Financeur inconnu : « Fondation JM Bruneauu »") as caught:
        prepare_form(_values(financeurs=["Fondation JM Bruneauu"]), tiny_reference, vocabulary)
    assert "Fondation JM Bruneau" in caught.value.user_message.split("»", 1)[1]


def test_form_table_has_one_row_with_the_importer_s_fields():
    table = form_table(_values(latitude=float("nan")))
    assert list(table.frame.index) == [0]
    row = table.frame.iloc[0]
    assert row["financeurs"] == "Fondation de France ; Fondation JM Bruneau"
    assert row["zone_intervention"] == "epci:200000001"
    assert row["latitude"] == ""


def test_changes_keep_per_funder_amounts_and_list_only_what_moved(tiny_reference, vocabulary):
    stored = prepare_form(_values(), tiny_reference, vocabulary).record
    stored["financements"][0]["montant"] = 3000.0  # an amount per funder, from elsewhere
    again = prepare_form(form_values(stored), tiny_reference, vocabulary).record
    assert changes_from(stored, again) == {}
    edited = prepare_form(
        form_values(stored) | {"montant": "5000", "financeurs": ["Fondation de France"]},
        tiny_reference,
        vocabulary,
    ).record
    changes = changes_from(stored, edited)
    assert changes == {
        "montant": 5000.0,
        "financements": [{"financeur": "Fondation de France", "montant": 3000.0}],
    }
