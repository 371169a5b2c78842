"""Cadence rules: the follow-up interval per lifecycle stage."""

from fastapi import APIRouter, Response, status

from api.deps import AdminSettingsDep, AnyUserDep, ClockDep, IfMatchDep, ReadUowDep, UowDep, etag
from api.problems import problems
from api.sales_schemas import CadenceRuleIn, CadenceRuleOut
from domain import cadence_service
from domain.customer import Stage
from domain.errors import Forbidden, Invalid, VersionMismatch

router = APIRouter(prefix="/cadence-rules", tags=["cadence_rules"])


@router.get(
    "",
    response_model=list[CadenceRuleOut],
    operation_id="cadence_rules:list_rules",
    responses=problems(),
)
async def list_rules(actor: AnyUserDep, uow: ReadUowDep) -> list[CadenceRuleOut]:
    """Every stage that has a cadence: its customers are due for a follow-up `interval_days`
    after the last one (defaults: potential 7, intent 3, customer 30; none for lost)."""
    return [
        CadenceRuleOut.model_validate(r, from_attributes=True)
        for r in await cadence_service.list_rules(uow)
    ]


@router.put(
    "/{stage}",
    response_model=CadenceRuleOut,
    operation_id="cadence_rules:put_rule",
    responses=problems(Forbidden, Invalid, VersionMismatch),
)
async def put_rule(
    stage: Stage,
    body: CadenceRuleIn,
    actor: AdminSettingsDep,
    uow: UowDep,
    clock: ClockDep,
    if_match: IfMatchDep,
    response: Response,
) -> CadenceRuleOut:
    """Set a stage's interval, 1 to 365 days (admins only; `If-Match` optional). It applies
    to each customer's next follow-up date as it is next computed (a follow-up, a stage
    change)."""
    rule = await cadence_service.put_rule(
        uow, clock, actor, stage, body.interval_days, if_match=if_match
    )
    response.headers["ETag"] = etag(rule.version)
    return CadenceRuleOut.model_validate(rule, from_attributes=True)


@router.delete(
    "/{stage}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="cadence_rules:delete_rule",
    responses=problems(Forbidden, VersionMismatch),
)
async def delete_rule(
    stage: Stage, actor: AdminSettingsDep, uow: UowDep, clock: ClockDep, if_match: IfMatchDep
) -> None:
    """No cadence for this stage (admins only): its customers get no cadence reminders from
    now on (next actions still remind). A no-op when the stage has no rule."""
    await cadence_service.delete_rule(uow, clock, actor, stage, if_match=if_match)
