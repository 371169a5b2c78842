"""The scheduled jobs by name. Add a job here: a plain async function `run_x(database, clock)`
that opens its own transaction(s), is idempotent, and returns a small dict of counts.

Schedules are fixed periods counted from a common anchor (the UTC epoch plus `offset`), so
every process derives the same due times: `every=timedelta(days=1), offset=timedelta(hours=18)`
is daily at 02:00 Asia/Shanghai (18:00 UTC); Asia/Shanghai keeps no daylight saving time.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from config import Settings
from domain.analytics.report import ReportKind
from domain.analytics.trends import Thresholds
from domain.ports import Clock
from jobs.analytics import run_analytics_rollups, run_reports, run_trend_alerts
from jobs.backup import run_backup
from jobs.customer_value import run_customer_value
from jobs.email_outbox import run_email_outbox
from jobs.follow_up_due import run_follow_up_due
from jobs.idempotency_purge import run_idempotency_purge
from jobs.lifecycle import run_churn_risk, run_dormancy, run_verification
from jobs.pool_recycle import run_pool_recycle
from jobs.search_grams import run_search_grams
from jobs.sla_scan import run_sla_scan
from jobs.stale_opportunities import run_stale_opportunities
from jobs.update_reminder import run_update_reminder
from jobs.webhooks import run_webhooks
from persistence.db import Database

JobFunction = Callable[[Database, Clock], Awaitable[Mapping[str, Any] | None]]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class JobSpec:
    run: JobFunction
    every: timedelta
    offset: timedelta = timedelta(0)
    description: str = ""

    @property
    def anchor(self) -> datetime:
        return EPOCH + self.offset

    def due_at(self, now: datetime) -> datetime:
        """The due time a run at `now` stands for: the start of the period `now` is in."""
        if now.tzinfo is None:
            raise ValueError("naive datetime")
        return self.anchor + (now - self.anchor) // self.every * self.every


async def _email_outbox(database: Database, clock: Clock) -> Mapping[str, Any]:
    # SMTP comes from the environment (CRM_SMTP_URL), as for `crm serve` and `crm run-job`.
    return await run_email_outbox(database, Settings(), clock.now())


async def _webhooks(database: Database, clock: Clock) -> Mapping[str, Any]:
    return await run_webhooks(database, clock, allow_private=Settings().webhooks_allow_private)


async def _pool_recycle(database: Database, clock: Clock) -> Mapping[str, Any]:
    # Days are calendar days in CRM_TIMEZONE, as everywhere else.
    return await run_pool_recycle(database, clock, zone=Settings().timezone)


def _in_zone(
    run: Callable[[Database, Clock, ZoneInfo], Awaitable[Mapping[str, Any]]],
) -> JobFunction:
    """A job that counts calendar days in the configured zone (CRM_TIMEZONE)."""

    async def job(database: Database, clock: Clock) -> Mapping[str, Any]:
        return await run(database, clock, ZoneInfo(Settings().timezone))

    return job


async def _follow_up_due(database: Database, clock: Clock) -> Mapping[str, Any]:
    return await run_follow_up_due(database, clock, zone=ZoneInfo(Settings().timezone))


async def _stale_opportunities(database: Database, clock: Clock) -> Mapping[str, Any]:
    return await run_stale_opportunities(database, clock, zone=ZoneInfo(Settings().timezone))


def _report(kind: ReportKind) -> JobFunction:
    async def job(database: Database, clock: Clock) -> Mapping[str, Any]:
        return await run_reports(database, clock, kind, ZoneInfo(Settings().timezone))

    return job


async def _trend_alerts(database: Database, clock: Clock) -> Mapping[str, Any]:
    settings = Settings()
    return await run_trend_alerts(
        database,
        clock,
        ZoneInfo(settings.timezone),
        Thresholds(
            surge_factor=settings.trend_surge_factor,
            surge_min=settings.trend_surge_min,
            first_response_rate=settings.trend_first_response_rate,
        ),
    )


DAILY = timedelta(days=1)
AT_0800 = timedelta(0)  # 08:00 Asia/Shanghai is midnight UTC
MONDAY_0800 = timedelta(days=4)  # the epoch was a Thursday: Monday 00:00 UTC is 4 days on


async def _backup(database: Database, clock: Clock) -> Mapping[str, Any]:
    return await run_backup(database, clock, Settings())


AT_0130 = timedelta(hours=17, minutes=30)  # 01:30 Asia/Shanghai, before the 02:00 jobs
# 02:00 Asia/Shanghai (18:00 UTC); dormancy and churn-risk both write the activity status, and
# a quarter of an hour apart their row locks do not meet.
AT_0200, AT_0215, AT_0230, AT_0245 = (timedelta(hours=18, minutes=m) for m in (0, 15, 30, 45))

JOBS: dict[str, JobSpec] = {
    "sla-scan": JobSpec(
        run_sla_scan,
        every=timedelta(minutes=1),
        description="SLA warnings (80 %) and breaches (100 %), escalations",
    ),
    "update-reminder": JobSpec(
        run_update_reminder,
        every=timedelta(minutes=5),
        description="remind assignees when a customer update is due",
    ),
    "email-outbox": JobSpec(
        _email_outbox,
        every=timedelta(minutes=1),
        description="e-mail copies of notifications (CRM_SMTP_URL)",
    ),
    "webhooks": JobSpec(
        _webhooks,
        every=timedelta(minutes=1),
        description="POST due webhook deliveries, signed; retries with back-off for 24 hours",
    ),
    "analytics-rollups": JobSpec(
        _in_zone(run_analytics_rollups),
        every=timedelta(minutes=5),
        description="sum the analytics rollups' new rows; count them again for a new zone",
    ),
    "search-grams": JobSpec(
        run_search_grams,
        every=timedelta(minutes=1),
        description="search grams of customers imported or written in bulk",
    ),
    "idempotency-purge": JobSpec(
        run_idempotency_purge,
        every=timedelta(hours=1),
        description="delete idempotency keys older than 24 hours",
    ),
    "pool-recycle": JobSpec(
        _pool_recycle,
        every=DAILY,
        offset=AT_0200,
        description="warn owners, then release quiet customers to the public pool",
    ),
    "dormancy": JobSpec(
        _in_zone(run_dormancy),
        every=DAILY,
        offset=AT_0200,
        description="dormant customers: status, owner notified, activation task",
    ),
    "churn-risk": JobSpec(
        _in_zone(run_churn_risk),
        every=DAILY,
        offset=AT_0215,
        description="no order for long and a recent complaint: churn risk",
    ),
    "verification": JobSpec(
        _in_zone(run_verification),
        every=DAILY,
        offset=AT_0230,
        description="remind owners to check customers' basic information",
    ),
    "customer-value": JobSpec(
        _in_zone(run_customer_value),
        every=DAILY,
        offset=AT_0245,
        description="RFM scores, value level and grade from orders",
    ),
    "follow-up-due": JobSpec(
        _follow_up_due,
        every=DAILY,
        offset=AT_0200,
        description="remind owners of customers due for a follow-up and of next actions due",
    ),
    "stale-opportunities": JobSpec(
        _stale_opportunities,
        every=DAILY,
        offset=AT_0200,
        description="tell owners of opportunities with no effective "
        "follow-up for stale_opportunity_days",
    ),
    "report-daily": JobSpec(
        _report(ReportKind.DAILY),
        every=DAILY,
        offset=AT_0800,
        description="yesterday's report (日报) for its recipients",
    ),
    "report-weekly": JobSpec(
        _report(ReportKind.WEEKLY),
        every=timedelta(weeks=1),
        offset=MONDAY_0800,
        description="last week's report (周报), Mondays",
    ),
    # Months are not a fixed period: the job runs daily and makes last month's report for
    # whoever has none yet, so on the 1st everyone gets it and a missed run catches up.
    "report-monthly": JobSpec(
        _report(ReportKind.MONTHLY),
        every=DAILY,
        offset=AT_0800,
        description="last month's report (月报), from the 1st",
    ),
    "trend-alerts": JobSpec(
        _trend_alerts,
        every=DAILY,
        offset=AT_0800,
        description="ticket type surges, falling satisfaction, first responses below target",
    ),
    "backup": JobSpec(
        _backup,
        every=DAILY,
        offset=AT_0130,
        description="back up the database and attachments into CRM_BACKUP_DIR; "
        "keep 7 daily, 4 weekly, 12 monthly",
    ),
}
