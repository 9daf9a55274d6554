"""The history as shown: themes by their labels, a caption in a user's terms."""

from __future__ import annotations

import pandas as pd

from territoires.editing import conflict_lines, field_text
from territoires.ui.history_view import history_caption, history_display


def _history(rows: list[dict]) -> pd.DataFrame:
    base = {
        "id": 1,
        "date": "2026-12-05T18:22:10+00:00",
        "utilisateur": "marie@exemple.fr",
        "action": "modification",
        "initiative_id": 7,
        "reference": "N° 7",
        "titre": "<b>Jardin</b>",
        "champ": "titre",
        "avant": None,
        "apres": None,
        "lot": None,
    }
    return pd.DataFrame([{**base, **row} for row in rows])


def test_field_text_gives_theme_labels_and_leaves_other_fields_alone():
    assert field_text("themes", ["prendre-soin", "cultures-savoirs"]) == (
        "Prendre soin ; Cultures et savoirs"
    )
    assert field_text("themes", []) == "(vide)"
    assert field_text("themes", None) == "(vide)"
    assert field_text("themes", ["theme-inconnu"]) == "theme-inconnu"
    assert field_text("titre", "cultures-savoirs") == "cultures-savoirs"


def test_history_display_shows_theme_labels_and_user_text_verbatim():
    shown = history_display(
        _history(
            [
                {"champ": "themes", "avant": ["prendre-soin"], "apres": ["espaces-cooperation"]},
                {"id": 2, "champ": "titre", "avant": "<b>Jardin</b>", "apres": "Jardin"},
            ]
        )
    )
    assert list(shown["Champ"]) == ["Thèmes", "Titre"]
    assert list(shown["Avant"]) == ["Prendre soin", "<b>Jardin</b>"]
    assert list(shown["Après"]) == ["Espaces de coopération", "Jardin"]


def test_history_caption_gives_the_latest_change_not_a_data_version():
    history = _history([{"date": "2026-12-04T09:00:00+00:00"}, {"id": 2}])
    assert (
        history_caption(history) == "2 lignes, la plus récente le 05/12/2026 à 18:22 (heure UTC)."
    )
    assert history_caption(history.iloc[0:0]) == "0 ligne."


def test_a_refused_save_names_themes_by_their_labels():
    lines = conflict_lines(
        [{"utilisateur": "marie", "champ": "themes", "avant": [], "apres": ["prendre-soin"]}],
        {"themes": ["cultures-savoirs"]},
    )
    assert "- Thèmes : « (vide) » → « Prendre soin » (marie)" in lines
    assert "- Thèmes : « Cultures et savoirs »" in lines
