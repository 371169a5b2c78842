"""A batch of ids in a WHERE clause, bound as one parameter."""

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, String, any_, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession


def among(session: AsyncSession, column: Any, ids: Collection[int]) -> ColumnElement[bool]:
    """`column IN ids` as one parameter (a PostgreSQL array, a JSON array on SQLite), not one
    per id: the statement's text is the same for any number of ids, so SQLAlchemy compiles it
    once and asyncpg prepares it once (an expanding IN made both happen for every new count,
    a good part of a change-feed page's time)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(list(ids), ARRAY(BigInteger)))
    values = func.json_each(literal(json.dumps(list(ids)), String)).table_valued("value")
    return column.in_(select(values.c.value))
