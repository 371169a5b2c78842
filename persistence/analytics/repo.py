"""Aggregates for domain/analytics. Buckets are the period's own instants (local midnights in
the configured zone, computed in the domain), turned into a CASE over the indexed timestamp:
no time-zone arithmetic in SQL, so SQLite and PostgreSQL count alike, daylight saving
included. Every statement scans the period's rows once. On PostgreSQL, what the rollups can
answer (rollups.py: the whole desk's figures) is read from them instead."""

from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select, text, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from domain.analytics.period import Period
from domain.analytics.scope import Filters
from domain.analytics.service import OPEN_STATUSES
from domain.analytics.stats import percentile
from persistence.analytics import rollups
from persistence.analytics.buckets import day_bucket, instant_bucket
from persistence.models import (
    AuditEvent,
    Customer,
    CustomerOrder,
    CustomerTag,
    FollowUp,
    Opportunity,
    Ticket,
    User,
)

FUNNEL_STAGES = ("intent", "quote", "contract", "won", "lost")


def _in(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


def _customer_scope(f: Filters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Customer.archived.is_(False)]
    if f.owner_id is not None:
        conditions.append(Customer.owner_id == f.owner_id)
    if f.department_id is not None:
        conditions.append(
            Customer.owner_id.in_(select(User.id).where(User.department_id == f.department_id))
        )
    if f.tag_id is not None:
        conditions.append(
            Customer.id.in_(select(CustomerTag.customer_id).where(CustomerTag.tag_id == f.tag_id))
        )
    return conditions


def _of_customers_in_scope(column: Any, f: Filters) -> ColumnElement[bool]:
    """`column` (a customer id) belongs to a customer the filters keep. Unfiltered, that is
    every customer not archived: a NOT IN over the few archived ones, instead of a semi-join
    with the whole customer table."""
    if f.owner_id is None and f.department_id is None and f.tag_id is None:
        return column.not_in(select(Customer.id).where(Customer.archived.is_(True)))
    return column.in_(select(Customer.id).where(*_customer_scope(f)))


_TRUE = true()


def _ticket_scope(f: Filters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.department_id is not None:
        conditions.append(Ticket.department_id == f.department_id)
    if f.assignee_id is not None:
        conditions.append(Ticket.assignee_id == f.assignee_id)
    if f.ticket_type is not None:
        conditions.append(Ticket.type == f.ticket_type)
    if f.channel is not None:
        conditions.append(Ticket.channel == f.channel)
    if f.owner_id is not None or f.tag_id is not None:
        customers = select(Customer.id)
        if f.owner_id is not None:
            customers = customers.where(Customer.owner_id == f.owner_id)
        if f.tag_id is not None:
            customers = customers.where(
                Customer.id.in_(
                    select(CustomerTag.customer_id).where(CustomerTag.tag_id == f.tag_id)
                )
            )
        conditions.append(Ticket.customer_id.in_(customers))
    return conditions or [_TRUE]


class SqlAnalyticsRepo:
    """`use_rollups=False` counts everything from the raw rows (the tests compare both)."""

    def __init__(self, session: AsyncSession, *, use_rollups: bool = True) -> None:
        self.session = session
        self.use_rollups = use_rollups
        self._tuned = False
        self._rollup_zone: str | None = None

    @property
    def _postgres(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    async def _rollups(
        self, period: Period, f: Filters, group: str, by: str | None = None
    ) -> rollups.RollupReader | None:
        """The reader of the rollups when they can answer (PostgreSQL, counted in the
        period's zone, filters they hold), else None: count the raw rows."""
        if not (self.use_rollups and self._postgres and rollups.answers(f, group, by)):
            return None
        if self._rollup_zone is None:
            self._rollup_zone = await rollups.zone(self.session)
        if self._rollup_zone != period.zone.key:
            return None
        return rollups.RollupReader(self.session)

    def _owned_by(self, column: Any, owner_id: int) -> ColumnElement[bool]:
        """`column` (a customer id) is of a customer `owner_id` owns. On PostgreSQL as
        `= ANY(ARRAY(…))`: the planner then looks the owner's few thousand customers up in
        the column's index, where `IN (SELECT …)` hash-joins them with a scan of the table."""
        owned = select(Customer.id).where(Customer.owner_id == owner_id)
        if self._postgres:
            return column == func.any(func.array(owned.scalar_subquery()))
        return column.in_(owned)

    def _of_customers(self, column: Any, f: Filters) -> ColumnElement[bool]:
        if f.owner_id is not None and f.department_id is None and f.tag_id is None:
            return self._owned_by(column, f.owner_id)
        return _of_customers_in_scope(column, f)

    def _ticket_scope(self, f: Filters) -> list[ColumnElement[bool]]:
        if f.owner_id is not None and f.tag_id is None:
            rest = _ticket_scope(replace(f, owner_id=None))
            return [
                self._owned_by(Ticket.customer_id, f.owner_id),
                *[c for c in rest if c is not _TRUE],
            ]
        return _ticket_scope(f)

    async def _rows(self, stmt: Any) -> list[Any]:
        if self._postgres and not self._tuned:
            # For this transaction only: aggregates over a year of orders or tickets hash
            # hundreds of thousands of groups (4 MB, the default, spills them to disk), and
            # JIT compiling costs more than it saves on these statements.
            await self.session.execute(text("SET LOCAL work_mem = '64MB'"))
            await self.session.execute(text("SET LOCAL jit = off"))
            self._tuned = True
        return list((await self.session.execute(stmt)).all())

    # ---- customers ----

    async def new_customers(self, period: Period, f: Filters) -> dict[int, int]:
        if reader := await self._rollups(period, f, "customers"):
            return await reader.new_customers(period)
        b = instant_bucket(Customer.created_at, period).label("b")
        stmt = (
            select(b, func.count())
            .where(_in(Customer.created_at, period), *_customer_scope(f))
            .group_by(b)
        )
        return {i: n for i, n in await self._rows(stmt)}

    async def customers_by(
        self, column_name: str, f: Filters, period: Period
    ) -> dict[str | None, int]:
        if reader := await self._rollups(period, f, "customers"):
            return await reader.customers_by(column_name)
        column: Any = getattr(Customer, column_name)
        if column_name == "industry":  # the GB/T 4754 section: the code's letter
            column = func.substr(Customer.industry, 1, 1)
        key = column.label("k")
        stmt = select(key, func.count()).where(*_customer_scope(f)).group_by(key)
        return {k: n for k, n in await self._rows(stmt)}

    async def repurchase(self, period: Period, f: Filters) -> dict[int, tuple[int, int]]:
        """Per bucket: (customers with an order, customers with two or more)."""
        if reader := await self._rollups(period, f, "customers"):
            counts, uncounted = await reader.repurchase(period)
            for i in uncounted:  # counted raw, each bucket on its own
                b = period.buckets[i]
                one = replace(period, first_day=b.first_day, last_day=b.last_day, buckets=(b,))
                if found := (await self._repurchase_raw(one, f)).get(0):
                    counts[i] = found
            return counts
        return await self._repurchase_raw(period, f)

    async def _repurchase_raw(self, period: Period, f: Filters) -> dict[int, tuple[int, int]]:
        b = day_bucket(CustomerOrder.ordered_on, period).label("b")
        per_customer = (
            select(b, CustomerOrder.customer_id, func.count().label("n"))
            .where(
                CustomerOrder.ordered_on >= period.first_day,
                CustomerOrder.ordered_on <= period.last_day,
                CustomerOrder.status != "cancelled",
                self._of_customers(CustomerOrder.customer_id, f),
            )
            .group_by(b, CustomerOrder.customer_id)
            .subquery()
        )
        stmt = select(
            per_customer.c.b, func.count(), func.sum(case((per_customer.c.n >= 2, 1), else_=0))
        ).group_by(per_customer.c.b)
        return {i: (n, int(two or 0)) for i, n, two in await self._rows(stmt)}

    # ---- sales ----

    async def follow_ups(self, period: Period, f: Filters) -> list[tuple[int, str, str, int]]:
        """(owner id, owner name, method, count), by owner then method. Counted first, named
        after: the join touches one row per owner and method, not every follow-up."""
        if reader := await self._rollups(period, f, "customers"):
            return await reader.follow_ups(period)
        counts = (
            select(FollowUp.owner_id, FollowUp.method, func.count().label("n"))
            .where(_in(FollowUp.at, period), self._of_customers(FollowUp.customer_id, f))
            .group_by(FollowUp.owner_id, FollowUp.method)
            .subquery()
        )
        stmt = (
            select(counts.c.owner_id, User.display_name, counts.c.method, counts.c.n)
            .join(User, User.id == counts.c.owner_id)
            .order_by(counts.c.owner_id, counts.c.method)
        )
        return [(o, name, m, n) for o, name, m, n in await self._rows(stmt)]

    async def funnel(self, period: Period, f: Filters) -> dict[str, Any]:
        scope = [
            _in(Opportunity.created_at, period),
            self._of_customers(Opportunity.customer_id, f),
        ]
        counts = {
            s: n
            for s, n in await self._rows(
                select(Opportunity.stage, func.count()).where(*scope).group_by(Opportunity.stage)
            )
        }
        won_amount = (
            await self.session.execute(
                select(func.coalesce(func.sum(CustomerOrder.amount), 0))
                .join(Opportunity, Opportunity.id == CustomerOrder.opportunity_id)
                .where(*scope, Opportunity.stage == "won", CustomerOrder.status != "cancelled")
            )
        ).scalar_one()
        lost_amount = (
            await self.session.execute(
                select(func.coalesce(func.sum(Opportunity.budget_max), 0)).where(
                    *scope, Opportunity.stage == "lost"
                )
            )
        ).scalar_one()
        # Money columns: the sums come back as yuan Decimals.
        return {
            "counts": counts,
            "won": Decimal(won_amount or 0),
            "lost": Decimal(lost_amount or 0),
        }

    async def won_cycles(self, period: Period, f: Filters) -> list[tuple[datetime, datetime]]:
        """(first contact, won at) of the opportunities won in the period."""
        stmt = (
            select(Customer.first_contact_at, Opportunity.closed_at)
            .join(Customer, Customer.id == Opportunity.customer_id)
            .where(
                Opportunity.stage == "won",
                _in(Opportunity.closed_at, period),
                Customer.first_contact_at.is_not(None),
                *_customer_scope(f),
            )
        )
        return [(a, w) for a, w in await self._rows(stmt)]

    async def pool_moves(self, period: Period, f: Filters) -> dict[tuple[int, str], int]:
        """{(bucket, release|claim): count}. With an owner: their claims and the releases of
        customers they owned (the old owner is the first element of the event's owner_id)."""
        b = instant_bucket(AuditEvent.at, period).label("b")
        stmt = (
            select(b, AuditEvent.action, func.count())
            .where(
                AuditEvent.entity_type == "customer",
                AuditEvent.action.in_(("release", "claim")),
                _in(AuditEvent.at, period),
            )
            .group_by(b, AuditEvent.action)
        )
        owners = None
        if f.owner_id is not None:
            owners = select(literal(f.owner_id))
        elif f.department_id is not None:
            owners = select(User.id).where(User.department_id == f.department_id)
        if owners is not None:
            old_owner = AuditEvent.changes[("owner_id", 0)].as_integer()
            stmt = stmt.where(
                or_(
                    and_(AuditEvent.action == "claim", AuditEvent.actor_id.in_(owners)),
                    and_(AuditEvent.action == "release", old_owner.in_(owners)),
                )
            )
        if f.tag_id is not None:
            stmt = stmt.where(
                AuditEvent.customer_id.in_(
                    select(CustomerTag.customer_id).where(CustomerTag.tag_id == f.tag_id)
                )
            )
        return {(i, a): n for i, a, n in await self._rows(stmt)}

    # ---- service ----

    async def ticket_volume(
        self, period: Period, f: Filters, by: str
    ) -> dict[str, dict[tuple[int, str], int]]:
        """{opened|resolved|closed: {(bucket, key): count}}, from one pass over the tickets
        that had any of the three in the period (grouped by all three buckets at once)."""
        if reader := await self._rollups(period, f, "tickets", by):
            return await reader.ticket_volume(period, f, by)
        key = getattr(Ticket, by)
        opened = instant_bucket(Ticket.opened_at, period).label("o")
        resolved = instant_bucket(Ticket.resolved_at, period).label("r")
        closed = case(
            (Ticket.status == "cancelled", None), else_=instant_bucket(Ticket.closed_at, period)
        ).label("c")
        stmt = (
            select(opened, resolved, closed, key, func.count())
            .where(
                or_(
                    _in(Ticket.opened_at, period),
                    _in(Ticket.resolved_at, period),
                    _in(Ticket.closed_at, period),
                ),
                *self._ticket_scope(f),
            )
            .group_by(opened, resolved, closed, key)
        )
        out: dict[str, dict[tuple[int, str], int]] = {"opened": {}, "resolved": {}, "closed": {}}
        for o, r, c, k, n in await self._rows(stmt):
            for name, i in (("opened", o), ("resolved", r), ("closed", c)):
                if i is not None:
                    out[name][(i, k)] = out[name].get((i, k), 0) + n
        return out

    async def backlog(self, period: Period, f: Filters) -> list[int]:
        if reader := await self._rollups(period, f, "tickets"):
            unfinished = select(func.count()).where(
                Ticket.resolved_at.is_(None), Ticket.closed_at.is_(None), *self._ticket_scope(f)
            )
            return await reader.backlog(
                period, f, (await self.session.execute(unfinished)).scalar_one()
            )
        finished = func.coalesce(Ticket.resolved_at, Ticket.closed_at)
        columns = [
            func.sum(
                case(
                    (and_(Ticket.opened_at < b.end, or_(finished.is_(None), finished >= b.end)), 1),
                    else_=0,
                )
            )
            for b in period.buckets
        ]
        stmt = select(*columns).where(
            Ticket.opened_at < period.end,
            *self._ticket_scope(f),
            or_(finished.is_(None), finished >= period.start),
        )
        row = (await self.session.execute(stmt)).one()
        return [int(v or 0) for v in row]

    async def sla(self, period: Period, f: Filters) -> dict[str, dict[int, tuple[int, int, int]]]:
        """{first_response|resolution: {bucket: (fulfilled, on time, reopened)}}, from one
        pass over the tickets answered or resolved in the period."""
        if reader := await self._rollups(period, f, "tickets"):
            return await reader.sla(period, f)
        fr = case(
            (Ticket.first_response_elapsed_minutes.is_(None), None),
            else_=instant_bucket(Ticket.first_response_at, period),
        ).label("f")
        res = case(
            (Ticket.resolution_elapsed_minutes.is_(None), None),
            else_=instant_bucket(Ticket.resolved_at, period),
        ).label("r")
        fr_ok = case(
            (Ticket.first_response_elapsed_minutes <= Ticket.first_response_minutes, 1), else_=0
        ).label("fo")
        res_ok = case(
            (Ticket.resolution_elapsed_minutes <= Ticket.resolution_minutes, 1), else_=0
        ).label("ro")
        reopened = case((Ticket.reopen_count > 0, 1), else_=0).label("re")
        stmt = (
            select(fr, res, fr_ok, res_ok, reopened, func.count())
            .where(
                or_(_in(Ticket.first_response_at, period), _in(Ticket.resolved_at, period)),
                *self._ticket_scope(f),
            )
            .group_by(fr, res, fr_ok, res_ok, reopened)
        )
        acc: dict[str, dict[int, list[int]]] = {"first_response": {}, "resolution": {}}
        for f_i, r_i, f_ok, r_ok, re, n in await self._rows(stmt):
            for name, i, ok in (("first_response", f_i, f_ok), ("resolution", r_i, r_ok)):
                if i is not None:
                    row = acc[name].setdefault(i, [0, 0, 0])
                    row[0] += n
                    row[1] += n * ok
                    row[2] += n * re
        return {
            name: {i: (v[0], v[1], v[2]) for i, v in buckets.items()}
            for name, buckets in acc.items()
        }

    async def durations(
        self, period: Period, f: Filters
    ) -> dict[str, dict[int, tuple[float | None, float | None]]]:
        """{first_response|resolution: {bucket: (median, p90) in working minutes}}."""
        if reader := await self._rollups(period, f, "durations"):
            return await reader.durations(period)
        out: dict[str, dict[int, tuple[float | None, float | None]]] = {}
        for name, at, elapsed in (
            ("first_response", Ticket.first_response_at, Ticket.first_response_elapsed_minutes),
            ("resolution", Ticket.resolved_at, Ticket.resolution_elapsed_minutes),
        ):
            b = instant_bucket(at, period).label("b")
            where = (_in(at, period), elapsed.is_not(None), *self._ticket_scope(f))
            if self._postgres:
                stmt = (
                    select(
                        b,
                        func.percentile_disc(0.5).within_group(elapsed),
                        func.percentile_disc(0.9).within_group(elapsed),
                    )
                    .where(*where)
                    .group_by(b)
                )
                out[name] = {i: (m, p) for i, m, p in await self._rows(stmt)}
            else:
                values: dict[int, list[float]] = defaultdict(list)
                for i, v in await self._rows(select(b, elapsed).where(*where)):
                    values[i].append(v)
                out[name] = {
                    i: (percentile(vs, 0.5), percentile(vs, 0.9)) for i, vs in values.items()
                }
        return out

    async def agents(self, period: Period, f: Filters) -> list[dict[str, Any]]:
        if reader := await self._rollups(period, f, "agents"):
            open_now = (
                select(Ticket.assignee_id, func.count())
                .where(
                    Ticket.status.in_(OPEN_STATUSES),
                    Ticket.assignee_id.is_not(None),
                    *self._ticket_scope(f),
                )
                .group_by(Ticket.assignee_id)
            )
            return await reader.agents(period, f, dict(await self._rows(open_now)))
        scope = self._ticket_scope(f)
        in_fr = and_(
            _in(Ticket.first_response_at, period),
            Ticket.first_response_elapsed_minutes.is_not(None),
        )
        in_res = and_(
            _in(Ticket.resolved_at, period), Ticket.resolution_elapsed_minutes.is_not(None)
        )

        def n(condition: Any) -> Any:
            return func.sum(case((condition, 1), else_=0))

        stmt = (
            select(
                Ticket.assignee_id,
                User.display_name,
                n(Ticket.status.in_(OPEN_STATUSES)),
                n(_in(Ticket.opened_at, period)),
                n(_in(Ticket.resolved_at, period)),
                n(in_fr),
                n(
                    and_(
                        in_fr,
                        Ticket.first_response_elapsed_minutes <= Ticket.first_response_minutes,
                    )
                ),
                n(in_res),
                n(and_(in_res, Ticket.resolution_elapsed_minutes <= Ticket.resolution_minutes)),
            )
            .join(User, User.id == Ticket.assignee_id)
            .where(
                *scope,
                or_(Ticket.status.in_(OPEN_STATUSES), _in(Ticket.opened_at, period), in_fr, in_res),
            )
            .group_by(Ticket.assignee_id, User.display_name)
            .order_by(Ticket.assignee_id)
        )
        return [
            {
                "assignee_id": a,
                "name": name,
                **{k: int(v or 0) for k, v in zip(rollups.AGENT_COUNTS, rest, strict=True)},
            }
            for a, name, *rest in await self._rows(stmt)
        ]

    async def satisfaction(
        self, period: Period, f: Filters
    ) -> dict[int, tuple[int, list[float | None]]]:
        if reader := await self._rollups(period, f, "tickets"):
            return await reader.satisfaction(period, f)
        b = instant_bucket(Ticket.closed_at, period).label("b")
        dims = (
            Ticket.satisfaction_response_speed,
            Ticket.satisfaction_resolution,
            Ticket.satisfaction_attitude,
            Ticket.satisfaction_overall,
        )
        stmt = (
            select(b, func.count(), *[func.avg(d * 1.0) for d in dims])
            .where(
                _in(Ticket.closed_at, period),
                Ticket.status == "closed",
                Ticket.satisfaction_overall.is_not(None),
                *self._ticket_scope(f),
            )
            .group_by(b)
        )
        return {
            i: (n, [None if v is None else float(v) for v in means])
            for i, n, *means in await self._rows(stmt)
        }

    async def lowest_satisfaction(
        self, period: Period, f: Filters, limit: int = 5
    ) -> list[tuple[str, float, int]]:
        if reader := await self._rollups(period, f, "tickets", "type"):
            return await reader.lowest_satisfaction(period, f, limit)
        mean = func.avg(Ticket.satisfaction_overall * 1.0)
        stmt = (
            select(Ticket.type, mean, func.count())
            .where(
                _in(Ticket.closed_at, period),
                Ticket.status == "closed",
                Ticket.satisfaction_overall.is_not(None),
                *self._ticket_scope(f),
            )
            .group_by(Ticket.type)
            .order_by(mean, Ticket.type)
            .limit(limit)
        )
        return [(t, float(m), n) for t, m, n in await self._rows(stmt)]

    async def complaints(
        self, period: Period, f: Filters
    ) -> list[tuple[str | None, str | None, int]]:
        stmt = (
            select(Ticket.responsible_party, Ticket.root_cause, func.count())
            .where(
                Ticket.type == "complaint", _in(Ticket.opened_at, period), *self._ticket_scope(f)
            )
            .group_by(Ticket.responsible_party, Ticket.root_cause)
            .order_by(func.count().desc(), Ticket.responsible_party, Ticket.root_cause)
        )
        return [(p, c, n) for p, c, n in await self._rows(stmt)]

    async def type_counts(self, start: datetime, end: datetime) -> dict[str, int]:
        """Tickets opened in [start, end) per type."""
        stmt = (
            select(Ticket.type, func.count())
            .where(Ticket.opened_at >= start, Ticket.opened_at < end)
            .group_by(Ticket.type)
        )
        return {t: n for t, n in await self._rows(stmt)}
