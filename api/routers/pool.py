"""The public pool (公海) and the lifecycle settings that govern it (and the lifecycle jobs)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import AfterValidator, BaseModel, Field

from api import pool_views, views
from api.deps import (
    AdminSettingsDep,
    ClockDep,
    CustomerWriterDep,
    IfMatchDep,
    PathId,
    ReaderDep,
    ReadUowDep,
    SettingsDep,
    UowDep,
    etag,
)
from api.lifecycle_schemas import LifecycleSettingsOut, LifecycleSettingsPatch
from api.pool_schemas import PoolCustomerOut
from api.problems import problems
from api.schemas import ArchiveIn, CustomerOut, Page, refuse_nul
from domain import lifecycle_settings, pool_service
from domain.customer import Stage
from domain.errors import Forbidden, Invalid, InvalidCursor, NotFound, VersionMismatch
from domain.pool import AlreadyInPool, ClaimLimit, NotInPool, ReclaimCooldown
from persistence.pool_repo import PoolFilter

router = APIRouter()


# ---- lifecycle settings ------------------------------------------------------------------


@router.get(
    "/lifecycle-settings",
    response_model=LifecycleSettingsOut,
    operation_id="lifecycle_settings:get_lifecycle_settings",
    tags=["lifecycle_settings"],
    responses=problems(Forbidden),
)
async def get_lifecycle_settings(
    actor: ReaderDep, uow: ReadUowDep, response: Response
) -> LifecycleSettingsOut:
    """The thresholds of the public pool and of the lifecycle and value jobs, in calendar days
    of CRM_TIMEZONE (admins, supervisors and readonly users). `ETag` for `If-Match`."""
    row = await lifecycle_settings.get(uow, actor)
    response.headers["ETag"] = etag(row.version)
    return LifecycleSettingsOut.model_validate(row)


@router.patch(
    "/lifecycle-settings",
    response_model=LifecycleSettingsOut,
    operation_id="lifecycle_settings:update_lifecycle_settings",
    tags=["lifecycle_settings"],
    responses=problems(Forbidden, Invalid, VersionMismatch),
)
async def update_lifecycle_settings(
    body: LifecycleSettingsPatch,
    actor: AdminSettingsDep,
    uow: UowDep,
    clock: ClockDep,
    if_match: IfMatchDep,
    response: Response,
) -> LifecycleSettingsOut:
    """Change some thresholds (admins only; audited). The whole row must stay consistent:
    every count positive (the re-claim cooldown may be 0), the pool warning before the
    release. The jobs use them from their next run."""
    row = await lifecycle_settings.update(
        uow, clock, actor, body.model_dump(exclude_unset=True), if_match=if_match
    )
    response.headers["ETag"] = etag(row.version)
    return LifecycleSettingsOut.model_validate(row)


# ---- the pool ----------------------------------------------------------------------------

NoNul = AfterValidator(refuse_nul)


class PoolQuery(BaseModel):
    limit: int = Field(50, ge=1, le=200, description="Page size, at most 200.")
    cursor: str | None = Field(
        None, max_length=500, description="`next_cursor` of the previous page."
    )
    name: Annotated[str | None, NoNul] = Field(
        None, max_length=100, description="Name contains (case-insensitive)."
    )
    industry: Annotated[str | None, NoNul] = Field(
        None, max_length=4, description="Section or division; a section matches its divisions."
    )
    region: Annotated[str | None, NoNul] = Field(
        None, max_length=100, description="Region contains."
    )
    stage: list[Stage] = []


@router.get(
    "/pool",
    response_model=Page[PoolCustomerOut],
    operation_id="pool:list_pool",
    tags=["pool"],
    responses=problems(Forbidden, InvalidCursor),
)
async def list_pool(
    actor: ReaderDep, uow: ReadUowDep, q: Annotated[PoolQuery, Query()]
) -> Page[PoolCustomerOut]:
    """Customers in the public pool (non-archived, no owner), latest released first; keyset
    paging. Account managers, supervisors, admins and readonly users; not agents (403).
    Contacts are masked (mobiles `138****5678`) and ID numbers left out until claimed; who
    released a customer shows to admins only."""
    pool_service.check_can_list(actor)
    f = PoolFilter(
        name=q.name or None,
        region=q.region or None,
        industry=q.industry.strip().upper() if q.industry else None,
        stage=[s.value for s in q.stage],
    )
    page = await uow.pool.list_page(f, cursor=q.cursor, limit=q.limit)
    return Page(
        items=await pool_views.pool_customers_out(uow, actor, page.items),
        next_cursor=page.next_cursor,
    )


@router.post(
    "/pool/{customer_id}/claim",
    response_model=CustomerOut,
    operation_id="pool:claim_customer",
    tags=["pool"],
    responses=problems(NotFound, Forbidden, NotInPool, ClaimLimit, ReclaimCooldown),
)
async def claim_customer(
    customer_id: PathId,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    response: Response,
) -> CustomerOut:
    """Become the owner of a pool customer (account managers and admins, for themselves).
    409 `claim-limit` when you already own `pool_claim_limit` non-archived customers,
    409 `reclaim-cooldown` when you released it less than `pool_reclaim_cooldown_days`
    calendar days ago, 409 `not-in-pool` when someone else claimed it first (of concurrent
    claims exactly one wins). Starts a fresh pool clock; `claim` on the history."""
    customer = await pool_service.claim(uow, clock, actor, customer_id, zone=settings.timezone)
    response.headers["ETag"] = etag(customer.version)
    return await views.customer_out(uow, actor, customer, now=clock.now(), zone=settings.timezone)


@router.post(
    "/customers/{customer_id}/release",
    response_model=CustomerOut,
    operation_id="pool:release_customer",
    tags=["pool"],
    responses=problems(NotFound, Forbidden, AlreadyInPool, NotInPool, VersionMismatch),
)
async def release_customer(
    customer_id: PathId,
    body: ArchiveIn,
    actor: CustomerWriterDep,
    uow: UowDep,
    settings: SettingsDep,
    clock: ClockDep,
    if_match: IfMatchDep,
    response: Response,
) -> CustomerOut:
    """Send a customer you own (admins: any) to the public pool, with a reason (`release` on
    its history, `release_reason` `manual`). You count as its releaser: the re-claim cooldown
    applies. 409 `already-in-pool` when it has no owner. `If-Match` honoured."""
    customer = await pool_service.release(
        uow, clock, actor, customer_id, reason=body.reason, if_match=if_match
    )
    response.headers["ETag"] = etag(customer.version)
    return await views.customer_out(uow, actor, customer, now=clock.now(), zone=settings.timezone)
