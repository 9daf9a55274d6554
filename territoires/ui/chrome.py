"""Chrome shared by every page: the fictional-data banner and the sidebar heading."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from territoires import texts
from territoires.formatting import fr_file_size
from territoires.maps.assets import ASSETS_DIR
from territoires.ui.cache import get_demo_shown


def demo_data_shown() -> bool:
    """True while the store holds only fictional demo records."""
    return get_demo_shown()


def render_chrome(*, presentation: bool = False) -> None:
    """Show the demo banner (always, even in presentation mode) and the sidebar heading."""
    # Also in presentation mode (whose style overrides the page's margins): a server stopped
    # during a meeting, an unexpected error, are said in French there too.
    st.html(PAGE_HTML, unsafe_allow_javascript=True)
    if demo_data_shown():
        if presentation:
            st.caption(f":orange-badge[{texts.DEMO_BADGE}]")
        else:
            st.warning(texts.DEMO_BANNER, icon=":material/science:")
    if not presentation:
        with st.sidebar:
            st.markdown(f"### {texts.APP_TITLE}")
            st.caption(texts.APP_SUBTITLE)


_DETAILS_CSS = """
<style>
.te-details { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
.te-details th { text-align: left; font-weight: 600; white-space: nowrap; vertical-align: top;
  padding: 0.35rem 1.5rem 0.35rem 0; color: rgba(49, 51, 63, 0.8); width: 12rem; }
.te-details td { padding: 0.35rem 0; vertical-align: top; overflow-wrap: anywhere; }
.te-details tr + tr > * { border-top: 1px solid rgba(49, 51, 63, 0.1); }
</style>
"""


def details_html(details: pd.DataFrame) -> str:
    """A ``(Champ, Valeur)`` table as two-column HTML: known fields only, every text escaped,
    long texts (a description) wrapped rather than cut."""
    rows = "".join(
        f"<tr><th>{html.escape(str(field))}</th><td>{html.escape(str(value))}</td></tr>"
        for field, value in zip(details["Champ"], details["Valeur"], strict=True)
        if str(value).strip()
    )
    return f'{_DETAILS_CSS}<table class="te-details">{rows}</table>'


_FIGURES_CSS = """
<style>
.te-figures { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
.te-figures th, .te-figures td { padding: 0.4rem 0.75rem; vertical-align: top;
  border-bottom: 1px solid rgba(49, 51, 63, 0.1); overflow-wrap: anywhere; }
.te-figures thead th { font-weight: 600; color: rgba(49, 51, 63, 0.8); text-align: right;
  border-bottom: 2px solid rgba(49, 51, 63, 0.2); }
.te-figures thead th:first-child, .te-figures tbody th { text-align: left; font-weight: 400; }
.te-figures tbody th { width: 36%; }
.te-figures td { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.te-figures td.texte { text-align: left; white-space: normal; }
</style>
"""
_NUMBER = re.compile(r"[\d\s\u00a0\u202f,.%€km/—–-]+")


def figures_html(table: pd.DataFrame) -> str:
    """A figures table (a label column, then one column per territory) as HTML: every text
    escaped, figures right-aligned to compare them down a column, long texts (a list of
    themes) wrapped rather than cut."""

    def cell(value: object) -> str:
        text = str(value)
        kind = "" if _NUMBER.fullmatch(text) else ' class="texte"'
        return f"<td{kind}>{html.escape(text)}</td>"

    head = "".join(f"<th>{html.escape(str(column))}</th>" for column in table.columns)
    rows = "".join(
        f"<tr><th>{html.escape(str(row[0]))}</th>{''.join(cell(v) for v in row[1:])}</tr>"
        for row in table.itertuples(index=False)
    )
    return (
        f'{_FIGURES_CSS}<table class="te-figures"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def css_string(text: str) -> str:
    """``text`` as a CSS string literal: quotes, backslashes, line breaks and ``<`` escaped."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ").replace("<", "\\3c ")
    )
    return f'"{escaped}"'


_UPLOADER = '[data-testid="stFileUploaderDropzone"]'
_UPLOADER_BUTTON = f'{_UPLOADER} [data-testid="stBaseButton-secondary"] p'
_UPLOADER_HINT = '[data-testid="stFileUploaderDropzoneInstructions"] span'
_FILE_SIZE = '[data-testid="stFileChip"] [data-testid="stFileChipName"] + *'


def _text_instead(selector: str, text: str, *, size: str = "0.875rem") -> str:
    """CSS rules that draw ``text`` in place of the elements' own text (set to size zero)."""
    return (
        f"{selector} {{ font-size: 0; }}"
        f"{selector}::after {{ content: {css_string(text)}; font-size: {size}; }}"
    )


# Streamlit writes some texts of its own in English, with no option to change them: « Press Enter
# to apply » under a text being typed (the search filter); in the lists searched by name
# (Périmètre, Thèmes…), « Select all », « Select 3 matches » and « No results ». They are set to
# size zero and the French text is drawn after them. « No results » is the one option drawn as
# « display: contents », straight under its list; the others sit in positioned rows.
_INPUT_HINT = '[data-testid="InputInstructions"] > span'
_NO_MATCH = '[role="listbox"] > [role="option"][style*="contents"] > span'
_SELECT_ALL = '[role="option"][data-key="__select_all__"] > [data-item-hl]'
_SELECT_MATCHES = '[role="option"][data-key="__select_matches__"] > [data-item-hl]'

# Streamlit leaves 6rem above a page for its header, which is transparent and holds only the
# menu, in the margin: 2.5rem bring the page (on « Carte », the whole map) 56 pixels higher.
# A key figure's label (st.metric) wraps instead of ending in « … »: « Territoires signalés (20 %
# les moins couverts) » must be read in full, on a laptop as on a projector.
_METRIC_LABEL = '[data-testid="stMetricLabel"]'
PAGE_CSS = (
    '<style>[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }'
    + f"{_METRIC_LABEL}, {_METRIC_LABEL} * {{ white-space: normal !important;"
    " overflow: visible !important; text-overflow: clip !important; height: auto !important; }"
    + _text_instead(_INPUT_HINT, texts.INPUT_HINT, size="0.75rem")
    + _text_instead(_NO_MATCH, texts.NO_OPTION_MATCH)
    + _text_instead(_SELECT_ALL, texts.SELECT_ALL)
    + _text_instead(_SELECT_MATCHES, texts.SELECT_MATCHES)
    + "</style>"
)
# Streamlit's other English texts (the tables' column menu and tooltips, the labels read aloud)
# are translated in the browser by a script of ours, with no user input in it. With a script,
# the element takes a place in the page (a stylesheet alone takes none): its marker hides it, so
# that the page does not start 16 pixels lower.
FRENCH_SCRIPT = ASSETS_DIR / "territoires" / "streamlit-fr.js"
_MARKER = "te-page-chrome"
PAGE_HTML = (
    PAGE_CSS
    + f'<style>[data-testid="stElementContainer"]:has(.{_MARKER}) {{ display: none; }}</style>'
    + f'<i class="{_MARKER}"></i>'
    + "<script>"
    + FRENCH_SCRIPT.read_text(encoding="utf-8")
    + "</script>"
)


def uploader_css(types: Sequence[str], max_mb: int) -> str:
    """A stylesheet that shows the file uploader's button and size hint in French.

    Streamlit writes « Upload » and « 200MB per file • CSV… » itself, with no option to change
    them: the English text is set to size zero and the French one is drawn after it.
    """
    hint = texts.UPLOAD_LIMIT.format(size=max_mb)
    if types:
        hint += " • " + ", ".join(t.upper() for t in types)
    return (
        "<style>"
        + _text_instead(_UPLOADER_BUTTON, texts.UPLOAD_BUTTON)
        + _text_instead(_UPLOADER_HINT, hint)
        + "</style>"
    )


def uploaded_file_css(size: int) -> str:
    """A stylesheet that shows the chosen file's size in French (« 41 o », not « 41.0B »)."""
    return "<style>" + _text_instead(_FILE_SIZE, fr_file_size(size)) + "</style>"


def uploader_in_french(types: Sequence[str]) -> None:
    """Show this page's ``st.file_uploader`` texts in French (call it once per page)."""
    st.html(uploader_css(types, int(st.get_option("server.maxUploadSize"))))


def uploaded_file_in_french(upload) -> None:
    """Show the size of the file chosen in this page's ``st.file_uploader`` in French."""
    if upload is not None:
        st.html(uploaded_file_css(int(upload.size)))
