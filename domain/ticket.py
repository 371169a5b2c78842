"""Service tickets (工单): types, priority matrix, the status machine and who may do what."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final

from domain.roles import Actor, Role


class TicketType(StrEnum):
    PRESALES_CONSULT = "presales_consult"
    ORDER_SUPPORT = "order_support"
    AFTER_SALES_REPAIR = "after_sales_repair"
    RETURN_EXCHANGE = "return_exchange"
    COMPLAINT = "complaint"
    TECHNICAL_CONSULT = "technical_consult"
    TRAINING = "training"
    CUSTOMIZATION = "customization"


class Channel(StrEnum):
    PHONE = "phone"
    ONLINE_CHAT = "online_chat"
    EMAIL = "email"
    STORE = "store"
    WEB_FORM = "web_form"
    API = "api"


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class TicketStatus(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    WAITING_CUSTOMER = "waiting_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"
    CANCELLED = "cancelled"


class ResponsibleParty(StrEnum):
    PRODUCT_QUALITY = "product_quality"
    SERVICE_ERROR = "service_error"
    LOGISTICS = "logistics"
    OTHER = "other"


OPEN: Final = frozenset(
    {
        TicketStatus.NEW,
        TicketStatus.ASSIGNED,
        TicketStatus.IN_PROGRESS,
        TicketStatus.WAITING_CUSTOMER,
        TicketStatus.REOPENED,
    }
)
ALLOWED: Final[Mapping[TicketStatus, frozenset[TicketStatus]]] = {
    TicketStatus.NEW: frozenset({TicketStatus.ASSIGNED, TicketStatus.CANCELLED}),
    TicketStatus.ASSIGNED: frozenset({TicketStatus.IN_PROGRESS, TicketStatus.CANCELLED}),
    TicketStatus.IN_PROGRESS: frozenset(
        {TicketStatus.WAITING_CUSTOMER, TicketStatus.RESOLVED, TicketStatus.CANCELLED}
    ),
    TicketStatus.WAITING_CUSTOMER: frozenset(
        {TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED, TicketStatus.CANCELLED}
    ),  # customer replied / solved
    TicketStatus.RESOLVED: frozenset({TicketStatus.CLOSED, TicketStatus.REOPENED}),
    TicketStatus.CLOSED: frozenset({TicketStatus.REOPENED}),
    TicketStatus.REOPENED: frozenset({TicketStatus.IN_PROGRESS, TicketStatus.CANCELLED}),
    TicketStatus.CANCELLED: frozenset(),
}
REOPEN_WINDOW: Final = timedelta(days=30)

# Default routing: ticket type → department key (admin-editable rules override it).
DEFAULT_ROUTES: Final[Mapping[TicketType, str]] = {
    TicketType.PRESALES_CONSULT: "sales",
    TicketType.ORDER_SUPPORT: "sales",
    TicketType.CUSTOMIZATION: "sales",
    TicketType.AFTER_SALES_REPAIR: "after_sales",
    TicketType.RETURN_EXCHANGE: "after_sales",
    TicketType.COMPLAINT: "after_sales",
    TicketType.TECHNICAL_CONSULT: "tech",
    TicketType.TRAINING: "tech",
}


def priority_of(*, urgent: bool, important: bool) -> Priority:
    """The urgency × importance matrix: both P1, important P2, urgent P3, neither P4."""
    if urgent and important:
        return Priority.P1
    if important:
        return Priority.P2
    if urgent:
        return Priority.P3
    return Priority.P4


def allowed_targets(
    status: TicketStatus, *, reopen_deadline_passed: bool
) -> frozenset[TicketStatus]:
    targets = ALLOWED[status]
    if reopen_deadline_passed:
        targets -= {TicketStatus.REOPENED}
    return targets


def reopen_deadline_passed(finished_at: datetime | None, now: datetime) -> bool:
    """Resolved or closed tickets reopen within 30 days of when they were finished."""
    return finished_at is not None and now > finished_at + REOPEN_WINDOW


@dataclass(frozen=True, slots=True)
class TicketAccess:
    """What the policy needs to know about a ticket and its customer."""

    customer_owner_id: int | None  # None: the customer is in the public pool
    department_id: int | None
    assignee_id: int | None
    collaborator_user_ids: frozenset[int]
    collaborator_department_ids: frozenset[int]
    created_by: int | None = None  # whoever opened it keeps sight of it wherever it is routed


def can_read(actor: Actor, t: TicketAccess) -> bool:
    """Supervisors, admins and readonly see all; account managers their customers' tickets;
    agents their department's, their own and the ones they collaborate on."""
    if actor.role in (Role.ADMIN, Role.SUPERVISOR, Role.READONLY):
        return True
    if actor.role is Role.ACCOUNT_MANAGER:
        return _owns_customer(actor, t.customer_owner_id) or _involved(actor, t)
    return _involved(actor, t) or (
        actor.department_id is not None and actor.department_id == t.department_id
    )


def _involved(actor: Actor, t: TicketAccess) -> bool:
    if actor.user_id is None:
        return False
    return (
        actor.user_id in (t.assignee_id, t.created_by)
        or actor.user_id in t.collaborator_user_ids
        or (
            actor.department_id is not None and actor.department_id in t.collaborator_department_ids
        )
    )


def can_work(actor: Actor, t: TicketAccess) -> bool:
    """Move the status and edit: the assignee, supervisors and admins."""
    return actor.role in (Role.ADMIN, Role.SUPERVISOR) or actor.user_id == t.assignee_id


def can_comment(actor: Actor, t: TicketAccess) -> bool:
    if actor.role is Role.READONLY:
        return False
    return (
        can_work(actor, t)
        or _involved(actor, t)
        or (actor.role is Role.ACCOUNT_MANAGER and _owns_customer(actor, t.customer_owner_id))
    )


def can_assign(actor: Actor) -> bool:
    return actor.role in (Role.ADMIN, Role.SUPERVISOR)


def can_set_priority(actor: Actor) -> bool:
    return actor.role in (Role.ADMIN, Role.SUPERVISOR)


def can_create(actor: Actor, *, customer_owner_id: int | None) -> bool:
    """Account managers open tickets for their own customers; the others (readonly aside) for
    any customer they see, pool customers included."""
    if actor.role is Role.READONLY:
        return False
    if actor.role is Role.ACCOUNT_MANAGER:
        return _owns_customer(actor, customer_owner_id)
    return True


def _owns_customer(actor: Actor, owner_id: int | None) -> bool:
    return owner_id is not None and owner_id == actor.user_id


@dataclass(frozen=True, slots=True)
class Candidate:
    user_id: int
    open_tickets: int
    last_assigned_at: datetime | None  # None: never assigned, the longest idle of all


def least_loaded(candidates: list[Candidate]) -> int | None:
    """The member with the fewest open tickets; ties go to the longest idle, then lowest id."""
    if not candidates:
        return None
    never = datetime.min.replace(tzinfo=UTC)
    best = min(
        candidates,
        key=lambda c: (
            c.open_tickets,
            # Compare instants: aware times in any zone; a naive one is taken as UTC.
            (
                c.last_assigned_at
                if c.last_assigned_at.tzinfo
                else c.last_assigned_at.replace(tzinfo=UTC)
            )
            if c.last_assigned_at
            else never,
            c.user_id,
        ),
    )
    return best.user_id
