"""The lifecycle jobs in SQL (dormancy, churn risk, verification reminders), set-based.

Each statement handles every customer at once: a status change is one UPDATE … RETURNING
over the whole customer table, and the audit events, alerts, notifications and tasks that
follow are INSERT … SELECT over the ids it returned. Exactly-once comes from
lifecycle_alert's primary key (kind, customer, cycle): alerts go in with ON CONFLICT DO
NOTHING … RETURNING, and notifications and tasks follow only the ids this transaction
inserted.

TicketStatus and RFM columns are derived data: writing them leaves `version` alone (nobody's
If-Match fails because a job ran) but sets `updated_at`.
"""

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    and_,
    cast,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.customer import ActivityStatus
from domain.lifecycle import Cuts, Thresholds
from domain.ticket import TicketStatus, TicketType
from persistence.db import rowcount
from persistence.models import (
    AuditEvent,
    Customer,
    Json,
    LifecycleAlert,
    LifecycleSettings,
    Notification,
    Task,
    Ticket,
    User,
    UtcDateTime,
)
from persistence.sql_json import json_object

CUSTOMER = Customer.__table__.c
TICKET = Ticket.__table__.c
AUDIT_COLUMNS = ("at", "actor_id", "entity_type", "entity_id", "customer_id", "action", "changes")


def id_set(dialect: str, ids: Sequence[int]) -> Select[*tuple[Any, ...]]:
    """The ids as a one-column SELECT bound as a single parameter (an array on PostgreSQL, a
    JSON array on SQLite), so any number of them fits in one statement."""
    if dialect == "postgresql":
        return select(func.unnest(literal(list(ids), ARRAY(BigInteger))))
    values = func.json_each(literal(json.dumps(list(ids)), String)).table_valued("value")
    return select(values.c.value)


def interacted_since(cuts: Cuts) -> ColumnElement[bool]:
    """The customer had a follow-up or ticket at or after `cuts.since`, or an order after
    `cuts.last_day`; one with no interaction at all counts from its creation. Never NULL, so
    its negation is safe."""
    any_ticket = exists().where(TICKET.customer_id == CUSTOMER.id)
    recent_ticket = exists().where(
        TICKET.customer_id == CUSTOMER.id, TICKET.opened_at >= cuts.since
    )
    never = and_(CUSTOMER.last_contact_at.is_(None), CUSTOMER.last_order_on.is_(None), ~any_ticket)
    return or_(
        and_(CUSTOMER.last_contact_at.is_not(None), CUSTOMER.last_contact_at >= cuts.since),
        and_(CUSTOMER.last_order_on.is_not(None), CUSTOMER.last_order_on > cuts.last_day),
        recent_ticket,
        and_(never, CUSTOMER.created_at >= cuts.since),
    )


def churn_rule(no_order: Cuts, complaint: Cuts) -> ColumnElement[bool]:
    """Ordered once, but not after `no_order.last_day`; a complaint (not cancelled) opened at
    or after `complaint.since`. Never NULL."""
    recent_complaint = exists().where(
        TICKET.customer_id == CUSTOMER.id,
        TICKET.type == TicketType.COMPLAINT.value,
        TICKET.status != TicketStatus.CANCELLED.value,
        TICKET.opened_at >= complaint.since,
    )
    return and_(
        CUSTOMER.last_order_on.is_not(None),
        CUSTOMER.last_order_on <= no_order.last_day,
        recent_complaint,
    )


class SqlLifecycleScanRepo:
    def __init__(self, session: AsyncSession, zone: ZoneInfo) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name
        self.zone = zone

    async def thresholds(self) -> Thresholds:
        row = await self.session.get(LifecycleSettings, 1)
        if row is None:  # seeded by the migration; defaults keep the jobs working regardless
            return Thresholds()
        return Thresholds(
            dormancy_days=row.dormancy_days,
            churn_no_order_days=row.churn_no_order_days,
            churn_complaint_days=row.churn_complaint_days,
            verification_days=row.verification_days,
        )

    async def to_dormant(self, cuts: Cuts, now: datetime) -> list[int]:
        """Active customers quiet since before `cuts` become dormant; the ids."""
        return await self.set_status(
            ActivityStatus.ACTIVE, ActivityStatus.DORMANT, ~interacted_since(cuts), now
        )

    async def wake(self, cuts: Cuts, now: datetime) -> list[int]:
        """Dormant customers heard from since `cuts` become active again; the ids."""
        return await self.set_status(
            ActivityStatus.DORMANT, ActivityStatus.ACTIVE, interacted_since(cuts), now
        )

    async def to_churn_risk(self, no_order: Cuts, complaint: Cuts, now: datetime) -> list[int]:
        """Active or dormant customers meeting the churn rule become churn_risk; the ids."""
        rule = churn_rule(no_order, complaint)
        return await self.set_status(
            ActivityStatus.ACTIVE, ActivityStatus.CHURN_RISK, rule, now
        ) + await self.set_status(ActivityStatus.DORMANT, ActivityStatus.CHURN_RISK, rule, now)

    async def clear_churn_risk(self, no_order: Cuts, complaint: Cuts, now: datetime) -> list[int]:
        """churn_risk customers no longer meeting the rule go back to active; the ids."""
        return await self.set_status(
            ActivityStatus.CHURN_RISK, ActivityStatus.ACTIVE, ~churn_rule(no_order, complaint), now
        )

    async def set_status(
        self, old: str, new: str, condition: ColumnElement[bool], now: datetime
    ) -> list[int]:
        """Move every unarchived customer in status `old` meeting `condition` to `new`, with
        an audit event each; the ids moved."""
        stmt = (
            update(Customer.__table__)
            .where(CUSTOMER.archived.is_(False), CUSTOMER.activity_status == old, condition)
            .values(activity_status=new, updated_at=now)
            .returning(CUSTOMER.id)
        )
        ids = list((await self.session.scalars(stmt)).all())
        if ids:
            await self._audit(ids, "lifecycle", {"activity_status": [str(old), str(new)]}, now)
        return ids

    async def raise_alerts(
        self, kind: str, customer_ids: Sequence[int], cycle: str, now: datetime
    ) -> list[int]:
        """Record an alert for each of the customers that has an owner (the pool has nobody
        to tell) unless it has one for this cycle; the ids alerted by this call."""
        if not customer_ids:
            return []
        rows = select(
            literal(kind, String), CUSTOMER.id, literal(cycle, String), literal(now, UtcDateTime)
        ).where(CUSTOMER.id.in_(id_set(self.dialect, customer_ids)), CUSTOMER.owner_id.is_not(None))
        return await self._insert_alerts(rows)

    async def raise_verification_alerts(self, cuts: Cuts, days: int, now: datetime) -> list[int]:
        """A reminder for every owned, unarchived customer whose last check (or creation) is
        `days` or more calendar days old, once per due date; the ids alerted."""
        base = func.coalesce(CUSTOMER.verified_at, CUSTOMER.created_at)
        due_on = self._local_date_text(base, plus_days=days)
        alerted = (
            select(LifecycleAlert.entity_id)
            .where(
                LifecycleAlert.kind == "verification",
                LifecycleAlert.entity_id == CUSTOMER.id,
                LifecycleAlert.cycle == due_on,
            )
            .exists()
        )
        rows = (
            select(literal("verification", String), CUSTOMER.id, due_on, literal(now, UtcDateTime))
            .join(User.__table__, User.id == CUSTOMER.owner_id)
            .where(
                CUSTOMER.archived.is_(False), User.is_active.is_(True), base < cuts.since, ~alerted
            )
        )
        return await self._insert_alerts(rows)

    async def notify_owners(
        self, customer_ids: Sequence[int], kind: str, title: str, now: datetime
    ) -> int:
        """One notification to each customer's owner, if that owner is active."""
        if not customer_ids:
            return 0
        rows = (
            select(
                CUSTOMER.owner_id,
                literal(kind, String),
                self._titled(title),
                literal("customer", String),
                CUSTOMER.id,
                literal(now, UtcDateTime),
                json_object(self.dialect, name=CUSTOMER.name),
            )
            .join(User.__table__, User.id == CUSTOMER.owner_id)
            .where(CUSTOMER.id.in_(id_set(self.dialect, customer_ids)), User.is_active.is_(True))
        )
        result = await self.session.execute(
            insert(Notification).from_select(
                ["user_id", "kind", "title", "entity_type", "entity_id", "created_at", "params"],
                rows,
            )
        )
        return rowcount(result)

    async def add_tasks(
        self, customer_ids: Sequence[int], kind: str, title: str, due_on: date, now: datetime
    ) -> int:
        """One open task for each customer's owner, if that owner is active."""
        if not customer_ids:
            return 0
        rows = (
            select(
                CUSTOMER.owner_id,
                CUSTOMER.id,
                literal(kind, String),
                self._titled(title),
                literal(due_on, Date),
                literal(1, Integer),
                literal(now, UtcDateTime),
                literal(now, UtcDateTime),
            )
            .join(User.__table__, User.id == CUSTOMER.owner_id)
            .where(CUSTOMER.id.in_(id_set(self.dialect, customer_ids)), User.is_active.is_(True))
        )
        result = await self.session.execute(
            insert(Task).from_select(
                [
                    "owner_id",
                    "customer_id",
                    "kind",
                    "title",
                    "due_on",
                    "version",
                    "created_at",
                    "updated_at",
                ],
                rows,
            )
        )
        return rowcount(result)

    # ---- helpers ----

    async def _insert_alerts(self, rows: Select[*tuple[Any, ...]]) -> list[int]:
        make_insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        stmt = (
            make_insert(LifecycleAlert)
            .from_select(["kind", "entity_id", "cycle", "at"], rows)
            .on_conflict_do_nothing()
            .returning(LifecycleAlert.entity_id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def _audit(
        self, customer_ids: Sequence[int], action: str, changes: dict[str, Any], now: datetime
    ) -> None:
        """The same system audit event (no actor) on each customer's history."""
        rows = select(
            literal(now, UtcDateTime),
            literal(None, BigInteger),
            literal("customer", String),
            CUSTOMER.id,
            CUSTOMER.id,
            literal(action, String),
            literal(changes, Json),
        ).where(CUSTOMER.id.in_(id_set(self.dialect, customer_ids)))
        await self.session.execute(insert(AuditEvent).from_select(AUDIT_COLUMNS, rows))

    def _titled(self, title: str) -> ColumnElement[str]:
        return func.substr(literal(title, String) + CUSTOMER.name, 1, 200)

    def _local_date_text(
        self, instant: ColumnElement[Any], *, plus_days: int
    ) -> ColumnElement[str]:
        """'YYYY-MM-DD': the local calendar day of a stored instant, plus some days.
        SQLite has no time-zone database: it uses the zone's current UTC offset, exact for
        zones without daylight saving time such as Asia/Shanghai."""
        if self.dialect == "postgresql":
            day = cast(func.timezone(literal(self.zone.key, String), instant), Date)
            return func.to_char(day + literal(plus_days, Integer), "YYYY-MM-DD")
        offset = self.zone.utcoffset(datetime.now(self.zone)) or timedelta(0)
        return func.date(
            instant, f"{int(offset.total_seconds()):+d} seconds", f"{plus_days:+d} days"
        )
