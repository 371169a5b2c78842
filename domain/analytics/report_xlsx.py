"""A report as .xlsx: one sheet per section, each figure a table with a native Excel chart
beside it (xlsxwriter). Pure: content in, bytes out."""

import io
from typing import Any

import xlsxwriter

from domain.analytics.report import ReportContent, Table

MAX_CHART_SERIES = 8
LINE_UNITS = {"ratio", "score", "hours", "days"}


def render_xlsx(content: ReportContent) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.set_properties({"title": content.title, "author": "CRM"})
    bold = book.add_format({"bold": True, "font_size": 13})
    note = book.add_format({"italic": True, "font_color": "#666666", "text_wrap": False})
    head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    cell = book.add_format({"border": 1})
    summary = book.add_worksheet("概览")
    summary.write(0, 0, content.title, bold)
    summary.write(1, 0, f"收件人：{content.recipient}")
    for i, (name, tables) in enumerate(content.sections):
        summary.write(3 + i, 0, f"{name}：{len(tables)} 项指标")
    for name, tables in content.sections:
        sheet = book.add_worksheet(name)
        sheet.set_column(0, 0, 16)
        sheet.set_column(1, 12, 12)
        row = 0
        for t in tables:
            row = _write_table(book, sheet, name, t, row, bold, note, head, cell)
    book.close()
    return out.getvalue()


def _write_table(
    book: Any,
    sheet: Any,
    sheet_name: str,
    t: Table,
    row: int,
    bold: Any,
    note: Any,
    head: Any,
    cell: Any,
) -> int:
    sheet.write(row, 0, t.title, bold)
    sheet.write(row + 1, 0, t.definition, note)
    top = row + 2
    for c, text in enumerate(t.header):
        sheet.write(top, c, text, head)
    for r, values in enumerate(t.rows, start=1):
        for c, value in enumerate(values):
            sheet.write(top + r, c, "" if value is None else value, cell)
    if not t.rows:
        sheet.write(top + 1, 0, "（无数据）")
    height = max(len(t.rows), 1)
    if t.rows and t.series_count:
        kind = "line" if t.over_time and t.unit in LINE_UNITS else "column"
        chart = book.add_chart({"type": kind})
        quoted = f"'{sheet_name}'"
        for c in range(1, min(t.series_count, MAX_CHART_SERIES) + 1):
            chart.add_series(
                {
                    "name": [sheet_name, top, c],
                    "categories": f"={quoted}!$A${top + 2}:$A${top + 1 + len(t.rows)}",
                    "values": [sheet_name, top + 1, c, top + len(t.rows), c],
                }
            )
        chart.set_title({"name": t.title})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 560, "height": 280})
        sheet.insert_chart(row, len(t.header) + 1, chart)
        height = max(height, 14)
    return top + height + 3
