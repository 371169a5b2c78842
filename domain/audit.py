"""Audit trail: what changed, as {field: [before, after]}."""

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

_PLAIN = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    if type(value) in _PLAIN:  # most values: answered before the slower isinstance checks
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Changed fields only; a created record has before = None for each field."""
    changes = {}
    for key in after:
        old, new = jsonable(before.get(key)), jsonable(after[key])
        if old != new:
            changes[key] = [old, new]
    return changes


def created(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    # `is not None` first: most fields of a new record are empty, and an import audits 100,000
    return {
        k: [None, jsonable(v)] for k, v in values.items() if v is not None and v != [] and v != {}
    }


def deleted(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {k: [jsonable(v), None] for k, v in values.items() if v not in (None, [], {})}
