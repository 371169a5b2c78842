"""The sales side of the jobs database: two account managers (added once to the service desk's
staff, without a department, so ticket routing never picks them) and helpers to record
customers, follow-ups and opportunities at simulated times and to read what the jobs did.

Import the `sales` fixture into a test module to use it. Before each test it forgets the
previous one's sales records, reminders, notifications and job runs."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from persistence.models import (
    Customer,
    CustomerOrder,
    FollowUp,
    JobRun,
    LifecycleAlert,
    Notification,
    Opportunity,
)
from tests.conftest import make_user
from tests.jobs.conftest import Desk


@dataclass
class Sales:
    desk: Desk

    async def ok(
        self, at: datetime, user: str, method: str, path: str, json: Any = None, status: int = 200
    ) -> Any:
        r = await self.desk.call(at, user, method, path, json)
        assert r.status_code == status, r.text
        return r.json() if r.content else None

    async def customer(self, at: datetime, *, owner: str = "am", stage: str = "intent") -> int:
        body = {
            "kind": "organization",
            "name": f"跟进测试{uuid.uuid4().hex[:6]}有限公司",
            "credit_code": _credit_code(),
            "stage": stage,
        }
        return (await self.ok(at, owner, "POST", "/customers", body, 201))["id"]

    async def follow_up(
        self, at: datetime, customer_id: int, *, user: str = "am", **fields: Any
    ) -> dict[str, Any]:
        body = {
            "customer_id": customer_id,
            "method": "phone",
            "summary": "电话沟通",
            "at": at.isoformat(),
            **fields,
        }
        return await self.ok(at, user, "POST", "/follow-ups", body, 201)

    async def opportunity(
        self, at: datetime, customer_id: int, *, user: str = "am", **fields: Any
    ) -> dict[str, Any]:
        body = {"customer_id": customer_id, "title": "年度采购商机", **fields}
        return await self.ok(at, user, "POST", "/opportunities", body, 201)

    async def inbox(self, *kinds: str) -> list[tuple[str, str, str, int]]:
        """(user key, kind, entity type, entity id) of the sales notifications, duplicates
        kept."""
        kinds = kinds or ("follow_up_due", "next_action_due", "stale_opportunity")
        async with self.desk.database.session(write=False) as s:
            rows = (
                await s.execute(
                    select(
                        Notification.user_id,
                        Notification.kind,
                        Notification.entity_type,
                        Notification.entity_id,
                    ).where(Notification.kind.in_(kinds))
                )
            ).all()
        return sorted((self.desk.key_of(u), k, t, i) for u, k, t, i in rows)

    async def notification(self, kind: str, entity_id: int) -> Notification:
        async with self.desk.database.session(write=False) as s:
            return (
                await s.scalars(
                    select(Notification).where(
                        Notification.kind == kind, Notification.entity_id == entity_id
                    )
                )
            ).one()

    async def alerts(self, kind: str) -> list[tuple[int, str]]:
        async with self.desk.database.session(write=False) as s:
            rows = (
                await s.execute(
                    select(LifecycleAlert.entity_id, LifecycleAlert.cycle).where(
                        LifecycleAlert.kind == kind
                    )
                )
            ).all()
        return sorted((entity_id, cycle) for entity_id, cycle in rows)

    async def totals(self) -> dict[str, int]:
        async with self.desk.database.session(write=False) as s:
            return {
                m.__tablename__: int(await s.scalar(select(func.count()).select_from(m)))
                for m in (Notification, LifecycleAlert)
            }

    async def set_customer(self, customer_id: int, **values: Any) -> None:
        async with self.desk.database.session(write=True) as s:
            await s.execute(update(Customer).where(Customer.id == customer_id).values(**values))

    async def reset(self) -> None:
        async with self.desk.database.session(write=True) as s:
            for model in (
                FollowUp,
                CustomerOrder,
                Opportunity,
                LifecycleAlert,
                Notification,
                JobRun,
            ):
                await s.execute(delete(model))
            await s.execute(delete(Customer).where(Customer.id != self.desk.customer_id))
            # The desk's own customer (for tickets) is due by the cadence from its creation.
            await s.execute(
                update(Customer)
                .where(Customer.id == self.desk.customer_id)
                .values(next_follow_up_on=None)
            )


_STAFFED: set[int] = set()


@pytest.fixture
async def sales(desk: Desk) -> AsyncIterator[Sales]:
    if id(desk) not in _STAFFED:
        for key in ("am", "am2"):
            desk.users[key] = await make_user(
                desk.client, desk.database, "account_manager", prefix=key
            )
        _STAFFED.add(id(desk))
    helper = Sales(desk)
    await helper.reset()
    yield helper
    desk.clock.at = None


def _credit_code() -> str:
    from stdnum.cn import uscc

    body = f"9144{uuid.uuid4().int % 10**13:013d}"
    return body + uscc.calc_check_digit(body)
