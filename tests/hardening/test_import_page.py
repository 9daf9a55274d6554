"""« Importer »: after an import, the server lets the file go and shows what it did."""

from __future__ import annotations

import pytest
from apptest_tools import assert_no_exception, run_app

pytestmark = pytest.mark.realdata
PAGE = "app_pages/importer.py"
FILE = (
    "titre;porteur;code_insee;montant;annee\n"
    "Jardin partagé;Association A;29019;1000;2024\n"
    "Atelier vélo;Association B;22278;beaucoup;2023\n"
).encode()


def test_after_an_import_the_file_is_let_go_and_the_report_stays(app_env, monkeypatch):
    from territoires.ui import memory

    released = []
    monkeypatch.setattr(memory, "release_memory", lambda: released.append(True) or True)
    monkeypatch.setattr(memory, "RELEASE_DELAY_S", 0.0)
    at = run_app(PAGE)
    at.file_uploader[0].upload("comite.csv", FILE, "text/csv").run()
    assert_no_exception(at)
    simulate = next(b for b in at.button if b.label == "Simuler l'import")
    simulate.click().run()
    assert [i for i in at.info if i.value.startswith("Simulation terminée")]
    assert at.file_uploader[0].value is not None  # a simulation keeps the file, to import it
    next(b for b in at.button if b.label == "Importer").click().run()
    assert_no_exception(at)
    assert at.file_uploader[0].value is None  # a new, empty file picker: the file is let go
    assert [w for w in at.warning if w.value.startswith("Import terminé")]
    assert any(s.value == "Lignes rejetées" for s in at.subheader)
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"Rejets (CSV)", "Rejets (XLSX)"} <= set(labels), labels
    memory._last_release.join(timeout=10)
    assert released == [True]
