"""Reading an uploaded spreadsheet into rows of raw cells. The type is judged by the bytes:
an .xlsx is a zip holding xl/workbook.xml; anything else must be text (UTF-8 with or
without BOM, else GB18030, which covers GBK and GB2312)."""

import codecs
import csv
import ctypes
import ctypes.util
import io
import pickle
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, overload

import python_calamine

from domain.errors import Invalid, UnsupportedType
from persistence.imports import child

MAX_ROWS = 200_000
MAX_COLUMNS = 200
MAX_UNPACKED = 1 << 30  # bytes of an .xlsx's parts unzipped (100,000 rows of 15 columns: ~90 MB)
FILE_FIELD = "file"


Row = tuple[int, list[Any]]  # (spreadsheet row number, cells)


class Rows(Sequence[Row]):
    """A sheet's rows, each kept pickled until it is read: 100,000 rows of 15 columns take
    about 30 MB so, against some 200 MB as Python lists of strings, and an import holds
    them from the upload to the end of its check (the error report reads them again)."""

    def __init__(self) -> None:
        self._numbers: list[int] = []
        self._cells: list[bytes] = []

    def append(self, number: int, cells: list[Any]) -> None:
        self._numbers.append(number)
        self._cells.append(pickle.dumps(cells, pickle.HIGHEST_PROTOCOL))

    def __len__(self) -> int:
        return len(self._cells)

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> "Rows": ...

    def __getitem__(self, index: int | slice) -> "Row | Rows":
        if isinstance(index, slice):  # still pickled: cheap to send to the child process
            part = Rows()
            part._numbers, part._cells = self._numbers[index], self._cells[index]
            return part
        return self._numbers[index], pickle.loads(self._cells[index])  # our own pickles

    def __iter__(self) -> Iterator[Row]:
        for number, cells in zip(self._numbers, self._cells, strict=True):
            yield number, pickle.loads(cells)


@dataclass(slots=True)
class Sheet:
    name: str
    headers: list[str]
    rows: Rows


@dataclass(slots=True)
class Workbook:
    sheets: list[str]
    read: Any = field(repr=False)  # sheet name → Sheet

    def sheet(self, name: str) -> Sheet:
        return self.read(name)


def _bad(message: str) -> Invalid:
    return Invalid([{"field": FILE_FIELD, "message": message}])


def open_workbook(path: Path, filename: str, max_unpacked: int = MAX_UNPACKED) -> Workbook:
    """The upload as sheets of rows. Raises UnsupportedType for what is not a spreadsheet
    and Invalid for an empty or unreadable one."""
    with open(path, "rb") as f:
        head = f.read(8)
        size = f.seek(0, io.SEEK_END)
    if size == 0:
        raise _bad("the file is empty")
    if head.startswith(b"PK\x03\x04"):
        return _xlsx(path, max_unpacked)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnsupportedType(
            "This is an old .xls workbook: save it as .xlsx (Excel 2007 or "
            "later) or .csv and upload that."
        )
    return _csv(path, Path(filename).stem or "csv")


def _xlsx(path: Path, max_unpacked: int) -> Workbook:
    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
    except zipfile.BadZipFile:
        raise UnsupportedType("The file is a damaged zip, not an Excel workbook.") from None
    if "xl/workbook.xml" not in {part.filename for part in parts}:
        raise UnsupportedType("The file is a zip archive but not an Excel workbook (.xlsx).")
    # A few MB of zip can unpack to gigabytes (a "zip bomb"), and the reader unpacks a sheet
    # whole: refuse by the sizes the archive declares before reading any of it.
    if sum(part.file_size for part in parts) > max_unpacked:
        raise _bad(
            f"the workbook unpacks to more than {max_unpacked >> 20} MB; "
            "split it into smaller files"
        )
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        sheet_names = list(book.sheet_names)
    except Exception:  # noqa: BLE001 calamine raises several types for damaged parts
        raise UnsupportedType("The Excel workbook cannot be read; it may be damaged.") from None

    def read(name: str) -> Sheet:
        sheet = None
        try:
            sheet = book.get_sheet_by_name(name)
            merged = sheet.merged_cell_ranges or []
            # iter_rows starts at the sheet's first row but at its first used column
            indent = [None] * sheet.start[1] if sheet.height and sheet.start else []
            return _sheet(
                name, _fill_merged(([*indent, *row] for row in sheet.iter_rows()), merged)
            )
        except Invalid:
            raise
        except Exception:  # noqa: BLE001
            raise _bad(f"sheet {name} cannot be read") from None
        finally:
            sheet = None  # its cells, held by calamine, go now
            release_freed_memory()

    return Workbook(sheet_names, read)


def _libc(function: str) -> Any:
    try:
        return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), function)
    except (OSError, AttributeError):  # not glibc: nothing to tune this way
        return None


_MALLOC_TRIM = _libc("malloc_trim")
_MALLOPT = _libc("mallopt")
_M_ARENA_MAX = -8  # glibc's mallopt parameter number


def limit_malloc_arenas(count: int = 2) -> None:
    """At most `count` C heaps for the process. glibc gives threads heaps of their own, up to
    eight per core, and an import checks and writes its rows in worker threads: what each
    heap keeps after a big import stays with the server. With two, the 100,000-row benchmark's
    peak growth went from 431 MB to 387 MB. Call it before the threads start."""
    if _MALLOPT is not None:
        _MALLOPT(_M_ARENA_MAX, count)


def release_freed_memory() -> None:
    """Give the C heap's free pages back to the system. calamine holds a whole sheet's cells
    there (~90 MB for 100,000 rows of 15 columns); they are freed once read, but glibc
    keeps the pages, and the rest of the import would pile up on top of them."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise UnsupportedType(
            "The file is neither an Excel workbook nor CSV text in UTF-8 or GBK."
        ) from None


def _csv(path: Path, name: str) -> Workbook:
    text = _decode(path.read_bytes())
    if "\x00" in text:
        raise UnsupportedType("The file is neither an Excel workbook nor CSV text.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        sheet = _sheet(name, csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as exc:
        raise _bad(f"the CSV cannot be read: {exc}") from None
    return Workbook([name], lambda requested: sheet)


def _fill_merged(
    rows: Iterable[list[Any]], merged: Sequence[tuple[tuple[int, int], tuple[int, int]]]
) -> Iterator[list[Any]]:
    """A merged block shows its value on every row it spans: give each row the value.
    Blocks are ((first row, first column), (last row, last column)), counted from 0."""
    blocks = iter(sorted(merged))
    upcoming = next(blocks, None)
    spanning: list[tuple[int, int, int, Any]] = []  # last row, first/last column, value
    for r, row in enumerate(rows):
        while upcoming is not None and upcoming[0][0] <= r:
            (r0, c0), (r1, c1) = upcoming
            if r0 == r and c0 < len(row):
                spanning.append((r1, c0, c1, row[c0]))
            upcoming = next(blocks, None)
        if spanning:
            spanning = [block for block in spanning if block[0] >= r]
            for _, c0, c1, value in spanning:
                width = min(c1 + 1, len(row)) - c0
                row[c0 : c0 + width] = [value] * width
        yield row


def _sheet(name: str, cells: Iterable[list[Any]]) -> Sheet:
    """The first non-empty row is the header; empty rows below it are skipped."""
    numbered = enumerate(cells, start=1)
    header_row = next(((n, row) for n, row in numbered if any(_present(c) for c in row)), None)
    if header_row is None:
        raise _bad(f"sheet {name} is empty")
    headers = [_header(c) for c in header_row[1]]
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > MAX_COLUMNS:
        raise _bad(f"more than {MAX_COLUMNS} columns")
    rows = Rows()
    for n, row in numbered:
        row = [None if not _present(c) else c for c in row[: len(headers)]]
        if any(c is not None for c in row):
            rows.append(n, row)
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


# ---- reading an upload in a child process ----


def read_upload(path: Path, filename: str, sheet: str | None) -> dict[str, Sheet]:
    """The upload's sheets (the one asked for, else every one that has rows), read in the
    imports' child process. The file is the user's: a damaged or hostile workbook that makes
    the reader crash or swallow memory stops the child (refused as unreadable), never the
    server, and a sheet's cells, which the reader holds whole (~90 MB for 100,000 rows), are
    never in the server's memory. Blocking: call it in a thread."""
    try:
        outcome, value = child.run(_read_sheets, str(path), filename, sheet, MAX_UNPACKED)
    except BrokenProcessPool:
        raise UnsupportedType(
            "The workbook cannot be read: reading it took more memory than allowed or failed."
        ) from None
    if outcome == "invalid":
        raise Invalid(value)
    if outcome == "unsupported":
        raise UnsupportedType(value)
    return value


def _read_sheets(
    path: str, filename: str, requested: str | None, max_unpacked: int
) -> tuple[str, Any]:
    """In the reader: the sheets, or what was wrong as plain values (exceptions with
    arguments of their own do not cross processes well)."""
    try:
        book = open_workbook(Path(path), filename, max_unpacked)
        sheets: dict[str, Sheet] = {}
        for name in book.sheets:
            if requested is None or name == requested:
                try:
                    sheets[name] = book.sheet(name)
                except Invalid:
                    if requested is not None or len(book.sheets) == 1:
                        raise
        if not sheets:
            raise _bad("every sheet is empty")
        return "ok", sheets
    except Invalid as exc:
        return "invalid", exc.errors
    except UnsupportedType as exc:
        return "unsupported", exc.detail
