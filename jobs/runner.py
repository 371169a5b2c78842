"""Run one registered job once, as of a given time, at most once per due time across all
processes (persistence.job_repo has the claim and, on PostgreSQL, the advisory lock)."""

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jobs.metrics import job_finished
from jobs.registry import JOBS, JobSpec
from persistence import job_repo
from persistence.db import Database

log = logging.getLogger("crm.jobs")


class UnknownJob(KeyError):
    pass


@dataclass(frozen=True, slots=True)
class AsOf:
    """The clock a job sees: fixed at the time it runs as of."""

    at: datetime

    def now(self) -> datetime:
        return self.at


async def run_job(
    database: Database, name: str, now: datetime, *, jobs: Mapping[str, JobSpec] = JOBS
) -> dict[str, Any]:
    """Run job `name` as of `now` unless its due time (`now` truncated to the job's period)
    already ran. `ran` says whether this call ran it; `result` is the job's counts."""
    spec = jobs.get(name)
    if spec is None:
        raise UnknownJob(name)
    due_at = spec.due_at(now)
    started = time.perf_counter()
    try:
        async with job_repo.claim(database, name, due_at) as claim:
            if claim.won:
                claim.result = dict(await spec.run(database, AsOf(now)) or {})
    except Exception:
        job_finished(name, "failed")
        raise
    job_finished(name, "ran" if claim.won else "skipped", time.perf_counter() - started)
    outcome = {
        "job": name,
        "due_at": due_at.isoformat(),
        "now": now.isoformat(),
        "ran": claim.won,
        "result": claim.result if claim.won else None,
        "seconds": round(time.perf_counter() - started, 4),
    }
    if claim.won:
        log.info("job %s ran for %s: %s", name, due_at.isoformat(), claim.result)
    return outcome
