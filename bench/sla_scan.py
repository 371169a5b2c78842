"""Benchmark of the `sla-scan` job on many open tickets.

    python -m bench.sla_scan --database-url postgresql://postgres@127.0.0.1:5432/scratch \
        --tickets 100000 [--runs 10] [--now 2024-10-14T10:00:00+08:00] [--seed 1]

Migrates the database, adds a small staff (a department with its supervisor, 2 admins,
50 agents; reuses customers bench/generate.py made, else adds 1,000 minimal ones) and bulk-loads
N tickets (COPY through asyncpg on PostgreSQL, executemany on SQLite) whose stored thresholds
are spread over the days around `--now`: some already passed, most still ahead, a tenth paused
(no thresholds), a third already answered (no first-response thresholds). Refuses a database
that already has tickets: use a scratch one.

Then times `run_job(sla-scan)` (claim included): once at `now` (the catch-up of every
threshold already passed, a backlog a fresh install would meet once), then at each of the
next `--runs` minutes (the steady state: the scan passes over every open ticket, alerting only
the thresholds crossed in that minute), and `update-reminder` likewise every 5 minutes.
Prints one JSON object on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

import asyncpg
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

from jobs.runner import run_job
from persistence.db import Database, backend_name
from persistence.migrate import upgrade
from persistence.models import Customer, Department, Notification, SlaAlert, Ticket, User

AGENTS = 50
ADMINS = 2
MINUTE = timedelta(minutes=1)
TICKET_COLUMNS = (
    "code",
    "customer_id",
    "type",
    "channel",
    "title",
    "description",
    "urgent",
    "important",
    "priority",
    "priority_overridden",
    "status",
    "department_id",
    "assignee_id",
    "created_by",
    "opened_at",
    "sla_calendar",
    "first_response_minutes",
    "resolution_minutes",
    "update_minutes",
    "first_response_at",
    "paused_since",
    "first_response_due_at",
    "first_response_warn_at",
    "resolution_due_at",
    "resolution_warn_at",
    "update_due_at",
    "last_assigned_at",
    "version",
    "created_at",
    "updated_at",
)
# priority → (first response, resolution, update) minutes, calendar (the default policies)
POLICIES = {
    "P1": (30, 240, 120, "24x7"),
    "P2": (1440, 2700, 1440, "business"),
    "P3": (120, 1620, 1440, "business"),
    "P4": (2880, 5400, 1440, "business"),
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def staff(database: Database, now: datetime) -> tuple[int, list[int], list[int]]:
    """(department id, agent ids, customer ids): this benchmark's staff, made once."""
    stamps = {"version": 1, "created_at": now, "updated_at": now}
    async with database.session(write=True) as s:
        department_id = await s.scalar(select(Department.id).where(Department.key == "sla_bench"))
        if department_id is None:
            department_id = (
                await s.execute(
                    insert(Department)
                    .values(key="sla_bench", name="SLA 基准测试部", **stamps)
                    .returning(Department.id)
                )
            ).scalar_one()

            def user(name: str, role: str, dept: int | None) -> dict:
                # "!" matches no password: these accounts cannot sign in.
                return {
                    "username": name,
                    "display_name": name,
                    "password_hash": "!",
                    "role": role,
                    "department_id": dept,
                    "is_active": True,
                    **stamps,
                }

            supervisor_id = (
                await s.execute(
                    insert(User)
                    .values(user("slabench-supervisor", "supervisor", department_id))
                    .returning(User.id)
                )
            ).scalar_one()
            await s.execute(
                Department.__table__.update()
                .where(Department.id == department_id)
                .values(supervisor_id=supervisor_id)
            )
            await s.execute(
                insert(User), [user(f"slabench-admin{i}", "admin", None) for i in range(ADMINS)]
            )
            await s.execute(
                insert(User),
                [user(f"slabench-agent{i:02d}", "agent", department_id) for i in range(AGENTS)],
            )
        agents = list(
            (
                await s.scalars(
                    select(User.id).where(User.department_id == department_id, User.role == "agent")
                )
            ).all()
        )
        customers = list(
            (await s.scalars(select(Customer.id).order_by(Customer.id).limit(10_000))).all()
        )
        if not customers:
            await s.execute(
                insert(Customer),
                [
                    {
                        "code": f"C209901{i:06d}",
                        "kind": "organization",
                        "name": f"基准客户{i}",
                        "stage": "customer",
                        "activity_status": "active",
                        "owner_id": agents[0],
                        "custom_fields": {},
                        "archived": False,
                        "cumulative_amount": 0,
                        **stamps,
                    }
                    for i in range(1000)
                ],
            )
            customers = list((await s.scalars(select(Customer.id))).all())
    return department_id, agents, customers


def ticket_rows(
    n: int,
    now: datetime,
    department_id: int,
    agents: list[int],
    customers: list[int],
    rng: random.Random,
) -> list[tuple]:
    """Open tickets with thresholds spread around `now` (minutes, uniformly)."""

    def around(low_days: float, high_days: float) -> datetime:
        return now + timedelta(minutes=rng.uniform(low_days * 1440, high_days * 1440))

    rows = []
    for i in range(n):
        priority = rng.choices(("P1", "P2", "P3", "P4"), (1, 2, 4, 3))[0]
        first, resolution, update, calendar = POLICIES[priority]
        opened = around(-6, 0)
        paused = rng.random() < 0.10
        answered = rng.random() < 0.35
        fr_due = fr_warn = res_due = res_warn = update_due = None
        if not paused:
            if not answered:
                fr_due = around(-2, 4)
                fr_warn = fr_due - timedelta(minutes=rng.uniform(6, 600))
            res_due = around(-2, 8)
            res_warn = res_due - timedelta(minutes=rng.uniform(48, 1100))
            update_due = around(-1, 2)
        rows.append(
            (
                f"B{i:09d}",
                rng.choice(customers),
                "after_sales_repair",
                "phone",
                f"基准工单 {i}",
                "",
                priority in ("P1", "P3"),
                priority in ("P1", "P2"),
                priority,
                False,
                "waiting_customer" if paused else "in_progress",
                department_id,
                rng.choice(agents),
                None,
                opened,
                calendar,
                first,
                resolution,
                update,
                None if not answered else opened + MINUTE * 5,
                now - MINUTE * 30 if paused else None,
                fr_due,
                fr_warn,
                res_due,
                res_warn,
                update_due,
                opened,
                1,
                opened,
                opened,
            )
        )
    return rows


async def load_tickets(database: Database, url: str, rows: list[tuple]) -> None:
    if database.backend == "postgresql":
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        conn = await asyncpg.connect(dsn)
        try:
            await conn.copy_records_to_table("ticket", records=rows, columns=TICKET_COLUMNS)
            await conn.execute("VACUUM (ANALYZE) ticket")
        finally:
            await conn.close()
        return
    async with database.session(write=True) as s:
        for start in range(0, len(rows), 10_000):
            await s.execute(
                insert(Ticket),
                [
                    dict(zip(TICKET_COLUMNS, row, strict=True))
                    for row in rows[start : start + 10_000]
                ],
            )
        await s.execute(text("ANALYZE"))


async def timed(database: Database, job: str, at: datetime) -> dict:
    started = time.perf_counter()
    outcome = await run_job(database, job, at)
    assert outcome["ran"], outcome
    return {
        "at": at.isoformat(),
        "seconds": round(time.perf_counter() - started, 4),
        **{
            k: v
            for k, v in outcome["result"].items()
            if k in ("alerts", "notifications", "timeline_entries", "escalations")
        },
    }


def summary(runs: list[dict]) -> dict:
    seconds = [r["seconds"] for r in runs]
    return {
        "runs": len(runs),
        "median_seconds": round(statistics.median(seconds), 4),
        "max_seconds": max(seconds),
        "min_seconds": min(seconds),
        "alerts": [r["alerts"] for r in runs],
        "notifications": sum(r.get("notifications", 0) for r in runs),
    }


async def bench(url: str, n: int, runs: int, now: datetime, seed: int) -> dict:
    database = Database(url)
    try:
        async with database.session(write=False) as s:
            if await s.scalar(select(func.count()).select_from(Ticket)):
                raise SystemExit("the database already has tickets; use a scratch database")
        department_id, agents, customers = await staff(database, now)
        log(f"generating {n} tickets around {now.isoformat()}")
        rows = ticket_rows(n, now, department_id, agents, customers, random.Random(seed))
        started = time.perf_counter()
        await load_tickets(database, url, rows)
        loaded = round(time.perf_counter() - started, 2)
        log(f"loaded in {loaded} s; scanning")
        async with database.session(write=False) as s:
            running = await s.scalar(
                select(func.count()).select_from(Ticket).where(Ticket.paused_since.is_(None))
            )

        catch_up = await timed(database, "sla-scan", now)
        log(f"catch-up: {catch_up}")
        steady = []
        for k in range(1, runs + 1):
            steady.append(await timed(database, "sla-scan", now + k * MINUTE))
            log(f"minute {k}: {steady[-1]}")
        reminders_catch_up = await timed(database, "update-reminder", now)
        reminders = [
            await timed(database, "update-reminder", now + k * 5 * MINUTE)
            for k in range(1, max(2, runs // 2) + 1)
        ]
        async with database.session(write=False) as s:
            totals = {
                "sla_alert": await s.scalar(select(func.count()).select_from(SlaAlert)),
                "notification": await s.scalar(select(func.count()).select_from(Notification)),
            }
        return {
            "benchmark": "sla-scan",
            "database": database.backend,
            "tickets": n,
            "running_tickets": running,
            "now": now.isoformat(),
            "load_seconds": loaded,
            "sla_scan": {"catch_up": catch_up, "steady_state_per_minute": summary(steady)},
            "update_reminder": {
                "catch_up": reminders_catch_up,
                "steady_state_per_5_minutes": summary(reminders),
            },
            "rows_after": totals,
        }
    finally:
        await database.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sla_scan",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10, help="steady-state minutes to time")
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        default=datetime(2024, 10, 14, 2, tzinfo=UTC),
        help="the simulated time of the first scan (ISO 8601 with offset)",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.now.tzinfo is None:
        parser.error("--now needs an offset, e.g. 2024-10-14T10:00:00+08:00")
    if backend_name(args.database_url) not in ("postgresql", "sqlite"):
        parser.error("--database-url must be sqlite:///… or postgresql://…")
    upgrade(args.database_url)
    result = asyncio.run(bench(args.database_url, args.tickets, args.runs, args.now, args.seed))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
