"""Reports (日报 / 周报 / 月报) on demand and their files; report subscriptions."""

from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, BackgroundTasks, Path, Response, status
from starlette.concurrency import run_in_threadpool

from api.deps import AnyUserDep, ClockDep, DatabaseDep, PathId, ReadUowDep, SettingsDep, UowDep
from api.problems import problems
from api.report_schemas import ReportCreate, ReportOut, SubscriptionsOut, SubscriptionsPatch
from domain.analytics import report_service
from domain.analytics.report import ReportNotFound, ReportNotReady
from domain.errors import Forbidden
from domain.ports import Clock
from domain.roles import Actor, Role
from persistence.db import Database
from persistence.uow import SqlUnitOfWork

router = APIRouter(prefix="/reports", tags=["reports"])
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


async def fill_report(
    database: Database, clock: Clock, report_id: int, actor: Actor, zone: ZoneInfo
) -> None:
    """After the response: its own transaction; rendering in a worker thread."""
    async with database.session(write=True) as session:
        uow = SqlUnitOfWork(session)
        report = await uow.reports.get(report_id)
        if report is None:  # reports are never deleted
            raise LookupError(f"report {report_id} not found")
        user = await uow.users.require(report.recipient_id)
        await report_service.fill(
            uow, clock, report, actor, user.display_name, zone, run_in_threadpool
        )


@router.post(
    "",
    response_model=ReportOut,
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="reports:create_report",
    responses=problems(Forbidden),
)
async def create_report(
    body: ReportCreate,
    actor: AnyUserDep,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    database: DatabaseDep,
    background: BackgroundTasks,
    response: Response,
) -> ReportOut:
    """Make your report of a period (202): the figures your role may see, as .xlsx and PDF.
    Asking again for the same period gives the same report; poll `GET /reports/{id}` until
    `status` is `done`."""
    zone = ZoneInfo(settings.timezone)
    report, created = await report_service.request(uow, clock, actor, body.period, body.start, zone)
    if report_service.needs_filling(report, created):
        background.add_task(fill_report, database, clock, report.id, actor, zone)
    response.headers["Location"] = f"/api/v1/reports/{report.id}"
    return ReportOut.of(report)


@router.get(
    "", response_model=list[ReportOut], operation_id="reports:list_reports", responses=problems()
)
async def list_reports(actor: AnyUserDep, uow: ReadUowDep) -> list[ReportOut]:
    """Your latest 50 reports, newest period first."""
    return [ReportOut.of(r) for r in await uow.reports.list_for(actor.person_id)]


@router.get(
    "/subscriptions",
    response_model=SubscriptionsOut,
    operation_id="reports:get_subscriptions",
    responses=problems(),
)
async def get_subscriptions(actor: AnyUserDep, uow: ReadUowDep) -> SubscriptionsOut:
    """Which reports the jobs make for you (your role's defaults until you choose)."""
    return SubscriptionsOut(**await report_service.subscriptions(uow, actor))


@router.patch(
    "/subscriptions",
    response_model=SubscriptionsOut,
    operation_id="reports:update_subscriptions",
    responses=problems(),
)
async def update_subscriptions(
    body: SubscriptionsPatch, actor: AnyUserDep, uow: UowDep
) -> SubscriptionsOut:
    """Subscribe to or leave the daily, weekly and monthly reports."""
    for kind, enabled in body.model_dump(exclude_none=True).items():
        await uow.reports.set_subscription(actor.person_id, kind, enabled)
    return SubscriptionsOut(**await report_service.subscriptions(uow, actor))


@router.get(
    "/defaults",
    response_model=dict[Role, SubscriptionsOut],
    operation_id="reports:get_role_defaults",
    responses=problems(),
)
async def get_role_defaults(actor: AnyUserDep, uow: ReadUowDep) -> dict[Role, SubscriptionsOut]:
    """Which reports each role gets when its users never chose."""
    return {
        role: SubscriptionsOut(**kinds)
        for role, kinds in (await report_service.role_defaults(uow)).items()
    }


@router.patch(
    "/defaults/{role}",
    response_model=SubscriptionsOut,
    operation_id="reports:update_role_defaults",
    responses=problems(Forbidden),
)
async def update_role_defaults(
    role: Role, body: SubscriptionsPatch, actor: AnyUserDep, uow: UowDep
) -> SubscriptionsOut:
    """Admins: choose the reports a role gets by default (a user's own choice still wins)."""
    return SubscriptionsOut(
        **await report_service.set_role_defaults(
            uow, actor, role, body.model_dump(exclude_none=True)
        )
    )


@router.get(
    "/{report_id}",
    response_model=ReportOut,
    operation_id="reports:get_report",
    responses=problems(ReportNotFound),
)
async def get_report(report_id: PathId, actor: AnyUserDep, uow: ReadUowDep) -> ReportOut:
    """A report's status and, once done, the download paths of both files."""
    return ReportOut.of(await report_service.get_own(uow, actor, report_id))


@router.get(
    "/{report_id}/files/{fmt}",
    operation_id="reports:download_report",
    responses={
        **problems(ReportNotFound, ReportNotReady),
        200: {"content": {m: {} for m in MEDIA.values()}, "description": "The file."},
    },
    response_class=Response,
)
async def download_report(
    report_id: PathId,
    fmt: Annotated[Literal["xlsx", "pdf"], Path()],
    actor: AnyUserDep,
    uow: ReadUowDep,
) -> Response:
    """Download a report as .xlsx or PDF."""
    report = await report_service.get_own(uow, actor, report_id)
    if report.status != "done":
        raise ReportNotReady(f"The report is {report.status}.")
    content = await uow.reports.file(report.id, fmt)
    name = f"report-{report.kind}-{report.first_day.isoformat()}.{fmt}"
    return Response(
        content,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
