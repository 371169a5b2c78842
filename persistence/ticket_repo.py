"""Tickets, their timeline, pauses, collaborators, SLA policies, routing and calendar."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.calendar import BusinessCalendar
from domain.ports.tickets import SlaPolicyRecord, TicketRecord
from domain.roles import Actor, Role
from domain.ticket import OPEN, Candidate
from persistence.ids import among
from persistence.models import (
    BusinessHours,
    CalendarOverride,
    Customer,
    CustomerTag,
    RoutingRule,
    SlaPolicy,
    Ticket,
    TicketCollaborator,
    TicketEvent,
    TicketPause,
    User,
)
from persistence.pagination import Page, capped_count, decode_cursor, encode_cursor, total_of


@dataclass(frozen=True, slots=True)
class TicketFilter:
    status: Sequence[str] = ()
    priority: Sequence[str] = ()
    type: Sequence[str] = ()
    department_id: int | None = None
    assignee_id: int | None = None
    customer_id: int | None = None
    sla_state: str | None = None  # ok | warning | breached | paused
    created_from: datetime | None = None
    created_to: datetime | None = None
    updated_since: datetime | None = None  # inclusive, as the customers' list
    channel: Sequence[str] = ()
    resolved_from: datetime | None = None
    resolved_to: datetime | None = None
    closed_from: datetime | None = None
    closed_to: datetime | None = None
    customer_tag_ids: Sequence[int] = ()  # the customer has any of these tags
    q: str | None = None  # normalised; code, title, description or customer name contains


class SqlTicketRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, ticket_id: int) -> Ticket | None:
        return await self.session.get(Ticket, ticket_id)

    async def get_many(self, ticket_ids: Collection[int]) -> list[Ticket]:
        """The ones of these ids that exist, in no particular order."""
        if not ticket_ids:
            return []
        stmt = select(Ticket).where(among(self.session, Ticket.id, ticket_ids))
        return list((await self.session.scalars(stmt)).all())

    def new(
        self,
        *,
        code: str,
        customer_id: int,
        type: str,
        channel: str,
        title: str,
        priority: str,
        priority_overridden: bool,
        status: str,
        department_id: int | None,
        assignee_id: int | None,
        created_by: int | None,
        opened_at: datetime,
        last_assigned_at: datetime | None,
        contact_id: int | None = None,
        description: str = "",
        urgent: bool = False,
        important: bool = False,
        expected_resolution_at: datetime | None = None,
        root_cause: str | None = None,
        responsible_party: str | None = None,
        remedy: str | None = None,
        revisit_at: datetime | None = None,
        external_ids: dict[str, str] | None = None,
    ) -> Ticket:
        """A ticket still without its SLA targets, which the caller sets before `add`."""
        return Ticket(
            code=code,
            customer_id=customer_id,
            type=type,
            channel=channel,
            title=title,
            priority=priority,
            priority_overridden=priority_overridden,
            status=status,
            department_id=department_id,
            assignee_id=assignee_id,
            created_by=created_by,
            opened_at=opened_at,
            last_assigned_at=last_assigned_at,
            contact_id=contact_id,
            description=description,
            urgent=urgent,
            important=important,
            expected_resolution_at=expected_resolution_at,
            root_cause=root_cause,
            responsible_party=responsible_party,
            remedy=remedy,
            revisit_at=revisit_at,
            external_ids=external_ids,
        )

    async def add(self, ticket: TicketRecord) -> None:
        self.session.add(ticket)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()

    # ---- collaborators and pauses ----

    async def collaborators(self, ticket_id: int) -> tuple[list[int], list[int]]:
        rows = (
            await self.session.execute(
                select(TicketCollaborator.user_id, TicketCollaborator.department_id).where(
                    TicketCollaborator.ticket_id == ticket_id
                )
            )
        ).all()
        return ([u for u, _ in rows if u is not None], [d for _, d in rows if d is not None])

    async def set_collaborators(
        self, ticket_id: int, user_ids: Sequence[int], department_ids: Sequence[int]
    ) -> None:
        await self.session.execute(
            delete(TicketCollaborator).where(TicketCollaborator.ticket_id == ticket_id)
        )
        rows = [
            {"ticket_id": ticket_id, "user_id": u, "department_id": None}
            for u in sorted(set(user_ids))
        ] + [
            {"ticket_id": ticket_id, "user_id": None, "department_id": d}
            for d in sorted(set(department_ids))
        ]
        if rows:
            await self.session.execute(insert(TicketCollaborator), rows)

    async def collaborators_of(
        self, ticket_ids: Sequence[int]
    ) -> dict[int, tuple[list[int], list[int]]]:
        result: dict[int, tuple[list[int], list[int]]] = {t: ([], []) for t in ticket_ids}
        if ticket_ids:
            rows = (
                await self.session.execute(
                    select(
                        TicketCollaborator.ticket_id,
                        TicketCollaborator.user_id,
                        TicketCollaborator.department_id,
                    ).where(among(self.session, TicketCollaborator.ticket_id, ticket_ids))
                )
            ).all()
            for ticket_id, user_id, department_id in rows:
                if user_id is not None:
                    result[ticket_id][0].append(user_id)
                if department_id is not None:
                    result[ticket_id][1].append(department_id)
        return result

    async def pauses(self, ticket_id: int) -> list[TicketPause]:
        return (await self.pauses_of([ticket_id]))[ticket_id]

    async def pauses_of(self, ticket_ids: Sequence[int]) -> dict[int, list[TicketPause]]:
        result: dict[int, list[TicketPause]] = {t: [] for t in ticket_ids}
        if ticket_ids:
            stmt = (
                select(TicketPause)
                .where(among(self.session, TicketPause.ticket_id, ticket_ids))
                .order_by(TicketPause.started_at)
            )
            for pause in (await self.session.scalars(stmt)).all():
                result[pause.ticket_id].append(pause)
        return result

    async def start_pause(self, ticket_id: int, at: datetime) -> None:
        await self.add_pause(ticket_id, at, None)

    async def add_pause(self, ticket_id: int, start: datetime, end: datetime | None) -> None:
        self.session.add(TicketPause(ticket_id=ticket_id, started_at=start, ended_at=end))
        await self.session.flush()

    async def end_pause(self, ticket_id: int, at: datetime) -> None:
        await self.session.execute(
            update(TicketPause)
            .where(TicketPause.ticket_id == ticket_id, TicketPause.ended_at.is_(None))
            .values(ended_at=at)
        )

    # ---- timeline ----

    def add_event(
        self,
        ticket_id: int,
        at: datetime,
        actor_id: int | None,
        kind: str,
        *,
        body: str | None = None,
        visibility: str = "internal",
        data: dict[str, Any] | None = None,
    ) -> TicketEvent:
        event = TicketEvent(
            ticket_id=ticket_id,
            at=at,
            actor_id=actor_id,
            kind=kind,
            body=body,
            visibility=visibility,
            data=data or {},
        )
        self.session.add(event)
        return event

    async def get_event(self, ticket_id: int, event_id: int) -> TicketEvent | None:
        event = await self.session.get(TicketEvent, event_id)
        return event if event is not None and event.ticket_id == ticket_id else None

    async def timeline(self, ticket_id: int, *, public_only: bool) -> list[TicketEvent]:
        stmt = select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
        if public_only:
            stmt = stmt.where(
                or_(TicketEvent.kind != "comment", TicketEvent.visibility == "public")
            )
        return list(
            (await self.session.scalars(stmt.order_by(TicketEvent.at, TicketEvent.id))).all()
        )

    # ---- policies, routing, calendar ----

    async def sla_policy(self, priority: str, ticket_type: str) -> SlaPolicy:
        """The type-specific policy for this priority, else the priority's own."""
        stmt = (
            select(SlaPolicy)
            .where(
                SlaPolicy.priority == priority,
                or_(SlaPolicy.ticket_type == ticket_type, SlaPolicy.ticket_type.is_(None)),
            )
            .order_by(SlaPolicy.ticket_type.is_(None))
        )
        policy = (await self.session.scalars(stmt)).first()
        if policy is None:  # the migrations add one per priority, and none can be deleted
            raise LookupError(f"no SLA policy for priority {priority}")
        return policy

    async def list_policies(self) -> list[SlaPolicy]:
        stmt = select(SlaPolicy).order_by(
            SlaPolicy.priority, SlaPolicy.ticket_type.is_not(None), SlaPolicy.ticket_type
        )
        return list((await self.session.scalars(stmt)).all())

    async def get_policy(self, policy_id: int) -> SlaPolicy | None:
        return await self.session.get(SlaPolicy, policy_id)

    async def add_policy(
        self,
        *,
        priority: str,
        ticket_type: str | None,
        first_response_minutes: int,
        resolution_minutes: int,
        update_minutes: int,
        calendar: str,
    ) -> SlaPolicy:
        policy = SlaPolicy(
            priority=priority,
            ticket_type=ticket_type,
            first_response_minutes=first_response_minutes,
            resolution_minutes=resolution_minutes,
            update_minutes=update_minutes,
            calendar=calendar,
        )
        self.session.add(policy)
        await self.session.flush()
        return policy

    async def delete_policy(self, policy: SlaPolicyRecord) -> None:
        await self.session.delete(policy)
        await self.session.flush()

    async def routed_department(self, ticket_type: str) -> int | None:
        return await self.session.scalar(
            select(RoutingRule.department_id).where(RoutingRule.ticket_type == ticket_type)
        )

    async def list_routes(self) -> list[RoutingRule]:
        return list(
            (
                await self.session.scalars(select(RoutingRule).order_by(RoutingRule.ticket_type))
            ).all()
        )

    async def set_route(self, ticket_type: str, department_id: int) -> RoutingRule:
        rule = await self.session.scalar(
            select(RoutingRule).where(RoutingRule.ticket_type == ticket_type)
        )
        if rule is None:
            rule = RoutingRule(ticket_type=ticket_type, department_id=department_id)
            self.session.add(rule)
        else:
            rule.department_id = department_id
        await self.session.flush()
        return rule

    async def delete_route(self, ticket_type: str) -> None:
        await self.session.execute(
            delete(RoutingRule).where(RoutingRule.ticket_type == ticket_type)
        )

    async def business_hours(self) -> BusinessHours:
        hours = await self.session.get(BusinessHours, 1)
        if hours is None:  # the migrations add the one row
            raise LookupError("no business hours")
        return hours

    async def calendar_overrides(self) -> list[CalendarOverride]:
        return list(
            (
                await self.session.scalars(select(CalendarOverride).order_by(CalendarOverride.day))
            ).all()
        )

    async def set_override(self, day: date, is_workday: bool | None, note: str | None) -> None:
        await self.session.execute(delete(CalendarOverride).where(CalendarOverride.day == day))
        if is_workday is not None:
            self.session.add(CalendarOverride(day=day, is_workday=is_workday, note=note))
        await self.session.flush()

    async def business_calendar(self) -> BusinessCalendar:
        hours = await self.business_hours()
        overrides = {o.day: o.is_workday for o in await self.calendar_overrides()}
        return BusinessCalendar(
            zone=ZoneInfo(hours.timezone),
            opens=hours.opens,
            closes=hours.closes,
            overrides=overrides,
        )

    async def running_on_business_calendar(
        self, *, due_from: datetime | None = None
    ) -> list[Ticket]:
        """Open, unpaused tickets whose SLA clocks run on business hours; with `due_from`, only
        those with a due time at or after it (a warning is never after its due time)."""
        stmt = select(Ticket).where(
            Ticket.status.in_([s.value for s in OPEN]),
            Ticket.paused_since.is_(None),
            Ticket.sla_calendar == "business",
        )
        if due_from is not None:
            stmt = stmt.where(
                or_(
                    Ticket.first_response_due_at >= due_from,
                    Ticket.resolution_due_at >= due_from,
                    Ticket.update_due_at >= due_from,
                )
            )
        return list((await self.session.scalars(stmt.order_by(Ticket.id))).all())

    async def set_sla_thresholds(self, rows: Sequence[Mapping[str, object]]) -> None:
        """Re-derived threshold columns by ticket `id`. Derived data, not an edit: version and
        updated_at stay, so nobody's If-Match fails because the calendar changed."""
        if not rows:
            return
        table = Ticket.__table__
        columns = [name for name in rows[0] if name != "id"]
        stmt = (
            update(table)
            .where(table.c.id == bindparam("ticket_id"))
            .values({name: bindparam(f"new_{name}") for name in columns})
        )
        await self.session.execute(
            stmt,
            [
                {"ticket_id": row["id"], **{f"new_{name}": row[name] for name in columns}}
                for row in rows
            ],
        )

    async def assignment_candidates(self, department_id: int) -> list[Candidate]:
        """Active agents and account managers of the department with their open ticket count
        and when they were last given one."""
        open_count = (
            select(func.count())
            .where(Ticket.assignee_id == User.id, Ticket.status.in_([s.value for s in OPEN]))
            .correlate(User)
            .scalar_subquery()
        )
        last = (
            select(func.max(Ticket.last_assigned_at))
            .where(Ticket.assignee_id == User.id)
            .correlate(User)
            .scalar_subquery()
        )
        stmt = select(User.id, open_count, last).where(
            User.department_id == department_id,
            User.is_active.is_(True),
            User.role.in_([Role.AGENT.value, Role.ACCOUNT_MANAGER.value]),
        )
        rows = (await self.session.execute(stmt)).all()
        return [
            Candidate(user_id=u, open_tickets=n, last_assigned_at=_aware(at)) for u, n, at in rows
        ]

    async def workload(self) -> list[tuple[int, str, int | None, str, int]]:
        """Who may work tickets (active agents, supervisors, admins): id, display name,
        department, role and open tickets, by department then load."""
        open_count = (
            select(func.count())
            .where(Ticket.assignee_id == User.id, Ticket.status.in_([s.value for s in OPEN]))
            .correlate(User)
            .scalar_subquery()
        )
        stmt = (
            select(User.id, User.display_name, User.department_id, User.role, open_count)
            .where(
                User.is_active.is_(True),
                User.role.in_([Role.AGENT.value, Role.SUPERVISOR.value, Role.ADMIN.value]),
            )
            .order_by(User.department_id, open_count, User.id)
        )
        return [tuple(row) for row in (await self.session.execute(stmt)).all()]

    # ---- lists ----

    def _readable(self, actor: Actor):  # noqa: ANN202
        """Mirrors domain.ticket.can_read in SQL."""
        stmt = select(Ticket)
        if actor.role in (Role.ADMIN, Role.SUPERVISOR, Role.READONLY):
            return stmt
        collaborating = select(TicketCollaborator.ticket_id).where(
            or_(
                TicketCollaborator.user_id == actor.user_id,
                and_(
                    TicketCollaborator.department_id.is_not(None),
                    TicketCollaborator.department_id == actor.department_id,
                ),
            )
        )
        involved = or_(
            Ticket.assignee_id == actor.user_id,
            Ticket.created_by == actor.user_id,
            Ticket.id.in_(collaborating),
        )
        if actor.role is Role.ACCOUNT_MANAGER:
            owned = select(Customer.id).where(Customer.owner_id == actor.user_id)
            return stmt.where(or_(Ticket.customer_id.in_(owned), involved))
        if actor.department_id is not None:
            involved = or_(involved, Ticket.department_id == actor.department_id)
        return stmt.where(involved)

    async def list_page(
        self,
        actor: Actor,
        f: TicketFilter,
        *,
        now: datetime,
        cursor: str | None,
        limit: int,
        with_total: bool = False,
        exact_total: bool = False,
    ) -> Page[Ticket]:
        stmt = self._readable(actor)
        if f.status:
            stmt = stmt.where(Ticket.status.in_(f.status))
        if f.priority:
            stmt = stmt.where(Ticket.priority.in_(f.priority))
        if f.type:
            stmt = stmt.where(Ticket.type.in_(f.type))
        if f.channel:
            stmt = stmt.where(Ticket.channel.in_(f.channel))
        if f.department_id is not None:
            stmt = stmt.where(Ticket.department_id == f.department_id)
        if f.assignee_id is not None:
            stmt = stmt.where(Ticket.assignee_id == f.assignee_id)
        if f.customer_id is not None:
            stmt = stmt.where(Ticket.customer_id == f.customer_id)
        if f.created_from:
            stmt = stmt.where(Ticket.opened_at >= f.created_from)
        if f.created_to:
            stmt = stmt.where(Ticket.opened_at < f.created_to)
        if f.updated_since:
            stmt = stmt.where(Ticket.updated_at >= f.updated_since)
        for column, start, end in (
            (Ticket.resolved_at, f.resolved_from, f.resolved_to),
            (Ticket.closed_at, f.closed_from, f.closed_to),
        ):
            if start:
                stmt = stmt.where(column >= start)
            if end:
                stmt = stmt.where(column < end)
        if f.sla_state:
            stmt = stmt.where(_sla_state_condition(f.sla_state, now))
        if f.customer_tag_ids:
            stmt = stmt.where(
                Ticket.customer_id.in_(
                    select(CustomerTag.customer_id).where(
                        CustomerTag.tag_id.in_(f.customer_tag_ids)
                    )
                )
            )
        if f.q:
            from persistence.search.query import text_contains

            named = select(Customer.id).where(text_contains([Customer.name], f.q))
            stmt = stmt.where(
                or_(
                    text_contains([Ticket.code, Ticket.title, Ticket.description], f.q),
                    Ticket.customer_id.in_(named),
                )
            )
        total = total_accuracy = None
        if with_total or exact_total:
            matches = stmt.with_only_columns(Ticket.id)
            total, total_accuracy = await total_of(
                await self.session.connection(),
                capped_count(matches),
                matches,
                {},
                exact=exact_total,
            )
        if cursor:
            stmt = stmt.where(Ticket.id < decode_cursor(cursor, kinds=(int,))[0])
        rows = list(
            (await self.session.scalars(stmt.order_by(Ticket.id.desc()).limit(limit + 1))).all()
        )
        more, rows = len(rows) > limit, rows[:limit]
        return Page(rows, encode_cursor([rows[-1].id]) if more else None, total, total_accuracy)


def _sla_state_condition(state: str, now: datetime):  # noqa: ANN202
    """The running tickets in an SLA state, from the stored thresholds."""
    breached = or_(Ticket.first_response_due_at <= now, Ticket.resolution_due_at <= now)
    warning = or_(Ticket.first_response_warn_at <= now, Ticket.resolution_warn_at <= now)
    if state == "paused":
        return Ticket.paused_since.is_not(None)
    if state == "breached":
        return breached
    if state == "warning":
        return and_(warning, ~breached)
    return and_(
        Ticket.status.in_([s.value for s in OPEN]),
        Ticket.paused_since.is_(None),
        ~func.coalesce(warning, False),
        ~func.coalesce(breached, False),
    )


def _aware(value: datetime | None) -> datetime | None:
    # Aggregates skip the column type, so SQLite hands back a naive UTC string or datetime.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))
