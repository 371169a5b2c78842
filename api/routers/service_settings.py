"""Service settings: SLA policies, routing rules and the business calendar. Everyone who reads
tickets reads them; admins change them."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import (
    AdminSettingsDep,
    ClockDep,
    IfMatchDep,
    PathId,
    ReadUowDep,
    UowDep,
    etag,
    scopes,
)
from api.problems import problems
from api.schemas import Day, Instant
from api.service_settings_schemas import (
    BusinessCalendarOut,
    BusinessHoursIn,
    CalendarName,
    CalendarOverrideIn,
    CalendarOverrideOut,
    DuePreviewOut,
    RoutingRuleIn,
    RoutingRuleOut,
    SlaPolicyCreate,
    SlaPolicyOut,
    SlaPolicyPatch,
)
from domain import service_settings_service as service
from domain.errors import Conflict, Forbidden, Invalid, NotFound, VersionMismatch
from domain.roles import Actor, Scope
from domain.service_settings_service import MAX_MINUTES
from domain.ticket import TicketType

router = APIRouter(tags=["service_settings"])
SettingsReader = Annotated[Actor, scopes(Scope.TICKETS_READ)]


# ---- SLA policies ----------------------------------------------------------------------------


@router.get(
    "/sla-policies",
    response_model=list[SlaPolicyOut],
    operation_id="service_settings:list_sla_policies",
    responses=problems(Forbidden),
)
async def list_sla_policies(actor: SettingsReader, uow: ReadUowDep) -> list[SlaPolicyOut]:
    """The SLA targets by priority: each priority's base policy (`ticket_type` null) first,
    then its type-specific policies, which win over the base one for that type. Targets are
    minutes on the policy's calendar (`24x7` or `business` hours)."""
    return [SlaPolicyOut.model_validate(p) for p in await uow.tickets.list_policies()]


@router.post(
    "/sla-policies",
    response_model=SlaPolicyOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="service_settings:create_sla_policy",
    responses=problems(Forbidden, Invalid, Conflict),
)
async def create_sla_policy(
    body: SlaPolicyCreate, actor: AdminSettingsDep, uow: UowDep, clock: ClockDep, response: Response
) -> SlaPolicyOut:
    """Add a policy for a priority and ticket type (admins only); 409 if that pair has one.
    It applies to tickets opened from now on."""
    policy = await service.create_policy(uow, clock, actor, body.model_dump())
    response.headers["ETag"] = etag(policy.version)
    return SlaPolicyOut.model_validate(policy)


@router.get(
    "/sla-policies/{policy_id}",
    response_model=SlaPolicyOut,
    operation_id="service_settings:get_sla_policy",
    responses=problems(NotFound, Forbidden),
)
async def get_sla_policy(
    policy_id: PathId, actor: SettingsReader, uow: ReadUowDep, response: Response
) -> SlaPolicyOut:
    """One SLA policy, with its `ETag` for `If-Match`."""
    policy = await service.get_policy(uow, policy_id)
    response.headers["ETag"] = etag(policy.version)
    return SlaPolicyOut.model_validate(policy)


@router.patch(
    "/sla-policies/{policy_id}",
    response_model=SlaPolicyOut,
    operation_id="service_settings:update_sla_policy",
    responses=problems(NotFound, Forbidden, Invalid, VersionMismatch),
)
async def update_sla_policy(
    policy_id: PathId,
    body: SlaPolicyPatch,
    actor: AdminSettingsDep,
    uow: UowDep,
    clock: ClockDep,
    if_match: IfMatchDep,
    response: Response,
) -> SlaPolicyOut:
    """Change a policy's targets or calendar (admins only). Priority and ticket type identify
    it and cannot change. Open tickets keep the targets they were opened with."""
    policy = await service.update_policy(
        uow, clock, actor, policy_id, body.model_dump(exclude_unset=True), if_match=if_match
    )
    response.headers["ETag"] = etag(policy.version)
    return SlaPolicyOut.model_validate(policy)


@router.delete(
    "/sla-policies/{policy_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="service_settings:delete_sla_policy",
    responses=problems(NotFound, Forbidden, Conflict, VersionMismatch),
)
async def delete_sla_policy(
    policy_id: PathId, actor: AdminSettingsDep, uow: UowDep, clock: ClockDep, if_match: IfMatchDep
) -> None:
    """Delete a type-specific policy (admins only); that type falls back to the priority's
    base policy. A base policy cannot be deleted (409)."""
    await service.delete_policy(uow, clock, actor, policy_id, if_match=if_match)


# ---- routing rules ---------------------------------------------------------------------------


@router.get(
    "/routing-rules",
    response_model=list[RoutingRuleOut],
    operation_id="service_settings:list_routing_rules",
    responses=problems(Forbidden),
)
async def list_routing_rules(actor: SettingsReader, uow: ReadUowDep) -> list[RoutingRuleOut]:
    """Every ticket type with the department its new tickets go to: the admin's rule, or the
    built-in default (`is_default`)."""
    return [RoutingRuleOut.model_validate(r) for r in await service.routes(uow)]


@router.put(
    "/routing-rules/{ticket_type}",
    response_model=RoutingRuleOut,
    operation_id="service_settings:set_routing_rule",
    responses=problems(Forbidden, Invalid),
)
async def set_routing_rule(
    ticket_type: TicketType,
    body: RoutingRuleIn,
    actor: AdminSettingsDep,
    uow: UowDep,
    clock: ClockDep,
) -> RoutingRuleOut:
    """Route new tickets of this type to a department, where its least-loaded agent or account
    manager gets them (admins only). An unknown department is a 422."""
    route = await service.set_route(uow, clock, actor, ticket_type, body.department_id)
    return RoutingRuleOut.model_validate(route)


@router.delete(
    "/routing-rules/{ticket_type}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="service_settings:reset_routing_rule",
    responses=problems(Forbidden),
)
async def reset_routing_rule(
    ticket_type: TicketType, actor: AdminSettingsDep, uow: UowDep, clock: ClockDep
) -> None:
    """Send this type back to its default department (admins only); a no-op when no rule is
    set."""
    await service.reset_route(uow, clock, actor, ticket_type)


# ---- business calendar -----------------------------------------------------------------------


@router.get(
    "/business-calendar",
    response_model=BusinessCalendarOut,
    operation_id="service_settings:get_business_calendar",
    responses=problems(Forbidden),
)
async def get_business_calendar(
    actor: SettingsReader, uow: ReadUowDep, response: Response
) -> BusinessCalendarOut:
    """The working hours business-calendar SLA clocks run in (China's public holidays and
    make-up working days included), and the company's own overrides."""
    settings = await service.calendar_settings(uow)
    response.headers["ETag"] = etag(settings.version)
    return BusinessCalendarOut.model_validate(settings)


@router.put(
    "/business-calendar",
    response_model=BusinessCalendarOut,
    operation_id="service_settings:update_business_hours",
    responses=problems(Forbidden, Invalid, VersionMismatch),
)
async def update_business_hours(
    body: BusinessHoursIn,
    actor: AdminSettingsDep,
    uow: UowDep,
    clock: ClockDep,
    if_match: IfMatchDep,
    response: Response,
) -> BusinessCalendarOut:
    """Set the zone and the working hours `[opens, closes)` (admins only). Every running
    business-calendar SLA clock follows them."""
    settings = await service.update_business_hours(
        uow,
        clock,
        actor,
        timezone=body.timezone,
        opens=body.opens,
        closes=body.closes,
        if_match=if_match,
    )
    response.headers["ETag"] = etag(settings.version)
    return BusinessCalendarOut.model_validate(settings)


@router.put(
    "/business-calendar/overrides/{day}",
    response_model=CalendarOverrideOut,
    operation_id="service_settings:set_calendar_override",
    responses=problems(Forbidden, Invalid),
)
async def set_calendar_override(
    day: Day, body: CalendarOverrideIn, actor: AdminSettingsDep, uow: UowDep, clock: ClockDep
) -> CalendarOverrideOut:
    """Make a day (`YYYY-MM-DD`, local) a working day or a day off for the company, whatever
    the official schedule says (admins only)."""
    override = await service.set_override(
        uow, clock, actor, day, is_workday=body.is_workday, note=body.note
    )
    return CalendarOverrideOut.model_validate(override)


@router.delete(
    "/business-calendar/overrides/{day}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="service_settings:delete_calendar_override",
    responses=problems(Forbidden),
)
async def delete_calendar_override(
    day: Day, actor: AdminSettingsDep, uow: UowDep, clock: ClockDep
) -> None:
    """Return a day to the official schedule (admins only); a no-op when it has no
    override."""
    await service.remove_override(uow, clock, actor, day)


@router.get(
    "/business-calendar/preview",
    response_model=DuePreviewOut,
    operation_id="service_settings:preview_due",
    responses=problems(Forbidden, Invalid),
)
async def preview_due(
    actor: SettingsReader,
    uow: ReadUowDep,
    start: Annotated[Instant, Query(description="ISO 8601 with an offset.")],
    minutes: Annotated[int, Query(ge=0, le=MAX_MINUTES, description="A target in minutes.")],
    calendar: Annotated[CalendarName, Query(description="The clock to count on.")] = "business",
) -> DuePreviewOut:
    """When a target of `minutes` started at `start` falls due on the configured calendar:
    working hours, holidays, make-up days and overrides included for `business`."""
    return DuePreviewOut(due_at=await service.preview_due(uow, start, minutes, calendar))
