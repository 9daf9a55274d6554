"""Rurality: the density approximation, official files (tiny fixtures and real copies)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import xlsxwriter

from territoires.errors import ImportFileError
from territoires.geo.official import normalise_code, parse_density_grid, parse_frr
from territoires.geo.rurality import (
    agreement,
    approximate_levels,
    approximation_quality,
    density_level,
    frr_frame,
    import_density_grid,
    import_frr,
    remove_official,
    rural_communes_label,
    rural_qualifier,
    rurality_frame,
    rurality_label,
    rurality_source,
)


@pytest.mark.parametrize(
    ("density", "level"),
    [
        (1500.0, "dense"),
        (1499.9, "intermediaire"),
        (310.0, "intermediaire"),
        (309.9, "peu-dense"),
        (30.0, "peu-dense"),
        (29.9, "tres-peu-dense"),
        (0.0, "tres-peu-dense"),
        (math.nan, "inconnu"),
    ],
)
def test_density_thresholds(density, level):
    assert density_level(density) == level


def test_approximation_is_labelled_and_rural_is_peu_or_tres_peu_dense(tiny_reference):
    frame = rurality_frame(tiny_reference)
    assert list(frame.columns[:6]) == [
        "code_insee",
        "niveau",
        "libelle",
        "rural",
        "source",
        "millesime",
    ]
    assert (frame["source"] == "approximation").all()
    assert frame["libelle"].str.contains("approximation").all()
    by_code = frame.set_index("code_insee")
    # Row y=2 of the fixture is dense (20 000 x index inhabitants on ~82 km²).
    assert by_code.loc["22009", "niveau"] == "dense" and not by_code.loc["22009", "rural"]
    # 22001: 100 inhabitants on ~82 km² -> très peu dense, rural.
    assert by_code.loc["22001", "niveau"] == "tres-peu-dense" and by_code.loc["22001", "rural"]
    assert frame["rural"].tolist() == frame["niveau"].isin(["peu-dense", "tres-peu-dense"]).tolist()
    assert tiny_reference.rurality("22001")["rural"]


def _grid_csv(tmp_path, text: str, name: str = "grille_densite_2024.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_parse_seven_level_grid_csv(tmp_path):
    parsed = parse_density_grid(_grid_csv(tmp_path, "code,grille7\n22001,7\n22009,1\n2A004,4\n"))
    assert parsed.levels == 7
    assert parsed.vintage_hint == "2024"
    assert parsed.frame.to_dict("list") == {
        "code_insee": ["22001", "22009", "2A004"],
        "niveau_source": [7, 1, 4],
    }


def test_parse_grid_rejects_bad_rows_and_missing_columns(tmp_path):
    with pytest.raises(ImportFileError, match="ligne 3"):
        parse_density_grid(_grid_csv(tmp_path, "code,grille7\n22001,7\n22009,x\n"))
    with pytest.raises(ImportFileError, match="niveau introuvable"):
        parse_density_grid(_grid_csv(tmp_path, "code,population\n22001,7\n"))
    with pytest.raises(ImportFileError, match="hors de 1 à 3"):
        parse_density_grid(_grid_csv(tmp_path, "CODGEO;DENS\n22001;3\n22002;4\n"), levels=3)


def _insee_like_xlsx(path, rows):
    """A workbook shaped like INSEE's: a documentation sheet, title rows, then the header."""
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("Documentation").write(0, 0, "Grille communale de densité")
    sheet = book.add_worksheet("Grille_Densite")
    sheet.write(0, 0, "Grille communale de densité à 7 niveaux, millésime 2024")
    sheet.write(1, 0, "Source : Insee")
    for r, row in enumerate(rows, start=4):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return path


def test_parse_grid_xlsx_with_title_rows_and_numeric_codes(tmp_path):
    path = _insee_like_xlsx(
        tmp_path / "grille.xlsx",
        [
            ["CODGEO", "LIBGEO", "DENS", "LIBDENS"],
            [1001, "L'Abergement", 6, "Rural"],
            ["2B033", "Bastia", 2, "x"],
        ],
    )
    parsed = parse_density_grid(path)
    assert parsed.frame["code_insee"].tolist() == ["01001", "2B033"]  # leading zero restored
    assert parsed.frame["niveau_source"].tolist() == [6, 2]
    assert parsed.levels == 7
    assert parsed.vintage_hint == "2024"  # read from the title rows


def test_import_grid_persists_with_its_vintage_and_overrides(tiny_reference, tmp_path):
    path = _grid_csv(tmp_path, "code;grille7\n22001;1\n22009;6\n", name="grille.csv")
    with pytest.raises(ImportFileError, match="millésime"):
        import_density_grid(path)
    meta = import_density_grid(path, "2024", reference=tiny_reference)
    assert meta["millesime"] == "2024" and meta["niveaux"] == 7 and meta["communes"] == 2
    frame = rurality_frame(tiny_reference).set_index("code_insee")
    assert frame.loc["22001", "niveau"] == "dense"
    assert frame.loc["22001", "libelle"] == "Grands centres urbains"
    assert frame.loc["22009", "libelle"] == "Rural à habitat dispersé"
    assert frame.loc["22009", "rural"]
    assert frame.loc["22009", "millesime"] == "2024"
    # Communes absent from the file keep the labelled approximation.
    assert frame.loc["22002", "source"] == "approximation"
    assert "INSEE 2024" in rurality_source(tiny_reference)
    remove_official("grille_densite")
    from territoires.geo.rurality import load_official_override

    assert load_official_override() is None


FRR_TEXT = (
    "Code_insee;Departement;Commune;Classement FRR et FRR+ au 10 juillet 2025;\r\n"
    "22001;22;Commune 1;FRR socle;\r\n"
    "22002;22;Commune 2;Non classée;\r\n"
    "2A004;2A;Ajaccio;FRR+;\r\n"
    "1005;01;Ambérieux;FRR bénéficiaire partiellement;\r\n"
)


def test_parse_frr_real_format(tmp_path):
    path = tmp_path / "liste-frr.csv"
    path.write_bytes(FRR_TEXT.encode("utf-8"))
    parsed = parse_frr(path)
    assert parsed.vintage_hint == "2025"
    assert parsed.frame["code_insee"].tolist() == ["22001", "22002", "2A004", "01005"]
    assert parsed.frame["frr"].tolist()[:2] == ["FRR socle", "Non classée"]


def test_import_frr_adds_a_column(tiny_reference, tmp_path):
    path = tmp_path / "frr.csv"
    path.write_bytes(FRR_TEXT.encode("utf-8"))
    meta = import_frr(path, reference=tiny_reference)
    assert meta["communes_classees"] == 3 and meta["millesime"] == "2025"
    frame = rurality_frame(tiny_reference).set_index("code_insee")
    assert frame.loc["22001", "frr"] == "FRR socle"
    assert frame.loc["22005", "frr"] is None
    persisted = frr_frame()
    assert persisted["classee"].tolist() == [True, False, True, True]


@pytest.mark.parametrize(
    ("raw", "code"),
    [("1001", "01001"), (1001.0, "01001"), ("2a004", "2A004"), ("97411", "97411"), ("abc", None)],
)
def test_normalise_code(raw, code):
    assert normalise_code(raw) == code


# --- real copies (skip without ../shared) ----------------------------------------------------


def test_real_frr_file_classes_19934_communes(shared_reference_dir):
    parsed = parse_frr(shared_reference_dir / "liste-communes-FRR-juillet2025.csv")
    assert len(parsed.frame) == 34_875
    from territoires.geo.official import frr_is_classed

    assert int(parsed.frame["frr"].map(frr_is_classed).sum()) == 19_934


def test_real_bretagne_grid_parses(shared_reference_dir):
    parsed = parse_density_grid(
        shared_reference_dir / "grille_densite_7niv_2024_bretagne_transcribed.csv"
    )
    assert parsed.levels == 7 and parsed.vintage_hint == "2024"
    assert len(parsed.frame) == 1202
    assert set(parsed.frame["code_insee"].str[:2]) == {"22", "29", "35", "56"}


def test_real_insee_workbook_is_readable(shared_reference_dir):
    """INSEE's styled workbook (title rows, several sheets) is read without openpyxl."""
    from territoires.geo.official import CODE_HEADERS, find_header, read_rows

    rows = read_rows(shared_reference_dir / "table-appartenance-geo-communes-2024.xlsx")
    start = find_header(rows, CODE_HEADERS)
    assert start is not None and start > 0
    assert rows[start][0] == "CODGEO"
    assert rows[start + 1][0] == "01001"


@pytest.mark.realdata
def test_approximation_agreement_on_bretagne(shared_reference_dir, real_reference):
    """Measured agreement of the approximation with the official 2024 grid (issue 23: 93.7 %,
    85.3 %; the density alone gave 92.9 % and 84.2 %)."""
    from territoires.geo.rurality import GRID_LEVELS

    grid = parse_density_grid(
        shared_reference_dir / "grille_densite_7niv_2024_bretagne_transcribed.csv"
    ).frame
    approx = rurality_frame(real_reference).set_index("code_insee")
    grid = grid.loc[grid["code_insee"].isin(approx.index)]
    official = grid["niveau_source"].map(lambda v: GRID_LEVELS[7][v][1])
    official_rural = grid["niveau_source"] >= 5
    mine = approx.loc[grid["code_insee"]]
    rural_agreement = float((mine["rural"].to_numpy() == official_rural.to_numpy()).mean())
    level_agreement = float((mine["niveau"].to_numpy() == official.to_numpy()).mean())
    print(f"accord rural/urbain {rural_agreement:.1%}, accord 4 niveaux {level_agreement:.1%}")
    assert len(grid) > 1150
    assert rural_agreement == pytest.approx(0.937, abs=0.005)
    assert level_agreement == pytest.approx(0.853, abs=0.005)


def test_committed_bretagne_grid_is_derived_from_the_official_copy(shared_reference_dir):
    import importlib.util

    from territoires.settings import ROOT

    spec = importlib.util.spec_from_file_location(
        "derive", ROOT / "geodata" / "derive_grille_bretagne_2024.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    derived = module.derive(
        shared_reference_dir / "grille_densite_7niv_2024_bretagne_transcribed.csv"
    )
    from territoires.geo.sources import read_bretagne_grid

    pd.testing.assert_frame_equal(derived.reset_index(drop=True), read_bretagne_grid())


@pytest.mark.realdata
def test_approximation_matches_national_shares_and_beats_density_alone(real_reference):
    """Issue 23: INSEE's grid classes about 88 % of communes and 33 % of people rural."""
    from territoires.geo.sources import read_bretagne_grid

    quality = approximation_quality(real_reference.communes, read_bretagne_grid())
    shares = quality["approximation"]["parts_nationales"]
    assert shares["communes"] == pytest.approx(0.88, abs=0.015)
    assert shares["population"] == pytest.approx(0.33, abs=0.015)
    old = quality["densite_seule"]
    assert old["parts_nationales"]["population"] > 0.39  # the former approximation
    new, before = quality["approximation"]["accord"], old["accord"]
    assert new["communes"] == 1198
    assert new["rural"] > before["rural"] and new["niveau"] > before["niveau"]


def test_parse_frr_saved_by_excel_in_windows_1252(tmp_path):
    path = tmp_path / "frr-2025.csv"
    path.write_bytes(FRR_TEXT.encode("cp1252"))
    parsed = parse_frr(path)
    assert parsed.frame["frr"].tolist()[1] == "Non classée"


def test_vectorised_approximation_matches_the_scalar_rule():
    from territoires.geo.rurality import approximate_rurality

    densities = [math.nan, 0.0, 29.9, 30.0, 309.9, 310.0, 1499.9, 1500.0, 25_000.0]
    frame = pd.DataFrame({"code_insee": [f"{i:05d}" for i in range(9)], "densite": densities})
    result = approximate_rurality(frame)
    assert result["niveau"].tolist() == [density_level(d) for d in densities]


# --- the approximation with the zonings (issue 23) ------------------------------------------


@pytest.mark.parametrize(
    ("density", "population", "uu2020", "level"),
    [
        (2000.0, 80_000, "35701", "dense"),  # dense, in a large unité urbaine
        (2000.0, 3_000, "22103", "peu-dense"),  # as dense, but a bourg (unité urbaine < 5 000)
        (2000.0, 60_000, "22103", "dense"),  # a commune of 50 000 inhabitants or more
        (200.0, 4_000, "22203", "intermediaire"),  # ≥ 160 in an unité urbaine ≥ 5 000
        (200.0, 4_000, "22103", "peu-dense"),  # ≥ 160 but a unité urbaine under 5 000
        (200.0, 4_000, "22000", "peu-dense"),  # outside any unité urbaine
        (100.0, 25_000, "22000", "intermediaire"),  # a commune of 20 000 or more
        (29.0, 500, "22000", "tres-peu-dense"),
        (400.0, 4_000, None, "intermediaire"),  # unknown unité urbaine: density alone
        (200.0, 4_000, None, "peu-dense"),
        (math.nan, 0, "22000", "inconnu"),
    ],
)
def test_approximation_uses_density_population_and_unite_urbaine(
    density, population, uu2020, level
):
    frame = pd.DataFrame({"densite": [density], "population": [population], "uu2020": [uu2020]})
    assert approximate_levels(frame).tolist() == [level]


def test_agreement_and_national_shares():
    communes = pd.DataFrame(
        {
            "code_insee": ["22001", "22002", "22003", "22004"],
            "densite": [10.0, 100.0, 2000.0, 200.0],
            "population": [100, 1_000, 80_000, 5_000],
            "uu2020": ["22000", "22000", "35701", "22000"],
        }
    )
    grid = pd.DataFrame(
        {"code_insee": ["22001", "22002", "22003", "99999"], "niveau": ["tres-peu-dense"] * 4}
    )
    levels = pd.Series(approximate_levels(communes), index=communes["code_insee"])
    result = agreement(levels, grid)
    assert result["communes"] == 3  # the code unknown to the communes is left out
    assert result["rural"] == pytest.approx(2 / 3)  # 22003 is dense, the grid says rural
    assert result["niveau"] == pytest.approx(1 / 3)
    quality = approximation_quality(communes, grid)
    shares = quality["approximation"]["parts_nationales"]
    assert shares == {"communes": 0.75, "population": pytest.approx(6_100 / 86_100)}
    assert set(quality) == {"approximation", "densite_seule"}


def test_labels_name_the_source_and_say_approximation(tiny_reference, tmp_path):
    assert rural_qualifier(tiny_reference) == "approximation"
    assert rural_communes_label(tiny_reference) == "Communes rurales (approximation)"
    assert rurality_label(tiny_reference).startswith("approximation (densité")
    assert "approximation par la densité" in rurality_source(tiny_reference)
    part = _grid_csv(tmp_path, "code;grille7\n22001;1\n", name="grille-2024.csv")
    import_density_grid(part, "2024", reference=tiny_reference)
    assert rural_qualifier(tiny_reference) == "grille INSEE 2024 et approximation"
    assert rurality_label(tiny_reference).startswith("grille communale de densité INSEE 2024 et")
    codes = "\n".join(f"{c};7" for c in tiny_reference.communes["code_insee"])
    import_density_grid(
        _grid_csv(tmp_path, "code;grille7\n" + codes), "2024", reference=tiny_reference
    )
    assert rural_qualifier(tiny_reference) == "grille INSEE 2024"
    assert rurality_label(tiny_reference) == "grille communale de densité INSEE 2024"


def test_the_source_counts_the_communes_the_grid_is_applied_to(tiny_reference, tmp_path):
    """Issue 23: the grid listed 1,202 communes, 1,198 applied; the sentence said 1,202."""
    path = _grid_csv(tmp_path, "code;grille7\n22001;1\n22009;6\n35999;5\n")
    import_density_grid(path, "2024", reference=tiny_reference)
    text = rurality_source(tiny_reference)
    assert "appliquée à 2 communes" in text
    assert "pour les 10 autres communes" in text
