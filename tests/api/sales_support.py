"""Helpers for the sales API tests (orders, follow-ups, opportunities, cadence rules).

The database is shared by the whole session: every test makes its own account managers and
customers, so due lists and counts only see what the test made."""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from sqlalchemy import update

from persistence.models import Customer
from tests.conftest import TestUser, create_customer, make_user

CST = timezone(timedelta(hours=8))  # Asia/Shanghai keeps no DST: a fixed offset is exact


def cst(*args: int) -> datetime:
    return datetime(*args, tzinfo=CST)


def instant(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, f"{value} has no offset"
    return parsed


@dataclass
class Team:
    """A fresh account manager owning a fresh customer, and a second account manager."""

    owner: TestUser
    other: TestUser
    customer: dict[str, Any]


async def team(client: httpx.AsyncClient, database: Any, **customer_fields: Any) -> Team:
    owner = await make_user(client, database, "account_manager")
    other = await make_user(client, database, "account_manager")
    customer = await create_customer(client, owner, **customer_fields)
    return Team(owner, other, customer)


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def get_customer(client: httpx.AsyncClient, user: TestUser, customer_id: int) -> dict:
    return await ok(await client.get(f"/customers/{customer_id}", headers=user.headers))


async def follow_up(
    client: httpx.AsyncClient, user: TestUser, customer_id: int, **fields: Any
) -> dict:
    body = {"customer_id": customer_id, "method": "phone", "summary": "电话沟通需求", **fields}
    for key, value in list(body.items()):
        if isinstance(value, datetime):
            body[key] = value.isoformat()
    return await ok(await client.post("/follow-ups", json=body, headers=user.headers), 201)


async def opportunity(
    client: httpx.AsyncClient, user: TestUser, customer_id: int, **fields: Any
) -> dict:
    body = {"customer_id": customer_id, "title": "ERP 升级项目", **fields}
    return await ok(await client.post("/opportunities", json=body, headers=user.headers), 201)


async def order(client: httpx.AsyncClient, user: TestUser, customer_id: int, **fields: Any) -> dict:
    body = {"product": "CRM 年度订阅", "amount": "12800.00", "ordered_on": "2025-03-01", **fields}
    return await ok(
        await client.post(f"/customers/{customer_id}/orders", json=body, headers=user.headers), 201
    )


async def move(
    client: httpx.AsyncClient, user: TestUser, opportunity_id: int, to: str, **fields: Any
) -> httpx.Response:
    return await client.post(
        f"/opportunities/{opportunity_id}/transitions",
        json={"to": to, **fields},
        headers=user.headers,
    )


async def set_columns(database: Any, customer_id: int, **values: Any) -> None:
    """Straight into the database: states other parts of the product produce (dormant, in
    the pool), so that these tests see how sales writes treat them."""
    async with database.session(write=True) as session:
        await session.execute(update(Customer).where(Customer.id == customer_id).values(**values))


async def stored(database: Any, model: Any, record_id: int) -> Any:
    async with database.session(write=False) as session:
        return await session.get(model, record_id)


async def history(client: httpx.AsyncClient, admin: TestUser, customer_id: int) -> list[dict]:
    body = await ok(
        await client.get(
            f"/customers/{customer_id}/history", params={"limit": 200}, headers=admin.headers
        )
    )
    return body["items"]
