"""Opportunities (商机) and their stage transitions."""

from dataclasses import replace
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Response, status
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
    CloseMonth,
    Cursor,
    Limit,
    Owner,
    UpdatedSince,
    month_start,
    owner_id_of,
    text_query,
)
from api.sales_schemas import (
    OpportunityCreate,
    OpportunityOut,
    OpportunityPatch,
    OpportunityTransitionIn,
    StageTotalOut,
)
from api.sales_views import opportunity_out
from api.schemas import Page, refuse_nul
from config import Settings
from domain import opportunity_service
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
from domain.ports import OpportunityRecord
from domain.roles import Actor
from domain.sales import OpportunityStage, check_sees_money, local_date
from persistence.opportunity_repo import OpportunityFilter
from persistence.uow import SqlUnitOfWork

router = APIRouter(tags=["opportunities"])


async def _cutoff(uow: ReadUowDep, clock: ClockDep, settings: SettingsDep) -> datetime:
    """Open opportunities quiet since before this instant are stale today."""
    zone = ZoneInfo(settings.timezone)
    return await opportunity_service.cutoff(uow, local_date(clock.now(), zone), zone)


async def _filter(
    actor: ReaderDep,
    owner: Owner = None,
    customer_id: QueryId | None = None,
    stale: Annotated[
        bool | None, Query(description="Only stale (true) or only not stale (false) ones.")
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=100, description="Title contains (case-insensitive)."),
        AfterValidator(refuse_nul),
    ] = None,
    close_month: CloseMonth = None,
    updated_since: UpdatedSince = None,
) -> OpportunityFilter:
    """The filters the list and its stage totals share."""
    return OpportunityFilter(
        owner_id=owner_id_of(actor, owner),
        customer_id=customer_id,
        stale=stale,
        q=text_query(q),
        close_month=month_start(close_month),
        updated_since=updated_since,
    )


FilterDep = Annotated[OpportunityFilter, Depends(_filter)]


@router.get(
    "/opportunities",
    response_model=Page[OpportunityOut],
    operation_id="opportunities:list_opportunities",
    responses=problems(Forbidden, InvalidCursor),
)
async def list_opportunities(
    actor: ReaderDep,
    uow: ReadUowDep,
    clock: ClockDep,
    settings: SettingsDep,
    f: FilterDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    stage: Annotated[list[OpportunityStage], Query()] = [],  # noqa: B006
) -> Page[OpportunityOut]:
    """The opportunities you may see, newest first (account managers: their customers';
    archived customers left out). Agents see no money: 403."""
    check_sees_money(actor)
    cutoff = await _cutoff(uow, clock, settings)
    f = replace(f, stage=[s.value for s in stage])
    page = await uow.opportunities.list_page(actor, f, cutoff=cutoff, cursor=cursor, limit=limit)
    return Page(
        items=[opportunity_out(o, name, cutoff) for o, name in page.items],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/opportunities/stage-totals",
    response_model=list[StageTotalOut],
    operation_id="opportunities:opportunity_stage_totals",
    responses=problems(Forbidden),
)
async def opportunity_stage_totals(
    actor: ReaderDep,
    uow: ReadUowDep,
    clock: ClockDep,
    settings: SettingsDep,
    f: FilterDep,
) -> list[StageTotalOut]:
    """How many opportunities `GET /opportunities` lists at each stage with the same filters,
    and their amount (the board's column totals and weighted forecast, whatever the number of
    opportunities). Every stage, in stage order, zeros included. Agents see no money: 403."""
    check_sees_money(actor)
    cutoff = await _cutoff(uow, clock, settings)
    totals = await uow.opportunities.stage_totals(actor, f, cutoff=cutoff)
    return [StageTotalOut(stage=t.stage, count=t.count, amount=t.amount) for t in totals]


@router.post(
    "/opportunities",
    response_model=OpportunityOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="opportunities:create_opportunity",
    responses=problems(NotFound, Forbidden, FieldsForbidden, Invalid),
)
async def create_opportunity(
    body: OpportunityCreate,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    response: Response,
) -> OpportunityOut:
    """Open an opportunity on a customer you may edit; you own it (admins may name the
    owner). It starts at `intent` unless `quote` or `contract` is given."""
    opportunity = await opportunity_service.create(
        uow, clock, actor, body.model_dump(exclude_unset=True)
    )
    customer = await uow.customers.require(opportunity.customer_id)
    response.headers["ETag"] = etag(opportunity.version)
    response.headers["Location"] = f"/api/v1/opportunities/{opportunity.id}"
    return opportunity_out(opportunity, customer.name, await _cutoff(uow, clock, settings))


@router.get(
    "/opportunities/{opportunity_id}",
    response_model=OpportunityOut,
    operation_id="opportunities:get_opportunity",
    responses=problems(NotFound, Forbidden),
)
async def get_opportunity(
    opportunity_id: PathId,
    actor: ReaderDep,
    uow: ReadUowDep,
    clock: ClockDep,
    settings: SettingsDep,
    response: Response,
) -> OpportunityOut:
    """One opportunity with whether it is stale and where it may move."""
    opportunity, customer = await opportunity_service.get_readable(uow, actor, opportunity_id)
    response.headers["ETag"] = etag(opportunity.version)
    return opportunity_out(opportunity, customer.name, await _cutoff(uow, clock, settings))


@router.patch(
    "/opportunities/{opportunity_id}",
    response_model=OpportunityOut,
    operation_id="opportunities:update_opportunity",
    responses=problems(NotFound, Forbidden, FieldsForbidden, Invalid, Conflict, VersionMismatch),
)
async def update_opportunity(
    opportunity_id: PathId,
    body: OpportunityPatch,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    if_match: IfMatchDep,
    response: Response,
) -> OpportunityOut:
    """Edit an open opportunity (send `If-Match`); a won or lost one is closed (409). The
    stage moves only through transitions."""
    opportunity = await opportunity_service.update(
        uow, clock, actor, opportunity_id, body.model_dump(exclude_unset=True), if_match=if_match
    )
    customer = await uow.customers.require(opportunity.customer_id)
    response.headers["ETag"] = etag(opportunity.version)
    return opportunity_out(opportunity, customer.name, await _cutoff(uow, clock, settings))


@router.post(
    "/opportunities/{opportunity_id}/transitions",
    response_model=OpportunityOut,
    operation_id="opportunities:transition_opportunity",
    responses=problems(NotFound, Forbidden, IllegalTransition, Invalid, VersionMismatch),
)
async def transition_opportunity(
    opportunity_id: PathId,
    body: OpportunityTransitionIn,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    if_match: IfMatchDep,
    response: Response,
) -> OpportunityOut:
    """Move an opportunity: `intent → quote → contract → won`, or `lost` from any open stage
    with a `reason`. Won and lost are final. An illegal move is a 409 listing `allowed`.
    Winning with `order` records that order in the same transaction (customer totals
    follow), and a customer not yet at stage `customer` (成交) moves there."""
    opportunity = await opportunity_service.transition(
        uow,
        clock,
        actor,
        opportunity_id,
        to=body.to,
        reason=body.reason,
        order=body.order.model_dump(exclude_unset=True) if body.order else None,
        if_match=if_match,
        zone=ZoneInfo(settings.timezone),
    )
    customer = await uow.customers.require(opportunity.customer_id)
    response.headers["ETag"] = etag(opportunity.version)
    return opportunity_out(opportunity, customer.name, await _cutoff(uow, clock, settings))


@router.get(
    "/customers/{customer_id}/opportunities",
    response_model=Page[OpportunityOut],
    operation_id="opportunities:list_customer_opportunities",
    responses=problems(NotFound, Forbidden, InvalidCursor),
)
async def list_customer_opportunities(
    customer_id: PathId,
    actor: ReaderDep,
    uow: ReadUowDep,
    clock: ClockDep,
    settings: SettingsDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[OpportunityOut]:
    """A customer's opportunities, newest first."""
    customer = await opportunity_service.readable_customer(uow, actor, customer_id)
    cutoff = await _cutoff(uow, clock, settings)
    page = await uow.opportunities.list_for_customer(customer.id, cursor=cursor, limit=limit)
    return Page(
        items=[opportunity_out(o, name, cutoff) for o, name in page.items],
        next_cursor=page.next_cursor,
    )


async def _answer(
    uow: SqlUnitOfWork,
    actor: Actor,
    opportunity: OpportunityRecord,
    clock: SystemClock,
    settings: Settings,
) -> OpportunityOut:
    customer = await uow.customers.require(opportunity.customer_id)
    return opportunity_out(opportunity, customer.name, await _cutoff(uow, clock, settings))


external_id_routes.add(
    router,
    Routes(
        kind=record_sync.OPPORTUNITY,
        collection="opportunities",
        body=OpportunityCreate,
        out=OpportunityOut,
        answer=_answer,
        put_doc="""
        Open the opportunity with this external id (201), or edit the one that has it as
        PATCH does (200; fields left out keep their values). Its customer stays and its stage
        moves only through transitions: another value is a 422. The id is added to
        `external_ids`; one another opportunity holds is a 409.""",
        put_problems=(*UPSERT_PROBLEMS, FieldsForbidden),
    ),
)
