"""Text as the export formats can hold it.

A title or a funder typed in a spreadsheet can carry characters that no document format holds:
control characters (a vertical tab from a cell with a line break in old Excel files, an escape
code pasted from a terminal), byte-order marks, Unicode non-characters. python-pptx writes them
as ``_x000B_``, which a deck then shows as is. ``printable`` leaves them out, and keeps line
breaks and tabs; the rest of the text is written as typed.
"""

from __future__ import annotations

import re

# C0 and C1 controls but tab and line feed; carriage returns become line feeds; the byte-order
# mark, surrogates and the non-characters U+FFFE and U+FFFF.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` without the characters a document cannot hold (line breaks kept)."""
    return _UNPRINTABLE.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))
