"""A row's bucket in a period, as SQL: a CASE over the period's own instants or local days
(computed in the domain), so SQLite and PostgreSQL bucket alike, daylight saving included."""

from typing import Any

from sqlalchemy import case
from sqlalchemy.sql import ColumnElement

from domain.analytics.period import Period


def instant_bucket(column: Any, period: Period) -> ColumnElement[Any]:
    """The bucket index of a timestamp column; NULL outside the period (a statement that
    selects rows by one instant may bucket another, earlier one)."""
    return case(
        (column < period.start, None),
        *[(column < b.end, i) for i, b in enumerate(period.buckets)],
        else_=None,
    )


def day_bucket(column: Any, period: Period) -> ColumnElement[Any]:
    """The bucket index of a DATE column (a local date); NULL outside the period."""
    return case(
        (column < period.first_day, None),
        *[(column <= b.last_day, i) for i, b in enumerate(period.buckets)],
        else_=None,
    )
