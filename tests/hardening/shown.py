"""What a page run by AppTest shows, read from Streamlit's messages to the browser.

Every element and block of the page is walked, and each of its texts is sorted by how the
browser reads it: Markdown (bodies of text and alerts, widget labels and help), HTML
(``st.html``), or plain text (widget values and options, code blocks).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Texts the browser renders as Markdown: element and alert bodies, widget and block labels,
# help tooltips.
MARKDOWN_FIELDS = frozenset({"body", "label", "help", "caption"})
# Texts shown as they are (a field's value, a list's options, a placeholder, a code block).
PLAIN_FIELDS = frozenset({"placeholder", "options", "value", "default", "code_text"})


def _nodes(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def _strings(message, prefix: str = "") -> Iterator[tuple[str, str]]:
    """``(field name, text)`` of every string field of a protobuf message, nested ones too."""
    for field, value in message.ListFields():
        values = value if field.is_repeated else [value]
        for item in values:
            if isinstance(item, str):
                yield field.name, item
            elif hasattr(item, "ListFields"):
                yield from _strings(item, f"{prefix}{field.name}.")


def shown_texts(at) -> Iterator[tuple[str, str, str]]:
    """``(kind, field, text)`` of everything the page shows; ``kind`` is ``"markdown"``,
    ``"html"`` or ``"plain"``."""
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "ListFields"):
            continue
        element_type = getattr(node, "type", "")
        for field, text in _strings(proto):
            if element_type == "html" and field == "body":
                yield "html", field, text
            elif element_type == "code" or field in PLAIN_FIELDS:
                yield "plain", field, text
            elif field in MARKDOWN_FIELDS:
                yield "markdown", field, text


# --- links and images to outside the app ----------------------------------------------------

# A backslash escape in Markdown: the character that follows is only text.
_ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")
_MARKDOWN_TARGETS = (
    re.compile(r"\]\s*\(\s*<?([^)\s>]*)"),  # [text](target), ![alt](target)
    re.compile(r"<([a-z][a-z0-9+.-]*:[^>\s]*)>", re.I),  # <https://…> autolinks
    re.compile(r"((?:https?|ftp)://[^\s)\]]+)", re.I),  # bare URLs, linked by GitHub Markdown
    re.compile(r"(www\.[^\s)\]]+)", re.I),
)
_HTML_TARGETS = re.compile(
    r"""<[a-z][^>]*?\s(?:src|href|srcset|action|formaction|poster|background|data)\s*=\s*"""
    r"""["']?\s*([^"'\s>]+)""",
    re.I,
)
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]+)", re.I)


def _outside(target: str) -> bool:
    """Whether a link or image target leaves the app (a scheme or a host of its own)."""
    target = target.strip().replace("\x00", "")
    if target.startswith("//") or target.lower().startswith("www."):
        return True
    scheme = re.match(r"([a-z][a-z0-9+.-]*):", target, re.I)
    return bool(scheme) and scheme.group(1).lower() not in ("data", "blob")


def outside_markdown_links(markdown: str) -> list[str]:
    """Targets of the links and images of a Markdown text that lead outside the app."""
    text = _ESCAPED.sub("\x00", markdown)
    found = [m.group(1) for pattern in _MARKDOWN_TARGETS for m in pattern.finditer(text)]
    return list(dict.fromkeys(target for target in found if _outside(target)))


def outside_html_links(body: str) -> list[str]:
    """Targets of the tags and style rules of an HTML text that lead outside the app."""
    found = [m.group(1) for m in _HTML_TARGETS.finditer(body)]
    found += [m.group(1) for m in _CSS_URL.finditer(body)]
    return [t for t in found if _outside(t)]


def outside_links(at) -> list[tuple[str, str]]:
    """Every link or image of the page that leads outside the app, with its field."""
    found = []
    for kind, field, text in shown_texts(at):
        if kind == "markdown":
            found += [(field, t) for t in outside_markdown_links(text)]
        elif kind == "html":
            found += [(field, t) for t in outside_html_links(text)]
    return found
