"""Correspondences saved at imports: listed, removed by an editeur only, with history."""

from __future__ import annotations

import pytest

from territoires.errors import PermissionDeniedError
from territoires.store import Actor

EDITEUR = Actor("marie@exemple.fr", "editeur")
LECTEUR = Actor("paul@exemple.fr", "lecteur")
ALIASES = (
    ("financeurs", "fdf comite", "FdF (comité)", "Fondation de France"),
    ("themes", "culture savoirs", "Culture et savoirs", "cultures-savoirs"),
    ("commune", "carhaix|29270", "Carhaix (29270)", "29024"),
    ("type", "cooperative", "Coopérative", "autre"),
)


@pytest.fixture
def saved(store):
    """A store with one import that saved a correspondence of each kind."""
    record = {"titre": "Café", "type": "autre", "commune_code": "29024", "fictif": False}
    store.import_batch([record], actor=EDITEUR, source="comite.csv", aliases=ALIASES)
    return store


def test_saved_correspondences_list_each_kind(saved):
    frame = saved.saved_correspondences()
    rows = sorted(zip(frame["colonne"], frame["valeur"], frame["proposition"], strict=True))
    assert rows == sorted((c, v, t) for c, _, v, t in ALIASES)
    commune = frame.set_index("colonne").loc["commune"]
    assert commune["cle"] == "carhaix|29270" and commune["cree_par"] == "marie@exemple.fr"
    # configured aliases are not correspondences saved by an import
    assert "Fondation Daniel et Nina Carasso" not in set(frame["proposition"])


def test_a_lecteur_cannot_remove_a_correspondence(saved):
    with pytest.raises(PermissionDeniedError) as refused:
        saved.remove_correspondence(
            "financeurs", "FdF (comité)", "Fondation de France", actor=LECTEUR
        )
    assert "éditeurs" in refused.value.user_message
    assert len(saved.saved_correspondences()) == 4


@pytest.mark.parametrize(
    ("colonne", "cle", "proposition", "said"),
    [
        (
            "financeurs",
            "FdF (comité)",
            "Fondation de France",
            "Financeur : « FdF (comité) » → Fondation de France",
        ),
        (
            "themes",
            "Culture et savoirs",
            "cultures-savoirs",
            "Thème : « Culture et savoirs » → Cultures et savoirs",
        ),
        ("commune", "carhaix|29270", "29024", "Commune : « Carhaix (29270) » → 29024"),
        ("type", "cooperative", "autre", "Type : « Coopérative » → autre"),
    ],
)
def test_an_editeur_removes_one_and_the_history_says_what_it_was(
    saved, colonne, cle, proposition, said
):
    version = saved.data_version()
    assert saved.remove_correspondence(colonne, cle, proposition, actor=EDITEUR)
    left = saved.saved_correspondences()
    assert colonne not in set(left["colonne"]) and len(left) == 3
    assert saved.data_version() > version  # open pages see it
    entry = saved.history(user="marie@exemple.fr").iloc[0]
    assert (entry["action"], entry["champ"], entry["apres"]) == (
        "correspondance",
        "correspondance",
        None,
    )
    assert entry["avant"] == said
    # removed already: nothing to remove, nothing recorded
    recorded = len(saved.history(user="marie@exemple.fr"))
    assert not saved.remove_correspondence(colonne, cle, proposition, actor=EDITEUR)
    assert len(saved.history(user="marie@exemple.fr")) == recorded
