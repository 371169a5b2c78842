"""Admin use cases for the service desk: SLA policies, routing rules and the business calendar
(capabilities 5 and 6). Everyone may read them; only admins change them, and every change is
audited. Policies and routes apply to tickets opened afterwards (a ticket keeps the targets
agreed when it was opened); a calendar change applies to running tickets at once, their stored
SLA due times included."""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from functools import lru_cache
from typing import Any

from domain import audit, ticket_service
from domain.errors import Conflict, Duplicate, Forbidden, Invalid, NotFound, VersionMismatch
from domain.ports import BusinessHoursRecord, Clock, SlaPolicyRecord, UnitOfWork
from domain.roles import Actor
from domain.sla import Pause
from domain.ticket import DEFAULT_ROUTES, Priority, TicketType
from domain.ticket_sla import calendar_named, thresholds

MAX_MINUTES = 60 * 24 * 60  # an SLA target is at most 60 days of minutes on its calendar
CALENDARS = ("24x7", "business")
TARGETS = ("first_response_minutes", "resolution_minutes", "update_minutes")
POLICY_FIELDS = ("priority", "ticket_type", *TARGETS, "calendar")
POLICY_EDITABLE = (*TARGETS, "calendar")


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("Only an admin manages service settings.")


def _checked(version: int, if_match: int | None) -> None:
    if if_match is not None and if_match != version:
        raise VersionMismatch(version)


# ---- SLA policies ----------------------------------------------------------------------------


def policy_errors(values: dict[str, Any]) -> list[dict[str, str]]:
    """Targets are whole minutes, from 1 up to 60 days, on a known calendar."""
    errors = []
    for name in TARGETS:
        value = values.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MINUTES:
            errors.append({"field": name, "message": f"whole minutes from 1 to {MAX_MINUTES}"})
    if values.get("calendar") not in CALENDARS:
        errors.append({"field": "calendar", "message": "24x7 or business"})
    return errors


def _member(kind: type[StrEnum], value: str, field: str) -> str:
    try:
        return kind(value).value
    except ValueError:
        raise Invalid([{"field": field, "message": f"one of {', '.join(kind)}"}]) from None


async def get_policy(uow: UnitOfWork, policy_id: int) -> SlaPolicyRecord:
    policy = await uow.tickets.get_policy(policy_id)
    if policy is None:
        raise NotFound("SLA policy", policy_id)
    return policy


async def create_policy(
    uow: UnitOfWork, clock: Clock, actor: Actor, fields: dict[str, Any]
) -> SlaPolicyRecord:
    """A policy per priority, optionally narrowed to one ticket type (which then wins over the
    priority's base policy). One policy per (priority, ticket type)."""
    _require_admin(actor)
    values: dict[str, Any] = {name: fields.get(name) for name in POLICY_FIELDS}
    values["priority"] = _member(Priority, values["priority"], "priority")
    if values["ticket_type"] is not None:
        values["ticket_type"] = _member(TicketType, values["ticket_type"], "ticket_type")
    errors = policy_errors(values)
    if errors:
        raise Invalid(errors)
    # NULL never collides in a unique index, so the base policy's uniqueness is checked here.
    if any(
        p.priority == values["priority"] and p.ticket_type == values["ticket_type"]
        for p in await uow.tickets.list_policies()
    ):
        raise Duplicate(
            "ticket_type",
            f"{values['priority']} already has a policy for "
            f"{values['ticket_type'] or 'all ticket types'}.",
        )
    policy = await uow.tickets.add_policy(**values)
    changes = audit.created(audit.snapshot(policy, POLICY_FIELDS))
    audit.record(uow, actor, "sla_policy", policy.id, "create", changes, at=clock.now())
    return policy


async def update_policy(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    policy_id: int,
    changes: dict[str, Any],
    *,
    if_match: int | None,
) -> SlaPolicyRecord:
    """Change targets or calendar; priority and ticket type identify the policy and stay."""
    _require_admin(actor)
    policy = await get_policy(uow, policy_id)
    _checked(policy.version, if_match)
    refused = sorted(set(changes) - set(POLICY_EDITABLE))
    if refused:
        raise Invalid([{"field": name, "message": "cannot be changed"} for name in refused])
    change = audit.edit(policy, POLICY_FIELDS, changes)
    errors = policy_errors(change.after)
    if errors:
        raise Invalid(errors)
    diff = change.changes
    if not diff:
        return policy
    audit.apply(policy, changes)
    await uow.tickets.flush()
    audit.record(uow, actor, "sla_policy", policy.id, "update", diff, at=clock.now())
    return policy


async def delete_policy(
    uow: UnitOfWork, clock: Clock, actor: Actor, policy_id: int, *, if_match: int | None
) -> None:
    """Type-specific policies can go (the priority's base policy then applies); the base
    policy of a priority cannot, since every new ticket needs targets."""
    _require_admin(actor)
    policy = await get_policy(uow, policy_id)
    _checked(policy.version, if_match)
    if policy.ticket_type is None:
        raise Conflict(
            f"The base policy of {policy.priority} cannot be deleted; change its targets instead."
        )
    changes = audit.deleted(audit.snapshot(policy, POLICY_FIELDS))
    audit.record(uow, actor, "sla_policy", policy.id, "delete", changes, at=clock.now())
    await uow.tickets.delete_policy(policy)


# ---- routing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Route:
    """Where tickets of a type go: an admin's rule, else the default department by key."""

    ticket_type: TicketType
    department_id: int | None  # None: the default department does not exist
    department_key: str | None
    department_name: str | None
    is_default: bool


async def routes(uow: UnitOfWork) -> list[Route]:
    """Every ticket type with its department, in the order of TicketType."""
    rules = {r.ticket_type: r.department_id for r in await uow.tickets.list_routes()}
    departments = await uow.users.list_departments()
    by_id = {d.id: d for d in departments}
    out = []
    for ticket_type in TicketType:
        if ticket_type.value in rules:
            department, is_default = by_id.get(rules[ticket_type.value]), False
        else:
            # Same lookup as ticket routing: the default names a department key (or name).
            wanted = DEFAULT_ROUTES[ticket_type]
            department = next((d for d in departments if wanted in (d.key, d.name)), None)
            is_default = True
        out.append(
            Route(
                ticket_type,
                department.id if department else None,
                department.key if department else None,
                department.name if department else None,
                is_default,
            )
        )
    return out


async def route_of(uow: UnitOfWork, ticket_type: str) -> Route:
    return next(r for r in await routes(uow) if r.ticket_type == ticket_type)


async def set_route(
    uow: UnitOfWork, clock: Clock, actor: Actor, ticket_type: str, department_id: int
) -> Route:
    """New tickets of this type go to the department (and its least-loaded member)."""
    _require_admin(actor)
    ticket_type = _member(TicketType, ticket_type, "ticket_type")
    if await uow.users.get_department(department_id) is None:
        raise Invalid([{"field": "department_id", "message": "unknown department"}])
    before = await uow.tickets.routed_department(ticket_type)
    if before != department_id:
        rule = await uow.tickets.set_route(ticket_type, department_id)
        changes = (
            audit.created({"ticket_type": ticket_type, "department_id": department_id})
            if before is None
            else {"department_id": [before, department_id]}
        )
        action = "create" if before is None else "update"
        audit.record(uow, actor, "routing_rule", rule.id, action, changes, at=clock.now())
    return await route_of(uow, ticket_type)


async def reset_route(uow: UnitOfWork, clock: Clock, actor: Actor, ticket_type: str) -> None:
    """Back to the default department; nothing to do when no rule is set."""
    _require_admin(actor)
    ticket_type = _member(TicketType, ticket_type, "ticket_type")
    rule = next((r for r in await uow.tickets.list_routes() if r.ticket_type == ticket_type), None)
    if rule is None:
        return
    changes = {"ticket_type": [ticket_type, None], "department_id": [rule.department_id, None]}
    audit.record(uow, actor, "routing_rule", rule.id, "delete", changes, at=clock.now())
    await uow.tickets.delete_route(ticket_type)


# ---- the business calendar -------------------------------------------------------------------

BUSINESS_HOURS_ID = 1  # the one row


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def hours_errors(timezone: str, opens: time, closes: time) -> list[dict[str, str]]:
    """An IANA zone and local opening hours within one day, opening before closing."""
    errors = []
    if timezone not in _zones():
        errors.append(
            {"field": "timezone", "message": "not an IANA time zone such as Asia/Shanghai"}
        )
    for name, value in (("opens", opens), ("closes", closes)):
        if value.tzinfo is not None:
            errors.append({"field": name, "message": "a local time, without an offset"})
    if opens.tzinfo is None and closes.tzinfo is None and opens >= closes:
        errors.append({"field": "closes", "message": "must be after opens"})
    return errors


async def _follow_calendar(
    uow: UnitOfWork, clock: Clock, *, due_from: datetime | None = None
) -> int:
    """Re-derive the stored SLA thresholds of running business-calendar tickets, so the SLA
    scan warns and breaches by the calendar as it now is. Answers how many moved."""
    business = await uow.tickets.business_calendar()
    tickets = await uow.tickets.running_on_business_calendar(due_from=due_from)
    pauses = await uow.tickets.pauses_of([t.id for t in tickets])
    now = clock.now()
    rows = []
    for ticket in tickets:
        facts = ticket_service.facts_of(
            ticket, business, [Pause(p.started_at, p.ended_at) for p in pauses[ticket.id]]
        )
        values = thresholds(facts, paused=False, now=now)
        if any(getattr(ticket, name) != value for name, value in values.items()):
            rows.append({"id": ticket.id, **values})
    await uow.tickets.set_sla_thresholds(rows)
    return len(rows)


def _hours_snapshot(hours: BusinessHoursRecord) -> dict[str, str]:
    return {
        "timezone": hours.timezone,
        "opens": hours.opens.isoformat(),
        "closes": hours.closes.isoformat(),
    }


@dataclass(frozen=True, slots=True)
class Override:
    day: date
    is_workday: bool
    note: str | None


@dataclass(frozen=True, slots=True)
class CalendarSettings:
    timezone: str
    opens: time
    closes: time
    version: int
    overrides: list[Override]


async def calendar_settings(uow: UnitOfWork) -> CalendarSettings:
    hours = await uow.tickets.business_hours()
    overrides = [
        Override(o.day, o.is_workday, o.note) for o in await uow.tickets.calendar_overrides()
    ]
    return CalendarSettings(hours.timezone, hours.opens, hours.closes, hours.version, overrides)


async def update_business_hours(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    *,
    timezone: str,
    opens: time,
    closes: time,
    if_match: int | None,
) -> CalendarSettings:
    """Working hours [opens, closes) in `timezone` on working days, for every business-calendar
    SLA clock."""
    _require_admin(actor)
    hours = await uow.tickets.business_hours()
    _checked(hours.version, if_match)
    errors = hours_errors(timezone, opens, closes)
    if errors:
        raise Invalid(errors)
    diff = audit.diff(
        _hours_snapshot(hours),
        {"timezone": timezone, "opens": opens.isoformat(), "closes": closes.isoformat()},
    )
    if diff:
        hours.timezone, hours.opens, hours.closes = timezone, opens, closes
        await uow.tickets.flush()
        await _follow_calendar(uow, clock)
        audit.record(
            uow, actor, "business_hours", BUSINESS_HOURS_ID, "update", diff, at=clock.now()
        )
    return await calendar_settings(uow)


async def _start_of(uow: UnitOfWork, day: date) -> datetime:
    """Only due times after the start of a changed day can move."""
    hours = await uow.tickets.business_hours()
    return datetime.combine(day, time(0), zoneinfo.ZoneInfo(hours.timezone))


def override_entity_id(day: date) -> int:
    """Overrides are keyed by day; the audit trail names them yyyymmdd (20241008)."""
    return day.year * 10000 + day.month * 100 + day.day


async def set_override(
    uow: UnitOfWork, clock: Clock, actor: Actor, day: date, *, is_workday: bool, note: str | None
) -> Override:
    """Make a day a working day or a day off for this company, whatever the official
    schedule says."""
    _require_admin(actor)
    current = {o.day: o for o in await uow.tickets.calendar_overrides()}.get(day)
    before = (
        {"is_workday": current.is_workday, "note": current.note}
        if current
        else {"is_workday": None, "note": None}
    )
    diff = audit.diff(before, {"is_workday": is_workday, "note": note})
    if diff:
        await uow.tickets.set_override(day, is_workday, note)
        if "is_workday" in diff:
            await _follow_calendar(uow, clock, due_from=await _start_of(uow, day))
        action = "update" if current else "create"
        changes = diff if current else {"day": [None, day.isoformat()], **diff}
        entity_id = override_entity_id(day)
        audit.record(uow, actor, "calendar_override", entity_id, action, changes, at=clock.now())
    return Override(day, is_workday, note)


async def remove_override(uow: UnitOfWork, clock: Clock, actor: Actor, day: date) -> None:
    """Back to the official schedule; nothing to do when the day has no override."""
    _require_admin(actor)
    current = {o.day: o for o in await uow.tickets.calendar_overrides()}.get(day)
    if current is None:
        return
    changes = {
        "day": [day.isoformat(), None],
        **audit.deleted({"is_workday": current.is_workday, "note": current.note}),
    }
    entity_id = override_entity_id(day)
    audit.record(uow, actor, "calendar_override", entity_id, "delete", changes, at=clock.now())
    await uow.tickets.set_override(day, None, None)
    await _follow_calendar(uow, clock, due_from=await _start_of(uow, day))


async def preview_due(uow: UnitOfWork, start: datetime, minutes: int, calendar: str) -> datetime:
    """When a target of `minutes` started at `start` falls due on the configured calendar,
    shown in the calendar's zone."""
    if calendar not in CALENDARS:
        raise Invalid([{"field": "calendar", "message": "24x7 or business"}])
    if start.tzinfo is None:
        raise Invalid([{"field": "start", "message": "needs a UTC offset"}])
    if not 0 <= minutes <= MAX_MINUTES:
        raise Invalid([{"field": "minutes", "message": f"from 0 to {MAX_MINUTES}"}])
    business = await uow.tickets.business_calendar()
    try:
        due = calendar_named(calendar, business).add(start, minutes)
    except ValueError as exc:  # overrides leave no working time at all
        raise Invalid([{"field": "minutes", "message": str(exc)}]) from None
    return due.astimezone(business.zone)
