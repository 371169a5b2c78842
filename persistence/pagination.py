"""Keyset cursors: opaque base64 of the last row's sort key."""

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from domain.errors import DomainError


class InvalidCursor(DomainError):
    code = "invalid-cursor"


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    total: int | None = None


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def _decode_part(value: Any, kind: type) -> Any:
    """One element of a cursor as `kind` (int: a BIGINT; datetime: aware ISO 8601; date:
    YYYY-MM-DD), else None: a forged value must be a 400, never reach the database as the
    wrong type."""
    if kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool) and -2**63 <= value < 2**63
        return value if ok else None
    if not isinstance(value, str) or "\x00" in value:
        return None
    if kind is datetime:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo is not None else None
    if kind is date:
        try:
            return date.fromisoformat(value) if len(value) == 10 else None
        except ValueError:
            return None
    return value


def decode_cursor(cursor: str, *, length: int, kinds: Sequence[type] = ()) -> list[Any]:
    """The key `encode_cursor` made; with `kinds`, each element checked and converted."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError):
        raise InvalidCursor("The cursor is not one this server handed out.") from None
    if not isinstance(key, list) or len(key) != length:
        raise InvalidCursor("The cursor does not fit this list and sort order.")
    if kinds:
        key = [_decode_part(value, kind) for value, kind in zip(key, kinds, strict=True)]
        if any(part is None for part in key):
            raise InvalidCursor("The cursor does not fit this list and sort order.")
    return key
