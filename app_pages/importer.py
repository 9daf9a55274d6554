"""« Importer »: upload a CSV/XLSX, preview, map columns, simulate, confirm correspondences,
import, download rejects.

The same code as ``python -m territoires import`` (``territoires.importers.pipeline``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from territoires import texts
from territoires.errors import TerritoiresError
from territoires.exports import MIME_TYPES, export_name, to_csv_bytes, to_xlsx_bytes
from territoires.formatting import fr_count, markdown_literal
from territoires.importers.headers import FIELD_LABELS, FIELDS, IGNORE, guess_field
from territoires.importers.locate import locator_for
from territoires.importers.pipeline import (
    ImportReport,
    import_file,
    no_reference_message,
    rejects_frame,
)
from territoires.importers.preview import changes_frame
from territoires.importers.reading import read_table, sheet_names, sheets_with_data
from territoires.importers.template import template_csv, template_xlsx
from territoires.importers.vocabulary import Vocabulary
from territoires.store import load_referentiels
from territoires.ui.access_view import require
from territoires.ui.cache import clear_after_write, get_reference, store_session
from territoires.ui.chrome import uploaded_file_in_french, uploader_in_french
from territoires.ui.correspondances import (
    collision_form,
    correspondence_form,
    merge_confirmed,
    saved_correspondences_panel,
)
from territoires.ui.map_view import download_buttons
from territoires.ui.memory import release_memory_soon

access = require("editeur")  # app.py refuses it already; the store checks the role again
st.title("Importer des initiatives")
st.caption(
    "Fichier CSV ou Excel (XLSX) : une ligne par initiative. Les colonnes sont reconnues par "
    "leur nom (titre, porteur, commune, code INSEE, financeurs, thèmes, montant, année…) et "
    "peuvent être corrigées ci-dessous. Un même fichier peut être réimporté sans doublon."
)


@dataclass(frozen=True)
class Outcome:
    """What the page shows of an import or a simulation: no file, no plan of every row."""

    file_name: str
    dry_run: bool
    lines: tuple[str, ...]
    changes: pd.DataFrame | None
    modifiees: int
    rejects: pd.DataFrame | None


# Report lines shown as tables below rather than as text.
DETAILED = ("Ligne ", "Serait modifiée : ", "Modifiée : ")


def outcome_of(report: ImportReport, file_name: str) -> Outcome:
    rejects = rejects_frame(report.plan) if report.rejected else None
    changes = changes_frame(report.changes, report.titles) if report.changes else None
    lines = tuple(line for line in report.summary_lines() if not line.startswith(DETAILED))
    return Outcome(file_name, report.dry_run, lines, changes, report.modifiees, rejects)


def show_outcome(outcome: Outcome, *, rejects: bool = True) -> None:
    """The summary of an import or a simulation, what it changes, field by field (the
    preview of a simulation), and (unless ``rejects`` is False) its rejected rows."""
    if outcome.dry_run:
        st.info("Simulation terminée : rien n'a été enregistré.")
    elif outcome.rejects is not None:
        st.warning(
            "Import terminé : les lignes valides sont enregistrées, certaines sont rejetées."
        )
    else:
        st.success("Import terminé : toutes les lignes sont enregistrées.")
    st.text("\n".join(outcome.lines))
    if outcome.changes is not None:
        st.subheader("Ce que l'import changera" if outcome.dry_run else "Ce que l'import a changé")
        st.caption(
            f"{fr_count(outcome.modifiees, 'initiative modifiée', 'initiatives modifiées')}, "
            "champ par champ : avant → après."
        )
        st.dataframe(outcome.changes, hide_index=True, width="stretch")
    if rejects:
        show_rejects(outcome)


def show_rejects(outcome: Outcome) -> None:
    """The rejected rows, to correct and download."""
    if outcome.rejects is None:
        return
    rejects, stem = outcome.rejects, Path(outcome.file_name).stem
    st.subheader("Lignes rejetées")
    st.dataframe(rejects.astype(str), hide_index=True, width="stretch")
    st.caption(
        "Corrigez-les dans le fichier ci-dessous, puis importez-le : seules elles entreront."
    )
    a, b = st.columns(2)
    a.download_button(
        "Rejets (CSV)",
        data=to_csv_bytes(rejects),
        file_name=export_name("rejets", stem, ext="csv"),
        mime=MIME_TYPES["csv"],
        on_click="ignore",
        icon=":material/download:",
    )
    b.download_button(
        "Rejets (XLSX)",
        data=to_xlsx_bytes(rejects, "Rejets"),
        file_name=export_name("rejets", stem, ext="xlsx"),
        mime=MIME_TYPES["xlsx"],
        on_click="ignore",
        icon=":material/download:",
    )


# After an import, the file is let go (a new, empty file picker): the server keeps neither the
# file nor what was read of it; the page shows what the import did.
ROUND_KEY, DONE_KEY = "import_round", "import_done"
UPLOAD_TYPES = ["csv", "txt", "xlsx", "xlsm"]
uploader_in_french(UPLOAD_TYPES)
upload = st.file_uploader(
    "Fichier à importer",
    type=UPLOAD_TYPES,
    key=f"import_file_{st.session_state.get(ROUND_KEY, 0)}",
)
uploaded_file_in_french(upload)
if upload is not None:
    st.session_state.pop(DONE_KEY, None)
elif DONE_KEY in st.session_state:
    show_outcome(st.session_state[DONE_KEY])
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
    saved_correspondences_panel(access.actor())
    st.stop()

data = upload.getvalue()
try:
    sheets = sheet_names(data, upload.name)
    # Which sheets hold initiatives: read once per file (every sheet is read for it).
    found = f"sheets_{upload.file_id}"
    if len(sheets) > 1 and found not in st.session_state:
        st.session_state[found] = sheets_with_data(data, upload.name)
    with_data = st.session_state.get(found, [])
    sheet = (
        st.selectbox(
            "Feuille du classeur",
            sheets,
            index=sheets.index(with_data[0]) if with_data else 0,
            placeholder=texts.CHOOSE,
        )
        if len(sheets) > 1
        else None
    )
    table = read_table(data, name=upload.name, sheet=sheet)
except TerritoiresError as exc:
    st.error(markdown_literal(exc.user_message))
    st.stop()

st.subheader("Aperçu")
st.caption(markdown_literal(f"{table.describe()} — {fr_count(len(table.frame), 'ligne')}."))
st.dataframe(table.frame.head(20).astype(str), hide_index=True, width="stretch")

st.subheader("Correspondance des colonnes")
choices = [*FIELDS, IGNORE]
mapping: dict[str, str] = {}
grid = st.columns(3)
for index, column in enumerate(table.frame.columns):
    guess = guess_field(column) or IGNORE
    mapping[column] = grid[index % 3].selectbox(
        markdown_literal(f"« {column} »"),
        choices,
        index=choices.index(guess),
        format_func=lambda field: FIELD_LABELS.get(field, field),
        key=f"map_{upload.file_id}_{index}",
        placeholder=texts.CHOOSE,
    )
if "reference" not in mapping.values():
    ignored = [column for column, field in mapping.items() if field == IGNORE]
    st.warning(markdown_literal(no_reference_message(ignored)), icon=":material/tag:")

# One import in progress per file and sheet: its last report (for the column mapping it was
# made with) and the confirmed correspondences survive the reruns of the next steps.
state_key = f"import_{upload.file_id}_{sheet}"
state = st.session_state.setdefault(
    state_key,
    {"confirmed": [], "updates": set(), "report": None, "mapping": None},
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
                correspondences=state["confirmed"],
                confirm_updates=state["updates"],
                dry_run=dry_run,
            )
    except TerritoiresError as exc:
        st.error(markdown_literal(exc.user_message))
        return None
    if not dry_run:
        clear_after_write()
    state.update(report=report, mapping=dict(mapping))
    return report


left, right = st.columns(2)
if left.button("Simuler l'import", icon=":material/preview:", width="stretch"):
    run(dry_run=True)
if right.button("Importer", type="primary", icon=":material/upload:", width="stretch"):
    run(dry_run=False)
report = state["report"] if state["mapping"] == mapping else None
if report is not None and not report.dry_run:  # let the file go, then show what it did
    st.session_state[DONE_KEY] = outcome_of(report, upload.name)
    st.session_state[ROUND_KEY] = st.session_state.get(ROUND_KEY, 0) + 1
    st.session_state.pop(state_key, None)
    del data, table, report, state
    release_memory_soon()
    st.rerun()

if report is not None:
    outcome = outcome_of(report, upload.name)
    show_outcome(outcome, rejects=False)

    # --- « Correspondances »: values that matched nothing, confirmed one by one ----------------
    if report.plan.suggestions:
        st.subheader("Correspondances")
        st.caption(
            "Ces valeurs ne correspondent à rien de connu : leurs lignes sont rejetées. La "
            "proposition est choisie par défaut ; changez-la au besoin (un autre libellé connu, "
            "un nouveau financeur, ou laisser les lignes rejetées), puis confirmez : la "
            "simulation est refaite avec vos choix. Rien n'est appliqué sans cette "
            "confirmation ; à l'import, les choix sont enregistrés pour les prochains imports."
        )
        with store_session() as store:
            vocabulary = Vocabulary.from_store(store)
        chosen = correspondence_form(
            report.plan.suggestions,
            vocabulary,
            locator_for(get_reference()),
            key=f"correspondances_{upload.file_id}_{len(state['confirmed'])}",
        )
        if chosen is not None:
            before = state["confirmed"]
            state["confirmed"] = merge_confirmed(before, chosen)
            if run(dry_run=True) is None:
                state["confirmed"] = before
            else:
                st.rerun()
    if state["confirmed"]:
        listed = " ; ".join(f"« {c.valeur} » → {c.proposition}" for c in state["confirmed"])
        st.caption(markdown_literal(f"Correspondances confirmées pour cet import : {listed}."))
        if st.button("Oublier ces correspondances", icon=":material/undo:"):
            state.update(confirmed=[], updates=set(), report=None)
            st.rerun()

    # --- « Mises à jour à confirmer »: reused references, both versions ----------------------
    if report.plan.collisions:
        st.subheader("Mises à jour à confirmer")
        st.caption(
            "Ces références sont déjà enregistrées, mais au moins deux de leurs titre, porteur "
            "et commune diffèrent : sans doute d'autres initiatives sous un numéro réutilisé. "
            "Leurs lignes sont rejetées, sauf celles que vous confirmez comme mises à jour."
        )
        ticked = collision_form(
            report.plan.collisions,
            locator_for(get_reference()),
            key=f"collisions_{upload.file_id}_{len(state['updates'])}",
        )
        if ticked is not None:
            state["updates"] = state["updates"] | ticked
            if run(dry_run=True) is not None:
                st.rerun()

    show_rejects(outcome)
