"""JSON built in SQL the same way on both back-ends (set-based inserts of notification params)."""

from typing import Any

from sqlalchemy import ColumnElement, String, func, literal


def json_object(dialect: str, **values: Any) -> ColumnElement[Any]:
    """`{"key": value, …}` from SQL expressions: jsonb on PostgreSQL, JSON text on SQLite
    (which the JSON column type reads back as the same dict)."""
    build = func.jsonb_build_object if dialect == "postgresql" else func.json_object
    return build(*(part for key, value in values.items() for part in (literal(key, String), value)))
