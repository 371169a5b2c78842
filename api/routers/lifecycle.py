"""A customer's lifecycle: the check of its basic information and the explanation of its
value (the jobs themselves run on the schedule or from `crm run-job`)."""

from fastapi import APIRouter, Response

from api import views
from api.deps import (
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
from api.lifecycle_schemas import CustomerSummaryOut, CustomerValueOut, VerifyIn
from api.problems import problems
from api.schemas import CustomerOut
from domain import customer_summary as customer_summary_service
from domain import lifecycle_service
from domain.errors import Forbidden, NotFound, VersionMismatch

router = APIRouter(prefix="/customers", tags=["customers"])


@router.post(
    "/{customer_id}/verify",
    response_model=CustomerOut,
    operation_id="customers:verify_customer",
    responses=problems(NotFound, Forbidden, VersionMismatch),
)
async def verify_customer(
    customer_id: PathId,
    body: VerifyIn,
    actor: CustomerWriterDep,
    uow: UowDep,
    settings: SettingsDep,
    clock: ClockDep,
    if_match: IfMatchDep,
    response: Response,
) -> CustomerOut:
    """Record a check of the customer's basic information (定期信息核查; its owner or an
    admin): sets `verified_at`, starts the next verification cycle and completes the open
    verification tasks. The check and its note are on the customer's history."""
    customer = await lifecycle_service.verify(
        uow, clock, actor, customer_id, note=body.note, if_match=if_match
    )
    response.headers["ETag"] = etag(customer.version)
    return await views.customer_out(uow, actor, customer, now=clock.now(), zone=settings.timezone)


@router.get(
    "/{customer_id}/value",
    response_model=CustomerValueOut,
    operation_id="customers:customer_value",
    responses=problems(NotFound, Forbidden),
)
async def customer_value(
    customer_id: PathId, actor: ReaderDep, uow: ReadUowDep
) -> CustomerValueOut:
    """Why the customer has its value level and grade: raw recency, frequency and monetary
    value, their 1-5 scores, the rule from the total to level and grade, and the score
    boundaries of the last `customer-value` run. Not for agents (it is derived from amounts)."""
    return CustomerValueOut.model_validate(
        await lifecycle_service.explain_value(uow, actor, customer_id)
    )


@router.get(
    "/{customer_id}/summary",
    response_model=CustomerSummaryOut,
    operation_id="customers:customer_summary",
    responses=problems(NotFound),
)
async def customer_summary(
    customer_id: PathId, actor: ReaderDep, uow: ReadUowDep, clock: ClockDep, settings: SettingsDep
) -> CustomerSummaryOut:
    """What the customer page's summary strip and tabs count: contacts, follow-ups, orders and
    opportunities (open ones and their budget; not for agents), tickets you may read (open
    ones), open tasks, and when the public pool takes the customer back (`pool_release_on`,
    `pool_warning` within the warning days) by the pool-recycle job's calendar-day rules."""
    body = await customer_summary_service.summary(
        uow, actor, customer_id, now=clock.now(), zone=settings.timezone
    )
    return CustomerSummaryOut.model_validate(body)
