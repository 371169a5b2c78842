"""Change requests (信息变更审核): non-admins' edits of customers' key identity fields, waiting
for an admin. They are made by PATCH /customers/{id}."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api import change_request_views
from api.change_request_schemas import ChangeRequestOut, RejectIn
from api.deps import MAX_ID, ClockDep, PathId, ReaderDep, ReadUowDep, UowDep
from api.problems import problems
from api.schemas import Page
from domain import change_request_service as service
from domain.change_request import ChangeRequestDecided, ChangeRequestStale, ChangeRequestStatus
from domain.errors import Conflict, Forbidden, Invalid, InvalidCursor, NotFound
from persistence.change_request_repo import ChangeRequestFilter

router = APIRouter(prefix="/change-requests", tags=["change_requests"])


class ChangeRequestQuery(BaseModel):
    limit: int = Field(50, ge=1, le=200, description="Page size, at most 200.")
    cursor: str | None = Field(
        None, max_length=500, description="`next_cursor` of the previous page."
    )
    status: ChangeRequestStatus | None = None
    customer_id: int | None = Field(None, ge=1, le=MAX_ID)


@router.get(
    "",
    response_model=Page[ChangeRequestOut],
    operation_id="change_requests:list_change_requests",
    responses=problems(Forbidden, InvalidCursor),
)
async def list_change_requests(
    actor: ReaderDep, uow: ReadUowDep, q: Annotated[ChangeRequestQuery, Query()]
) -> Page[ChangeRequestOut]:
    """Change requests, newest first: every one for admins, your own for everyone else;
    filter by `status` and `customer_id`."""
    f = ChangeRequestFilter(
        status=q.status.value if q.status else None,
        customer_id=q.customer_id,
        requested_by=service.list_scope(actor),
    )
    page = await uow.change_requests.list_page(f, cursor=q.cursor, limit=q.limit)
    return Page(
        items=[
            change_request_views.change_request_out(actor, request, owner_id, code, name)
            for request, owner_id, code, name in page.items
        ],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/{request_id}",
    response_model=ChangeRequestOut,
    operation_id="change_requests:get_change_request",
    responses=problems(NotFound, Forbidden),
)
async def get_change_request(
    request_id: PathId, actor: ReaderDep, uow: ReadUowDep
) -> ChangeRequestOut:
    """One change request: admins any, others their own (404 otherwise)."""
    request = await service.get_readable(uow, actor, request_id)
    return (await change_request_views.change_requests_out(uow, actor, [request]))[0]


@router.post(
    "/{request_id}/approve",
    response_model=ChangeRequestOut,
    operation_id="change_requests:approve_change_request",
    responses=problems(
        NotFound, Forbidden, ChangeRequestDecided, ChangeRequestStale, Invalid, Conflict
    ),
)
async def approve_change_request(
    request_id: PathId, actor: ReaderDep, uow: UowDep, clock: ClockDep
) -> ChangeRequestOut:
    """Apply a pending request (admins only) through the ordinary customer update, in one
    transaction and validated again (422 / 409 `duplicate` if the value no longer fits).
    409 `change-request-stale` when the field changed since the request, 409
    `change-request-decided` when it is no longer pending. The requester is notified."""
    request = await service.approve(uow, clock, actor, request_id)
    return (await change_request_views.change_requests_out(uow, actor, [request]))[0]


@router.post(
    "/{request_id}/reject",
    response_model=ChangeRequestOut,
    operation_id="change_requests:reject_change_request",
    responses=problems(NotFound, Forbidden, ChangeRequestDecided, Invalid),
)
async def reject_change_request(
    request_id: PathId, body: RejectIn, actor: ReaderDep, uow: UowDep, clock: ClockDep
) -> ChangeRequestOut:
    """Turn a pending request down with a reason (admins only); the requester is notified
    with the reason."""
    request = await service.reject(uow, clock, actor, request_id, reason=body.reason)
    return (await change_request_views.change_requests_out(uow, actor, [request]))[0]


@router.post(
    "/{request_id}/withdraw",
    response_model=ChangeRequestOut,
    operation_id="change_requests:withdraw_change_request",
    responses=problems(NotFound, Forbidden, ChangeRequestDecided),
)
async def withdraw_change_request(
    request_id: PathId, actor: ReaderDep, uow: UowDep, clock: ClockDep
) -> ChangeRequestOut:
    """Take back your own pending request (`withdrawn`, on the customer's history); the field
    is then free for a new request. Others' requests are 404 (admins: 403, they reject), and
    409 `change-request-decided` when it is no longer pending."""
    request = await service.withdraw(uow, clock, actor, request_id)
    return (await change_request_views.change_requests_out(uow, actor, [request]))[0]
