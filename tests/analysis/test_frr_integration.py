"""The official FRR list imported by a user (from ../shared, skipped without it) replaces the
committed one in the score's need part and in the suggestions, on the real reference."""

from __future__ import annotations

import pytest

from territoires.analysis.indicators import builtin_indicators, frr_codes, read_frr_table
from territoires.analysis.ranking import rank_territories
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


def test_imported_frr_list_feeds_the_score_and_the_suggestions(reference_with_frr):
    reference = reference_with_frr
    frr = frr_codes(reference)
    assert len(frr) == 19_934  # « Classement FRR et FRR+ au 10 juillet 2025 »
    assert frr == set(read_frr_table()["code_insee"])  # the same list as the committed one
    indicator = next(i for i in builtin_indicators(reference) if i.key == "frr")
    assert indicator.vintage == "2025 (liste importée)"
    initiatives = random_initiatives(reference, 300, seed=1)
    scope = Scope("region", "53")
    scored = rank_territories(
        initiatives, reference, "epci", scope, indicators=builtin_indicators(reference)
    )
    ranked = scored.loc[scored["eligible"]]
    assert ranked["besoin_frr"].between(0, 1).all() and ranked["besoin_frr"].max() > 0
    assert ranked["composante_frr"].notna().all()
    assert ranked["raisons"].str.lower().str.contains("population en commune frr").all()
    sites = suggest_sites(initiatives, reference, k=5, scope=scope, frr_codes=frr, frr_only=True)
    assert len(sites) > 0
    assert set(sites["code_insee"]) <= frr
