"""A report as PDF (reportlab): each figure's definition, table and a chart drawn with
reportlab.graphics; Chinese in the built-in CID font STSong-Light (no font file to ship)."""

import io

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from domain.analytics.report import ReportContent, Table

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
MAX_COLUMNS = 7  # the table's value columns on a portrait page; the xlsx has them all
MAX_ROWS = 40
PALETTE = [
    colors.HexColor(c)
    for c in ("#5470C6", "#91CC75", "#FAC858", "#EE6666", "#73C0DE", "#3BA272", "#FC8452")
]
LINE_UNITS = {"ratio", "score", "hours", "days"}

TITLE = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=24, spaceAfter=6)
H1 = ParagraphStyle("h1", fontName=FONT, fontSize=14, leading=20, spaceBefore=6, spaceAfter=4)
H2 = ParagraphStyle("h2", fontName=FONT, fontSize=11, leading=16, spaceBefore=8, spaceAfter=2)
NOTE = ParagraphStyle(
    "note",
    fontName=FONT,
    fontSize=8,
    leading=11,
    textColor=colors.HexColor("#666666"),
    spaceAfter=4,
)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=13)


def render_pdf(content: ReportContent) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=content.title,
        author="CRM",
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    story: list = [
        Paragraph(content.title, TITLE),
        Paragraph(f"收件人：{content.recipient}", BODY),
        Spacer(1, 4 * mm),
    ]
    for n, (name, tables) in enumerate(content.sections):
        if n:
            story.append(PageBreak())
        story.append(Paragraph(name, H1))
        for t in tables:
            story.append(KeepTogether(_figure(t)))
    doc.build(story)
    return out.getvalue()


def _fmt(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _figure(t: Table) -> list:
    parts: list = [Paragraph(t.title, H2), Paragraph(t.definition, NOTE)]
    if not t.rows:
        return [*parts, Paragraph("（无数据）", BODY)]
    width = 1 + min(t.series_count, MAX_COLUMNS)
    data = [t.header[:width]] + [[_fmt(v) for v in row[:width]] for row in t.rows[:MAX_ROWS]]
    table = PdfTable(data, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF7")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#BBBBBB")),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    parts.append(table)
    chart = _chart(t)
    if chart is not None:
        parts += [Spacer(1, 2 * mm), chart]
    return parts


def _chart(t: Table) -> Drawing | None:
    columns = min(t.series_count, MAX_COLUMNS)
    rows = t.rows[:MAX_ROWS]
    line = t.over_time and t.unit in LINE_UNITS
    missing = None if line else 0.0  # a line breaks where there is no value; a bar is 0
    series = [
        [float(v) if isinstance(v, int | float) else missing for v in (r[c] for r in rows)]
        for c in range(1, columns + 1)
    ]
    if not series or not any(any(v for v in s) for s in series):
        return None
    drawing = Drawing(170 * mm, 62 * mm)
    chart = HorizontalLineChart() if line else VerticalBarChart()
    chart.x, chart.y = 12 * mm, 14 * mm
    chart.width, chart.height = 120 * mm, 44 * mm
    chart.data = series
    chart.categoryAxis.categoryNames = [str(r[0]) for r in rows]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6
    chart.categoryAxis.labels.angle = 30 if len(rows) > 6 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(rows) > 6 else "n"
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    for i in range(len(series)):
        if line:
            chart.lines[i].strokeColor = PALETTE[i % len(PALETTE)]
            chart.lines[i].strokeWidth = 1.5
        else:
            chart.bars[i].fillColor = PALETTE[i % len(PALETTE)]
            chart.bars[i].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 136 * mm, 56 * mm
    legend.fontName, legend.fontSize = FONT, 7
    legend.alignment = "right"
    legend.colorNamePairs = [
        (PALETTE[i % len(PALETTE)], t.header[i + 1]) for i in range(len(series))
    ]
    drawing.add(legend)
    drawing.add(String(0, 0, "", fontName=FONT))
    return drawing
