"""Map metrics read in French, with their unit (tooltips and legends)."""

from __future__ import annotations

import math

from territoires.formatting import NBSP, THOUSANDS
from territoires.maps.metrics import format_metric


def test_counts_take_the_french_singular_for_zero_and_one():
    assert format_metric(0, "initiatives") == "0 initiative"
    assert format_metric(1.0, "initiatives") == "1 initiative"
    assert format_metric(3.0, "initiatives") == "3 initiatives"
    assert format_metric(2, "nb_themes") == "2 thèmes"


def test_other_metrics_carry_their_unit_and_decimals():
    assert format_metric(12500.4, "montant") == f"12{THOUSANDS}500{NBSP}€"
    assert format_metric(4.26, "euros_par_hab") == f"4,3{NBSP}€ par hab."
    assert format_metric(math.nan, "montant") == "donnée manquante"
