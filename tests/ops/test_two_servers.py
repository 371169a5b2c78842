"""Two `crm serve` processes on one PostgreSQL, jobs on in both, mixed traffic to both: every
scheduled run that fell due happened exactly once (one process ran it, the other skipped it),
an SLA alert went out once per recipient, nothing written was lost, and both stop cleanly on
SIGTERM. Lasts until the next minute boundary has passed (the per-minute jobs' due time)."""

import asyncio
import json
import os
import re
import signal
import socket
import sys
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update

from persistence.db import Database
from persistence.migrate import upgrade
from persistence.models import Customer, JobRun, Notification, SlaAlert, Ticket
from tests.conftest import credit_code, fresh_database

ROOT = Path(__file__).resolve().parents[2]
CRM = Path(sys.executable).parent / "crm"
PASSWORD = "two-servers-pass-1"
DEADLINE = 240  # seconds: a stuck server fails the test instead of hanging it
RAN = re.compile(r"job (\S+) ran for (\S+):")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def postgres_url(tmp_path) -> str:
    with fresh_database("postgresql", tmp_path) as url:
        upgrade(url)
        yield url


async def start(url: str, tmp: Path, name: str) -> tuple[asyncio.subprocess.Process, str, Path]:
    port = free_port()
    log = tmp / f"{name}.log"
    env = {
        **os.environ,
        "CRM_DATABASE_URL": url,
        "CRM_SECRET_KEY": "two-servers-" + "k" * 40,
        "CRM_PORT": str(port),
        "CRM_HOST": "127.0.0.1",
        "CRM_VAR_DIR": str(tmp / name),
        "CRM_ATTACHMENTS_DIR": str(tmp / "attachments"),
        "CRM_JOBS": "on",
        "CRM_LOG_FORMAT": "json",
        "CRM_FRONTEND_DIST": str(tmp / "no-frontend"),
        "CRM_ADMIN_PASSWORD": PASSWORD,
    }
    process = await asyncio.create_subprocess_exec(
        str(CRM),
        "serve",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=log.open("wb"),
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(DEADLINE * 10):  # polling for readiness, not waiting for time to pass
            if process.returncode is not None:
                raise AssertionError(f"{name} exited: {log.read_text()[-2000:]}")
            try:
                if (await client.get("/health/ready")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    return process, base, log


async def login(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await client.post("/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_two_servers_share_the_jobs_and_lose_nothing(
    postgres_url,
    tmp_path,
    monkeypatch,
):
    monkeypatch.setenv("CRM_ADMIN_PASSWORD", PASSWORD)
    seeded = await asyncio.create_subprocess_exec(
        str(CRM),
        "seed-demo",
        cwd=ROOT,
        env={**os.environ, "CRM_DATABASE_URL": postgres_url, "CRM_VAR_DIR": str(tmp_path)},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert await seeded.wait() == 0, (await seeded.stderr.read()).decode()
    database = Database(postgres_url)
    # Before the servers: each runs its due jobs as it starts, and the second may take more than
    # the 5 s of slack below to come up after the first has.
    started_at = datetime.now(UTC)
    servers = [await start(postgres_url, tmp_path, name) for name in ("one", "two")]
    try:
        clients = [httpx.AsyncClient(base_url=base, timeout=60) for _, base, _ in servers]
        admin = [await login(c, "admin") for c in clients]
        manager = [await login(c, "zhangwei") for c in clients]

        # A P1 ticket whose first-response warning and breach are already past: the next
        # sla-scan, in whichever process, raises both, once.
        customer = (
            await clients[0].post(
                "/customers",
                headers=manager[0],
                json={
                    "kind": "organization",
                    "name": f"两进程测试{uuid.uuid4().hex[:6]}有限公司",
                    "credit_code": credit_code(),
                    "stage": "intent",
                },
            )
        ).json()
        ticket = await clients[1].post(
            "/tickets",
            headers=admin[1],
            json={
                "customer_id": customer["id"],
                "type": "after_sales_repair",
                "channel": "phone",
                "title": "两进程 SLA",
                "urgent": True,
                "important": True,
            },
        )
        assert ticket.status_code == 201, ticket.text
        ticket_id = ticket.json()["id"]
        past = datetime.now(UTC) - timedelta(minutes=5)
        async with database.session(write=True) as session:
            await session.execute(
                update(Ticket)
                .where(Ticket.id == ticket_id)
                .values(first_response_warn_at=past, first_response_due_at=past)
            )

        # Mixed traffic to both until the next minute's runs are done.
        created: list[int] = []
        # The boundary after the ticket was backdated: a run due at it starts after the update
        # committed, so it must see the ticket (a run that started earlier may not have).
        boundary = (datetime.now(UTC) + timedelta(minutes=1)).replace(second=0, microsecond=0)
        turn = 0
        while True:
            i = turn % 2
            made = await clients[i].post(
                "/customers",
                headers=manager[i],
                json={
                    "kind": "organization",
                    "name": f"流量{uuid.uuid4().hex[:8]}有限公司",
                    "credit_code": credit_code(),
                    "stage": "potential",
                },
            )
            assert made.status_code == 201, made.text
            created.append(made.json()["id"])
            assert (
                await clients[1 - i].get(f"/customers/{created[-1]}", headers=manager[1 - i])
            ).status_code == 200
            assert (await clients[i].get("/tickets", headers=admin[i])).status_code == 200
            assert (
                await clients[1 - i].get("/customers", params={"limit": 20}, headers=admin[1 - i])
            ).status_code == 200
            turn += 1
            async with database.session(write=False) as session:
                done = set(
                    (
                        await session.scalars(
                            select(JobRun.job).where(
                                JobRun.due_at >= boundary, JobRun.finished_at.is_not(None)
                            )
                        )
                    ).all()
                )
            if {"sla-scan", "email-outbox"} <= done and turn >= 20:
                break
            assert datetime.now(UTC) < started_at + timedelta(seconds=DEADLINE), done

        # An API key's limit holds across both processes: it is counted in the database.
        made = await clients[0].post(
            "/api-keys",
            headers=admin[0],
            json={"name": "两进程限流", "scopes": ["customers:read"], "rate_limit_per_minute": 6},
        )
        assert made.status_code == 201, made.text
        key = {"X-API-Key": made.json()["secret"]}
        answers = []
        for i in range(12):
            got = await clients[i % 2].get("/customers", params={"limit": 1}, headers=key)
            answers.append((got.status_code, int(got.headers["RateLimit-Remaining"])))
        # Remaining only goes down within a minute; it goes up when the burst crosses into the
        # next one, which allows 6 more. Either way no minute lets more than 6 through.
        minutes = 1 + sum(b[1] > a[1] for a, b in zip(answers, answers[1:], strict=False))
        passed = sum(status == 200 for status, _ in answers)
        assert passed == 6 if minutes == 1 else 6 < passed <= 12, answers
        for c in clients:
            await c.aclose()
    finally:
        for process, _, _ in servers:
            if process.returncode is None:
                os.killpg(process.pid, signal.SIGTERM)
        codes = [await asyncio.wait_for(p.wait(), 60) for p, _, _ in servers]

    logs = [
        [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
        for _, _, log in servers
    ]
    # A graceful stop: uvicorn finishes, then re-raises the SIGTERM it caught.
    assert set(codes) <= {0, -signal.SIGTERM}, [log.read_text()[-2000:] for *_, log in servers]
    assert all(
        any(line["message"].startswith("Finished server process") for line in lines)
        for lines in logs
    )
    ran = Counter(
        (m.group(1), m.group(2))
        for lines in logs
        for line in lines
        if (m := RAN.match(line["message"]))
    )
    async with database.session(write=False) as session:
        runs = set(
            (
                await session.execute(
                    select(JobRun.job, JobRun.due_at).where(
                        JobRun.started_at >= started_at - timedelta(seconds=5)
                    )
                )
            ).all()
        )
        alerts = Counter(
            (
                await session.execute(
                    select(SlaAlert.target, SlaAlert.threshold).where(
                        SlaAlert.ticket_id == ticket_id
                    )
                )
            ).all()
        )
        told = Counter(
            (
                await session.execute(
                    select(Notification.user_id, Notification.kind).where(
                        Notification.entity_id == ticket_id, Notification.kind.like("sla_%")
                    )
                )
            ).all()
        )
        stored = set(
            (await session.scalars(select(Customer.id).where(Customer.id.in_(created)))).all()
        )
        codes_unique = await session.scalar(select(func.count(func.distinct(Customer.code))))
        customers = await session.scalar(select(func.count()).select_from(Customer))
    await database.dispose()

    # Every due run that started in the window ran in exactly one process, and is recorded.
    assert ran and set(ran.values()) == {1}
    assert {(job, datetime.fromisoformat(due)) for job, due in ran} == runs
    assert {job for job, _ in ran} >= {"sla-scan", "email-outbox"}
    # The SLA alerts: once per threshold, once per recipient.
    assert alerts == {("first_response", "warning"): 1, ("first_response", "breach"): 1}
    assert told and set(told.values()) == {1}
    # Nothing lost: every customer either process created is there, codes never collided.
    assert stored == set(created) and len(created) >= 20
    assert codes_unique == customers
    # Requests were logged with their ids by both processes.
    assert all(
        any(line.get("route") == "/api/v1/customers" and line.get("request_id") for line in lines)
        for lines in logs
    )
