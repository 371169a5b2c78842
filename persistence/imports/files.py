"""Reading an uploaded spreadsheet into rows of raw cells. The type is judged by the bytes:
an .xlsx is a zip holding xl/workbook.xml; anything else must be text (UTF-8 with or
without BOM, else GB18030, which covers GBK and GB2312)."""

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import python_calamine

from domain.errors import Invalid, UnsupportedType

MAX_ROWS = 200_000
MAX_COLUMNS = 200
FILE_FIELD = "file"


@dataclass(slots=True)
class Sheet:
    name: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (spreadsheet row number, cells)


@dataclass(slots=True)
class Workbook:
    sheets: list[str]
    read: Any = field(repr=False)  # sheet name → Sheet

    def sheet(self, name: str) -> Sheet:
        return self.read(name)


def _bad(message: str) -> Invalid:
    return Invalid([{"field": FILE_FIELD, "message": message}])


def open_workbook(path: Path, filename: str) -> Workbook:
    """The upload as sheets of rows. Raises UnsupportedType for what is not a spreadsheet
    and Invalid for an empty or unreadable one."""
    with open(path, "rb") as f:
        head = f.read(8)
        size = f.seek(0, io.SEEK_END)
    if size == 0:
        raise _bad("the file is empty")
    if head.startswith(b"PK\x03\x04"):
        return _xlsx(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnsupportedType("This is an old .xls workbook: save it as .xlsx (Excel 2007 or "
                              "later) or .csv and upload that.")
    return _csv(path, Path(filename).stem or "csv")


def _xlsx(path: Path) -> Workbook:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        raise UnsupportedType("The file is a damaged zip, not an Excel workbook.") from None
    if "xl/workbook.xml" not in names:
        raise UnsupportedType("The file is a zip archive but not an Excel workbook (.xlsx).")
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        sheet_names = list(book.sheet_names)
    except Exception:  # noqa: BLE001 calamine raises several types for damaged parts
        raise UnsupportedType("The Excel workbook cannot be read; it may be damaged.") from None

    def read(name: str) -> Sheet:
        try:
            sheet = book.get_sheet_by_name(name)
            cells = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except Exception:  # noqa: BLE001
            raise _bad(f"sheet {name} cannot be read") from None
        # A merged block shows its value on every row it spans: give each row the value.
        for (r0, c0), (r1, c1) in merged:
            if r0 < len(cells) and c0 < len(cells[r0]):
                value = cells[r0][c0]
                for r in range(r0, min(r1 + 1, len(cells))):
                    for c in range(c0, min(c1 + 1, len(cells[r]))):
                        cells[r][c] = value
        return _sheet(name, cells)

    return Workbook(sheet_names, read)


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise UnsupportedType("The file is neither an Excel workbook nor CSV text in UTF-8 "
                              "or GBK.") from None


def _csv(path: Path, name: str) -> Workbook:
    text = _decode(path.read_bytes())
    if "\x00" in text:
        raise UnsupportedType("The file is neither an Excel workbook nor CSV text.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        cells = [list(row) for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as exc:
        raise _bad(f"the CSV cannot be read: {exc}") from None
    sheet = _sheet(name, cells)
    return Workbook([name], lambda requested: sheet)


def _sheet(name: str, cells: list[list[Any]]) -> Sheet:
    """The first non-empty row is the header; empty rows below it are skipped."""
    numbered = ((n, row) for n, row in enumerate(cells, start=1))
    header_row = next(((n, row) for n, row in numbered if any(_present(c) for c in row)), None)
    if header_row is None:
        raise _bad(f"sheet {name} is empty")
    headers = [_header(c) for c in header_row[1]]
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > MAX_COLUMNS:
        raise _bad(f"more than {MAX_COLUMNS} columns")
    rows = []
    for n, row in numbered:
        row = [None if not _present(c) else c for c in row[:len(headers)]]
        if any(c is not None for c in row):
            rows.append((n, row))
            if len(rows) > MAX_ROWS:
                raise _bad(f"more than {MAX_ROWS} rows; split the file")
    if not rows:
        raise _bad(f"sheet {name} has a header but no rows")
    return Sheet(name, headers, rows)


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _header(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date | time):
        value = value.isoformat()
    return "" if value is None else str(value).strip()

