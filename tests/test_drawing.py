"""Every text drawn with matplotlib is drawn as typed (``territoires.drawing``)."""

from __future__ import annotations

import ast
import io
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from territoires.drawing import render_png

ROOT = Path(__file__).resolve().parents[1]
DOLLARS = "Fonds $\\undefinedmacro{$ local"


def test_render_png_draws_dollars_and_backslashes_as_typed():
    drawn = []

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        ax.set_title(DOLLARS)
        ax.bar([0, 1], [1, 2], tick_label=["$x^2$", DOLLARS])
        ax.legend(["$\\alpha$"], title="$$")
        drawn.append(fig)

    png = render_png(draw, figsize=(4, 3), dpi=50)
    assert Image.open(io.BytesIO(png)).size == (200, 150)
    texts = drawn[0].findobj(Text)
    labels = {t.get_text() for t in texts}
    assert {DOLLARS, "$x^2$", "$\\alpha$", "$$"} <= labels
    # no text of the figure, tick labels (made while saving) included, is read as a formula
    assert all(not t._preprocess_math(t.get_text())[1] for t in texts)


def _figures_made_elsewhere(source: str, name: str) -> list[str]:
    """``name:line`` of each figure made without ``render_png`` (``Figure(…)``, pyplot)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            owner = getattr(func, "value", None)
            if called == "Figure" or (isinstance(owner, ast.Name) and owner.id == "plt"):
                found.append(f"{name}:{node.lineno}")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if "matplotlib.pyplot" in [*modules, getattr(node, "module", None)]:
                found.append(f"{name}:{node.lineno}")
    return found


def test_the_check_finds_figures_made_elsewhere():
    source = "import matplotlib.pyplot as plt\nfig = plt.figure()\nother = Figure()\n"
    assert _figures_made_elsewhere(source, "x.py") == ["x.py:1", "x.py:2", "x.py:3"]


def test_every_matplotlib_figure_is_made_by_render_png():
    """The slide PNG, the sheets' maps and charts: one place makes figures, with literal text."""
    sources = {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for path in (ROOT / "territoires").rglob("*.py")
        if path.name != "drawing.py"
    }
    found = [
        hit
        for name, source in sources.items()
        if "matplotlib" in source
        for hit in _figures_made_elsewhere(source, name)
    ]
    assert not found, found
