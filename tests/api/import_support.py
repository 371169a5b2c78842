"""Real spreadsheet files made in the tests, and the upload helper."""

import csv
import io
import uuid
import zipfile
from typing import Any

import xlsxwriter

from tests.conftest import credit_code

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["客户名称", "统一社会信用代码", "客户阶段", "联系人", "手机", "邮箱", "联系人2", "手机2"]


def xlsx(
    rows: list[list[Any]],
    headers: list[str] | None = None,
    *,
    sheet: str = "客户",
    extra_sheets: dict[str, list[list[Any]]] | None = None,
    before: bool = False,
) -> bytes:
    """A workbook whose cells keep Python's types: numbers stay numbers (as Excel stores a
    phone typed into a General cell), None is an empty cell, '=…' a formula with `2` cached."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"strings_to_formulas": False, "in_memory": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})

    def fill(name: str, table: list[list[Any]]) -> None:
        ws = book.add_worksheet(name)
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str) and value.startswith("="):
                    ws.write_formula(r, c, value, None, formula_value(value))
                elif isinstance(value, int | float):
                    ws.write_number(r, c, value)
                elif hasattr(value, "year"):
                    ws.write_datetime(r, c, value, date_format)
                else:
                    ws.write_string(r, c, str(value))

    if before:
        for name, table in (extra_sheets or {}).items():
            fill(name, table)
    fill(sheet, [headers or HEADERS, *rows])
    if not before:
        for name, table in (extra_sheets or {}).items():
            fill(name, table)
    book.close()
    return out.getvalue()


def formula_value(formula: str) -> Any:
    return formula.split("#", 1)[1] if "#" in formula else 2


def csv_bytes(
    rows: list[list[Any]], headers: list[str] | None = None, *, encoding: str = "utf-8"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers or HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def fake_xlsx() -> bytes:
    """A zip archive named .xlsx that holds something else."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    return out.getvalue()


def company(**overrides: Any) -> list[Any]:
    """A customer row in HEADERS order."""
    row = {
        "name": f"导入测试{uuid.uuid4().hex[:6]}有限公司",
        "credit_code": credit_code(),
        "stage": "意向",
        "contact": "张伟",
        "mobile": mobile(),
        "email": None,
        "contact2": None,
        "mobile2": None,
        **overrides,
    }
    return list(row.values())


_mobiles = iter(range(10**6))


def mobile() -> str:
    return f"139{uuid.uuid4().int % 10**8:08d}"


async def upload(client, user, data: bytes, name: str = "客户.xlsx", **fields: Any):
    form = {
        "kind": "customers",
        "mode": "dry_run",
        **{k: str(v).lower() if isinstance(v, bool) else v for k, v in fields.items()},
    }
    return await client.post(
        "/imports",
        headers=user.headers,
        data=form,
        files={"file": (name, data, XLSX if name.endswith("xlsx") else "text/csv")},
    )
