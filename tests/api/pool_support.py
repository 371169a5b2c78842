"""Helpers for the pool and change-request API tests: putting customers into the pool with
the pool-recycle job's own statements, reading pool columns, and lifecycle settings that are
put back afterwards."""

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from persistence.db import Database
from persistence.models import Customer
from persistence.pool_repo import SqlPoolRepo
from tests.conftest import TestUser

DEFAULTS = {
    "pool_release_days": 30,
    "pool_warning_days": 3,
    "pool_no_order_days": None,
    "pool_claim_limit": 200,
    "pool_reclaim_cooldown_days": 7,
}


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


async def release(database: Database, *customer_ids: int, at: datetime | None = None) -> None:
    """Send owned customers to the pool as the pool-recycle job does (history event
    included), as of `at`."""
    at = at or datetime.now(UTC)
    async with database.session(write=True) as session:
        repo = SqlPoolRepo(session)
        released = await repo._release(Customer.id.in_(customer_ids), at)
        assert sorted(released) == sorted(customer_ids)
        await repo.audit_releases(released, reason="no_follow_up", now=at)


async def stored(database: Database, customer_id: int) -> Customer:
    async with database.session(write=False) as session:
        return (await session.scalars(select(Customer).where(Customer.id == customer_id))).one()


async def pool_items(client: httpx.AsyncClient, user: TestUser, **params: Any) -> list[dict]:
    """Every pool item for these filters, following the cursor."""
    items: list[dict] = []
    cursor = None
    while True:
        query = {"limit": 200, **params, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/pool", params=query, headers=user.headers)
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return items


async def history(client: httpx.AsyncClient, admin: TestUser, customer_id: int) -> list[dict]:
    """The customer's history, oldest first."""
    response = await client.get(
        f"/customers/{customer_id}/history", params={"limit": 200}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    return list(reversed(response.json()["items"]))


@pytest.fixture
async def lifecycle(client, users) -> AsyncIterator[Callable[..., Any]]:
    """`await lifecycle(pool_claim_limit=2, …)` for one test; the defaults come back after."""

    async def change(**values: Any) -> dict:
        response = await client.patch(
            "/lifecycle-settings", json=values, headers=users["admin"].headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    yield change
    await change(**DEFAULTS)
