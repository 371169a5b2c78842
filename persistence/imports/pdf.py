"""PDF documents with reportlab: the customer file (一户一档) and a ticket's service record
(服务单). Chinese is set in reportlab's built-in CID font STSong-Light, which PDF readers
supply, so nothing is downloaded or embedded at run time. Blocks: call through a thread pool."""

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
TITLE = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=24, spaceAfter=6)
HEADING = ParagraphStyle(
    "heading",
    fontName=FONT,
    fontSize=12,
    leading=16,
    spaceBefore=10,
    spaceAfter=4,
    textColor=colors.HexColor("#1F3864"),
)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=13, wordWrap="CJK")
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, textColor=colors.grey)


def _p(value: Any, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape("" if value is None else str(value)).replace("\n", "<br/>"), style)


def _pairs(pairs: Sequence[tuple[str, Any]], width: float) -> Table:
    """Label/value pairs two to a line."""
    cells = [[_p(k), _p(v)] for k, v in pairs]
    rows = [
        cells[i] + (cells[i + 1] if i + 1 < len(cells) else [_p(""), _p("")])
        for i in range(0, len(cells), 2)
    ]
    table = Table(rows, colWidths=[width * 0.15, width * 0.35] * 2, splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#BFBFBF")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2")),
                ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#F2F2F2")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _grid(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], width: float, fractions: Sequence[float]
) -> Table:
    data = [[_p(h) for h in headers]] + [[_p(v) for v in row] for row in rows]
    # splitInRow: a row taller than a page (a note of hundreds of lines) runs onto the next
    # page instead of failing the whole document.
    table = Table(data, colWidths=[width * f for f in fractions], repeatRows=1, splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#BFBFBF")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def document(title: str, subtitle: str, sections: Sequence[tuple[str, Any]], footer: str) -> bytes:
    """A document of titled sections; a section is pairs (list of tuples), a grid
    (headers, rows, fractions), text, or None (a line saying there is nothing)."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        author="CRM",
    )
    width = doc.width
    story: list[Any] = [_p(title, TITLE), _p(subtitle, SMALL), Spacer(1, 4 * mm)]
    for heading, content in sections:
        story.append(_p(heading, HEADING))
        if content is None or content == [] or (isinstance(content, tuple) and not content[1]):
            story.append(_p("—"))
        elif isinstance(content, list):
            story.append(_pairs(content, width))
        elif isinstance(content, tuple):
            headers, rows, fractions = content
            story.append(_grid(headers, rows, width, fractions))
        else:
            story.append(_p(content))

    def page_footer(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawString(15 * mm, 8 * mm, f"{footer}    第 {canvas.getPageNumber()} 页")
        canvas.restoreState()

    doc.build(story, onFirstPage=page_footer, onLaterPages=page_footer)
    return out.getvalue()
