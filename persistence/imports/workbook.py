"""Writing spreadsheets: import templates, error reports and list exports. Rows are written
one by one in xlsxwriter's constant_memory mode, so memory stays flat however long the list.

Formula injection (CWE-1236): no string is ever written as a formula or a link, and in CSV a
cell starting with = + - @ tab or carriage return gets a leading apostrophe, which
spreadsheets show as text (and our import removes again)."""

import csv
import io
import multiprocessing
import queue
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from domain.imports.columns import Column

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "remove_timezone": True,
}


def safe_csv(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


class XlsxWriter:
    """A workbook of one data sheet written row by row."""

    def __init__(
        self,
        target: Path | io.BytesIO,
        sheet: str,
        headers: Sequence[str],
        widths: Sequence[int] | None = None,
    ) -> None:
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
        row, sheet = self.row, self.sheet
        for col, value in enumerate(values):
            if type(value) is str:  # most cells: written here, without a call to cell()
                if value:
                    sheet.write_string(row, col, value)  # never a formula or a link
            elif value is not None:
                self._typed_cell(row, col, value)

    def _typed_cell(self, row: int, col: int, value: Any) -> None:
        sheet = self.sheet
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


class ListWriter:
    """A list's export written page by page: .xlsx in constant memory, or .csv in UTF-8
    with BOM (which Excel opens as UTF-8). Never the whole list in memory."""

    def __init__(self, path: Path, fmt: str, title: str, headers: Sequence[str]) -> None:
        self.count = 0
        self._xlsx = XlsxWriter(path, title, headers) if fmt == "xlsx" else None
        self._file: Any = None
        if self._xlsx is None:
            self._file = open(path, "w", encoding="utf-8-sig", newline="")
            self._csv = csv.writer(self._file)
            self._csv.writerow([safe_csv(h) for h in headers])

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        self.count += len(rows)
        if self._xlsx is not None:
            for row in rows:
                self._xlsx.write(row)
        else:
            self._csv.writerows([[safe_csv(_csv_value(v)) for v in row] for row in rows])

    def close(self) -> None:
        if self._xlsx is not None:
            self._xlsx.close()
        else:
            self._file.close()

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()


def _write_pages(path: str, fmt: str, title: str, headers: list[str], pages: Any) -> None:
    """The child process of a ListWriterProcess: pages until None, then the file closed."""
    writer = ListWriter(Path(path), fmt, title, headers)
    while (rows := pages.get()) is not None:
        writer.write(rows)
    writer.close()


class ListWriterProcess:
    """A ListWriter in a child process, fed pages through a queue: for the big exports, whose
    time is mostly this writing, all of it Python. In the server's process it would hold
    the interpreter lock against the event loop, and the two would slow each other (and
    every other request); in a child it has a core of its own."""

    PAGES_AHEAD = 4  # pages queued before write() waits for the child

    def __init__(self, path: Path, fmt: str, title: str, headers: Sequence[str]) -> None:
        # spawn: a fresh interpreter; forking a server that runs threads is not safe
        context = multiprocessing.get_context("spawn")
        self.count = 0
        self._pages = context.Queue(maxsize=self.PAGES_AHEAD)
        self._process = context.Process(
            target=_write_pages,
            daemon=True,
            args=(str(path), fmt, title, list(headers), self._pages),
        )
        self._process.start()

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        """Blocks while the child is PAGES_AHEAD pages behind: call it in a thread."""
        self.count += len(rows)
        self._put(list(rows))

    def close(self) -> None:
        self._put(None)
        self._process.join()
        if self._process.exitcode != 0:
            raise RuntimeError(f"the export's writer exited with {self._process.exitcode}")

    def discard(self) -> None:
        self._process.kill()
        self._process.join()

    def _put(self, item: Any) -> None:
        while True:
            try:
                self._pages.put(item, timeout=1)
                return
            except queue.Full:
                if not self._process.is_alive():
                    raise RuntimeError("the export's writer stopped") from None


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
    required = book.add_format(
        {"bold": True, "bg_color": "#FCE4D6", "border": 1, "font_color": "#C00000"}
    )
    text = book.add_format({"num_format": "@"})
    for col, column in enumerate(columns):
        header = column.header(lang)
        data.write_string(0, col, header, required if column.required else head)
        # Text cells keep phones, codes and ID numbers whole (no 1.38E+10).
        data.set_column(
            col,
            col,
            max(12, len(header) * 2 + 2),
            text if column.type in ("code", "phone") else None,
        )
        value = example.get(column.key)
        if value is not None:
            data.write_string(1, col, str(value))
        if column.choices:
            labels = [(zh and c[0]) or c[1] for c in column.choices.values()]
            lists.write_string(0, col, header)
            for i, label in enumerate(labels, start=1):
                lists.write_string(i, col, label)
            ref = xlsxwriter.utility.xl_range_abs(1, col, len(labels), col)
            data.data_validation(
                1,
                col,
                200_000,
                col,
                {
                    "validate": "list",
                    "source": f"='{lists.get_name()}'!{ref}",
                    "error_title": "请从下拉列表选择" if zh else "Pick from the list",
                    "error_message": "、".join(labels)[:250],
                },
            )
    data.freeze_panes(1, 0)
    lists.hide()
    titles = (
        ("列名", "必填", "说明", "可选值")
        if zh
        else ("Column", "Required", "What to enter", "Choices")
    )
    for i, title in enumerate(titles):
        notes.write_string(0, i, title, head)
    notes.set_column(0, 0, 20)
    notes.set_column(2, 2, 60)
    notes.set_column(3, 3, 50)
    for row, column in enumerate(columns, start=1):
        notes.write_string(row, 0, column.header(lang))
        notes.write_string(row, 1, ("是" if zh else "yes") if column.required else "")
        notes.write_string(row, 2, column.help_zh if zh else column.help_en)
        notes.write_string(
            row, 3, "、".join((zh and c[0]) or c[1] for c in column.choices.values())
        )
    book.close()
    return out.getvalue()
