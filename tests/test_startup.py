"""What a command costs before it does anything (issue 21): every command module is imported to
build the parser, so none may import a heavy library that only its own command needs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Imported only by the commands that use them (scipy alone takes 0.4 s to import).
HEAVY = ("scipy", "sklearn", "matplotlib", "fpdf", "pptx", "folium", "streamlit", "openpyxl")


def test_building_the_parser_imports_no_heavy_library() -> None:
    code = (
        "import sys\n"
        "from territoires.cli import build_parser\n"
        "build_parser()\n"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == []
