"""Fixtures for the scheduled jobs. A job scans the whole database, so the jobs tests keep a
database of their own per back-end (SQLite and PostgreSQL), migrated with Alembic and staffed
once through the API (departments with supervisors, agents, admins, a customer). Before each
test the tickets, notifications and job runs of the previous one are deleted; tests here never
change users or departments."""

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import delete, func, select

from api.app import create_app
from config import Settings
from jobs.runner import run_job
from persistence.db import Database
from persistence.migrate import upgrade
from persistence.models import JobRun, Notification, SlaAlert, Ticket, TicketEvent
from tests.conftest import MovableClock, TestUser, create_customer, fresh_database, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
SECRET = "jobs-test-secret-key-0123456789"
SLA_KINDS = ("sla_warning", "sla_breach", "sla_escalation", "update_reminder")
# urgency × importance → priority (domain.ticket.priority_of)
FLAGS = {"P1": (True, True), "P2": (False, True), "P3": (True, False), "P4": (False, False)}


def local(text: str) -> datetime:
    """A wall-clock time in Asia/Shanghai: local("2024-10-14 09:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def settings_for(url: str, tmp: Path) -> Settings:
    return Settings(
        database_url=url,
        secret_key=SECRET,
        var_dir=tmp,
        frontend_dist=tmp / "no-frontend",
        jobs=False,
    )


@dataclass
class Desk:
    """A service desk on its own database: API client, app clock, staff and a customer.
    after_sales (supervisor; agent, agent2), tech (no supervisor; tech_agent), sales
    (supervisor2, no members: its tickets go to supervisor2); admin, admin2 and an inactive
    admin_off."""

    backend: str
    url: str
    database: Database
    client: httpx.AsyncClient
    clock: MovableClock
    users: dict[str, TestUser]
    customer_id: int
    department_id: int
    tech_department_id: int

    def key_of(self, user_id: int) -> str:
        return next(k for k, u in self.users.items() if u.id == user_id)

    async def call(
        self, at: datetime, user: str, method: str, path: str, json: Any = None
    ) -> httpx.Response:
        """An API call made at `at` (the app's clock) by users[user]."""
        self.clock.at = at
        return await self.client.request(method, path, json=json, headers=self.users[user].headers)

    async def ticket(
        self,
        opened_at: datetime,
        *,
        priority: str = "P3",
        type: str = "after_sales_repair",
        assignee: str | None = "agent",
        **fields: Any,
    ) -> dict[str, Any]:
        """A ticket an admin opens at `opened_at`, so its SLA clocks start then."""
        urgent, important = FLAGS[priority]
        body = {
            "customer_id": self.customer_id,
            "type": type,
            "channel": "phone",
            "title": f"{priority} 测试工单",
            "urgent": urgent,
            "important": important,
            "opened_at": opened_at.isoformat(),
            **fields,
        }
        if assignee:
            body["assignee_id"] = self.users[assignee].id
        r = await self.call(opened_at, "admin", "POST", "/tickets", body)
        assert r.status_code == 201, r.text
        assert r.json()["priority"] == priority
        return r.json()

    async def run(self, job: str, at: datetime) -> dict[str, Any]:
        return await run_job(self.database, job, at)

    async def notified(self, ticket_id: int, *kinds: str) -> list[tuple[str, str]]:
        """(user key, kind) of every SLA notification about the ticket, duplicates kept."""
        async with self.database.session(write=False) as s:
            rows = (
                await s.execute(
                    select(Notification.user_id, Notification.kind).where(
                        Notification.entity_type == "ticket",
                        Notification.entity_id == ticket_id,
                        Notification.kind.in_(kinds or SLA_KINDS),
                    )
                )
            ).all()
        return sorted((self.key_of(u), k) for u, k in rows)

    async def alerts(self, ticket_id: int) -> list[tuple[str, str]]:
        async with self.database.session(write=False) as s:
            rows = (
                await s.execute(
                    select(SlaAlert.target, SlaAlert.threshold).where(
                        SlaAlert.ticket_id == ticket_id
                    )
                )
            ).all()
        return sorted((target, threshold) for target, threshold in rows)

    async def sla_events(self, ticket_id: int) -> list[tuple[str, dict[str, Any]]]:
        """The ticket's SLA and escalation timeline entries, read through the API."""
        r = await self.client.get(
            f"/tickets/{ticket_id}/timeline", headers=self.users["admin"].headers
        )
        assert r.status_code == 200, r.text
        return [(e["kind"], e["data"]) for e in r.json() if e["kind"] in ("sla", "escalation")]

    async def totals(self) -> dict[str, int]:
        """Row counts that a run with nothing to do must leave alone."""
        async with self.database.session(write=False) as s:
            return {
                model.__tablename__: int(await s.scalar(select(func.count()).select_from(model)))
                for model in (Notification, TicketEvent, SlaAlert, JobRun)
            }

    async def reset(self) -> None:
        """Forget the previous test: its tickets (their timeline, alerts and pauses go with
        them), notifications and job runs."""
        async with self.database.session(write=True) as s:
            for model in (Ticket, Notification, JobRun):
                await s.execute(delete(model))
        self.clock.at = None


async def staff(url: str, backend: str, tmp: Path) -> tuple[Desk, Any]:
    """The app on `url`, with the staff and the customer created as an admin would."""
    clock = MovableClock()
    app = create_app(settings_for(url, tmp), clock=clock)
    database = app.state.database
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://test/api/v1",
    )
    admin = await make_user(client, database, "admin", prefix="admin")
    supervisor = await make_user(client, database, "supervisor", prefix="supervisor")
    supervisor2 = await make_user(client, database, "supervisor", prefix="supervisor2")
    departments = {}
    for key, name, head in (
        ("after_sales", "售后部", supervisor),
        ("tech", "技术部", None),
        ("sales", "销售部", supervisor2),
    ):
        r = await client.post(
            "/departments",
            headers=admin.headers,
            json={"key": key, "name": name, "supervisor_id": head.id if head else None},
        )
        assert r.status_code == 201, r.text
        departments[key] = r.json()["id"]
    users = {"admin": admin, "supervisor": supervisor, "supervisor2": supervisor2}
    for key, role, department in (
        ("admin2", "admin", None),
        ("admin_off", "admin", None),
        ("agent", "agent", "after_sales"),
        ("agent2", "agent", "after_sales"),
        ("tech_agent", "agent", "tech"),
    ):
        users[key] = await make_user(
            client,
            database,
            role,
            prefix=key.replace("_", ""),
            department_id=departments.get(department),
        )
    r = await client.patch(
        f"/users/{users['admin_off'].id}", headers=admin.headers, json={"is_active": False}
    )
    assert r.status_code == 200, r.text
    customer = await create_customer(client, admin)
    desk = Desk(
        backend,
        url,
        database,
        client,
        clock,
        users,
        customer["id"],
        departments["after_sales"],
        departments["tech"],
    )
    return desk, app


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def jobs_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    with fresh_database(request.param, tmp_path_factory.mktemp("jobs-db")) as url:
        upgrade(url)
        yield request.param, url


@pytest.fixture(scope="session")
async def service_desk(
    jobs_database_url: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Desk]:
    backend, url = jobs_database_url
    desk, _app = await staff(url, backend, tmp_path_factory.mktemp("jobs-var"))
    try:
        yield desk
    finally:
        await desk.client.aclose()
        await desk.database.dispose()


@pytest.fixture
async def desk(service_desk: Desk) -> AsyncIterator[Desk]:
    await service_desk.reset()
    yield service_desk
    service_desk.clock.at = None
