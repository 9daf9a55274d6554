"""Layout of the meeting sheet's chart block."""

import io

from PIL import Image

from territoires.formatting import THOUSANDS
from territoires.reports.pdf import _fit


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_wide_chart_is_limited_by_the_width_and_keeps_its_aspect_ratio():
    w, h = _fit(_png(600, 300), 90.0, 70.0)
    assert (round(w, 6), round(h, 6)) == (90.0, 45.0)


def test_a_tall_chart_is_limited_by_the_height_so_the_next_block_starts_below_it():
    w, h = _fit(_png(300, 600), 90.0, 70.0)
    assert (round(w, 6), round(h, 6)) == (35.0, 70.0)


def test_the_population_row_names_its_vintage_when_known():
    from territoires.reports.content import figure_rows

    figures = {"population": 1200, "initiatives": 3}
    assert figure_rows(figures, 15.0, "2023")[0] == ("Population (2023)", f"1{THOUSANDS}200")
    assert figure_rows(figures, 15.0)[0][0] == "Population"
