"""The in-process scheduler (APScheduler 3): every registered job on its period, aligned to
the registry's anchor so that all server processes fire the same due times; the claims in
job_run make each due time run once."""

import logging
from collections.abc import Mapping
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from jobs.registry import JOBS, JobSpec
from jobs.runner import run_job
from persistence.db import Database

log = logging.getLogger("crm.jobs")


async def _run_now(database: Database, name: str) -> None:
    try:
        await run_job(database, name, datetime.now(UTC))
    except Exception:  # logged, and the next period tries again
        log.exception("job %s failed", name)


def build_scheduler(database: Database, jobs: Mapping[str, JobSpec] = JOBS) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=UTC)
    for name, spec in jobs.items():
        period = spec.every.total_seconds()
        # coalesce: after a stall, one run catches up (the jobs act on state, not on ticks);
        # max_instances=1: a slow run is never overlapped by the next one in this process.
        scheduler.add_job(
            _run_now,
            IntervalTrigger(seconds=period, start_date=spec.anchor, timezone=UTC),
            args=(database, name),
            id=name,
            name=name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=max(1, int(period)),
        )
    return scheduler


def start_scheduler(database: Database) -> AsyncIOScheduler:
    """Start the jobs in the running event loop (the server's lifespan)."""
    scheduler = build_scheduler(database)
    scheduler.start()
    log.info("scheduled jobs: %s", ", ".join(sorted(JOBS)))
    return scheduler
