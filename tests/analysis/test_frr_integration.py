"""The official FRR list (from ../shared, skipped without it) feeds the score and the
suggestions on the real reference."""

from __future__ import annotations

import pytest

from territoires.analysis.coverage import coverage, frr_codes_from
from territoires.analysis.score import underserved_score
from territoires.analysis.suggest import suggest_sites
from territoires.analysis.synthetic import random_initiatives
from territoires.geo.reference import Scope

pytestmark = pytest.mark.realdata


@pytest.fixture
def reference_with_frr(tmp_path, shared_reference_dir, geodata_ready):
    from territoires.geo.cache import load_reference
    from territoires.geo.rurality import frr_frame, import_frr

    reference = load_reference()
    import_frr(shared_reference_dir / "liste-communes-FRR-juillet2025.csv", directory=tmp_path)
    reference.frr = frr_frame(tmp_path)
    return reference


def test_frr_component_and_frr_only_suggestions(reference_with_frr):
    reference = reference_with_frr
    frr = frr_codes_from(reference.frr)
    assert len(frr) == 19_934  # « Classement FRR et FRR+ au 10 juillet 2025 »
    initiatives = random_initiatives(reference, 300, seed=1)
    scope = Scope("region", "53")
    table = coverage(initiatives, reference, "epci", scope, frr_codes=frr)
    assert table["part_population_frr"].between(0, 1).all()
    assert table["part_population_frr"].max() > 0
    scored = underserved_score(table)
    assert scored["composante_frr"].notna().all()
    assert scored["raisons"].str.contains("population en FRR").all()
    sites = suggest_sites(initiatives, reference, k=5, scope=scope, frr_codes=frr, frr_only=True)
    assert len(sites) > 0
    assert set(sites["code_insee"]) <= frr
