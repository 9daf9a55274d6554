"""« Importer »: upload a CSV/XLSX, preview, map columns, simulate, import, download rejects.

The same code as ``python -m territoires import`` (``territoires.importers.pipeline``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import streamlit as st

from territoires import texts
from territoires.errors import TerritoiresError
from territoires.exports import MIME_TYPES, export_name, to_csv_bytes, to_xlsx_bytes
from territoires.formatting import fr_count
from territoires.importers.headers import FIELD_LABELS, FIELDS, IGNORE, guess_field
from territoires.importers.pipeline import ImportReport, import_file, rejects_frame
from territoires.importers.reading import read_table, sheet_names
from territoires.importers.template import template_csv, template_xlsx
from territoires.store import load_referentiels
from territoires.ui.access_view import require
from territoires.ui.cache import clear_after_write, get_reference, store_session
from territoires.ui.chrome import uploaded_file_in_french, uploader_in_french
from territoires.ui.map_view import download_buttons


def plain(text: str) -> str:
    """Escape Markdown in file-provided text shown in captions and labels."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", text)


access = require("editeur")  # app.py refuses it already; the store checks the role again
st.title("Importer des initiatives")
st.caption(
    "Fichier CSV ou Excel (XLSX) : une ligne par initiative. Les colonnes sont reconnues par "
    "leur nom (titre, porteur, commune, code INSEE, financeurs, thèmes, montant, année…) et "
    "peuvent être corrigées ci-dessous. Un même fichier peut être réimporté sans doublon."
)

UPLOAD_TYPES = ["csv", "txt", "xlsx", "xlsm"]
uploader_in_french(UPLOAD_TYPES)
upload = st.file_uploader("Fichier à importer", type=UPLOAD_TYPES)
uploaded_file_in_french(upload)
if upload is None:
    st.markdown(
        "**Pas encore de fichier ?** Partez du modèle : ses colonnes sont reconnues sans "
        "correspondance à faire, et la feuille « Aide » du modèle Excel dit quoi y mettre "
        "(thèmes, financeurs connus, exemples)."
    )
    download_buttons(
        [
            (
                "Modèle Excel (XLSX)",
                "modele_import_initiatives.xlsx",
                MIME_TYPES["xlsx"],
                lambda: template_xlsx(load_referentiels()),
            ),
            ("Modèle CSV", "modele_import_initiatives.csv", MIME_TYPES["csv"], template_csv),
        ]
    )
    with store_session() as store:
        journal = store.last_imports()
    if not journal.empty:
        st.subheader("Derniers imports")
        st.dataframe(
            journal.assign(importe_le=pd.to_datetime(journal["importe_le"], utc=True)),
            hide_index=True,
            width="stretch",
            column_config={
                "fichier": "Fichier",
                "importe_le": st.column_config.DatetimeColumn(
                    "Importé le", format="DD/MM/YYYY HH:mm"
                ),
                "nouvelles": "Nouvelles",
                "modifiees": "Modifiées",
                "inchangees": "Inchangées",
            },
        )
    st.stop()

data = upload.getvalue()
try:
    sheets = sheet_names(data, upload.name)
    sheet = (
        st.selectbox("Feuille du classeur", sheets, placeholder=texts.CHOOSE)
        if len(sheets) > 1
        else None
    )
    table = read_table(data, name=upload.name, sheet=sheet)
except TerritoiresError as exc:
    st.error(exc.user_message)
    st.stop()

st.subheader("Aperçu")
st.caption(plain(f"{table.describe()} — {fr_count(len(table.frame), 'ligne')}."))
st.dataframe(table.frame.head(20).astype(str), hide_index=True, width="stretch")

st.subheader("Correspondance des colonnes")
choices = [*FIELDS, IGNORE]
mapping: dict[str, str] = {}
grid = st.columns(3)
for index, column in enumerate(table.frame.columns):
    guess = guess_field(column) or IGNORE
    mapping[column] = grid[index % 3].selectbox(
        plain(f"« {column} »"),
        choices,
        index=choices.index(guess),
        format_func=lambda field: FIELD_LABELS.get(field, field),
        key=f"map_{upload.file_id}_{index}",
        placeholder=texts.CHOOSE,
    )


def run(dry_run: bool) -> ImportReport | None:
    """Import through the CLI's code path; show the French error when it fails."""
    try:
        with store_session() as store:
            report = import_file(
                data,
                store,
                get_reference(),
                actor=access.actor(),
                name=upload.name,
                sheet=sheet,
                mapping=mapping,
                dry_run=dry_run,
            )
    except TerritoiresError as exc:
        st.error(exc.user_message)
        return None
    if not dry_run:
        clear_after_write()
    return report


left, right = st.columns(2)
report = None
if left.button("Simuler l'import", icon=":material/preview:", width="stretch"):
    report = run(dry_run=True)
if right.button("Importer", type="primary", icon=":material/upload:", width="stretch"):
    report = run(dry_run=False)

if report is not None:
    lines = report.summary_lines()
    if report.dry_run:
        st.info("Simulation terminée : rien n'a été enregistré.")
    elif report.rejected:
        st.warning(
            "Import terminé : les lignes valides sont enregistrées, certaines sont rejetées."
        )
    else:
        st.success("Import terminé : toutes les lignes sont enregistrées.")
    st.text("\n".join(line for line in lines if not line.startswith("Ligne ")))
    if report.rejected:
        st.subheader("Lignes rejetées")
        rejects = rejects_frame(report.plan)
        st.dataframe(rejects.astype(str), hide_index=True, width="stretch")
        st.caption(
            "Corrigez-les dans le fichier ci-dessous, puis importez-le : seules elles entreront."
        )
        a, b = st.columns(2)
        a.download_button(
            "Rejets (CSV)",
            data=to_csv_bytes(rejects),
            file_name=export_name("rejets", Path(upload.name).stem, ext="csv"),
            mime=MIME_TYPES["csv"],
            on_click="ignore",
            icon=":material/download:",
        )
        b.download_button(
            "Rejets (XLSX)",
            data=to_xlsx_bytes(rejects, "Rejets"),
            file_name=export_name("rejets", Path(upload.name).stem, ext="xlsx"),
            mime=MIME_TYPES["xlsx"],
            on_click="ignore",
            icon=":material/download:",
        )
