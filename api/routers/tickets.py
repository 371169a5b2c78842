"""Service tickets (工单): create, list, edit, assign, transitions, comments, timeline."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import AfterValidator, Field

from api import external_id_routes, ticket_views
from api.deps import (
    MAX_ID,
    ClockDep,
    IfMatchDep,
    PathId,
    QueryId,
    ReadUowDep,
    SettingsDep,
    SystemClock,
    TicketReaderDep,
    TicketWriterDep,
    UowDep,
    etag,
)
from api.external_id_routes import UPSERT_PROBLEMS, Routes
from api.problems import problems
from api.query import Cursor, Limit, UpdatedSince, ticket_filter
from api.schemas import Day, Page, refuse_nul
from api.ticket_schemas import (
    AssigneeOut,
    AssignIn,
    CommentIn,
    ExceptionIn,
    ExceptionResolveIn,
    TicketCreate,
    TicketOut,
    TicketPatch,
    TimelineEventOut,
    TransitionIn,
)
from api.views import page_json
from config import Settings
from domain import ticket_service
from domain.errors import (
    Conflict,
    FieldsForbidden,
    Forbidden,
    IllegalTransition,
    Invalid,
    InvalidCursor,
    NotFound,
    VersionMismatch,
)
from domain.integration import record_sync
from domain.ports import TicketRecord
from domain.roles import Actor
from domain.ticket import Channel, Priority, TicketStatus, TicketType
from persistence.uow import SqlUnitOfWork

router = APIRouter(prefix="/tickets", tags=["tickets"])


@router.get(
    "",
    response_model=Page[TicketOut],
    operation_id="tickets:list_tickets",
    responses=problems(Forbidden, InvalidCursor),
)
async def list_tickets(
    actor: TicketReaderDep,
    uow: ReadUowDep,
    clock: ClockDep,
    settings: SettingsDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    status_: Annotated[list[TicketStatus], Query(alias="status")] = [],  # noqa: B006
    priority: Annotated[list[Priority], Query()] = [],  # noqa: B006
    type_: Annotated[list[TicketType], Query(alias="type")] = [],  # noqa: B006
    channel: Annotated[list[Channel], Query()] = [],  # noqa: B006
    department_id: QueryId | None = None,
    assignee_id: QueryId | None = None,
    customer_id: QueryId | None = None,
    sla_state: Literal["ok", "warning", "breached", "paused"] | None = None,
    created_from: Annotated[Day | None, Query(description="Inclusive, local date.")] = None,
    created_to: Annotated[Day | None, Query(description="Inclusive, local date.")] = None,
    customer_tag_id: Annotated[
        list[Annotated[int, Field(ge=1, le=MAX_ID)]],
        Query(description="The customer has any of these tags."),
    ] = [],  # noqa: B006
    resolved_from: Annotated[Day | None, Query(description="Local date.")] = None,
    resolved_to: Annotated[Day | None, Query(description="Inclusive, local date.")] = None,
    closed_from: Annotated[
        Day | None, Query(description="Closed or cancelled; local date.")
    ] = None,
    closed_to: Annotated[Day | None, Query(description="Inclusive, local date.")] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            description="Code, title, description or customer name contains (case-insensitive).",
        ),
        AfterValidator(refuse_nul),
    ] = None,
    with_total: Annotated[
        bool,
        Query(
            description="Also count the matches: exactly up to 10,000, the planner's estimate "
            "past that (see `total_accuracy`)."
        ),
    ] = False,
    exact_total: Annotated[
        bool, Query(description="Count every match exactly, however many (slower).")
    ] = False,
    updated_since: UpdatedSince = None,
) -> Response:
    """The tickets you may see, newest first, with live SLA clocks. `sla_state=warning`:
    a target in warning, none breached; `breached`: any target breached."""
    now = clock.now()
    f = ticket_filter(
        zone=settings.timezone,
        status=status_,
        priority=priority,
        type_=type_,
        department_id=department_id,
        assignee_id=assignee_id,
        customer_id=customer_id,
        sla_state=sla_state,
        created_from=created_from,
        created_to=created_to,
        channel=channel,
        customer_tag_id=customer_tag_id,
        resolved_from=resolved_from,
        resolved_to=resolved_to,
        closed_from=closed_from,
        closed_to=closed_to,
        q=q,
        updated_since=updated_since,
    )
    page = await uow.tickets.list_page(
        actor,
        f,
        now=now,
        cursor=cursor,
        limit=limit,
        with_total=with_total,
        exact_total=exact_total,
    )
    # Page[TicketOut] as the customer list sends its page: the clocks and the rows are ours,
    # and validating them again cost a tenth of a page.
    return page_json(await ticket_views.ticket_bodies(uow, actor, page.items, now), page)


@router.post(
    "",
    response_model=TicketOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="tickets:create_ticket",
    responses=problems(NotFound, Forbidden, FieldsForbidden, Invalid),
)
async def create_ticket(
    body: TicketCreate, actor: TicketWriterDep, uow: UowDep, clock: ClockDep, response: Response
) -> TicketOut:
    """Open a ticket for a customer. It is routed by type to a department and assigned to
    its least-loaded member; its SLA clocks start at `opened_at`."""
    ticket = await ticket_service.create(uow, clock, actor, body.model_dump(exclude_unset=True))
    response.headers["ETag"] = etag(ticket.version)
    response.headers["Location"] = f"/api/v1/tickets/{ticket.id}"
    return await ticket_views.ticket_out(uow, actor, ticket, clock.now())


@router.get(
    "/assignees",
    response_model=list[AssigneeOut],
    operation_id="tickets:list_assignees",
    responses=problems(Forbidden),
)
async def list_assignees(actor: TicketWriterDep, uow: ReadUowDep) -> list[AssigneeOut]:
    """Who a ticket may be assigned to (active agents, supervisors and admins) with their
    open-ticket count, by department then load: the assign picker (supervisors and admins)."""
    rows = await ticket_service.assignees(uow, actor)
    return [
        AssigneeOut(user_id=u, display_name=n, department_id=d, role=r, open_tickets=c)
        for u, n, d, r, c in rows
    ]


@router.get(
    "/{ticket_id}",
    response_model=TicketOut,
    operation_id="tickets:get_ticket",
    responses=problems(NotFound, Forbidden),
)
async def get_ticket(
    ticket_id: PathId, actor: TicketReaderDep, uow: ReadUowDep, clock: ClockDep, response: Response
) -> TicketOut:
    """One ticket with its SLA clocks and the transitions open to you."""
    ticket, _ = await ticket_service.get_readable(uow, actor, ticket_id)
    response.headers["ETag"] = etag(ticket.version)
    return await ticket_views.ticket_out(uow, actor, ticket, clock.now())


@router.patch(
    "/{ticket_id}",
    response_model=TicketOut,
    operation_id="tickets:update_ticket",
    responses=problems(NotFound, Forbidden, FieldsForbidden, Invalid, VersionMismatch),
)
async def update_ticket(
    ticket_id: PathId,
    body: TicketPatch,
    actor: TicketWriterDep,
    uow: UowDep,
    clock: ClockDep,
    if_match: IfMatchDep,
    response: Response,
) -> TicketOut:
    """Edit a ticket (assignee, supervisors, admins). Urgency and importance re-derive the
    priority; a new priority brings its SLA targets."""
    ticket = await ticket_service.update(
        uow, clock, actor, ticket_id, body.model_dump(exclude_unset=True), if_match=if_match
    )
    response.headers["ETag"] = etag(ticket.version)
    return await ticket_views.ticket_out(uow, actor, ticket, clock.now())


@router.post(
    "/{ticket_id}/transitions",
    response_model=TicketOut,
    operation_id="tickets:transition_ticket",
    responses=problems(NotFound, Forbidden, IllegalTransition, Conflict, Invalid, VersionMismatch),
)
async def transition_ticket(
    ticket_id: PathId,
    body: TransitionIn,
    actor: TicketWriterDep,
    uow: UowDep,
    clock: ClockDep,
    if_match: IfMatchDep,
    response: Response,
) -> TicketOut:
    """Move a ticket: `new → assigned → in_progress ⇄ waiting_customer → resolved → closed`,
    `resolved|closed → reopened` within 30 days, `cancelled` from any open state. An illegal
    move is a 409 listing `allowed`. Closing takes `satisfaction`."""
    ticket = await ticket_service.transition(
        uow,
        clock,
        actor,
        ticket_id,
        to=body.to,
        note=body.note,
        satisfaction=body.satisfaction.model_dump() if body.satisfaction else None,
        customer_accepted=body.customer_accepted,
        if_match=if_match,
    )
    response.headers["ETag"] = etag(ticket.version)
    return await ticket_views.ticket_out(uow, actor, ticket, clock.now())


@router.post(
    "/{ticket_id}/assign",
    response_model=TicketOut,
    operation_id="tickets:assign_ticket",
    responses=problems(NotFound, Forbidden, Conflict, Invalid, VersionMismatch),
)
async def assign_ticket(
    ticket_id: PathId,
    body: AssignIn,
    actor: TicketWriterDep,
    uow: UowDep,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> TicketOut:
    """Assign or reassign (supervisors and admins); on the timeline and in the assignee's
    inbox."""
    ticket = await ticket_service.assign(
        uow, clock, actor, ticket_id, body.assignee_id, if_match=if_match, note=body.note
    )
    return await ticket_views.ticket_out(uow, actor, ticket, clock.now())


@router.post(
    "/{ticket_id}/comments",
    response_model=TimelineEventOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="tickets:comment_ticket",
    responses=problems(NotFound, Forbidden),
)
async def comment_ticket(
    ticket_id: PathId, body: CommentIn, actor: TicketWriterDep, uow: UowDep, clock: ClockDep
) -> TimelineEventOut:
    """Add an internal note or a customer-visible reply; `@username` notifies that user."""
    event = await ticket_service.comment(
        uow, clock, actor, ticket_id, body=body.body, visibility=body.visibility
    )
    return TimelineEventOut.model_validate(event, from_attributes=True)


@router.get(
    "/{ticket_id}/timeline",
    response_model=list[TimelineEventOut],
    operation_id="tickets:ticket_timeline",
    responses=problems(NotFound, Forbidden),
)
async def ticket_timeline(
    ticket_id: PathId, actor: TicketReaderDep, uow: ReadUowDep
) -> list[TimelineEventOut]:
    """Everything that happened to the ticket, oldest first."""
    ticket, _ = await ticket_service.get_readable(uow, actor, ticket_id)
    events = await uow.tickets.timeline(ticket.id, public_only=False)
    return [TimelineEventOut.model_validate(e, from_attributes=True) for e in events]


@router.post(
    "/{ticket_id}/exceptions",
    response_model=TimelineEventOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="tickets:record_exception",
    responses=problems(NotFound, Forbidden),
)
async def record_exception(
    ticket_id: PathId, body: ExceptionIn, actor: TicketWriterDep, uow: UowDep, clock: ClockDep
) -> TimelineEventOut:
    """Record a resource conflict, changed requirement or external blocker, and its handling
    if already known."""
    event = await ticket_service.record_exception(
        uow,
        clock,
        actor,
        ticket_id,
        kind=body.kind,
        description=body.description,
        handling=body.handling,
    )
    return TimelineEventOut.model_validate(event, from_attributes=True)


@router.post(
    "/{ticket_id}/exceptions/{event_id}/resolve",
    response_model=TimelineEventOut,
    operation_id="tickets:resolve_exception",
    responses=problems(NotFound, Forbidden),
)
async def resolve_exception(
    ticket_id: PathId,
    event_id: PathId,
    body: ExceptionResolveIn,
    actor: TicketWriterDep,
    uow: UowDep,
    clock: ClockDep,
) -> TimelineEventOut:
    """Record how an exception was handled."""
    event = await ticket_service.resolve_exception(
        uow, clock, actor, ticket_id, event_id, handling=body.handling
    )
    return TimelineEventOut.model_validate(event, from_attributes=True)


async def _answer(
    uow: SqlUnitOfWork, actor: Actor, ticket: TicketRecord, clock: SystemClock, settings: Settings
) -> TicketOut:
    return await ticket_views.ticket_out(uow, actor, ticket, clock.now())


external_id_routes.add(
    router,
    Routes(
        kind=record_sync.TICKET,
        collection="tickets",
        body=TicketCreate,
        out=TicketOut,
        reader=TicketReaderDep,
        writer=TicketWriterDep,
        answer=_answer,
        put_doc="""
        Open the ticket with this external id (201), or edit the one that has it as PATCH
        does (200; fields left out keep their values). Its customer, type, `opened_at` and
        assignee (see /assign) are not changed this way: another value is a 422. The id is added
        to `external_ids`; one another ticket holds is a 409.""",
        put_problems=(*UPSERT_PROBLEMS, FieldsForbidden),
    ),
)
