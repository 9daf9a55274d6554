"""The meeting sheet as a PPTX deck (python-pptx): one 16:9 slide per block, offline."""

from __future__ import annotations

import io

from pptx import Presentation
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from territoires.reports.content import SheetContent
from territoires.textsafety import printable

SLIDE_WIDTH = Inches(13.333)
SLIDE_HEIGHT = Inches(7.5)
TITLE_ONLY = 5
TITLE_SLIDE = 0
MARGIN = Inches(0.5)
TOP = Inches(1.4)


def _set_text(holder, text: str) -> None:
    """Every text of the deck goes through here: written as typed, but for the characters a
    slide cannot hold (``textsafety.printable``), which python-pptx would show as ``_x000B_``."""
    holder.text = printable(text)


def _titled(prs: Presentation, title: str) -> Slide:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    _set_text(slide.shapes.title, title)
    slide.shapes.title.text_frame.paragraphs[0].font.size = Pt(30)
    return slide


def _text(slide: Slide, text: str, top: Emu, size: int = 12, italic: bool = False) -> None:
    box = slide.shapes.add_textbox(MARGIN, top, SLIDE_WIDTH - 2 * MARGIN, Inches(0.6))
    frame = box.text_frame
    frame.word_wrap = True
    _set_text(frame, text)
    for paragraph in frame.paragraphs:
        paragraph.font.size = Pt(size)
        paragraph.font.italic = italic


def _picture(slide: Slide, png: bytes, max_height: Emu) -> None:
    picture = slide.shapes.add_picture(io.BytesIO(png), MARGIN, TOP, height=max_height)
    if picture.width > SLIDE_WIDTH - 2 * MARGIN:
        ratio = (SLIDE_WIDTH - 2 * MARGIN) / picture.width
        picture.width = int(picture.width * ratio)
        picture.height = int(picture.height * ratio)
    picture.left = int((SLIDE_WIDTH - picture.width) / 2)


def _table(slide: Slide, header: tuple[str, ...], rows: tuple[tuple[str, ...], ...], size: int):
    width = SLIDE_WIDTH - 2 * MARGIN
    height = Inches(0.3) * (len(rows) + 1)
    shape = slide.shapes.add_table(len(rows) + 1, len(header), MARGIN, TOP, width, height)
    table = shape.table
    for col, text in enumerate(header):
        _set_text(table.cell(0, col), text)
    for r, row in enumerate(rows, start=1):
        for col, text in enumerate(row):
            _set_text(table.cell(r, col), text)
    for cell in (table.cell(r, c) for r in range(len(rows) + 1) for c in range(len(header))):
        for paragraph in cell.text_frame.paragraphs:
            paragraph.font.size = Pt(size)
    return table


def _title_slide(prs: Presentation, content: SheetContent) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_SLIDE])
    _set_text(slide.shapes.title, content.title)
    subtitle = f"{content.subtitle}\n{content.date_text}"
    if content.retained:
        subtitle += f"\n{content.retained}"
    if content.notice:
        subtitle += f"\n{content.notice}"
    _set_text(slide.placeholders[1], subtitle)


ROWS_PER_SLIDE = 5  # ranked rows with their reasons that fit a 16:9 slide


def _ranking_slides(prs: Presentation, content: SheetContent) -> None:
    """The ranking on one slide (short rows) or several (rows with reasons)."""
    if not content.ranking:
        _text(_titled(prs, content.ranking_title), "Aucun territoire rural à classer.", TOP)
        return
    per_slide = ROWS_PER_SLIDE if len(content.ranking_header) > 4 else len(content.ranking)
    chunks = [
        content.ranking[start : start + per_slide]
        for start in range(0, len(content.ranking), per_slide)
    ]
    for number, chunk in enumerate(chunks, start=1):
        title = content.ranking_title
        if len(chunks) > 1:
            title += f" ({number}/{len(chunks)})"
        table = _table(_titled(prs, title), content.ranking_header, chunk, size=10)
        if len(content.ranking_header) > 4:
            _widths(table, (0.6, 2.6, 0.8, 0.7, 0.8, 6.8))


def _widths(table, inches: tuple[float, ...]) -> None:
    for column, width in zip(table.columns, inches, strict=True):
        column.width = Inches(width)


def render_pptx(content: SheetContent) -> bytes:
    """Return a deck with one slide per block: title, map, figures, charts, ranking, sources."""
    prs = Presentation()
    prs.slide_width = SLIDE_WIDTH
    prs.slide_height = SLIDE_HEIGHT
    _title_slide(prs, content)

    slide = _titled(prs, "Carte")
    if content.map_png is not None:
        _picture(slide, content.map_png, Inches(5.2))
    _text(slide, content.map_caption, Inches(6.8), size=11, italic=True)

    slide = _titled(prs, "Chiffres clés")
    with_reference = any(row[2] for row in content.figures)
    header = content.figures_header if with_reference else content.figures_header[:2]
    rows = tuple(row if with_reference else row[:2] for row in content.figures)
    _table(slide, header, rows, size=12)

    for title, png in content.charts:
        slide = _titled(prs, title)
        _picture(slide, png, Inches(5.5))

    _ranking_slides(prs, content)

    if content.method:
        slide = _titled(prs, "Méthode en cinq lignes")
        lines = (f"{n}. {line}" for n, line in enumerate(content.method, start=1))
        _text(slide, "\n".join(lines), TOP, size=14)

    slide = _titled(prs, "Sources et millésimes")
    _text(slide, "\n".join(f"• {line}" for line in content.sources), TOP, size=12)

    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()
