"""Request and response bodies for tickets, notifications and service settings."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from api.schemas import (
    EXTERNAL_IDS_IN,
    EXTERNAL_IDS_OUT,
    Cleaned,
    ExternalIds,
    Id,
    Instant,
    Strict,
)
from domain.roles import Role
from domain.sla import SlaState
from domain.ticket import Channel, Priority, ResponsibleParty, TicketStatus, TicketType

Title = Annotated[str, Cleaned, StringConstraints(min_length=1, max_length=200)]
Body = Annotated[str, StringConstraints(min_length=1, max_length=20000)]
Score = Annotated[int, Field(ge=1, le=5)]


class TicketFields(Strict):
    contact_id: Id | None = None
    channel: Channel | None = None
    title: Title | None = None
    description: Annotated[str, StringConstraints(max_length=20000)] | None = None
    urgent: bool | None = None
    important: bool | None = None
    priority: Priority | None = Field(
        None, description="Supervisors and admins only; otherwise from urgent × important."
    )
    expected_resolution_at: Instant | None = None
    collaborator_user_ids: list[Id] | None = Field(None, max_length=50)
    collaborator_department_ids: list[Id] | None = Field(None, max_length=20)
    root_cause: Annotated[str, StringConstraints(max_length=5000)] | None = None
    responsible_party: ResponsibleParty | None = None
    remedy: Annotated[str, StringConstraints(max_length=5000)] | None = None
    revisit_at: Instant | None = None
    external_ids: ExternalIds | None = Field(None, max_length=10, description=EXTERNAL_IDS_IN)


class TicketCreate(TicketFields):
    customer_id: Id
    type: TicketType
    channel: Channel
    title: Title
    urgent: bool = False
    important: bool = False
    assignee_id: Id | None = Field(
        None, description="Supervisors and admins only; otherwise routed and auto-assigned."
    )
    opened_at: Instant | None = Field(
        None, description="Admins only: tickets carried over keep their opening time."
    )


class TicketPatch(TicketFields):
    pass


class SlaClockOut(BaseModel):
    due_at: datetime
    state: SlaState
    elapsed_minutes: float = Field(description="Working minutes on the ticket's calendar.")
    remaining_minutes: float


class SlaOut(BaseModel):
    calendar: Literal["24x7", "business"]
    first_response: SlaClockOut
    resolution: SlaClockOut
    update: SlaClockOut


class SatisfactionIn(Strict):
    response_speed: Score
    resolution: Score
    attitude: Score
    overall: Score
    comment: Annotated[str, StringConstraints(max_length=2000)] | None = None


class SatisfactionOut(BaseModel):
    response_speed: int
    resolution: int
    attitude: int
    overall: int
    comment: str | None


class TicketOut(BaseModel):
    id: int
    code: str
    customer_id: int
    contact_id: int | None
    type: TicketType
    channel: Channel
    title: str
    description: str
    urgent: bool
    important: bool
    priority: Priority
    status: TicketStatus
    department_id: int | None
    assignee_id: int | None
    collaborator_user_ids: list[int]
    collaborator_department_ids: list[int]
    expected_resolution_at: datetime | None
    opened_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    root_cause: str | None
    responsible_party: ResponsibleParty | None
    remedy: str | None
    revisit_at: datetime | None
    customer_accepted: bool | None
    satisfaction: SatisfactionOut | None
    sla: SlaOut
    allowed_transitions: list[TicketStatus] = Field(description="Where you may move it now.")
    external_ids: dict[str, str] = Field(description=EXTERNAL_IDS_OUT)
    version: int
    created_at: datetime
    updated_at: datetime


class TransitionIn(Strict):
    to: TicketStatus
    note: Annotated[str, StringConstraints(max_length=5000)] | None = None
    satisfaction: SatisfactionIn | None = Field(None, description="Required when closing.")
    customer_accepted: bool = Field(True, description="Closing needs the customer's acceptance.")


class AssignIn(Strict):
    assignee_id: Id
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None


class CommentIn(Strict):
    body: Body
    visibility: Literal["internal", "public"] = Field(
        description="`internal`: a note for staff; `public`: a reply the customer sees."
    )


class ExceptionIn(Strict):
    kind: Literal["resource_conflict", "changed_requirement", "external_blocker"]
    description: Body
    handling: Annotated[str, StringConstraints(min_length=1, max_length=5000)] | None = None


class ExceptionResolveIn(Strict):
    handling: Annotated[str, StringConstraints(min_length=1, max_length=5000)]


class TimelineEventOut(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    kind: str = Field(
        description="created, comment, transition, assignment, priority, "
        "collaborators, sla, escalation, exception, attachment"
    )
    visibility: Literal["internal", "public"]
    body: str | None
    data: dict[str, Any]


class NotificationOut(BaseModel):
    id: int
    kind: str
    title: str = Field(description="Chinese text (e-mail, and rows from before `params`).")
    body: str | None
    params: dict[str, Any] | None = Field(
        None,
        description="What the text is made of (`name`, `code`, `title`…): render `kind` "
        "with them in the reader's language.",
    )
    entity_type: str | None
    entity_id: int | None
    created_at: datetime
    read_at: datetime | None


class UnreadCountOut(BaseModel):
    unread: int


class AssigneeOut(BaseModel):
    user_id: int
    display_name: str
    department_id: int | None
    role: Role
    open_tickets: int = Field(description="Tickets assigned to them and not finished.")
