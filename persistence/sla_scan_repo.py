"""The SLA scans in SQL: alerts, notifications and timeline entries, set-based.

Every statement handles all due tickets at once (INSERT … SELECT), so a scan is a handful of
statements whatever the number of tickets. Exactly-once comes from sla_alert's primary key:
alerts go in with ON CONFLICT DO NOTHING … RETURNING, and notifications and timeline entries
follow only the ticket ids this transaction inserted.
"""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Select,
    String,
    and_,
    func,
    insert,
    literal,
    select,
    text,
    true,
    union,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.roles import Role
from domain.sla_alert import ESCALATION_KIND, ONCE, AlertRule, Target, Threshold
from persistence.db import rowcount
from persistence.models import (
    Department,
    Json,
    Notification,
    SlaAlert,
    Ticket,
    TicketEvent,
    User,
    UtcDateTime,
)
from persistence.sql_json import json_object

# (target, threshold) → (indexed column bounding the scan, threshold column). A warning time is
# never after its due time (both are derived together), so a due breach is past its warning
# too, and bounding by the indexed warning column lets the database use that index.
COLUMNS = {
    (Target.FIRST_RESPONSE, Threshold.WARNING): (
        Ticket.first_response_warn_at,
        Ticket.first_response_warn_at,
    ),
    (Target.FIRST_RESPONSE, Threshold.BREACH): (
        Ticket.first_response_warn_at,
        Ticket.first_response_due_at,
    ),
    (Target.RESOLUTION, Threshold.WARNING): (Ticket.resolution_warn_at, Ticket.resolution_warn_at),
    (Target.RESOLUTION, Threshold.BREACH): (Ticket.resolution_warn_at, Ticket.resolution_due_at),
    (Target.UPDATE, Threshold.BREACH): (Ticket.update_due_at, Ticket.update_due_at),
}
NOTIFICATION_COLUMNS = (
    "user_id",
    "kind",
    "title",
    "body",
    "entity_type",
    "entity_id",
    "created_at",
)
EVENT_COLUMNS = ("ticket_id", "at", "actor_id", "kind", "visibility", "data")


class SqlSlaScanRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name

    async def raise_alerts(self, rule: AlertRule, now: datetime) -> list[int]:
        """Record the rule's alert for every ticket whose threshold is at or before `now` and
        has none for this cycle yet; the ids of the tickets alerted by this call."""
        bound, column = COLUMNS[(rule.target, rule.threshold)]
        cycle = column if rule.per_cycle else literal(ONCE, UtcDateTime)
        # Most tickets past a threshold were alerted by an earlier scan: one primary-key probe
        # each skips them. OFFSET 0 keeps PostgreSQL from turning NOT EXISTS into an anti-join,
        # whose plan depends on sla_alert's statistics (stale after a burst of alerts, when a
        # nested loop over the table took 45 s for 100,000 tickets) and whose hash side grows
        # with every alert ever raised; the probes cost the same whatever the history.
        # ON CONFLICT settles a race with a concurrent scan.
        alerted = (
            select(SlaAlert.ticket_id)
            .where(
                SlaAlert.ticket_id == Ticket.id,
                SlaAlert.target == rule.target.value,
                SlaAlert.threshold == rule.threshold.value,
                SlaAlert.cycle == cycle,
            )
            .offset(0)
            .exists()
        )
        due = [bound <= now] + ([column <= now] if column is not bound else [])
        rows = select(
            Ticket.id,
            literal(rule.target.value, String),
            literal(rule.threshold.value, String),
            cycle,
            literal(now, UtcDateTime),
        ).where(*due, ~alerted)
        if self.dialect == "postgresql":
            # The probes make the estimated cost large enough for JIT compilation, which costs
            # more than it saves on these short statements.
            await self.session.execute(text("SET LOCAL jit = off"))
        make_insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        stmt = (
            make_insert(SlaAlert)
            .from_select(["ticket_id", "target", "threshold", "cycle", "at"], rows)
            .on_conflict_do_nothing()
            .returning(SlaAlert.ticket_id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def notify(self, ticket_ids: Sequence[int], rule: AlertRule, now: datetime) -> int:
        """One notification per recipient and ticket: the assignee, and as the rule says the
        department's supervisor and every admin. Inactive users are skipped."""
        mine = Ticket.id.in_(self._id_set(ticket_ids))
        parts: list[Select[*tuple[Any, ...]]] = [
            select(Ticket.id.label("ticket_id"), Ticket.assignee_id.label("user_id")).where(mine)
        ]
        if rule.notify_supervisor:
            parts.append(
                select(Ticket.id, Department.supervisor_id)
                .join(Department, Department.id == Ticket.department_id)
                .where(mine)
            )
        if rule.notify_admins:
            parts.append(
                select(Ticket.id, User.id)
                .join(User, true())
                .where(mine, User.role == Role.ADMIN.value)
            )
        # UNION (not UNION ALL): a user in several of the roles is told once.
        recipients = union(*parts) if len(parts) > 1 else parts[0]
        return await self._notify(recipients, rule.kind, rule.title, now, target=rule.target.value)

    async def add_events(
        self, ticket_ids: Sequence[int], kind: str, data: dict[str, Any], now: datetime
    ) -> int:
        """The same internal timeline entry on each ticket."""
        rows = select(
            Ticket.id,
            literal(now, UtcDateTime),
            literal(None, BigInteger),
            literal(kind, String),
            literal("internal", String),
            literal(data, Json),
        ).where(Ticket.id.in_(self._id_set(ticket_ids)))
        result = await self.session.execute(insert(TicketEvent).from_select(EVENT_COLUMNS, rows))
        return rowcount(result)

    async def escalate(
        self, ticket_ids: Sequence[int], rule: AlertRule, now: datetime
    ) -> tuple[int, int]:
        """Escalate those of the tickets whose priority the rule escalates: a timeline entry
        naming the supervisor, and a notification to that supervisor (to the admins when the
        department has no active supervisor). (tickets escalated, notifications)."""
        supervisor = aliased(User)
        escalating = (
            select(Ticket.id.label("ticket_id"), supervisor.id.label("supervisor_id"))
            .outerjoin(Department, Department.id == Ticket.department_id)
            .outerjoin(
                supervisor,
                and_(supervisor.id == Department.supervisor_id, supervisor.is_active.is_(True)),
            )
            .where(
                Ticket.id.in_(self._id_set(ticket_ids)), Ticket.priority.in_(sorted(rule.escalate))
            )
        ).subquery()
        data = self._json_object(
            to=escalating.c.supervisor_id, target=literal(rule.target.value, String)
        )
        events = select(
            escalating.c.ticket_id,
            literal(now, UtcDateTime),
            literal(None, BigInteger),
            literal("escalation", String),
            literal("internal", String),
            data,
        )
        escalated = rowcount(
            await self.session.execute(insert(TicketEvent).from_select(EVENT_COLUMNS, events))
        )
        if not escalated:
            return 0, 0
        recipients = union(
            select(escalating.c.ticket_id, escalating.c.supervisor_id.label("user_id")).where(
                escalating.c.supervisor_id.is_not(None)
            ),
            select(escalating.c.ticket_id, User.id)
            .join(User, true())
            .where(escalating.c.supervisor_id.is_(None), User.role == Role.ADMIN.value),
        )
        return escalated, await self._notify(
            recipients, ESCALATION_KIND, rule.escalation_title, now, target=rule.target.value
        )

    # ---- helpers ----

    async def _notify(
        self, recipients: Any, kind: str, title: str, now: datetime, *, target: str
    ) -> int:
        """Insert a notification per (ticket_id, user_id) row of `recipients`."""
        r = recipients.subquery()
        before, after = title.split("{code}")
        rows = (
            select(
                r.c.user_id,
                literal(kind, String),
                func.substr(literal(before, String) + Ticket.code + literal(after, String), 1, 200),
                Ticket.title,
                literal("ticket", String),
                Ticket.id,
                literal(now, UtcDateTime),
                json_object(
                    self.session.get_bind().dialect.name,
                    code=Ticket.code,
                    title=Ticket.title,
                    target=literal(target, String),
                ),
            )
            .join_from(r, Ticket, Ticket.id == r.c.ticket_id)
            .join(User, User.id == r.c.user_id)
            .where(User.is_active.is_(True))
        )
        result = await self.session.execute(
            insert(Notification).from_select([*NOTIFICATION_COLUMNS, "params"], rows)
        )
        return rowcount(result)

    def _id_set(self, ticket_ids: Sequence[int]) -> Select[*tuple[Any, ...]]:
        """The ids as a one-column SELECT bound as a single parameter (an array on
        PostgreSQL, a JSON array on SQLite), so any number of them fits in one statement."""
        if self.dialect == "postgresql":
            return select(func.unnest(literal(list(ticket_ids), ARRAY(BigInteger))))
        values = func.json_each(literal(json.dumps(list(ticket_ids)), String)).table_valued("value")
        return select(values.c.value)

    def _json_object(self, **values: Any) -> Any:
        build = func.jsonb_build_object if self.dialect == "postgresql" else func.json_object
        return build(
            *(part for key, value in values.items() for part in (literal(key, String), value))
        )
