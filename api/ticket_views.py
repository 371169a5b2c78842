"""Tickets → response bodies, with their SLA clocks and the moves open to the caller."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from api.ticket_schemas import TicketOut
from domain import ticket as rules
from domain.ports import TicketRecord
from domain.roles import Actor
from domain.sla import Pause
from domain.ticket import TicketAccess, TicketStatus
from domain.ticket_service import facts_of
from domain.ticket_sla import clocks
from persistence.uow import SqlUnitOfWork

COLUMNS = (
    "id",
    "code",
    "customer_id",
    "contact_id",
    "type",
    "channel",
    "title",
    "description",
    "urgent",
    "important",
    "priority",
    "status",
    "department_id",
    "assignee_id",
    "expected_resolution_at",
    "opened_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "root_cause",
    "responsible_party",
    "remedy",
    "revisit_at",
    "customer_accepted",
    "version",
    "created_at",
    "updated_at",
)


FIELDS = tuple(TicketOut.model_fields)  # a body's keys in the model's order


async def ticket_bodies(
    uow: SqlUnitOfWork, actor: Actor, tickets: Sequence[TicketRecord], now: datetime
) -> list[dict[str, Any]]:
    """Tickets as TicketOut-shaped dicts, for any number of tickets in four queries
    (collaborators, pauses, hours, overrides). Plain dicts: a list serialises them without
    validating what the database and the SLA clocks returned."""
    if not tickets:
        return []
    ids = [t.id for t in tickets]
    collaborators = await uow.tickets.collaborators_of(ids)
    pauses = await uow.tickets.pauses_of(ids)
    business = await uow.tickets.business_calendar()
    out = []
    for ticket in tickets:
        users, departments = collaborators[ticket.id]
        facts = facts_of(
            ticket, business, [Pause(p.started_at, p.ended_at) for p in pauses[ticket.id]]
        )
        sla: dict[str, Any] = {"calendar": ticket.sla_calendar}
        for name, c in clocks(facts, now).items():
            sla[name] = {
                "due_at": c.due_at.astimezone(UTC),
                "state": c.state,
                "elapsed_minutes": c.elapsed_minutes,
                "remaining_minutes": c.remaining_minutes,
            }
        # can_work looks at the role and the assignee only; the owner does not matter here.
        access = TicketAccess(
            customer_owner_id=0,
            department_id=ticket.department_id,
            assignee_id=ticket.assignee_id,
            collaborator_user_ids=frozenset(users),
            collaborator_department_ids=frozenset(departments),
        )
        allowed = (
            sorted(
                rules.allowed_targets(
                    TicketStatus(ticket.status),
                    reopen_deadline_passed=rules.reopen_deadline_passed(
                        ticket.closed_at or ticket.resolved_at, now
                    ),
                )
            )
            if rules.can_work(actor, access)
            else []
        )
        values = {name: getattr(ticket, name) for name in COLUMNS}
        values.update(
            collaborator_user_ids=sorted(users),
            collaborator_department_ids=sorted(departments),
            sla=sla,
            allowed_transitions=allowed,
            external_ids=ticket.external_ids or {},
            satisfaction={
                "response_speed": ticket.satisfaction_response_speed,
                "resolution": ticket.satisfaction_resolution,
                "attitude": ticket.satisfaction_attitude,
                "overall": ticket.satisfaction_overall,
                "comment": ticket.satisfaction_comment,
            }
            if ticket.satisfaction_overall is not None
            else None,
        )
        out.append({name: values[name] for name in FIELDS})
    return out


async def ticket_out(
    uow: SqlUnitOfWork, actor: Actor, ticket: TicketRecord, now: datetime
) -> TicketOut:
    return TicketOut.model_validate((await ticket_bodies(uow, actor, [ticket], now))[0])
