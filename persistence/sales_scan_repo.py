"""The sales reminder scans in SQL (jobs follow-up-due and stale-opportunities), set-based.

Each kind of reminder is two statements whatever the number of customers: INSERT … SELECT of
the due reminders into lifecycle_alert, whose primary key (kind, entity, cycle) makes each
exactly-once (ON CONFLICT DO NOTHING … RETURNING the entities this run alerted), then INSERT …
SELECT of one notification per alerted entity for its owner (active users only).
"""

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.roles import Role
from persistence.db import rowcount
from persistence.follow_up_repo import has_cadence_rule, open_next_action
from persistence.models import (
    Customer,
    FollowUp,
    LifecycleAlert,
    Notification,
    Opportunity,
    User,
    UtcDateTime,
)
from persistence.opportunity_repo import stale_condition
from persistence.sql_json import json_object

FOLLOW_UP_DUE = "follow-up-due"
NEXT_ACTION_DUE = "next-action-due"
STALE_OPPORTUNITY = "stale-opportunity"
NOTIFICATION_COLUMNS = (
    "user_id",
    "kind",
    "title",
    "body",
    "entity_type",
    "entity_id",
    "created_at",
)


class SqlSalesScanRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name

    # ---- follow-ups due by the cadence ----

    async def alert_follow_ups_due(self, today: date, now: datetime) -> list[int]:
        """Customers owned, not archived, whose stage has a cadence and whose next follow-up
        date is today or earlier: one alert per customer and due date."""
        cycle = self._day_text(Customer.next_follow_up_on)
        rows = select(
            Customer.id, literal(FOLLOW_UP_DUE, String), cycle, literal(now, UtcDateTime)
        ).where(
            Customer.next_follow_up_on <= today,
            Customer.owner_id.is_not(None),
            Customer.archived.is_(False),
            has_cadence_rule(),
            ~self._alerted(FOLLOW_UP_DUE, Customer.id, cycle),
        )
        return await self._insert_alerts(rows)

    async def notify_follow_ups_due(self, customer_ids: Sequence[int], now: datetime) -> int:
        rows = (
            select(
                Customer.owner_id,
                literal("follow_up_due", String),
                self._title("跟进到期: ", Customer.name),
                literal("下次跟进日期: ", String) + self._day_text(Customer.next_follow_up_on),
                literal("customer", String),
                Customer.id,
                literal(now, UtcDateTime),
            )
            .join(User, User.id == Customer.owner_id)
            .where(Customer.id.in_(self._id_set(customer_ids)), User.is_active.is_(True))
        )
        return await self._insert_notifications(
            rows, name=Customer.name, day=self._day_text(Customer.next_follow_up_on)
        )

    # ---- next actions due ----

    async def alert_next_actions_due(self, today: date, now: datetime) -> list[int]:
        """Open next actions due today or earlier, on customers not archived; an account
        manager's only while they own the customer. One alert per follow-up and due date."""
        cycle = self._day_text(FollowUp.next_action_due_on)
        rows = (
            select(FollowUp.id, literal(NEXT_ACTION_DUE, String), cycle, literal(now, UtcDateTime))
            .join(Customer, Customer.id == FollowUp.customer_id)
            .join(User, User.id == FollowUp.owner_id)
            .where(
                open_next_action(),
                FollowUp.next_action_due_on <= today,
                Customer.archived.is_(False),
                or_(
                    Customer.owner_id == FollowUp.owner_id, User.role != Role.ACCOUNT_MANAGER.value
                ),
                ~self._alerted(NEXT_ACTION_DUE, FollowUp.id, cycle),
            )
        )
        return await self._insert_alerts(rows)

    async def notify_next_actions_due(self, follow_up_ids: Sequence[int], now: datetime) -> int:
        rows = (
            select(
                FollowUp.owner_id,
                literal("next_action_due", String),
                self._title("下一步行动到期: ", Customer.name),
                type_coerce(func.substr(FollowUp.next_action, 1, 1000), String)
                + literal(" (应于 ", String)
                + self._day_text(FollowUp.next_action_due_on)
                + literal(")", String),
                literal("follow_up", String),
                FollowUp.id,
                literal(now, UtcDateTime),
            )
            .join(Customer, Customer.id == FollowUp.customer_id)
            .join(User, User.id == FollowUp.owner_id)
            .where(FollowUp.id.in_(self._id_set(follow_up_ids)), User.is_active.is_(True))
        )
        return await self._insert_notifications(
            rows, name=Customer.name, day=self._day_text(FollowUp.next_action_due_on)
        )

    # ---- stale opportunities ----

    async def alert_stale_opportunities(self, cutoff: datetime, now: datetime) -> list[int]:
        """Open opportunities of customers not archived, quiet since before `cutoff`: one
        alert per quiet spell, named by when it began (the last effective follow-up, or the
        creation)."""
        began = case(
            (
                and_(
                    Opportunity.last_effective_follow_up_at.is_not(None),
                    Opportunity.last_effective_follow_up_at > Opportunity.created_at,
                ),
                Opportunity.last_effective_follow_up_at,
            ),
            else_=Opportunity.created_at,
        )
        cycle = self._instant_text(began)
        rows = (
            select(
                Opportunity.id, literal(STALE_OPPORTUNITY, String), cycle, literal(now, UtcDateTime)
            )
            .join(Customer, Customer.id == Opportunity.customer_id)
            .where(
                stale_condition(cutoff),
                Customer.archived.is_(False),
                ~self._alerted(STALE_OPPORTUNITY, Opportunity.id, cycle),
            )
        )
        return await self._insert_alerts(rows)

    async def notify_stale_opportunities(
        self, opportunity_ids: Sequence[int], days: int, now: datetime
    ) -> int:
        rows = (
            select(
                Opportunity.owner_id,
                literal("stale_opportunity", String),
                self._title("商机停滞: ", Opportunity.title),
                func.substr(
                    literal("客户 ", String)
                    + Customer.name
                    + literal(f" 的商机已 {days} 天以上没有有效跟进", String),
                    1,
                    1000,
                ),
                literal("opportunity", String),
                Opportunity.id,
                literal(now, UtcDateTime),
            )
            .join(Customer, Customer.id == Opportunity.customer_id)
            .join(User, User.id == Opportunity.owner_id)
            .where(Opportunity.id.in_(self._id_set(opportunity_ids)), User.is_active.is_(True))
        )
        return await self._insert_notifications(
            rows, title=Opportunity.title, name=Customer.name, days=literal(days)
        )

    # ---- helpers ----

    def _alerted(self, kind: str, entity_id: Any, cycle: Any) -> Any:
        # One primary-key probe per candidate (OFFSET 0 keeps PostgreSQL on the probes, as in
        # sla_scan_repo: an anti-join's plan would depend on the table's statistics).
        return (
            select(LifecycleAlert.kind)
            .where(
                LifecycleAlert.kind == kind,
                LifecycleAlert.entity_id == entity_id,
                LifecycleAlert.cycle == cycle,
            )
            .offset(0)
            .exists()
        )

    async def _insert_alerts(self, rows: Select[*tuple[Any, ...]]) -> list[int]:
        if self.dialect == "postgresql":
            # The probes' estimated cost triggers JIT compilation, which takes seconds and
            # saves nothing on these statements (as in sla_scan_repo).
            await self.session.execute(text("SET LOCAL jit = off"))
        make_insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        stmt = (
            make_insert(LifecycleAlert)
            .from_select(["entity_id", "kind", "cycle", "at"], rows)
            .on_conflict_do_nothing()
            .returning(LifecycleAlert.entity_id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def _insert_notifications(self, rows: Select[*tuple[Any, ...]], **params: Any) -> int:
        """`params` (SQL expressions) become the notification's parameters."""
        rows = rows.add_columns(json_object(self.session.get_bind().dialect.name, **params))
        result = await self.session.execute(
            Notification.__table__.insert().from_select([*NOTIFICATION_COLUMNS, "params"], rows)
        )
        return rowcount(result)

    def _title(self, prefix: str, name: Any) -> Any:
        return func.substr(literal(prefix, String) + name, 1, 200)

    def _day_text(self, column: Any) -> Any:
        """A DATE as YYYY-MM-DD (SQLite stores it so)."""
        if self.dialect == "postgresql":
            return type_coerce(func.to_char(column, "YYYY-MM-DD"), String)
        return cast(column, String)

    def _instant_text(self, column: Any) -> Any:
        """A UTC timestamp as ISO 8601 with microseconds and offset (SQLite stores
        'YYYY-MM-DD HH:MM:SS.ffffff' in UTC)."""
        if self.dialect == "postgresql":
            return type_coerce(
                func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
                String,
            )
        return type_coerce(func.replace(cast(column, String), " ", "T"), String) + literal(
            "+00:00", String
        )

    def _id_set(self, ids: Sequence[int]) -> Select[*tuple[Any, ...]]:
        """The ids as a one-column SELECT bound as one parameter, so any number fits."""
        if self.dialect == "postgresql":
            return select(func.unnest(literal(list(ids), ARRAY(BigInteger))))
        values = func.json_each(literal(json.dumps(list(ids)), String)).table_valued("value")
        return select(values.c.value)
