"""Writing spreadsheets: import templates, error reports and list exports. Rows are written
one by one in xlsxwriter's constant_memory mode, so memory stays flat however long the list.

Formula injection (CWE-1236): no string is ever written as a formula or a link, and in CSV a
cell starting with = + - @ tab or carriage return gets a leading apostrophe, which
spreadsheets show as text (and our import removes again)."""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from domain.imports.columns import Column

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
           "strings_to_numbers": False, "remove_timezone": True}


def safe_csv(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


class XlsxWriter:
    """A workbook of one data sheet written row by row."""

    def __init__(self, target: Path | io.BytesIO, sheet: str, headers: Sequence[str],
                 widths: Sequence[int] | None = None) -> None:
        self.book = xlsxwriter.Workbook(target, OPTIONS)
        self.sheet = self.book.add_worksheet(sheet[:31])
        self.bold = self.book.add_format({"bold": True, "bg_color": "#F0F0F0"})
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.time = self.book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.text = self.book.add_format({"num_format": "@"})
        for i, header in enumerate(headers):
            self.sheet.write_string(0, i, header, self.bold)
            self.sheet.set_column(i, i, (widths[i] if widths else 16))
        self.sheet.freeze_panes(1, 0)
        self.row = 0

    def write(self, values: Sequence[Any]) -> None:
        self.row += 1
        for col, value in enumerate(values):
            self.cell(self.row, col, value)

    def cell(self, row: int, col: int, value: Any) -> None:
        sheet = self.sheet
        if type(value) is str:  # most cells: one check
            if value:
                sheet.write_string(row, col, value)  # never a formula or a link
            return
        if value is None:
            return
        if isinstance(value, bool):
            sheet.write_boolean(row, col, value)
        elif isinstance(value, int | float | Decimal):
            sheet.write_number(row, col, float(value))
        elif isinstance(value, datetime):
            sheet.write_datetime(row, col, value, self.time)
        elif isinstance(value, date):
            sheet.write_datetime(row, col, value, self.date)
        else:
            sheet.write_string(row, col, str(value))  # never a formula or a link

    def close(self) -> None:
        self.book.close()


def write_csv(target: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """UTF-8 with BOM, which Excel opens as UTF-8. Returns the number of rows."""
    count = 0
    with open(target, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([safe_csv(h) for h in headers])
        for row in rows:
            writer.writerow([safe_csv(_csv_value(v)) for v in row])
            count += 1
    return count


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value


def template(columns: Sequence[Column], example: dict[str, Any], lang: str) -> bytes:
    """An import template: the headers, one example row, a sheet explaining each column,
    and a dropdown on every enum column (its choices kept on a hidden sheet)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_urls": False})
    zh = lang == "zh"
    data = book.add_worksheet("客户数据" if zh else "Data")
    notes = book.add_worksheet("填写说明" if zh else "How to fill in")
    lists = book.add_worksheet("选项" if zh else "Choices")
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    required = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1,
                                "font_color": "#C00000"})
    text = book.add_format({"num_format": "@"})
    for col, column in enumerate(columns):
        header = column.header(lang)
        data.write_string(0, col, header, required if column.required else head)
        # Text cells keep phones, codes and ID numbers whole (no 1.38E+10).
        data.set_column(col, col, max(12, len(header) * 2 + 2),
                        text if column.type in ("code", "phone") else None)
        value = example.get(column.key)
        if value is not None:
            data.write_string(1, col, str(value))
        if column.choices:
            labels = [(zh and c[0]) or c[1] for c in column.choices.values()]
            lists.write_string(0, col, header)
            for i, label in enumerate(labels, start=1):
                lists.write_string(i, col, label)
            ref = xlsxwriter.utility.xl_range_abs(1, col, len(labels), col)
            data.data_validation(1, col, 200_000, col, {
                "validate": "list", "source": f"='{lists.get_name()}'!{ref}",
                "error_title": "请从下拉列表选择" if zh else "Pick from the list",
                "error_message": "、".join(labels)[:250]})
    data.freeze_panes(1, 0)
    lists.hide()
    titles = (("列名", "必填", "说明", "可选值") if zh
              else ("Column", "Required", "What to enter", "Choices"))
    for i, title in enumerate(titles):
        notes.write_string(0, i, title, head)
    notes.set_column(0, 0, 20)
    notes.set_column(2, 2, 60)
    notes.set_column(3, 3, 50)
    for row, column in enumerate(columns, start=1):
        notes.write_string(row, 0, column.header(lang))
        notes.write_string(row, 1, ("是" if zh else "yes") if column.required else "")
        notes.write_string(row, 2, column.help_zh if zh else column.help_en)
        notes.write_string(row, 3, "、".join((zh and c[0]) or c[1]
                                             for c in column.choices.values()))
    book.close()
    return out.getvalue()
