"""Keyset cursors: opaque base64 of the last row's sort key."""

import base64
import json
from dataclasses import dataclass
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


def decode_cursor(cursor: str, *, length: int) -> list[Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError):
        raise InvalidCursor("The cursor is not one this server handed out.") from None
    if not isinstance(key, list) or len(key) != length:
        raise InvalidCursor("The cursor does not fit this list and sort order.")
    return key
