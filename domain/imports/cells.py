"""Excel's usual damage to cell values, repaired where the intent is certain and reported
where it is not. Each function takes a raw cell (str, int, float, bool, date, datetime or
None, as the readers give them) and returns the repaired value or raises CellError."""

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2100, 12, 31)
MAX_TEXT = 2000


class CellError(ValueError):
    """A value that cannot be used as it is; `message` tells the user what to fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def text(value: Any) -> str | None:
    """Trimmed text; blank is None. Numbers Excel made of text come back without `.0`;
    full-width spaces count as spaces."""
    if value is None:
        return None
    if type(value) is str:  # the common case, first
        out = value.strip()
        if "\u3000" in out or "\xa0" in out:
            out = out.replace("\u3000", " ").replace("\xa0", " ").strip()
        if "\x00" in out:
            raise CellError("contains a NUL character")
        if len(out) > MAX_TEXT:
            raise CellError(f"longer than {MAX_TEXT} characters")
        return out or None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        value = _integral(value) if value.is_integer() else repr(value)
    elif isinstance(value, datetime):
        value = value.isoformat(sep=" ")
    elif isinstance(value, date):
        value = value.isoformat()
    out = str(value).replace("\u3000", " ").replace("\xa0", " ").strip()
    if "\x00" in out:
        raise CellError("contains a NUL character")
    if len(out) > MAX_TEXT:
        raise CellError(f"longer than {MAX_TEXT} characters")
    return out or None


def _integral(number: float) -> str:
    return str(int(number))


_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")


def digits_text(value: Any) -> str | None:
    """Codes and phone numbers: full-width digits and letters to ASCII, spaces removed, and a
    number Excel stored as a number (`13800138000.0`) back to its digits. A number Excel
    shortened to scientific notation (`1.38E+10`) lost digits: that is an error."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError("is a true/false value, not a number")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError("is a number with decimals; format the column as text and re-enter it")
        digits = _integral(value)
        if len(digits) >= 16:  # beyond float precision: the last digits are Excel's guesses
            raise CellError(
                "is too long for Excel's numbers (digits were lost); "
                "format the column as text and re-enter it"
            )
        return digits
    out = unicodedata.normalize("NFKC", str(value)).strip()
    if not out:
        return None
    compact = "".join(out.split())
    if _SCIENTIFIC.match(compact):
        raise CellError(
            "was shortened by Excel to scientific notation (digits were lost); "
            "format the column as text and re-enter it"
        )
    if re.fullmatch(r"\d+\.0+", compact):  # a numeric cell saved as text: 13800138000.0
        compact = compact.split(".")[0]
    return compact


def phone(value: Any) -> str | None:
    """Digits of a phone number as written (separators kept for the validator)."""
    if value is None or isinstance(value, int | float | bool):
        return digits_text(value)
    out = unicodedata.normalize("NFKC", str(value)).strip()
    if not out:
        return None
    if _SCIENTIFIC.match("".join(out.split())) or re.fullmatch(r"\d+\.0+", out):
        return digits_text(out)
    return out


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def day(value: Any) -> date | None:
    """A calendar date from a date cell, an Excel serial number, or text written as
    `2024-03-05`, `2024/3/5`, `2024.3.5`, `2024年3月5日` or `20240305`. Day-first and
    month-first forms such as `5/3/2024` are ambiguous: reported, never guessed."""
    if value is None:
        return None
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, bool):
        raise CellError("is not a date")
    elif isinstance(value, int | float):
        if not float(value).is_integer() and value < 1:
            raise CellError("is not a date")
        if not 1 <= value < 2958466:
            raise CellError("is not a date")
        result = EXCEL_EPOCH + timedelta(days=int(value))
    else:
        raw = unicodedata.normalize("NFKC", str(value)).strip()
        if not raw:
            return None
        if re.fullmatch(r"\d{5}(\.0+)?", raw):  # a serial number that became text
            return day(float(raw))
        for pattern in _DATE_PATTERNS:
            m = pattern.match(raw)
            if m:
                try:
                    result = date(int(m[1]), int(m[2]), int(m[3]))
                except ValueError:
                    raise CellError("is not a real date") from None
                break
        else:
            raise CellError("is not a date in a form such as 2024-03-05 or 2024年3月5日")
    if not MIN_DATE <= result <= MAX_DATE:
        raise CellError("is outside 1900–2100")
    return result


def number(value: Any) -> Decimal | None:
    """An exact decimal; thousands separators and a ¥ sign are allowed."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError("is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    raw = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").lstrip("¥￥")
    if not raw:
        return None
    try:
        result = Decimal(raw)
    except InvalidOperation:
        raise CellError("is not a number") from None
    if not result.is_finite():
        raise CellError("is not a number")
    return result


_CHOICE_INDEX: dict[int, tuple[Any, dict[str, str]]] = {}


def _choice_index(choices: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    cached = _CHOICE_INDEX.get(id(choices))
    if cached is None or cached[0] is not choices:
        index: dict[str, str] = {}
        for code, (zh, en) in choices.items():
            for name in (code, zh, en):
                index.setdefault(unicodedata.normalize("NFKC", name).casefold(), code)
        cached = _CHOICE_INDEX[id(choices)] = (choices, index)
    return cached[1]


def choice(value: Any, choices: Mapping[str, tuple[str, str]]) -> str | None:
    """An enum value written as its code or its Chinese or English label, any case."""
    raw = text(value)
    if raw is None:
        return None
    code = _choice_index(choices).get(unicodedata.normalize("NFKC", raw).strip().casefold())
    if code is not None:
        return code
    labels = "、".join(zh for zh, _ in choices.values())
    raise CellError(f"is not one of: {labels}")


def items(value: Any) -> list[str]:
    """A list cell: names separated by commas, semicolons, 、 or new lines."""
    raw = text(value)
    if raw is None:
        return []
    return [part.strip() for part in re.split(r"[,，;；、\n]", raw) if part.strip()]
