"""Exactly once across processes: three OS processes step through the same simulated working
day (08:00–19:55, every 5 minutes: 144 due times) on one PostgreSQL database, running
`sla-scan` side by side: two forwards (racing for the same due times), one backwards (running
other due times at the same moments, which only the advisory lock keeps apart).

Tickets opened on Mon 2024-10-14:
  P1 09:00 (24×7)     first response warning 09:24, breach 09:30; resolution 12:12, 13:00
  P1 17:00 (24×7)     first response 17:24, 17:30; resolution warning 20:12: after the day
  P3 09:00            first response 10:36, 11:00
  P2 complaint 13:00  first response 14:36, 15:00
  P3 17:00            first response 09:36, 10:00 on Tuesday: nothing on Monday
  P4 10:00            first response after 48 working hours: nothing on Monday
"""

import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from persistence.models import JobRun, Notification, SlaAlert
from tests.jobs.conftest import local

ROOT = Path(__file__).resolve().parents[2]
MON = "2024-10-14"
RECIPIENTS = 4  # agent, supervisor, admin, admin2
LIMIT = 300  # seconds: a hung process fails the test instead of hanging it


@pytest.mark.parametrize("jobs_database_url", ["postgresql"], indirect=True)
async def test_processes_stepping_through_a_day_alert_exactly_once(desk):
    plan = [
        ("09:00", "P1", "after_sales_repair"),
        ("17:00", "P1", "after_sales_repair"),
        ("09:00", "P3", "after_sales_repair"),
        ("13:00", "P2", "complaint"),
        ("17:00", "P3", "after_sales_repair"),
        ("10:00", "P4", "after_sales_repair"),
    ]
    ids = [
        (await desk.ticket(local(f"{MON} {at}"), priority=p, type=kind))["id"]
        for at, p, kind in plan
    ]
    p1_morning, p1_evening, p3_morning, p2_afternoon, p3_evening, p4 = ids
    expected = {
        p1_morning: {
            ("first_response", "warning"),
            ("first_response", "breach"),
            ("resolution", "warning"),
            ("resolution", "breach"),
        },
        p1_evening: {("first_response", "warning"), ("first_response", "breach")},
        p3_morning: {("first_response", "warning"), ("first_response", "breach")},
        p2_afternoon: {("first_response", "warning"), ("first_response", "breach")},
    }

    start, end = local(f"{MON} 08:00"), local(f"{MON} 19:55")
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.jobs.stepper",
            desk.url,
            "sla-scan",
            first.isoformat(),
            last.isoformat(),
            step,
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for first, last, step in ((start, end, "5"), (start, end, "5"), (end, start, "-5"))
    ]
    for process in processes:
        line = await asyncio.wait_for(process.stdout.readline(), LIMIT)
        assert line.strip() == b"ready", (await process.stderr.read()).decode()
    for process in processes:  # all start stepping together
        process.stdin.write(b"go\n")
        await process.stdin.drain()
    outputs = [await asyncio.wait_for(process.communicate(), LIMIT) for process in processes]
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err.decode()
    runs = [json.loads(line) for out, _ in outputs for line in out.splitlines()]

    # Each of the 144 due times ran in exactly one of the processes.
    assert len(runs) == 3 * 144
    ran = Counter(r["due_at"] for r in runs if r["ran"])
    assert len(ran) == 144 and set(ran.values()) == {1}
    assert sum(r["result"]["alerts"] for r in runs if r["ran"]) == 10

    async with desk.database.session(write=False) as s:
        alerts = (
            await s.execute(select(SlaAlert.ticket_id, SlaAlert.target, SlaAlert.threshold))
        ).all()
        notes = (
            await s.execute(
                select(
                    Notification.user_id,
                    Notification.entity_id,
                    Notification.kind,
                    Notification.title,
                    func.count(),
                )
                .where(Notification.kind.like("sla_%"))
                .group_by(
                    Notification.user_id,
                    Notification.entity_id,
                    Notification.kind,
                    Notification.title,
                )
            )
        ).all()
        job_runs = (
            await s.execute(
                select(JobRun.started_at, JobRun.finished_at)
                .where(JobRun.job == "sla-scan")
                .order_by(JobRun.started_at)
            )
        ).all()

    # One alert row per ticket, target and threshold, exactly the hand-computed ones.
    assert sorted(Counter(alerts).values()) == [1] * 10
    assert {
        t: {(target, threshold) for tid, target, threshold in alerts if tid == t}
        for t in {a[0] for a in alerts}
    } == expected
    assert p3_evening not in {a[0] for a in alerts} and p4 not in {a[0] for a in alerts}

    # One notification per recipient, ticket, target and threshold.
    assert {row[-1] for row in notes} == {1}
    per_kind = Counter(kind for _, _, kind, _, _ in notes)
    breaches = sum(1 for pairs in expected.values() for _, th in pairs if th == "breach")
    warnings = sum(1 for pairs in expected.values() for _, th in pairs if th == "warning")
    assert per_kind == {
        "sla_breach": RECIPIENTS * breaches,
        "sla_warning": RECIPIENTS * warnings,
        "sla_escalation": breaches - 1,
    }  # the P3 breach does not escalate

    # The advisory lock: no two runs of the job overlapped in time.
    assert len(job_runs) == 144
    for (_, finished), (started, _) in zip(job_runs, job_runs[1:], strict=False):
        assert finished is not None and started >= finished
