"""The field-by-field preview of an import, as a user reads it."""

from __future__ import annotations

from territoires.importers.preview import change_lines, changes_frame
from territoires.store import FieldChange

CHANGES = [
    FieldChange(7, "D-3", "themes", ["prendre-soin"], ["prendre-soin", "cultures-savoirs"]),
    FieldChange(7, "D-3", "source_fichier", "deja-la.csv", "comite.csv"),
    FieldChange(7, "D-3", "source_ligne", 3, 4),
]


def test_changes_frame_names_themes_and_fields_in_french():
    frame = changes_frame(CHANGES, {7: "Fête du pain"})
    assert list(frame["Champ"]) == ["Thèmes", "Fichier source", "Ligne du fichier"]
    assert list(frame["Avant"]) == ["Prendre soin", "deja-la.csv", "3"]
    assert frame.iloc[0]["Après"] == "Prendre soin ; Cultures et savoirs"


def test_change_lines_name_themes_by_their_labels():
    (line,) = change_lines(CHANGES[:1], {7: "Fête du pain"}, dry_run=True)
    assert line == (
        "Serait modifiée : « Fête du pain » (référence D-3) : Thèmes : « Prendre soin » → "
        "« Prendre soin ; Cultures et savoirs »."
    )
