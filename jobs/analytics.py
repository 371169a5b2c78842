"""Jobs `report-daily`, `report-weekly`, `report-monthly`, `trend-alerts` and
`analytics-rollups`.

A report job makes the last complete period's report for each recipient (subscribed, or their
role's default), stores both files and puts a link in their inbox. One transaction per
recipient; the report's key (kind, first day, recipient) makes a re-run find it made and do
nothing, so a run that stopped half-way is finished by the next."""

import asyncio
from typing import Any
from zoneinfo import ZoneInfo

from domain.analytics import alert_service, report_service
from domain.analytics.report import ReportKind, report_days
from domain.analytics.trends import Thresholds
from domain.ports import Clock
from domain.roles import Actor, Role
from persistence.analytics import rollups
from persistence.db import Database
from persistence.uow import SqlUnitOfWork


async def run_reports(
    database: Database, clock: Clock, kind: ReportKind, zone: ZoneInfo
) -> dict[str, Any]:
    now = clock.now()
    first, last = report_days(kind, None, now.astimezone(zone).date())
    async with database.session(write=False) as session:
        uow = SqlUnitOfWork(session)
        recipients = await uow.reports.recipients(
            kind, await report_service.default_roles(uow, kind)
        )
    made = 0
    for user in recipients:
        async with database.session(write=True) as session:
            uow = SqlUnitOfWork(session)
            report, created = await uow.reports.get_or_add(kind, first, last, user.id, now)
            if not report_service.needs_filling(report, created):
                continue
            actor = Actor(user.id, Role(user.role), user.department_id)
            await report_service.fill(
                uow, clock, report, actor, user.display_name, zone, asyncio.to_thread
            )
            report_service.notify(uow, report, now)
            made += 1
    return {
        "kind": kind.value,
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "recipients": len(recipients),
        "made": made,
    }


async def run_trend_alerts(
    database: Database, clock: Clock, zone: ZoneInfo, thresholds: Thresholds
) -> dict[str, Any]:
    async with database.session(write=True) as session:
        raised = await alert_service.scan(SqlUnitOfWork(session), clock.now(), zone, thresholds)
    return {"alerts": len(raised)}


async def run_analytics_rollups(database: Database, clock: Clock, zone: ZoneInfo) -> dict[str, Any]:
    """Sum each key's rows of the analytics rollups into one (PostgreSQL; the triggers add a
    row per write). When the configured zone is not the one they count in (CRM_TIMEZONE was
    changed), count them again in it: until then the figures are counted raw."""
    if database.backend != "postgresql":
        return {"rollups": "none"}
    async with database.session(write=True) as session:
        if await rollups.zone(session) != zone.key:
            await rollups.rebuild(session, zone.key)
            return {"rebuilt": zone.key}
        await rollups.fold(session)
    return {"folded": True}
