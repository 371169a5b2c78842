"""Use cases on tickets: create (route, assign, prioritise, start the SLA clocks), edit,
assign, move through the status machine, comment, record exceptions."""

import re
from collections.abc import Collection
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain import audit
from domain import ticket as rules
from domain.calendar import BusinessCalendar
from domain.customer_service import get_readable as get_readable_customer
from domain.errors import (
    Conflict,
    FieldsForbidden,
    Forbidden,
    IllegalTransition,
    Invalid,
    NotFound,
    VersionMismatch,
)
from domain.integration import external_ids
from domain.ports import Clock, TicketEventRecord, TicketRecord, UnitOfWork
from domain.roles import Actor, Role
from domain.sla import Pause
from domain.ticket import TicketAccess, TicketStatus, TicketType
from domain.ticket_sla import SlaFacts, calendar_named, fulfilled_minutes, thresholds

CODE_ZONE = ZoneInfo("Asia/Shanghai")
MENTION = re.compile(r"@([A-Za-z0-9_.@-]{3,64})")
EDITABLE = (
    "title",
    "description",
    "contact_id",
    "channel",
    "urgent",
    "important",
    "expected_resolution_at",
    "root_cause",
    "responsible_party",
    "remedy",
    "revisit_at",
)
AUDITED = (
    "code",
    "customer_id",
    "contact_id",
    "type",
    "channel",
    "title",
    "urgent",
    "important",
    "priority",
    "status",
    "department_id",
    "assignee_id",
    "expected_resolution_at",
    "opened_at",
    "root_cause",
    "responsible_party",
    "remedy",
    "revisit_at",
    "external_ids",
)
COMPLAINT_ONLY = ("root_cause", "responsible_party", "remedy", "revisit_at")


# ---- reading ---------------------------------------------------------------------------------


async def access_of(uow: UnitOfWork, ticket: TicketRecord) -> TicketAccess:
    users, departments = await uow.tickets.collaborators(ticket.id)
    customer = await uow.customers.require(ticket.customer_id)
    return _access(ticket, customer.owner_id, users, departments)


def _access(
    ticket: TicketRecord,
    customer_owner_id: int | None,
    users: Collection[int],
    departments: Collection[int],
) -> TicketAccess:
    return TicketAccess(
        customer_owner_id=customer_owner_id,
        department_id=ticket.department_id,
        assignee_id=ticket.assignee_id,
        collaborator_user_ids=frozenset(users),
        collaborator_department_ids=frozenset(departments),
        created_by=ticket.created_by,
    )


async def get_readable(
    uow: UnitOfWork, actor: Actor, ticket_id: int
) -> tuple[TicketRecord, TicketAccess]:
    """The ticket if the actor may see it; otherwise 404."""
    ticket = await uow.tickets.get(ticket_id)
    if ticket is None:
        raise NotFound("ticket", ticket_id)
    access = await access_of(uow, ticket)
    if not rules.can_read(actor, access):
        raise NotFound("ticket", ticket_id)
    return ticket, access


async def get_readable_many(
    uow: UnitOfWork, actor: Actor, ticket_ids: Collection[int]
) -> list[TicketRecord]:
    """get_readable for many in three reads (tickets, collaborators, customers): those the
    actor may see (the others are left out, as get_readable's 404 leaves them out)."""
    tickets = await uow.tickets.get_many(ticket_ids)
    collaborators = await uow.tickets.collaborators_of([t.id for t in tickets])
    customers = await uow.customers.access_of({t.customer_id for t in tickets})
    owners = {c.id: c.owner_id for c in customers}
    return [
        t
        for t in tickets
        if rules.can_read(actor, _access(t, owners[t.customer_id], *collaborators[t.id]))
    ]


async def _get_workable(
    uow: UnitOfWork, actor: Actor, ticket_id: int, if_match: int | None = None
) -> tuple[TicketRecord, TicketAccess]:
    ticket, access = await get_readable(uow, actor, ticket_id)
    if not rules.can_work(actor, access):
        raise Forbidden("Only the assignee, a supervisor or an admin works this ticket.")
    if if_match is not None and if_match != ticket.version:
        raise VersionMismatch(ticket.version)
    return ticket, access


# ---- the SLA clocks -----------------------------------------------------------------------


async def sla_facts(uow: UnitOfWork, ticket: TicketRecord) -> SlaFacts:
    business = await uow.tickets.business_calendar()
    pauses = [Pause(p.started_at, p.ended_at) for p in await uow.tickets.pauses(ticket.id)]
    return facts_of(ticket, business, pauses)


def facts_of(ticket: TicketRecord, business: BusinessCalendar, pauses: list[Pause]) -> SlaFacts:
    return SlaFacts(
        calendar=calendar_named(ticket.sla_calendar, business),
        opened_at=ticket.opened_at,
        first_response_minutes=ticket.first_response_minutes,
        resolution_minutes=ticket.resolution_minutes,
        update_minutes=ticket.update_minutes,
        first_response_at=ticket.first_response_at,
        last_public_reply_at=ticket.last_public_reply_at,
        finished_at=ticket.resolved_at or ticket.closed_at,
        pauses=pauses,
    )


async def _refresh_thresholds(uow: UnitOfWork, ticket: TicketRecord, now: datetime) -> None:
    facts = await sla_facts(uow, ticket)
    for column, value in thresholds(facts, paused=ticket.paused_since is not None, now=now).items():
        setattr(ticket, column, value)
    for column, minutes in fulfilled_minutes(facts, resolved_at=ticket.resolved_at).items():
        setattr(ticket, column, minutes)


async def _apply_policy(uow: UnitOfWork, ticket: TicketRecord) -> None:
    policy = await uow.tickets.sla_policy(ticket.priority, ticket.type)
    ticket.sla_calendar = policy.calendar
    ticket.first_response_minutes = policy.first_response_minutes
    ticket.resolution_minutes = policy.resolution_minutes
    ticket.update_minutes = policy.update_minutes


# ---- create -------------------------------------------------------------------------------


async def _route(uow: UnitOfWork, ticket_type: TicketType) -> int | None:
    department_id = await uow.tickets.routed_department(ticket_type)
    if department_id is None:
        department = await uow.users.get_department_by_key_or_name(
            rules.DEFAULT_ROUTES[ticket_type]
        )
        department_id = department.id if department else None
    return department_id


async def _department_supervisor(uow: UnitOfWork, department_id: int) -> int | None:
    department = await uow.users.get_department(department_id)
    if department is None or department.supervisor_id is None:
        return None
    supervisor = await uow.users.get(department.supervisor_id)
    return supervisor.id if supervisor is not None and supervisor.is_active else None


async def _check_assignee(uow: UnitOfWork, user_id: int) -> None:
    user = await uow.users.get(user_id)
    if user is None or not user.is_active or user.role == Role.READONLY:
        raise Invalid(
            [{"field": "assignee_id", "message": "must be an active user who works tickets"}]
        )


async def _check_collaborators(
    uow: UnitOfWork, user_ids: list[int], department_ids: list[int]
) -> None:
    for user_id in user_ids:
        if await uow.users.get(user_id) is None:
            raise Invalid(
                [{"field": "collaborator_user_ids", "message": f"unknown user {user_id}"}]
            )
    for department_id in department_ids:
        if await uow.users.get_department(department_id) is None:
            raise Invalid(
                [
                    {
                        "field": "collaborator_department_ids",
                        "message": f"unknown department {department_id}",
                    }
                ]
            )


async def create(
    uow: UnitOfWork, clock: Clock, actor: Actor, fields: dict[str, Any]
) -> TicketRecord:
    """Open a ticket: priority from urgency × importance (a supervisor may set it), routed by
    type to a department and assigned to its least-loaded member unless an assignee is named."""
    fields = dict(fields)
    refused = [
        name
        for name, allowed in (
            ("priority", rules.can_set_priority(actor)),
            ("assignee_id", rules.can_assign(actor)),
            ("opened_at", actor.is_admin),
        )
        if name in fields and not allowed
    ]
    if refused:
        raise FieldsForbidden(refused)
    customer = await get_readable_customer(uow, actor, fields["customer_id"])
    if not rules.can_create(actor, customer_owner_id=customer.owner_id):
        raise Forbidden("You may not open tickets for this customer.")
    if (
        fields.get("contact_id") is not None
        and await uow.customers.get_contact(customer.id, fields["contact_id"]) is None
    ):
        raise Invalid([{"field": "contact_id", "message": "not a contact of this customer"}])
    ticket_type = TicketType(fields["type"])
    _check_complaint_fields(ticket_type, fields)
    now = clock.now()
    opened_at = fields.pop("opened_at", None) or now
    if opened_at > now:
        raise Invalid([{"field": "opened_at", "message": "cannot be in the future"}])
    user_ids = fields.pop("collaborator_user_ids", None) or []
    department_ids = fields.pop("collaborator_department_ids", None) or []
    await _check_collaborators(uow, user_ids, department_ids)
    external = await external_ids.claim(
        uow.external_ids, "ticket", {}, fields.pop("external_ids", None)
    )
    explicit_priority = fields.pop("priority", None)
    priority = explicit_priority or rules.priority_of(
        urgent=fields.get("urgent", False), important=fields.get("important", False)
    )
    department_id = await _route(uow, ticket_type)
    assignee_id = fields.pop("assignee_id", None)
    auto_assigned = assignee_id is None
    if assignee_id is not None:
        await _check_assignee(uow, assignee_id)
    unrouted = False
    if assignee_id is None and department_id is not None:
        assignee_id = rules.least_loaded(await uow.tickets.assignment_candidates(department_id))
        if assignee_id is None:
            # Nobody in the department works tickets: its supervisor takes it, else it waits
            # in the supervisors' queue (status new) and every active supervisor is told.
            assignee_id = await _department_supervisor(uow, department_id)
            unrouted = assignee_id is None

    local = now.astimezone(CODE_ZONE)
    prefix = f"T{local:%Y%m%d}"
    code = f"{prefix}{await uow.codes.next_value(prefix):04d}"
    ticket = uow.tickets.new(
        code=code,
        priority=priority,
        priority_overridden=explicit_priority is not None,
        status=TicketStatus.ASSIGNED if assignee_id else TicketStatus.NEW,
        department_id=department_id,
        assignee_id=assignee_id,
        created_by=actor.user_id,
        opened_at=opened_at,
        last_assigned_at=now if assignee_id else None,
        external_ids=external or None,
        **fields,
    )
    await _apply_policy(uow, ticket)
    await uow.tickets.add(ticket)
    await uow.external_ids.replace("ticket", ticket.id, {}, external)
    await uow.tickets.set_collaborators(ticket.id, user_ids, department_ids)
    await _refresh_thresholds(uow, ticket, now)
    uow.tickets.add_event(
        ticket.id,
        now,
        actor.user_id,
        "created",
        data={"priority": priority, "department_id": department_id},
    )
    if assignee_id:
        uow.tickets.add_event(
            ticket.id,
            now,
            actor.user_id,
            "assignment",
            data={"from": None, "to": assignee_id, "auto": auto_assigned},
        )
        if assignee_id != actor.user_id:  # nobody is told of their own doing
            uow.notifications.add(
                assignee_id,
                "ticket_assigned",
                f"新工单 {code}: {ticket.title}",
                entity_type="ticket",
                entity_id=ticket.id,
                at=now,
                params={"code": code, "title": ticket.title, "new": True},
            )
    if unrouted:
        for supervisor_id in await uow.users.active_supervisor_ids():
            if supervisor_id != actor.user_id:
                uow.notifications.add(
                    supervisor_id,
                    "ticket_unrouted",
                    f"待分派工单 {code}: {ticket.title}",
                    entity_type="ticket",
                    entity_id=ticket.id,
                    at=now,
                    params={"code": code, "title": ticket.title},
                )
    changes = audit.created(audit.snapshot(ticket, AUDITED))
    audit.record(
        uow, actor, "ticket", ticket.id, "create", changes, at=now, customer_id=customer.id
    )
    # A ticket is an interaction: last contact moves up to it and a dormant customer wakes.
    if await uow.customers.record_interaction(customer.id, opened_at, now):
        woke = {"activity_status": ["dormant", "active"]}
        audit.record(
            uow, actor, "customer", customer.id, "lifecycle", woke, at=now, customer_id=customer.id
        )
    return ticket


def _check_complaint_fields(ticket_type: str, fields: dict[str, Any]) -> None:
    if ticket_type != TicketType.COMPLAINT:
        given = [name for name in COMPLAINT_ONLY if fields.get(name) is not None]
        if given:
            raise Invalid(
                [{"field": name, "message": "only complaints have this"} for name in given]
            )


# ---- edit and assign ----------------------------------------------------------------------


async def update(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    ticket_id: int,
    changes: dict[str, Any],
    *,
    if_match: int | None,
) -> TicketRecord:
    """Edit fields; urgency/importance re-derive the priority (unless a supervisor fixed it)
    and a new priority brings that priority's SLA targets."""
    ticket, access = await _get_workable(uow, actor, ticket_id, if_match)
    changes = dict(changes)
    if "priority" in changes and not rules.can_set_priority(actor):
        raise FieldsForbidden(["priority"])
    _check_complaint_fields(ticket.type, changes)
    if (
        changes.get("contact_id") is not None
        and await uow.customers.get_contact(ticket.customer_id, changes["contact_id"]) is None
    ):
        raise Invalid([{"field": "contact_id", "message": "not a contact of this customer"}])
    user_ids = changes.pop("collaborator_user_ids", None)
    department_ids = changes.pop("collaborator_department_ids", None)
    external_changes = changes.pop("external_ids", None)
    external_before = dict(ticket.external_ids or {})
    before = audit.snapshot(ticket, AUDITED)
    if external_changes is not None:
        external = await external_ids.claim(
            uow.external_ids, "ticket", external_before, external_changes, except_id=ticket.id
        )
        ticket.external_ids = external or None
    for name in EDITABLE:
        if name in changes:
            setattr(ticket, name, changes[name])
    if "priority" in changes and changes["priority"] is not None:
        ticket.priority, ticket.priority_overridden = changes["priority"], True
    elif not ticket.priority_overridden:
        ticket.priority = rules.priority_of(urgent=ticket.urgent, important=ticket.important)
    now = clock.now()
    if ticket.priority != before["priority"]:
        await _apply_policy(uow, ticket)
        await _refresh_thresholds(uow, ticket, now)
        uow.tickets.add_event(
            ticket.id,
            now,
            actor.user_id,
            "priority",
            data={"from": before["priority"], "to": ticket.priority},
        )
    if user_ids is not None or department_ids is not None:
        old_users, old_departments = await uow.tickets.collaborators(ticket.id)
        user_ids = old_users if user_ids is None else user_ids
        department_ids = old_departments if department_ids is None else department_ids
        await _check_collaborators(uow, user_ids, department_ids)
        if (sorted(user_ids), sorted(department_ids)) != (
            sorted(old_users),
            sorted(old_departments),
        ):
            await uow.tickets.set_collaborators(ticket.id, user_ids, department_ids)
            uow.tickets.add_event(
                ticket.id,
                now,
                actor.user_id,
                "collaborators",
                data={"user_ids": sorted(user_ids), "department_ids": sorted(department_ids)},
            )
            for user_id in set(user_ids) - set(old_users):
                uow.notifications.add(
                    user_id,
                    "ticket_collaborator",
                    f"请协同工单 {ticket.code}: {ticket.title}",
                    entity_type="ticket",
                    entity_id=ticket.id,
                    at=now,
                    params={"code": ticket.code, "title": ticket.title},
                )
    diff = audit.diff(before, audit.snapshot(ticket, AUDITED))
    if diff:
        ticket.updated_at = now
        audit.record(
            uow, actor, "ticket", ticket.id, "update", diff, at=now, customer_id=ticket.customer_id
        )
    await uow.tickets.flush()
    if "external_ids" in diff:
        await uow.external_ids.replace(
            "ticket", ticket.id, external_before, ticket.external_ids or {}
        )
    return ticket


async def assign(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    ticket_id: int,
    assignee_id: int,
    *,
    if_match: int | None,
    note: str | None = None,
) -> TicketRecord:
    """Give the ticket to someone (supervisors and admins); a new ticket becomes assigned."""
    ticket, _ = await get_readable(uow, actor, ticket_id)
    if not rules.can_assign(actor):
        raise Forbidden("Only supervisors and admins assign tickets.")
    if if_match is not None and if_match != ticket.version:
        raise VersionMismatch(ticket.version)
    if ticket.status not in rules.OPEN:
        raise Conflict(f"A {ticket.status} ticket cannot be reassigned.")
    await _check_assignee(uow, assignee_id)
    if assignee_id == ticket.assignee_id:
        return ticket
    now = clock.now()
    previous = ticket.assignee_id
    ticket.assignee_id, ticket.last_assigned_at = assignee_id, now
    if ticket.status == TicketStatus.NEW:
        ticket.status = TicketStatus.ASSIGNED
    uow.tickets.add_event(
        ticket.id,
        now,
        actor.user_id,
        "assignment",
        body=note,
        data={"from": previous, "to": assignee_id, "auto": False},
    )
    if assignee_id != actor.user_id:  # taking a ticket oneself tells nobody
        uow.notifications.add(
            assignee_id,
            "ticket_assigned",
            f"工单 {ticket.code} 已分派给你: {ticket.title}",
            entity_type="ticket",
            entity_id=ticket.id,
            at=now,
            params={"code": ticket.code, "title": ticket.title},
        )
    changes = {"assignee_id": [previous, assignee_id]}
    audit.record(
        uow, actor, "ticket", ticket.id, "assign", changes, at=now, customer_id=ticket.customer_id
    )
    await uow.tickets.flush()
    return ticket


async def assignees(uow: UnitOfWork, actor: Actor) -> list[tuple[int, str, int | None, str, int]]:
    """Whom a ticket may be given to, with their open tickets (supervisors and admins)."""
    if not rules.can_assign(actor):
        raise Forbidden("Only supervisors and admins assign tickets.")
    return await uow.tickets.workload()


# ---- the status machine --------------------------------------------------------------------

SATISFACTION = ("response_speed", "resolution", "attitude", "overall")


async def transition(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    ticket_id: int,
    *,
    to: TicketStatus,
    note: str | None = None,
    satisfaction: dict[str, Any] | None = None,
    customer_accepted: bool = True,
    if_match: int | None = None,
) -> TicketRecord:
    """Move a ticket along the status machine; 409 lists the allowed targets. Waiting for the
    customer pauses the SLA clocks; closing takes the customer's acceptance and survey."""
    ticket, _ = await _get_workable(uow, actor, ticket_id, if_match)
    now = clock.now()
    current = TicketStatus(ticket.status)
    allowed = rules.allowed_targets(
        current,
        reopen_deadline_passed=rules.reopen_deadline_passed(
            ticket.closed_at or ticket.resolved_at, now
        ),
    )
    if to not in allowed:
        raise IllegalTransition("ticket", current, to, sorted(allowed))
    if to == TicketStatus.ASSIGNED or (
        to == TicketStatus.IN_PROGRESS and ticket.assignee_id is None
    ):
        raise Conflict("Assign the ticket to someone first (POST …/assign).")
    if to == TicketStatus.CLOSED:
        if not customer_accepted:
            raise Conflict(
                "A ticket closes only with the customer's acceptance; keep it "
                "resolved or reopen it."
            )
        if satisfaction is None:
            raise Invalid(
                [{"field": "satisfaction", "message": "closing takes the satisfaction survey"}]
            )
    if satisfaction is not None and to != TicketStatus.CLOSED:
        raise Invalid([{"field": "satisfaction", "message": "only when closing"}])

    if current == TicketStatus.WAITING_CUSTOMER:
        await uow.tickets.end_pause(ticket.id, now)
        ticket.paused_since = None
    if to == TicketStatus.WAITING_CUSTOMER:
        await uow.tickets.start_pause(ticket.id, now)
        ticket.paused_since = now
    if (
        to == TicketStatus.IN_PROGRESS
        and ticket.first_response_at is None
        and actor.user_id == ticket.assignee_id
    ):
        ticket.first_response_at = now  # the assignee picking it up is the first response
    if to == TicketStatus.RESOLVED:
        ticket.resolved_at = now
        ticket.first_response_at = ticket.first_response_at or now
    if to == TicketStatus.CLOSED and satisfaction is not None:  # checked above: closing takes it
        ticket.closed_at, ticket.customer_accepted = now, True
        ticket.satisfaction_response_speed = satisfaction["response_speed"]
        ticket.satisfaction_resolution = satisfaction["resolution"]
        ticket.satisfaction_attitude = satisfaction["attitude"]
        ticket.satisfaction_overall = satisfaction["overall"]
        ticket.satisfaction_comment = satisfaction.get("comment")
    if to == TicketStatus.CANCELLED:
        ticket.closed_at = now
    if to == TicketStatus.REOPENED:
        # The time it spent resolved does not count against the resolution target.
        finished_at = ticket.resolved_at or ticket.closed_at
        assert finished_at is not None  # only resolved and closed tickets reopen
        await uow.tickets.add_pause(ticket.id, finished_at, now)
        ticket.resolved_at = ticket.closed_at = None
        ticket.reopen_count = (ticket.reopen_count or 0) + 1
    ticket.status = to
    await _refresh_thresholds(uow, ticket, now)
    uow.tickets.add_event(
        ticket.id,
        now,
        actor.user_id,
        "transition",
        body=note,
        data={
            "from": current,
            "to": to,
            **({"satisfaction": satisfaction} if satisfaction else {}),
        },
    )
    diff = {"status": [current, to]}
    audit.record(
        uow, actor, "ticket", ticket.id, "transition", diff, at=now, customer_id=ticket.customer_id
    )
    await uow.tickets.flush()
    return ticket


# ---- comments and exceptions ------------------------------------------------------------------


async def comment(
    uow: UnitOfWork, clock: Clock, actor: Actor, ticket_id: int, *, body: str, visibility: str
) -> TicketEventRecord:
    """An internal note or a reply the customer sees. The first public reply by whoever works
    the ticket is its first response; every public reply restarts the update interval.
    @username mentions notify those users."""
    ticket, access = await get_readable(uow, actor, ticket_id)
    if not rules.can_comment(actor, access):
        raise Forbidden("You may read this ticket but not comment on it.")
    if visibility == "public" and not rules.can_work(actor, access):
        raise Forbidden("Only the assignee, a supervisor or an admin replies to the customer.")
    now = clock.now()
    event = uow.tickets.add_event(
        ticket.id, now, actor.user_id, "comment", body=body, visibility=visibility
    )
    if visibility == "public" and ticket.status in rules.OPEN:
        before = audit.snapshot(ticket, REPLY_FIELDS)
        ticket.first_response_at = ticket.first_response_at or now
        ticket.last_public_reply_at = now
        await _refresh_thresholds(uow, ticket, now)
        ticket.updated_at = now
        # The ticket changed: the trail says so, and with it the sync feed.
        diff = audit.diff(before, audit.snapshot(ticket, REPLY_FIELDS))
        audit.record(
            uow, actor, "ticket", ticket.id, "reply", diff, at=now, customer_id=ticket.customer_id
        )
    for username in sorted(set(MENTION.findall(body))):
        user = await uow.users.get_by_username(username)
        if (
            user is not None
            and user.id != actor.user_id
            and user.is_active
            and rules.can_read(Actor(user.id, Role(user.role), user.department_id), access)
        ):
            uow.notifications.add(
                user.id,
                "mention",
                f"{ticket.code} 中有人提到了你",
                body=body[:500],
                entity_type="ticket",
                entity_id=ticket.id,
                at=now,
                params={"code": ticket.code},
            )
    await uow.tickets.flush()
    return event


REPLY_FIELDS = ("first_response_at", "last_public_reply_at")
EXCEPTION_KINDS = ("resource_conflict", "changed_requirement", "external_blocker")


async def record_exception(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    ticket_id: int,
    *,
    kind: str,
    description: str,
    handling: str | None,
) -> TicketEventRecord:
    """An exception in the work (resource conflict, changed requirement, external blocker)
    with how it is handled; the handling may follow later."""
    ticket, _ = await _get_workable(uow, actor, ticket_id)
    event = uow.tickets.add_event(
        ticket.id,
        clock.now(),
        actor.user_id,
        "exception",
        body=description,
        data={"exception_kind": kind, "handling": handling, "resolved": handling is not None},
    )
    await uow.tickets.flush()
    return event


async def resolve_exception(
    uow: UnitOfWork, clock: Clock, actor: Actor, ticket_id: int, event_id: int, *, handling: str
) -> TicketEventRecord:
    ticket, _ = await _get_workable(uow, actor, ticket_id)
    event = await uow.tickets.get_event(ticket.id, event_id)
    if event is None or event.kind != "exception":
        raise NotFound("exception", event_id)
    event.data = {
        **event.data,
        "handling": handling,
        "resolved": True,
        "resolved_at": clock.now().isoformat(),
        "resolved_by": actor.user_id,
    }
    await uow.tickets.flush()
    return event
