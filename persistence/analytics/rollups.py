"""The whole desk's figures from the rollup tables (PostgreSQL; migration 5b7e2c9d4a18 keeps
them): the same answers as repo.SqlAnalyticsRepo's raw statements, read from a few tens of
thousands of per-day rows instead of a year of records. A key's counts may be spread over
several rows until the fold job sums them, so every read is a sum.

The rollups count every record; the figures leave out archived customers' customers,
follow-ups and orders, so those (a few per cent of the customers) are counted from the raw
tables and taken off. Which filters each rollup can answer is `FILTERS`: anything else is
counted raw."""

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from domain.analytics.period import Bucket, Granularity, Period
from domain.analytics.scope import Filters
from persistence.analytics.buckets import day_bucket, instant_bucket
from persistence.models import (
    AnalyticsAgentDay,
    AnalyticsCustomerCount,
    AnalyticsCustomerDay,
    AnalyticsFollowUpDay,
    AnalyticsOrderUnit,
    AnalyticsRollupZone,
    AnalyticsTicketDay,
    Customer,
    CustomerOrder,
    FollowUp,
    Ticket,
    User,
)

OPEN_STATUSES = ("new", "assigned", "in_progress", "waiting_customer", "reopened")
# The filters each group of figures can be answered with from the rollups (tickets: see
# ticket_rows for which together).
FILTERS = {
    "customers": frozenset(),
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


def _of_archived(column: Any) -> ColumnElement[bool]:
    """`column` (a customer id) is an archived customer's. As `= ANY(ARRAY(…))`: the
    planner looks each archived customer's rows up in the column's index, where `IN
    (SELECT …)` would scan the period's rows of everyone."""
    archived = select(Customer.id).where(Customer.archived.is_(True)).scalar_subquery()
    return column == func.any(func.array(archived))


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
        counts: dict[int, int] = defaultdict(int)
        for i, n in await self._rows(
            select(b, func.sum(c.customers)).where(_days(c.day, period)).group_by(b)
        ):
            counts[i] += int(n)
        archived = instant_bucket(Customer.created_at, period).label("b")
        for i, n in await self._rows(
            select(archived, func.count())
            .where(
                Customer.archived.is_(True),
                Customer.created_at >= period.start,
                Customer.created_at < period.end,
            )
            .group_by(archived)
        ):
            counts[i] -= n
        return {i: n for i, n in counts.items() if n}

    async def customers_by(self, column_name: str) -> dict[str | None, int]:
        c = AnalyticsCustomerCount.c
        counts: dict[str | None, int] = defaultdict(int)
        for value, n in await self._rows(
            select(c.value, func.sum(c.customers))
            .where(c.dimension == column_name)
            .group_by(c.value)
        ):
            counts[value] += int(n)
        column: Any = getattr(Customer, column_name)
        if column_name == "industry":
            column = func.substr(Customer.industry, 1, 1)
        key = column.label("k")
        for value, n in await self._rows(
            select(key, func.count()).where(Customer.archived.is_(True)).group_by(key)
        ):
            counts[value] -= n
        return {k: n for k, n in counts.items() if n}

    async def repurchase_units(self, period: Period) -> dict[int, tuple[int, int]]:
        """(customers with an order, with two or more) of the buckets that are whole
        calendar units, archived customers' left out. The others are not in the answer."""
        whole = {
            i: b.first_day
            for i, b in enumerate(period.buckets)
            if is_whole_unit(b, period.granularity)
        }
        if not whole:
            return {}
        u = AnalyticsOrderUnit.c
        counts: dict[int, list[int]] = {i: [0, 0] for i in whole}
        index_of = {first: i for i, first in whole.items()}
        for first, one, two in await self._rows(
            select(u.first_day, func.sum(u.with_orders), func.sum(u.repeat))
            .where(
                u.granularity == period.granularity.value,
                u.first_day.in_(list(whole.values())),
            )
            .group_by(u.first_day)
        ):
            counts[index_of[first]] = [int(one), int(two)]
        b = day_bucket(CustomerOrder.ordered_on, period).label("b")
        per_customer = (
            select(b, CustomerOrder.customer_id, func.count().label("n"))
            .where(
                _days(CustomerOrder.ordered_on, period),
                CustomerOrder.status != "cancelled",
                _of_archived(CustomerOrder.customer_id),
            )
            .group_by(b, CustomerOrder.customer_id)
            .subquery()
        )
        for i, n, two in await self._rows(
            select(
                per_customer.c.b,
                func.count(),
                func.sum(case((per_customer.c.n >= 2, 1), else_=0)),
            ).group_by(per_customer.c.b)
        ):
            if i in counts:
                counts[i][0] -= n
                counts[i][1] -= int(two or 0)
        return {i: (one, two) for i, (one, two) in counts.items() if one or two}

    # ---- sales (whole desk) ----

    async def follow_ups(self, period: Period) -> list[tuple[int, str, str, int]]:
        c = AnalyticsFollowUpDay.c
        counts: dict[tuple[int, str], int] = defaultdict(int)
        for owner, method, n in await self._rows(
            select(c.owner_id, c.method, func.sum(c.follow_ups))
            .where(_days(c.day, period))
            .group_by(c.owner_id, c.method)
        ):
            counts[(owner, method)] += int(n)
        for owner, method, n in await self._rows(
            select(FollowUp.owner_id, FollowUp.method, func.count())
            .where(
                _of_archived(FollowUp.customer_id),
                FollowUp.at >= period.start,
                FollowUp.at < period.end,
            )
            .group_by(FollowUp.owner_id, FollowUp.method)
        ):
            counts[(owner, method)] -= n
        owners = sorted({o for (o, _), n in counts.items() if n})
        names = dict(
            await self._rows(select(User.id, User.display_name).where(User.id.in_(owners)))
        )
        return [(o, names[o], m, n) for (o, m), n in sorted(counts.items()) if n and o in names]

    # ---- service ----

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

    async def backlog(self, period: Period, f: Filters) -> list[int]:
        """At each bucket's end E: the tickets open now, less those opened from E on, plus
        those that left the backlog from E on (a ticket leaves it when resolved or closed)."""
        unfinished = select(func.count()).where(
            Ticket.resolved_at.is_(None), Ticket.closed_at.is_(None)
        )
        if f.department_id is not None:
            unfinished = unfinished.where(Ticket.department_id == f.department_id)
        if f.ticket_type is not None:
            unfinished = unfinished.where(Ticket.type == f.ticket_type)
        if f.channel is not None:
            unfinished = unfinished.where(Ticket.channel == f.channel)
        open_now = (await self.session.execute(unfinished)).scalar_one()
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
        days = sorted(per_day)
        out = []
        for b in period.buckets:
            end = b.last_day + timedelta(days=1)
            out.append(open_now - sum(per_day[d] for d in days if d >= end))
        return out

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

    async def agents(self, period: Period, f: Filters) -> list[dict[str, Any]]:
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
        open_now = select(Ticket.assignee_id, func.count()).where(
            Ticket.status.in_(OPEN_STATUSES), Ticket.assignee_id.is_not(None)
        )
        if f.department_id is not None:
            open_now = open_now.where(Ticket.department_id == f.department_id)
        if f.assignee_id is not None:
            open_now = open_now.where(Ticket.assignee_id == f.assignee_id)
        for assignee, n in await self._rows(open_now.group_by(Ticket.assignee_id)):
            counted[assignee]["open"] += n
        # As the raw statement: an assignee with open tickets, or opened, first responses or
        # resolutions with a stored duration in the period.
        shown = sorted(
            a
            for a, r in counted.items()
            if r["open"] or r["opened"] or r["first_responses"] or r["resolutions"]
        )
        names = dict(await self._rows(select(User.id, User.display_name).where(User.id.in_(shown))))
        keys = (
            "open",
            "opened",
            "resolved",
            "first_responses",
            "first_response_on_time",
            "resolutions",
            "resolution_on_time",
        )
        return [
            {"assignee_id": a, "name": names[a], **{k: counted[a][k] for k in keys}} for a in shown
        ]


def is_whole_unit(b: Bucket, granularity: Granularity) -> bool:
    """The bucket is a whole calendar day, ISO week or month (not cut by the range)."""
    first, last = b.first_day, b.last_day
    if granularity is Granularity.DAY:
        return True
    if granularity is Granularity.WEEK:
        return first.weekday() == 0 and last == first + timedelta(days=6)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first.day == 1 and last == following - timedelta(days=1)


async def fold(session: AsyncSession) -> None:
    await session.execute(text("SELECT analytics_rollups_fold()"))


async def rebuild(session: AsyncSession, zone_name: str) -> None:
    await session.execute(text("SELECT analytics_rollups_rebuild(:zone)"), {"zone": zone_name})
