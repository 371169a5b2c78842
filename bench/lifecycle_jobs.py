"""Benchmark of the `dormancy` and `customer-value` jobs: full runs over every customer.

    python -m bench.lifecycle_jobs \
        --database-url postgresql://postgres@127.0.0.1:5432/crm_bench_jobs \
        [--runs 3] [--jobs dormancy,customer-value] [--modes nightly,cold]

Works on a database bench/generate.py filled (with --follow-ups and --orders). Each run goes
through the job runner (claim included) as of a simulated time, one day after the previous
run, so every run is a new due time:

- `nightly`: the runs follow each other on successive days, as the schedule does: each scans
  every customer and writes what changed since the day before.
- `cold`: before each run (untimed) the job's output is wiped (every status back to active,
  or every score, level and grade cleared, with the alerts, tasks, notifications and audit
  events the jobs wrote) and the table vacuumed, so the run finds and writes everything:
  the first run on a freshly imported database, the worst case.

Prints one JSON object on stdout with the seconds of every run, their median and the load
average around them (the machine may be shared); progress goes to stderr. The runs change
the database (statuses, grades, tasks…): use a benchmark database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

import asyncpg
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import make_url

from jobs.runner import run_job
from persistence.db import Database, backend_name
from persistence.migrate import upgrade
from persistence.models import (
    AuditEvent,
    Customer,
    CustomerOrder,
    FollowUp,
    LifecycleAlert,
    Notification,
    Task,
)

JOBS = ("dormancy", "customer-value")
MODES = ("nightly", "cold")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def wipe(database: Database, url: str, job: str) -> None:
    """Undo what the job wrote, so that its next run starts from nothing."""
    async with database.session(write=True) as s:
        if job == "dormancy":
            await s.execute(
                update(Customer)
                .where(Customer.activity_status != "active")
                .values(activity_status="active")
            )
            await s.execute(
                LifecycleAlert.__table__.delete().where(LifecycleAlert.kind == "dormant")
            )
            await s.execute(Task.__table__.delete().where(Task.kind == "activation"))
            await s.execute(
                Notification.__table__.delete().where(Notification.kind == "customer_dormant")
            )
            await s.execute(AuditEvent.__table__.delete().where(AuditEvent.action == "lifecycle"))
        else:
            await s.execute(
                update(Customer)
                .where(Customer.value_computed_at.is_not(None))
                .values(
                    rfm_recency=None,
                    rfm_frequency=None,
                    rfm_monetary=None,
                    value_level=None,
                    grade=None,
                    value_computed_at=None,
                )
            )
            await s.execute(AuditEvent.__table__.delete().where(AuditEvent.action == "value"))
    if database.backend == "postgresql":
        conn = await asyncpg.connect(
            make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        )
        try:
            await conn.execute(
                "VACUUM (ANALYZE) customer, lifecycle_alert, task, notification, audit_event"
            )
        finally:
            await conn.close()
    else:
        async with database.session(write=True) as s:
            await s.execute(text("ANALYZE"))


async def counts(database: Database) -> dict[str, int]:
    async with database.session(write=False) as s:
        return {
            model.__tablename__: int(await s.scalar(select(func.count()).select_from(model)))
            for model in (Customer, FollowUp, CustomerOrder)
        }


async def bench(url: str, jobs: list[str], modes: list[str], runs: int, start: datetime) -> dict:
    database = Database(url)
    report: dict = {
        "benchmark": "lifecycle-jobs",
        "database": database.backend,
        "cpus": os.cpu_count(),
        "rows": await counts(database),
        "results": {},
    }
    at = start
    try:
        for job in jobs:
            for mode in modes:
                timings = []
                for k in range(runs):
                    if mode == "cold":
                        log(f"{job} {mode} {k + 1}: wiping")
                        await wipe(database, url, job)
                    while True:  # a due time an earlier benchmark claimed does not run
                        load_before = os.getloadavg()[0]
                        started = time.perf_counter()
                        outcome = await run_job(database, job, at)
                        seconds = round(time.perf_counter() - started, 2)
                        if outcome["ran"]:
                            break
                        at += timedelta(days=1)
                    result = {
                        key: value
                        for key, value in outcome["result"].items()
                        if key != "thresholds"
                    }
                    timings.append(
                        {
                            "as_of": result.pop("as_of"),
                            "seconds": seconds,
                            "load_before": round(load_before, 2),
                            "load_after": round(os.getloadavg()[0], 2),
                            **result,
                        }
                    )
                    log(f"{job} {mode} {k + 1}: {timings[-1]}")
                    at += timedelta(days=1)
                report["results"][f"{job} {mode}"] = {
                    "median_seconds": statistics.median(t["seconds"] for t in timings),
                    "runs": timings,
                }
    finally:
        await database.dispose()
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.lifecycle_jobs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", default=",".join(JOBS))
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        help="the simulated time of the first run (default: now)",
    )
    args = parser.parse_args(argv)
    jobs, modes = args.jobs.split(","), args.modes.split(",")
    if not set(jobs) <= set(JOBS) or not set(modes) <= set(MODES) or args.runs < 1:
        parser.error(f"--jobs from {JOBS}, --modes from {MODES}, --runs at least 1")
    if backend_name(args.database_url) not in ("postgresql", "sqlite"):
        parser.error("--database-url must be sqlite:///… or postgresql://…")
    start = args.now or datetime.now(UTC)
    if start.tzinfo is None:
        parser.error("--now needs an offset, e.g. 2026-11-24T02:00:00+08:00")
    upgrade(args.database_url)
    report = asyncio.run(bench(args.database_url, jobs, modes, args.runs, start))
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
