"""Reports: find-or-create one per kind, period and recipient, fill it with the recipient's
figures (their role's rules apply, as on the dashboard), and render both files."""

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from domain.analytics import service as analytics_service
from domain.analytics.period import period
from domain.analytics.report import (
    BUCKETS,
    ROLE_DEFAULTS,
    SECTION_TITLES,
    TITLES,
    ReportContent,
    ReportKind,
    ReportNotFound,
    items_for,
    report_days,
    table,
)
from domain.analytics.report_pdf import render_pdf
from domain.analytics.report_xlsx import render_xlsx
from domain.analytics.scope import Filters
from domain.errors import Forbidden
from domain.ports import Clock, NotificationRepo
from domain.roles import Actor, Role


class ReportRecord(Protocol):
    """One report (persistence.models.Report), without its files."""

    id: int
    kind: str  # daily | weekly | monthly
    first_day: date
    last_day: date
    recipient_id: int
    status: str  # pending | done | failed
    created_at: datetime
    finished_at: datetime | None
    error: str | None


class ReportRepo(Protocol):
    async def get(self, report_id: int) -> ReportRecord | None: ...
    async def get_or_add(
        self, kind: str, first_day: date, last_day: date, recipient_id: int, now: datetime
    ) -> tuple[ReportRecord, bool]: ...
    async def list_for(self, recipient_id: int, limit: int = 50) -> Sequence[ReportRecord]: ...
    async def store(
        self,
        report_id: int,
        *,
        xlsx: bytes | None,
        pdf: bytes | None,
        status: str,
        error: str | None,
        now: datetime,
    ) -> None: ...
    async def file(self, report_id: int, kind: str) -> bytes | None: ...
    async def subscriptions(self, user_id: int) -> dict[str, bool]: ...
    async def set_subscription(self, user_id: int, kind: str, enabled: bool) -> None: ...
    async def role_defaults(self) -> dict[tuple[str, str], bool]: ...
    async def set_role_default(self, role: str, kind: str, enabled: bool) -> None: ...


class Uow(Protocol):
    # Read-only: a unit of work's own repository classes then satisfy these Protocols.
    @property
    def reports(self) -> ReportRepo: ...
    @property
    def analytics(self) -> analytics_service.AnalyticsRepo: ...
    @property
    def notifications(self) -> NotificationRepo: ...


async def request(
    uow: Uow, clock: Clock, actor: Actor, kind: ReportKind, start: date | None, zone: ZoneInfo
) -> tuple[ReportRecord, bool]:
    """The caller's report of `kind` for the period holding `start` (default: the last
    complete one); (report, created). Asking again gives the same report."""
    if actor.user_id is None:
        raise Forbidden("Reports are made for a person.")
    now = clock.now()
    first, last = report_days(kind, start, now.astimezone(zone).date())
    return await uow.reports.get_or_add(kind, first, last, actor.user_id, now)


async def get_own(uow: Uow, actor: Actor, report_id: int) -> ReportRecord:
    """A report is its recipient's alone (anyone else: 404)."""
    report = await uow.reports.get(report_id)
    if report is None or report.recipient_id != actor.user_id:
        raise ReportNotFound(report_id)
    return report


async def content(
    uow: Uow, recipient: Actor, name: str, kind: ReportKind, first: date, last: date, zone: ZoneInfo
) -> ReportContent:
    """The figures of `recipient`'s report, as their role lets them see them."""
    p = period(first, last, BUCKETS[kind], zone)
    sections = []
    for section, items in items_for(recipient):
        tables = []
        for item in items:
            result = await analytics_service.figure(
                uow.analytics, recipient, item.key, p, Filters(), dimension=item.dimension
            )
            tables.append(table(result))
        sections.append((SECTION_TITLES[section], tables))
    return ReportContent(kind, first, last, name, sections)


def render(c: ReportContent) -> tuple[bytes, bytes]:
    """(xlsx, pdf). CPU-bound: run it in a worker thread."""
    return render_xlsx(c), render_pdf(c)


async def fill(
    uow: Uow,
    clock: Clock,
    report: ReportRecord,
    recipient: Actor,
    name: str,
    zone: ZoneInfo,
    run_sync: Callable[..., Any],
) -> None:
    """Compute and store both files of a pending report; a failure marks it failed."""
    kind = ReportKind(report.kind)
    try:
        c = await content(uow, recipient, name, kind, report.first_day, report.last_day, zone)
        xlsx, pdf = await run_sync(render, c)
    except Exception as exc:  # noqa: BLE001  the report says so; the job goes on
        await uow.reports.store(
            report.id,
            xlsx=None,
            pdf=None,
            status="failed",
            error=f"{type(exc).__name__}: {exc}"[:500],
            now=clock.now(),
        )
        return
    await uow.reports.store(
        report.id, xlsx=xlsx, pdf=pdf, status="done", error=None, now=clock.now()
    )


def needs_filling(report: ReportRecord, created: bool) -> bool:
    """A new report is filled; so is one that failed before (asking again retries it)."""
    return created or report.status == "failed"


def notify(uow: Uow, report: ReportRecord, now: datetime) -> None:
    uow.notifications.add(
        report.recipient_id,
        "report_ready",
        f"{TITLES[ReportKind(report.kind)]}已生成："
        f"{report.first_day.isoformat()} 至 {report.last_day.isoformat()}",
        entity_type="report",
        entity_id=report.id,
        at=now,
    )


async def role_defaults(uow: Uow) -> dict[Role, dict[ReportKind, bool]]:
    """Which reports each role gets when its users never chose: admins' settings, else
    ROLE_DEFAULTS."""
    chosen = await uow.reports.role_defaults()
    return {
        role: {
            kind: chosen.get((role.value, kind.value), kind in ROLE_DEFAULTS[role])
            for kind in ReportKind
        }
        for role in Role
    }


async def set_role_defaults(
    uow: Uow, actor: Actor, role: Role, values: dict[str, bool]
) -> dict[ReportKind, bool]:
    if not actor.is_admin:
        raise Forbidden("Only admins choose the reports a role gets by default.")
    for kind, enabled in values.items():
        await uow.reports.set_role_default(role.value, kind, enabled)
    return (await role_defaults(uow))[role]


async def subscriptions(uow: Uow, actor: Actor) -> dict[ReportKind, bool]:
    """Each kind: subscribed or not (the role's default where the user never chose)."""
    chosen = await uow.reports.subscriptions(actor.person_id)
    defaults = (await role_defaults(uow))[actor.role]
    return {kind: chosen.get(kind, defaults[kind]) for kind in ReportKind}


async def default_roles(uow: Uow, kind: ReportKind) -> list[str]:
    """The roles that get `kind` by default."""
    return [role.value for role, kinds in (await role_defaults(uow)).items() if kinds[kind]]
