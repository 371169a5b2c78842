"""Helpers shared by the ticket API tests: problems, departments, routing, tickets, inboxes.

The database is shared by the whole session, so every helper makes fresh, uniquely named
records; nothing relies on what other tests left behind."""

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from tests.conftest import TestUser

CST = timezone(timedelta(hours=8))  # Asia/Shanghai has no DST: a fixed offset is exact
# Monday 2024-10-14 09:00 in Shanghai: an ordinary working morning after National Day.
MONDAY_9 = datetime(2024, 10, 14, 9, 0, tzinfo=CST)
SATISFIED = {"response_speed": 5, "resolution": 4, "attitude": 5, "overall": 4, "comment": "很满意"}


def cst(*args: int) -> datetime:
    return datetime(*args, tzinfo=CST)


def instant(value: str) -> datetime:
    """An ISO 8601 time from the API, as an aware datetime (compares as an instant)."""
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, f"{value} has no offset"
    return parsed


def error_fields(body: dict) -> set[str]:
    return {e["field"] for e in body["errors"]}


# ---- departments and routing ----


async def new_department(
    client: httpx.AsyncClient, admin: TestUser, *, key: str | None = None
) -> dict:
    key = key or f"t_{uuid.uuid4().hex[:12]}"
    response = await client.post(
        "/departments", json={"key": key, "name": f"部门 {key}"}, headers=admin.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def route(
    client: httpx.AsyncClient, admin: TestUser, ticket_type: str, department_id: int
) -> None:
    """Route new tickets of `ticket_type` to a department (admin routing-rule API)."""
    response = await client.put(
        f"/routing-rules/{ticket_type}",
        json={"department_id": department_id},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    assert (response.json()["department_id"], response.json()["is_default"]) == (
        department_id,
        False,
    )


async def clear_route(client: httpx.AsyncClient, admin: TestUser, ticket_type: str) -> None:
    """Back to the default route (domain.ticket.DEFAULT_ROUTES) for `ticket_type`."""
    response = await client.delete(f"/routing-rules/{ticket_type}", headers=admin.headers)
    assert response.status_code == 204, response.text


# ---- tickets ----


def ticket_body(customer_id: int, **fields: Any) -> dict:
    return {
        "customer_id": customer_id,
        "type": "order_support",
        "channel": "phone",
        "title": f"工单 {uuid.uuid4().hex[:6]}",
        **fields,
    }


async def open_ticket(
    client: httpx.AsyncClient, user: TestUser, customer_id: int, **fields: Any
) -> dict:
    response = await client.post(
        "/tickets", json=ticket_body(customer_id, **fields), headers=user.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def get_ticket(client, user: TestUser, ticket_id: int) -> dict:
    response = await client.get(f"/tickets/{ticket_id}", headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def move(
    client: httpx.AsyncClient, user: TestUser, ticket_id: int, to: str, **extra: Any
) -> dict:
    response = await client.post(
        f"/tickets/{ticket_id}/transitions", json={"to": to, **extra}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == to
    return body


async def timeline(client, user: TestUser, ticket_id: int) -> list[dict]:
    response = await client.get(f"/tickets/{ticket_id}/timeline", headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def inbox(client, user: TestUser) -> list[dict]:
    response = await client.get("/notifications", params={"limit": 200}, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def list_ids(client, user: TestUser, **params: Any) -> list[int]:
    """Every ticket id the list returns for these filters, following the cursor."""
    ids: list[int] = []
    cursor = None
    while True:
        query = {"limit": 200, **params, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/tickets", params=query, headers=user.headers)
        assert response.status_code == 200, response.text
        page = response.json()
        ids += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return ids
