"""The meeting sheet as an A4 PDF (fpdf2), black and white friendly, fully offline.

Text uses the DejaVu Sans font shipped with matplotlib (full French and € support), embedded in
the PDF; no font or image is fetched from the network.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image

from territoires.reports.content import SheetContent

FONT = "DejaVu"
_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_FONT_FILES = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
}
CHART_MAX_HEIGHT = 70.0  # mm
GREY_HEADING = FontFace(emphasis="BOLD", fill_color=(225, 225, 225))


class _SheetPDF(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        for style, name in _FONT_FILES.items():
            self.add_font(FONT, style, str(_FONT_DIR / name))
        self.set_margins(14, 12, 14)
        self.set_auto_page_break(auto=True, margin=14)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, "", 7)
        self.set_text_color(80, 80, 80)
        self.cell(0, 5, f"{self.footer_text} — page {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(0, 0, 0)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(2)


def _title_block(pdf: FPDF, content: SheetContent) -> None:
    pdf.set_font(FONT, "B", 18)
    pdf.multi_cell(0, 9, content.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.cell(0, 6, content.subtitle, new_x="LMARGIN", new_y="NEXT")
    if content.retained:
        pdf.multi_cell(0, 5, content.retained, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "I", 9)
    pdf.cell(0, 5, f"Fiche éditée le {content.date_text}", new_x="LMARGIN", new_y="NEXT")
    if content.notice:
        pdf.ln(1)
        pdf.set_font(FONT, "B", 9)
        pdf.multi_cell(0, 6, content.notice, border=1, align="C", new_x="LMARGIN", new_y="NEXT")


def _map_block(pdf: FPDF, content: SheetContent) -> None:
    if content.map_png is None:
        pdf.set_font(FONT, "I", 9)
        pdf.multi_cell(0, 5, content.map_caption, new_x="LMARGIN", new_y="NEXT")
        return
    pdf.ln(2)
    pdf.image(
        io.BytesIO(content.map_png),
        x=pdf.l_margin,
        w=pdf.epw,
        h=110,
        keep_aspect_ratio=True,
    )
    pdf.set_font(FONT, "I", 8)
    pdf.multi_cell(0, 4, content.map_caption, new_x="LMARGIN", new_y="NEXT")


def _figures_block(pdf: FPDF, content: SheetContent) -> None:
    _heading(pdf, "Chiffres clés")
    with_reference = any(row[2] for row in content.figures)
    header = content.figures_header if with_reference else content.figures_header[:2]
    widths = (46, 27, 27) if with_reference else (60, 40)
    pdf.set_font(FONT, "", 8.5)
    with pdf.table(
        col_widths=widths, headings_style=GREY_HEADING, line_height=5, text_align="LEFT"
    ) as table:
        table.row(list(header))
        for row in content.figures:
            table.row(list(row if with_reference else row[:2]))


def _charts_block(pdf: FPDF, content: SheetContent) -> None:
    if not content.charts:
        return
    _heading(pdf, "Répartitions")
    top = pdf.get_y()
    width = (pdf.epw - 6) / 2
    bottom = top
    for index, (_, png) in enumerate(content.charts[:2]):
        x = pdf.l_margin + index * (width + 6)
        w, h = _fit(png, width, CHART_MAX_HEIGHT)
        pdf.image(io.BytesIO(png), x=x, y=top, w=w, h=h)
        bottom = max(bottom, top + h)
    pdf.set_y(bottom + 2)


def _fit(png: bytes, max_width: float, max_height: float) -> tuple[float, float]:
    """Largest (width, height) in mm with the image's aspect ratio inside the given box.

    Placing the image at exactly that size (rather than letting fpdf2 centre it in the box)
    keeps the next block from overlapping a short chart.
    """
    with Image.open(io.BytesIO(png)) as image:
        pixels_w, pixels_h = image.size
    scale = min(max_width / pixels_w, max_height / pixels_h)
    return pixels_w * scale, pixels_h * scale


# relative column widths of a ranking table, by its number of columns
RANKING_WIDTHS = {4: (8, 32, 10, 50), 6: (6, 24, 8, 7, 8, 67)}


def _ranking_block(pdf: FPDF, content: SheetContent) -> None:
    _heading(pdf, content.ranking_title)
    pdf.set_font(FONT, "", 7.5 if len(content.ranking_header) <= 4 else 7)
    if not content.ranking:
        pdf.multi_cell(0, 5, "Aucun territoire rural à classer.", new_x="LMARGIN", new_y="NEXT")
        return
    widths = RANKING_WIDTHS.get(len(content.ranking_header))
    with pdf.table(
        col_widths=widths, headings_style=GREY_HEADING, line_height=3.6, text_align="LEFT"
    ) as table:
        table.row(list(content.ranking_header))
        for row in content.ranking:
            table.row(list(row))


def _method_block(pdf: FPDF, content: SheetContent) -> None:
    if not content.method:
        return
    _heading(pdf, "Méthode en cinq lignes")
    pdf.set_font(FONT, "", 7.5)
    for number, line in enumerate(content.method, start=1):
        pdf.multi_cell(0, 4, f"{number}. {line}", new_x="LMARGIN", new_y="NEXT")


def _sources_block(pdf: FPDF, content: SheetContent) -> None:
    _heading(pdf, "Sources et millésimes")
    pdf.set_font(FONT, "", 7.5)
    for line in content.sources:
        pdf.multi_cell(0, 4, f"• {line}", new_x="LMARGIN", new_y="NEXT")


def render_pdf(content: SheetContent) -> bytes:
    """Lay out a ``SheetContent`` on A4 pages and return the PDF bytes."""
    pdf = _SheetPDF(f"Territoires d'engagement — {content.title} — {content.date_text}")
    pdf.set_title(content.title)
    pdf.set_author("Territoires d'engagement")
    pdf.add_page()
    _title_block(pdf, content)
    _map_block(pdf, content)
    _figures_block(pdf, content)
    pdf.add_page()
    _charts_block(pdf, content)
    _ranking_block(pdf, content)
    _method_block(pdf, content)
    _sources_block(pdf, content)
    return bytes(pdf.output())
