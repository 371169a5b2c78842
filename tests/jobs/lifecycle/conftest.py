"""Fixtures for the lifecycle and value jobs. They scan the whole customer table, so these
tests keep a database of their own per back-end, migrated with Alembic, with a few users made
once. Before each test every customer (their orders, follow-ups, tasks go with them), ticket,
notification, alert, audit event and job run is deleted and the thresholds are reset.

Customers, orders, follow-ups and tickets are written straight to the database the way the
services keep them (orders and follow-ups belong to the other half of issue 4), with the
denormalised customer columns kept as those services keep them."""

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, select, update

from api.app import create_app
from jobs.customer_value import run_customer_value
from jobs.lifecycle import run_churn_risk, run_dormancy, run_verification
from jobs.runner import AsOf, run_job
from persistence.db import Database
from persistence.migrate import upgrade
from persistence.models import (
    AuditEvent,
    Customer,
    CustomerOrder,
    FollowUp,
    JobRun,
    LifecycleAlert,
    LifecycleSettings,
    Notification,
    Task,
    Ticket,
)
from tests.conftest import (
    BACKENDS_RUN,
    MovableClock,
    TestUser,
    credit_code,
    fresh_database,
    make_user,
)
from tests.jobs.conftest import SHANGHAI, local, settings_for

DEFAULTS = {
    "dormancy_days": 180,
    "churn_no_order_days": 365,
    "churn_complaint_days": 90,
    "verification_days": 90,
}
DIRECT = {
    "dormancy": run_dormancy,
    "churn-risk": run_churn_risk,
    "verification": run_verification,
    "customer-value": run_customer_value,
}
LONG_AGO = local("2020-01-01 09:00")  # a creation date that is never the latest interaction


@dataclass
class World:
    """The app on its own database, its clock, and users: admin, am, am2, am_off (an
    inactive account manager), supervisor, agent, readonly."""

    backend: str
    url: str
    database: Database
    client: httpx.AsyncClient
    clock: MovableClock
    users: dict[str, TestUser]

    def key_of(self, user_id: int) -> str:
        return next(k for k, u in self.users.items() if u.id == user_id)

    # ---- factories ----

    async def customer(
        self,
        *,
        owner: str | None = "am",
        created: datetime = LONG_AGO,
        status: str = "active",
        archived: bool = False,
        last_contact: datetime | None = None,
        verified_at: datetime | None = None,
        grade: str | None = None,
        grade_locked: bool = False,
        name: str | None = None,
    ) -> int:
        async with self.database.session(write=True) as s:
            customer = Customer(
                code=f"C2099{uuid.uuid4().int % 10**8:08d}",
                kind="organization",
                name=name or f"测试客户{uuid.uuid4().hex[:6]}",
                credit_code=credit_code(),
                stage="customer",
                activity_status=status,
                owner_id=self.users[owner].id if owner else None,
                custom_fields={},
                archived=archived,
                cumulative_amount=Decimal("0.00"),
                last_contact_at=last_contact,
                verified_at=verified_at,
                grade=grade,
                grade_locked=grade_locked,
                owner_engaged_at=created,
                created_at=created,
                updated_at=created,
            )
            s.add(customer)
            await s.flush()
            return customer.id

    async def order(
        self, customer_id: int, on: date | str, amount: str, *, status: str = "completed"
    ) -> None:
        """An order, and the customer's derived columns as the order service keeps them
        (cancelled orders do not count)."""
        on = date.fromisoformat(on) if isinstance(on, str) else on
        async with self.database.session(write=True) as s:
            s.add(
                CustomerOrder(
                    customer_id=customer_id,
                    order_no=f"SO{uuid.uuid4().hex[:16]}",
                    product="服务",
                    amount=Decimal(amount),
                    ordered_on=on,
                    status=status,
                    created_at=LONG_AGO,
                    updated_at=LONG_AGO,
                )
            )
            await s.flush()
            counted = (
                CustomerOrder.customer_id == customer_id,
                CustomerOrder.status != "cancelled",
            )
            first, last, total = (
                await s.execute(
                    select(
                        func.min(CustomerOrder.ordered_on),
                        func.max(CustomerOrder.ordered_on),
                        func.coalesce(func.sum(CustomerOrder.amount), 0),
                    ).where(*counted)
                )
            ).one()
            await s.execute(
                update(Customer)
                .where(Customer.id == customer_id)
                .values(
                    first_cooperation_on=first, last_order_on=last, cumulative_amount=Decimal(total)
                )
            )

    async def follow_up(self, customer_id: int, at: datetime) -> None:
        """A follow-up, and the last contact as the follow-up service keeps it."""
        async with self.database.session(write=True) as s:
            customer = await s.get(Customer, customer_id)
            s.add(
                FollowUp(
                    customer_id=customer_id,
                    owner_id=customer.owner_id,
                    at=at,
                    method="phone",
                    summary="电话回访",
                    effective=True,
                    created_at=at,
                    updated_at=at,
                )
            )
            if customer.last_contact_at is None or customer.last_contact_at < at:
                customer.last_contact_at = at

    async def ticket(
        self,
        customer_id: int,
        opened_at: datetime,
        *,
        type: str = "after_sales_repair",
        status: str = "new",
    ) -> int:
        """A ticket written straight to the table (the jobs read tickets themselves)."""
        async with self.database.session(write=True) as s:
            ticket = Ticket(
                code=f"T{uuid.uuid4().hex[:12]}",
                customer_id=customer_id,
                type=type,
                channel="phone",
                title="测试工单",
                description="",
                urgent=False,
                important=False,
                priority="P4",
                priority_overridden=False,
                status=status,
                opened_at=opened_at,
                sla_calendar="business",
                first_response_minutes=2880,
                resolution_minutes=5400,
                update_minutes=1440,
                created_at=opened_at,
                updated_at=opened_at,
            )
            s.add(ticket)
            await s.flush()
            return ticket.id

    async def set_thresholds(self, **values: int) -> None:
        async with self.database.session(write=True) as s:
            await s.execute(
                update(LifecycleSettings).where(LifecycleSettings.id == 1).values(**values)
            )

    # ---- running ----

    async def run(self, job: str, at: datetime) -> dict[str, Any]:
        """Through the runner: once per due time, recorded in job_run."""
        outcome = await run_job(self.database, job, at)
        assert outcome["ran"], outcome
        return outcome["result"]

    async def run_at(self, job: str, at: datetime) -> dict[str, Any]:
        """The job function itself as of `at` (no claim): for instants inside one due
        period, such as either side of a local midnight, and for running twice."""
        return await DIRECT[job](self.database, AsOf(at), SHANGHAI)

    # ---- reading ----

    async def get(self, customer_id: int) -> Customer:
        async with self.database.session(write=False) as s:
            return await s.get(Customer, customer_id)

    async def status(self, customer_id: int) -> str:
        return (await self.get(customer_id)).activity_status

    async def notified(self, customer_id: int) -> list[tuple[str, str]]:
        """(user key, kind) of every notification about the customer, duplicates kept."""
        async with self.database.session(write=False) as s:
            rows = (
                await s.execute(
                    select(Notification.user_id, Notification.kind).where(
                        Notification.entity_type == "customer",
                        Notification.entity_id == customer_id,
                    )
                )
            ).all()
        return sorted((self.key_of(u), k) for u, k in rows)

    async def tasks(self, customer_id: int) -> list[tuple[str, str, bool]]:
        """(owner key, kind, done) of the customer's tasks, duplicates kept."""
        async with self.database.session(write=False) as s:
            rows = (
                await s.execute(
                    select(Task.owner_id, Task.kind, Task.done_at).where(
                        Task.customer_id == customer_id
                    )
                )
            ).all()
        return sorted((self.key_of(u), k, done is not None) for u, k, done in rows)

    async def alerts(self, customer_id: int) -> list[tuple[str, str]]:
        async with self.database.session(write=False) as s:
            rows = (
                await s.execute(
                    select(LifecycleAlert.kind, LifecycleAlert.cycle).where(
                        LifecycleAlert.entity_id == customer_id
                    )
                )
            ).all()
        return sorted((kind, cycle) for kind, cycle in rows)

    async def history(self, customer_id: int, action: str | None = None) -> list[dict]:
        """The customer's history through the API (as an admin), oldest first."""
        r = await self.client.get(
            f"/customers/{customer_id}/history",
            params={"limit": 200},
            headers=self.users["admin"].headers,
        )
        assert r.status_code == 200, r.text
        items = list(reversed(r.json()["items"]))
        return [e for e in items if action is None or e["action"] == action]

    async def snapshot(self) -> dict[str, Any]:
        """Everything a run could write: a second run with nothing to do leaves it equal."""
        async with self.database.session(write=False) as s:
            customers = (
                await s.execute(
                    select(
                        Customer.id,
                        Customer.activity_status,
                        Customer.grade,
                        Customer.value_level,
                        Customer.rfm_recency,
                        Customer.rfm_frequency,
                        Customer.rfm_monetary,
                        Customer.value_computed_at,
                        Customer.updated_at,
                        Customer.version,
                    ).order_by(Customer.id)
                )
            ).all()
            counts = {
                model.__tablename__: int(await s.scalar(select(func.count()).select_from(model)))
                for model in (Notification, Task, LifecycleAlert, AuditEvent)
            }
        return {"customers": [tuple(c) for c in customers], **counts}

    async def reset(self) -> None:
        async with self.database.session(write=True) as s:
            for model in (Ticket, Customer, Notification, LifecycleAlert, JobRun, AuditEvent):
                await s.execute(delete(model))
            await s.execute(
                update(LifecycleSettings).where(LifecycleSettings.id == 1).values(**DEFAULTS)
            )
        self.clock.at = None


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def lifecycle_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    with fresh_database(request.param, tmp_path_factory.mktemp("lifecycle-db")) as url:
        upgrade(url)
        BACKENDS_RUN.add(request.param)
        yield request.param, url


@pytest.fixture(scope="session")
async def lifecycle_world(
    lifecycle_database_url: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    backend, url = lifecycle_database_url
    clock = MovableClock()
    tmp: Path = tmp_path_factory.mktemp("lifecycle-var")
    app = create_app(settings_for(url, tmp), clock=clock)
    database = app.state.database
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://test/api/v1",
    )
    users = {}
    for key, role in (
        ("admin", "admin"),
        ("am", "account_manager"),
        ("am2", "account_manager"),
        ("am_off", "account_manager"),
        ("supervisor", "supervisor"),
        ("agent", "agent"),
        ("readonly", "readonly"),
    ):
        users[key] = await make_user(client, database, role, prefix=key.replace("_", ""))
    r = await client.patch(
        f"/users/{users['am_off'].id}", headers=users["admin"].headers, json={"is_active": False}
    )
    assert r.status_code == 200, r.text
    world = World(backend, url, database, client, clock, users)
    try:
        yield world
    finally:
        await client.aclose()
        await database.dispose()


@pytest.fixture
async def world(lifecycle_world: World) -> AsyncIterator[World]:
    await lifecycle_world.reset()
    yield lifecycle_world
    lifecycle_world.clock.at = None


def days(n: int) -> timedelta:
    return timedelta(days=n)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
