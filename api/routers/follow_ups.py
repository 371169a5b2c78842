"""Follow-ups (跟进记录) and what is due."""

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Response, status
from pydantic import AfterValidator

from api import external_id_routes
from api.deps import (
    ClockDep,
    CustomerWriterDep,
    IfMatchDep,
    PathId,
    QueryId,
    ReaderDep,
    ReadUowDep,
    SettingsDep,
    SystemClock,
    UowDep,
    etag,
)
from api.external_id_routes import UPSERT_PROBLEMS, Routes
from api.problems import problems
from api.query import (
    Cursor,
    Limit,
    Owner,
    UpdatedSince,
    day_after,
    day_start,
    owner_id_of,
    text_query,
)
from api.sales_schemas import DueItemOut, FollowUpCreate, FollowUpOut, FollowUpPatch
from api.sales_views import due_item_out, follow_up_out
from api.schemas import Day, Page, refuse_nul
from config import Settings
from domain import follow_up_service
from domain.customer_service import get_readable as get_readable_customer
from domain.errors import (
    Conflict,
    FieldsForbidden,
    Forbidden,
    Invalid,
    InvalidCursor,
    NotFound,
    VersionMismatch,
)
from domain.integration import record_sync
from domain.ports import FollowUpRecord
from domain.roles import Actor, Role
from domain.sales import local_date
from persistence.follow_up_repo import FollowUpFilter
from persistence.uow import SqlUnitOfWork

router = APIRouter(tags=["follow_ups"])


@router.get(
    "/follow-ups/due",
    response_model=Page[DueItemOut],
    operation_id="follow_ups:list_due",
    responses=problems(Forbidden, Invalid, InvalidCursor),
)
async def list_due(
    actor: ReaderDep,
    uow: ReadUowDep,
    clock: ClockDep,
    settings: SettingsDep,
    owner: Owner = "me",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[DueItemOut]:
    """What is due or overdue today (calendar days in the configured zone) for `owner`:
    open next actions of their follow-ups due today or earlier (`kind: next_action`), and
    their customers whose cadence date has come (`kind: cadence`). Archived and pool
    customers are left out. Ordered by due date, then customer. Admins, supervisors and
    readonly users may ask for anyone; others for themselves only (403)."""
    user = await follow_up_service.due_owner(
        uow,
        actor,
        owner_id_of(actor, owner) or actor.person_id,  # no `owner`: mine
    )
    today = local_date(clock.now(), ZoneInfo(settings.timezone))
    page = await uow.follow_ups.due_page(
        user.id,
        owner_is_account_manager=user.role == Role.ACCOUNT_MANAGER,
        today=today,
        cursor=cursor,
        limit=limit,
    )
    return Page(
        items=[due_item_out(row, today) for row in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/follow-ups",
    response_model=Page[FollowUpOut],
    operation_id="follow_ups:list_follow_ups",
    responses=problems(Forbidden, Invalid, InvalidCursor),
)
async def list_follow_ups(
    actor: ReaderDep,
    uow: ReadUowDep,
    settings: SettingsDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    customer_id: QueryId | None = None,
    owner_id: QueryId | None = None,
    owner: Owner = None,
    from_: Annotated[Day | None, Query(alias="from", description="Inclusive, local date.")] = None,
    to: Annotated[Day | None, Query(description="Inclusive, local date.")] = None,
    q: Annotated[
        str | None,
        Query(max_length=100, description="Summary or feedback contains (case-insensitive)."),
        AfterValidator(refuse_nul),
    ] = None,
    updated_since: UpdatedSince = None,
) -> Page[FollowUpOut]:
    """The follow-ups you may see, newest first: all customers' for admins, supervisors,
    agents and readonly users (contact records, no money); account managers their own
    customers'. Archived customers are left out. `owner` takes `me` or a user id (as
    `owner_id`)."""
    if owner is not None and owner_id is not None and owner_id_of(actor, owner) != owner_id:
        raise Invalid([{"field": "owner", "message": "contradicts owner_id; send one"}])
    f = FollowUpFilter(
        customer_id=customer_id,
        owner_id=owner_id_of(actor, owner) or owner_id,
        at_from=day_start(from_, settings.timezone),
        at_to=day_after(to, settings.timezone),
        q=text_query(q),
        updated_since=updated_since,
    )
    page = await uow.follow_ups.list_page(actor, f, cursor=cursor, limit=limit)
    return Page(
        items=[follow_up_out(fu, name) for fu, name in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/follow-ups",
    response_model=FollowUpOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="follow_ups:create_follow_up",
    responses=problems(NotFound, Forbidden, FieldsForbidden, Invalid),
)
async def create_follow_up(
    body: FollowUpCreate,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    response: Response,
) -> FollowUpOut:
    """Record a follow-up of a customer you may edit; you are its owner (admins may name
    another). In the same transaction the customer's last (and first) contact and activity
    move; an effective follow-up by the customer's owner restarts the public-pool clock and
    marks a linked opportunity as followed up; the customer's next follow-up date becomes
    `next_action_due_on`, else the stage's cadence from the day of the contact; earlier open
    next actions of the customer are marked done."""
    follow_up = await follow_up_service.create(
        uow, clock, actor, body.model_dump(exclude_unset=True), zone=ZoneInfo(settings.timezone)
    )
    customer = await uow.customers.require(follow_up.customer_id)
    response.headers["ETag"] = etag(follow_up.version)
    response.headers["Location"] = f"/api/v1/follow-ups/{follow_up.id}"
    return follow_up_out(follow_up, customer.name)


@router.get(
    "/follow-ups/{follow_up_id}",
    response_model=FollowUpOut,
    operation_id="follow_ups:get_follow_up",
    responses=problems(NotFound, Forbidden),
)
async def get_follow_up(
    follow_up_id: PathId, actor: ReaderDep, uow: ReadUowDep, response: Response
) -> FollowUpOut:
    """One follow-up; `ETag` carries its version."""
    follow_up, customer = await follow_up_service.get_readable(uow, actor, follow_up_id)
    response.headers["ETag"] = etag(follow_up.version)
    return follow_up_out(follow_up, customer.name)


@router.patch(
    "/follow-ups/{follow_up_id}",
    response_model=FollowUpOut,
    operation_id="follow_ups:update_follow_up",
    responses=problems(NotFound, Forbidden, Invalid, Conflict, VersionMismatch),
)
async def update_follow_up(
    follow_up_id: PathId,
    body: FollowUpPatch,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    if_match: IfMatchDep,
    response: Response,
) -> FollowUpOut:
    """Correct a follow-up (its author or an admin), or tick its next action off with
    `next_action_done: true`. When it happened, with which customer and by whom stay; an
    effective follow-up cannot become ineffective (409)."""
    follow_up = await follow_up_service.update(
        uow,
        clock,
        actor,
        follow_up_id,
        body.model_dump(exclude_unset=True),
        if_match=if_match,
        zone=ZoneInfo(settings.timezone),
    )
    customer = await uow.customers.require(follow_up.customer_id)
    response.headers["ETag"] = etag(follow_up.version)
    return follow_up_out(follow_up, customer.name)


@router.get(
    "/customers/{customer_id}/follow-ups",
    response_model=Page[FollowUpOut],
    operation_id="follow_ups:list_customer_follow_ups",
    responses=problems(NotFound, Forbidden, InvalidCursor),
)
async def list_customer_follow_ups(
    customer_id: PathId,
    actor: ReaderDep,
    uow: ReadUowDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    updated_since: UpdatedSince = None,
) -> Page[FollowUpOut]:
    """A customer's follow-ups, newest first."""
    customer = await get_readable_customer(uow, actor, customer_id)
    page = await uow.follow_ups.list_for_customer(
        customer.id, cursor=cursor, limit=limit, updated_since=updated_since
    )
    return Page(
        items=[follow_up_out(fu, name) for fu, name in page.items], next_cursor=page.next_cursor
    )


async def _answer(
    uow: SqlUnitOfWork,
    actor: Actor,
    follow_up: FollowUpRecord,
    clock: SystemClock,
    settings: Settings,
) -> FollowUpOut:
    customer = await uow.customers.require(follow_up.customer_id)
    return follow_up_out(follow_up, customer.name)


external_id_routes.add(
    router,
    Routes(
        kind=record_sync.FOLLOW_UP,
        collection="follow-ups",
        body=FollowUpCreate,
        out=FollowUpOut,
        answer=_answer,
        put_doc="""
        Record the follow-up with this external id (201), or correct the one that has it as
        PATCH does (200; fields left out keep their values). When it happened, with which
        customer and by whom stay: another value is a 422. The id is added to `external_ids`;
        one another follow-up holds is a 409.""",
        put_problems=(*UPSERT_PROBLEMS, FieldsForbidden),
    ),
)
