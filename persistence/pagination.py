"""Keyset cursors (opaque base64 of the last row's sort key), pages and their totals."""

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import BigInteger, Executable, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Select

from domain.errors import InvalidCursor

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    total: int | None = None
    # "exact"; "at_least" (counting stopped at a cap); "estimate" (the planner's, past the cap)
    total_accuracy: str | None = None


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


# Dates and times in a cursor lie where stored ones can (the API accepts 1970–2100); outside,
# zone conversion overflows.
_EARLIEST, _LATEST = date(1900, 1, 1), date(2200, 1, 1)
_MAX_TEXT = 500  # characters of a text sort key


def _decode_part(value: Any, kind: type) -> Any:
    """One element of a cursor as `kind` (int: a BIGINT; bool; datetime: aware ISO 8601; date:
    YYYY-MM-DD; str: text that PostgreSQL can store), else None: a forged value must be a 400,
    never reach the database as the wrong type or out of range."""
    if kind is bool:
        return value if isinstance(value, bool) else None
    if kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63
        return value if ok else None
    if not isinstance(value, str) or "\x00" in value or len(value) > _MAX_TEXT:
        return None
    try:
        value.encode("utf-8")  # a lone surrogate ("\ud800") is valid JSON but not text
    except UnicodeEncodeError:
        return None
    if kind is datetime:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        ok = parsed.tzinfo is not None and _EARLIEST <= parsed.date() < _LATEST
        return parsed if ok else None
    if kind is date:
        try:
            parsed_day = date.fromisoformat(value) if len(value) == 10 else None
        except ValueError:
            return None
        return parsed_day if parsed_day and _EARLIEST <= parsed_day < _LATEST else None
    return value if kind is str else None


def decode_cursor(cursor: str, *, kinds: Sequence[type]) -> list[Any]:
    """The key `encode_cursor` made, each element checked against `kinds` and converted."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidCursor("The cursor is not one this server handed out.") from None
    if not isinstance(key, list) or len(key) != len(kinds):
        raise InvalidCursor("The cursor does not fit this list and sort order.")
    key = [_decode_part(value, kind) for value, kind in zip(key, kinds, strict=True)]
    if any(part is None for part in key):
        raise InvalidCursor("The cursor does not fit this list and sort order.")
    return key


class _Explain(Executable, ClauseElement):
    """EXPLAIN (FORMAT JSON) of a statement, with the statement's own parameters."""

    inherit_cache = False

    def __init__(self, statement: Select) -> None:
        self.statement = statement


@compiles(_Explain, "postgresql")
def _explain(element: _Explain, compiler: Any, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


# A total is counted up to this many matches; past it the list says "about" (the planner's
# estimate) or, without one (SQLite), "more than".
COUNT_CAP = 10_000
_NO_CAP = 2**62  # a LIMIT no count reaches: the exact total, when asked for


def capped_count(matches: Select) -> Select:
    """The count of `matches` up to the `count_cap` parameter (total_of passes it)."""
    limited = matches.limit(bindparam("count_cap", type_=BigInteger())).subquery()
    return select(func.count()).select_from(limited)


async def total_of(
    connection: AsyncConnection,
    count: Select,
    matches: Select,
    params: dict[str, Any],
    *,
    exact: bool,
) -> tuple[int, str]:
    """A list's total and its accuracy: exact up to COUNT_CAP (or always, when `exact`), so
    a page's cost does not grow with the table; past the cap the planner's estimate."""
    cap = _NO_CAP if exact else COUNT_CAP
    total = (await connection.execute(count, params | {"count_cap": cap + 1})).scalar_one()
    if total <= cap:
        return total, "exact"
    estimate = await _estimated_rows(connection, matches, params)
    return (cap, "at_least") if estimate is None else (max(estimate, cap + 1), "estimate")


async def _estimated_rows(
    connection: AsyncConnection, statement: Select, params: dict[str, Any]
) -> int | None:
    """How many rows PostgreSQL's planner expects `statement` to return: planning only, so its
    cost does not grow with the table. None on SQLite, which keeps no such statistics."""
    if connection.dialect.name != "postgresql":
        return None
    plan = (await connection.execute(_Explain(statement), params)).scalar_one()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
