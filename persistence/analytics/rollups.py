"""The whole desk's figures from the rollup tables (PostgreSQL; migration 5b7e2c9d4a18 keeps
them): the same answers as repo.SqlAnalyticsRepo's raw statements, read from a few tens of
thousands of per-day rows instead of a year of records. A key's counts may be spread over
several rows until the fold job sums them, so every read is a sum.

Like the figures, the rollups leave archived customers and their follow-ups and orders out.
Which filters each rollup can answer is `FILTERS`: anything else is counted raw."""

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from domain.analytics.period import Bucket, Granularity, Period
from domain.analytics.scope import Filters
from persistence.analytics.buckets import day_bucket
from persistence.models import (
    AnalyticsAgentDay,
    AnalyticsCustomerCount,
    AnalyticsCustomerDay,
    AnalyticsFollowUpDay,
    AnalyticsOrderUnit,
    AnalyticsRollupZone,
    AnalyticsTicketDay,
    User,
)

# What an agent's row of the agents figure counts (repo.SqlAnalyticsRepo.agents too).
AGENT_COUNTS = (
    "open",
    "opened",
    "resolved",
    "first_responses",
    "first_response_on_time",
    "resolutions",
    "resolution_on_time",
)
# The filters each group of figures can be answered with from the rollups (tickets: see
# ticket_rows for which together).
FILTERS = {
    "customers": frozenset(),
    "durations": frozenset(),
    "tickets": frozenset({"department_id", "ticket_type", "channel"}),
    "agents": frozenset({"department_id", "assignee_id"}),
}
SPLIT_OF_FILTER = {"ticket_type": "type", "channel": "channel"}

_T = AnalyticsTicketDay.c
_A = AnalyticsAgentDay.c


def answers(f: Filters, group: str, by: str | None = None) -> bool:
    """The rollups of `group` can count with filters `f` (tickets: split by `by`)."""
    asked = {name for name in Filters.__slots__ if getattr(f, name) is not None}
    if not asked <= FILTERS[group]:
        return False
    return group != "tickets" or ticket_rows(f, by) is not None


def ticket_rows(f: Filters, by: str | None = None) -> list[ColumnElement[bool]] | None:
    """The conditions on analytics_ticket_day's rows that count the tickets `f` keeps, split
    by `by` (type, channel or priority) or not at all. None when no split holds them: a
    type and a channel at once, or a filter on one and a split by another."""
    asked = [(name, getattr(f, name)) for name in SPLIT_OF_FILTER if getattr(f, name)]
    conditions: list[ColumnElement[bool]] = []
    if f.department_id is not None:
        conditions.append(_T.department_id == f.department_id)
    if not asked:
        return [*conditions, _T.split == (by or "all")]
    if len(asked) > 1:
        return None
    name, value = asked[0]
    split = SPLIT_OF_FILTER[name]
    if by not in (None, split):
        return None
    return [*conditions, _T.split == split, _T.value == value]


async def zone(session: AsyncSession) -> str:
    """The zone whose local days the rollups count."""
    return (await session.execute(select(AnalyticsRollupZone.c.zone))).scalar_one()


def _days(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.first_day, column <= period.last_day)


def _rows_of(f: Filters, by: str | None = None) -> list[ColumnElement[bool]]:
    conditions = ticket_rows(f, by)
    if conditions is None:  # the repository asked answers() first
        raise ValueError(f"the ticket rollups cannot count {f} split by {by}")
    return conditions


class RollupReader:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _rows(self, stmt: Any) -> list[Any]:
        return list((await self.session.execute(stmt)).all())

    # ---- customers (whole desk) ----

    async def new_customers(self, period: Period) -> dict[int, int]:
        c = AnalyticsCustomerDay.c
        b = day_bucket(c.day, period).label("b")
        rows = await self._rows(
            select(b, func.sum(c.customers)).where(_days(c.day, period)).group_by(b)
        )
        return {i: int(n) for i, n in rows if n}

    async def customers_by(self, column_name: str) -> dict[str | None, int]:
        c = AnalyticsCustomerCount.c
        rows = await self._rows(
            select(c.value, func.sum(c.customers))
            .where(c.dimension == column_name)
            .group_by(c.value)
        )
        return {value: int(n) for value, n in rows if n}

    async def repurchase(self, period: Period) -> tuple[dict[int, tuple[int, int]], list[int]]:
        """(customers with an order, with two or more) per bucket the rollups hold, and the
        buckets they do not: whether a customer had two orders is not a sum of days, so the
        rollups hold whole calendar days, weeks and months. A bucket the range cuts is its
        unit's when no order falls in the days cut off (as when the range ends today)."""
        g = period.granularity
        units = [unit_of(b, g) for b in period.buckets]
        cut_off = [
            (first, last)
            for b, (unit_first, unit_last) in zip(period.buckets, units, strict=True)
            for first, last in (
                (unit_first, b.first_day - timedelta(days=1)),
                (b.last_day + timedelta(days=1), unit_last),
            )
            if first <= last
        ]
        u = AnalyticsOrderUnit.c
        ordering_days: set[date] = set()
        if cut_off:
            ordering_days = {
                day
                for day, n in await self._rows(
                    select(u.first_day, func.sum(u.with_orders))
                    .where(
                        u.granularity == Granularity.DAY.value,
                        or_(*[u.first_day.between(a, z) for a, z in cut_off]),
                    )
                    .group_by(u.first_day)
                )
                if n
            }
        held: list[int] = []
        raw: list[int] = []
        for i, (unit_first, unit_last) in enumerate(units):
            cut_off_ordering = any(unit_first <= d <= unit_last for d in ordering_days)
            (raw if cut_off_ordering else held).append(i)
        counts: dict[int, tuple[int, int]] = {}
        index_of = {units[i][0]: i for i in held}
        if held:
            for first, one, two in await self._rows(
                select(u.first_day, func.sum(u.with_orders), func.sum(u.repeat))
                .where(u.granularity == g.value, u.first_day.in_(list(index_of)))
                .group_by(u.first_day)
            ):
                if one or two:
                    counts[index_of[first]] = (int(one), int(two))
        return counts, raw

    # ---- sales (whole desk) ----

    async def follow_ups(self, period: Period) -> list[tuple[int, str, str, int]]:
        c = AnalyticsFollowUpDay.c
        counts = (
            select(c.owner_id, c.method, func.sum(c.follow_ups).label("n"))
            .where(_days(c.day, period))
            .group_by(c.owner_id, c.method)
            .subquery()
        )
        rows = await self._rows(
            select(counts.c.owner_id, User.display_name, counts.c.method, counts.c.n)
            .join(User, User.id == counts.c.owner_id)
            .where(counts.c.n != 0)
            .order_by(counts.c.owner_id, counts.c.method)
        )
        return [(o, name, m, int(n)) for o, name, m, n in rows]

    # ---- service ----

    async def durations(
        self, period: Period
    ) -> dict[str, dict[int, tuple[float | None, float | None]]]:
        """{first_response|resolution: {bucket: (median, p90)}}: the rank a percentile needs
        (PostgreSQL's percentile_disc: ceil(fraction × count)) is found in the histogram
        rollup, which says which bin holds it and how far in; that bin's durations in the
        bucket are then read from the ticket's (bin, instant) index and the one at that place
        taken. One statement, so one snapshot."""
        params: dict[str, Any] = {}
        rows = []
        for i, b in enumerate(period.buckets):
            rows.append(f"(:i{i}, :first{i}, :last{i}, :start{i}, :end{i})")
            params.update(
                {
                    f"i{i}": i,
                    f"first{i}": b.first_day,
                    f"last{i}": b.last_day,
                    f"start{i}": b.start,
                    f"end{i}": b.end,
                }
            )
        out: dict[str, dict[int, list[float | None]]] = {
            "first_response": {},
            "resolution": {},
        }
        for event, i, j, value in await self._rows(
            text(_PERCENTILES.format(buckets=", ".join(rows))).bindparams(**params)
        ):
            out[event].setdefault(i, [None, None])[j] = value
        return {
            event: {i: (v[0], v[1]) for i, v in buckets.items()} for event, buckets in out.items()
        }

    async def ticket_volume(
        self, period: Period, f: Filters, by: str
    ) -> dict[str, dict[tuple[int, str], int]]:
        b = day_bucket(_T.day, period).label("b")
        stmt = (
            select(b, _T.event, _T.value, func.sum(_T.tickets))
            .where(
                _T.event.in_(("opened", "resolved", "closed")),
                _days(_T.day, period),
                *_rows_of(f, by),
            )
            .group_by(b, _T.event, _T.value)
        )
        out: dict[str, dict[tuple[int, str], int]] = {"opened": {}, "resolved": {}, "closed": {}}
        for i, event, k, n in await self._rows(stmt):
            if n:
                out[event][(i, k)] = int(n)
        return out

    async def backlog(self, period: Period, f: Filters, open_now: int) -> list[int]:
        """At each bucket's end E: the tickets open now (`open_now`, with `f`: the raw tickets
        neither resolved nor closed), less those opened from E on, plus those that left the
        backlog from E on (a ticket leaves it when resolved or closed)."""
        after_first_end = period.buckets[0].last_day + timedelta(days=1)
        per_day: dict[date, int] = defaultdict(int)  # opened minus left, by day
        for day, event, n in await self._rows(
            select(_T.day, _T.event, func.sum(_T.tickets))
            .where(
                _T.event.in_(("opened", "left")),
                _T.day >= after_first_end,
                *_rows_of(f),
            )
            .group_by(_T.day, _T.event)
        ):
            per_day[day] += int(n) if event == "opened" else -int(n)
        return [
            open_now - sum(n for day, n in per_day.items() if day > b.last_day)
            for b in period.buckets
        ]

    async def sla(self, period: Period, f: Filters) -> dict[str, dict[int, tuple[int, int, int]]]:
        b = day_bucket(_T.day, period).label("b")
        stmt = (
            select(b, _T.event, func.sum(_T.timed), func.sum(_T.on_time), func.sum(_T.reopened))
            .where(
                _T.event.in_(("first_response", "resolved")),
                _days(_T.day, period),
                *_rows_of(f),
            )
            .group_by(b, _T.event)
        )
        out: dict[str, dict[int, tuple[int, int, int]]] = {"first_response": {}, "resolution": {}}
        for i, event, timed, on_time, reopened in await self._rows(stmt):
            if timed:
                name = "first_response" if event == "first_response" else "resolution"
                out[name][i] = (int(timed), int(on_time), int(reopened))
        return out

    async def satisfaction(
        self, period: Period, f: Filters
    ) -> dict[int, tuple[int, list[float | None]]]:
        b = day_bucket(_T.day, period).label("b")
        pairs = [
            (_T.speed_n, _T.speed_sum),
            (_T.resolution_n, _T.resolution_sum),
            (_T.attitude_n, _T.attitude_sum),
            (_T.overall_n, _T.overall_sum),
        ]
        sums = [x for n, s in pairs for x in (func.sum(n), func.sum(s))]
        stmt = (
            select(b, *sums)
            .where(_T.event == "closed", _days(_T.day, period), *_rows_of(f))
            .group_by(b)
        )
        out = {}
        for i, *values in await self._rows(stmt):
            counts, totals = values[0::2], values[1::2]
            if counts[3]:
                means = [
                    int(s) / int(n) if n else None for n, s in zip(counts, totals, strict=True)
                ]
                out[i] = (int(counts[3]), means)
        return out

    async def lowest_satisfaction(
        self, period: Period, f: Filters, limit: int
    ) -> list[tuple[str, float, int]]:
        rated = func.sum(_T.overall_n)
        mean = func.sum(_T.overall_sum) * 1.0 / rated
        stmt = (
            select(_T.value, mean, rated)
            .where(_T.event == "closed", _days(_T.day, period), *_rows_of(f, "type"))
            .group_by(_T.value)
            .having(rated > 0)
            .order_by(mean, _T.value)
            .limit(limit)
        )
        return [(t, float(m), int(n)) for t, m, n in await self._rows(stmt)]

    async def agents(
        self, period: Period, f: Filters, open_now: dict[int, int]
    ) -> list[dict[str, Any]]:
        """`open_now`: each assignee's open tickets with `f` (counted raw)."""
        counted: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        filters = []
        if f.department_id is not None:
            filters.append(_A.department_id == f.department_id)
        if f.assignee_id is not None:
            filters.append(_A.assignee_id == f.assignee_id)
        for assignee, event, tickets, timed, on_time in await self._rows(
            select(
                _A.assignee_id,
                _A.event,
                func.sum(_A.tickets),
                func.sum(_A.timed),
                func.sum(_A.on_time),
            )
            .where(_days(_A.day, period), *filters)
            .group_by(_A.assignee_id, _A.event)
        ):
            row = counted[assignee]
            if event == "opened":
                row["opened"] += int(tickets)
            elif event == "first_response":
                row["first_responses"] += int(timed)
                row["first_response_on_time"] += int(on_time)
            else:
                row["resolved"] += int(tickets)
                row["resolutions"] += int(timed)
                row["resolution_on_time"] += int(on_time)
        for assignee, n in open_now.items():
            counted[assignee]["open"] += n
        # As the raw statement: an assignee with open tickets, or opened, first responses or
        # resolutions with a stored duration in the period.
        shown = sorted(
            a
            for a, r in counted.items()
            if r["open"] or r["opened"] or r["first_responses"] or r["resolutions"]
        )
        names = dict(await self._rows(select(User.id, User.display_name).where(User.id.in_(shown))))
        return [
            {"assignee_id": a, "name": names[a], **{k: counted[a][k] for k in AGENT_COUNTS}}
            for a in shown
        ]


# See RollupReader.durations. `buckets` are the period's (index, first day, last day, start,
# end); fractions are the median's and the p90's.
_REFINE = """(
    SELECT t.{minutes} FROM ticket t
    WHERE analytics_duration_bin(t.{minutes}) = w.bin AND t.{minutes} IS NOT NULL
        AND t.{at} >= w.start_at AND t.{at} < w.end_at
    ORDER BY t.{minutes} OFFSET w.r - 1 LIMIT 1)"""
_FIRST_RESPONSE = _REFINE.format(minutes="first_response_elapsed_minutes", at="first_response_at")
_RESOLUTION = _REFINE.format(minutes="resolution_elapsed_minutes", at="resolved_at")
_PERCENTILES = f"""
WITH buckets (i, first_day, last_day, start_at, end_at) AS (VALUES {{buckets}}),
hist AS (
    SELECT h.event, b.i, h.bin, sum(h.tickets) AS n
    FROM analytics_duration_day h
    JOIN buckets b ON h.day BETWEEN b.first_day AND b.last_day
    GROUP BY 1, 2, 3 HAVING sum(h.tickets) > 0),
cum AS (
    SELECT event, i, bin, n,
        sum(n) OVER (PARTITION BY event, i ORDER BY bin) - n AS before,
        sum(n) OVER (PARTITION BY event, i) AS total
    FROM hist),
wanted AS (
    SELECT c.event, c.i, p.j, c.bin, ceil(p.fraction * c.total)::bigint - c.before AS r,
        b.start_at, b.end_at
    FROM cum c
    CROSS JOIN (VALUES (0, 0.5::float8), (1, 0.9::float8)) AS p (j, fraction)
    JOIN buckets b ON b.i = c.i
    WHERE c.before < ceil(p.fraction * c.total)
        AND ceil(p.fraction * c.total) <= c.before + c.n)
SELECT w.event, w.i, w.j, CASE w.event
    WHEN 'first_response' THEN {_FIRST_RESPONSE}
    ELSE {_RESOLUTION} END
FROM wanted w"""


def unit_of(b: Bucket, granularity: Granularity) -> tuple[date, date]:
    """The first and last day of the calendar day, ISO week or month the bucket is in."""
    first = b.first_day
    if granularity is Granularity.DAY:
        return first, first
    if granularity is Granularity.WEEK:
        monday = first - timedelta(days=first.weekday())
        return monday, monday + timedelta(days=6)
    start = first.replace(day=1)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, following - timedelta(days=1)


async def fold(session: AsyncSession) -> None:
    await session.execute(text("SELECT analytics_rollups_fold()"))


async def rebuild(session: AsyncSession, zone_name: str) -> None:
    await session.execute(text("SELECT analytics_rollups_rebuild(:zone)"), {"zone": zone_name})
