"""Assertions and small helpers shared by the API tests."""

import contextlib
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import event

PROBLEM = "application/problem+json"


def uid() -> str:
    return uuid.uuid4().hex[:8]


def assert_problem(
    response,
    status: int,
    code: str | None = None,
    field: str | None = None,
) -> dict:
    """An RFC 9457 body of this status (and `code`); `field` must be the first field error."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"] == f"/problems/{body['code']}"
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], list)
    assert "Traceback" not in response.text
    if code is not None:
        assert body["code"] == code, body
    if field is not None:
        assert body["errors"] and body["errors"][0]["field"] == field, body
    return body


async def audit(client, admin, **filters) -> list[dict]:
    """Audit events written since this test started (the session database is shared)."""
    response = await client.get(
        "/audit-events", params={"limit": 200, **filters}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    return [e for e in response.json()["items"] if e["id"] > MARK.get("id", 0)]


MARK: dict[str, int] = {}


@pytest.fixture(autouse=True)  # autouse in every module that imports it
async def mark_audit_position(client, users):
    response = await client.get(
        "/audit-events", params={"limit": 1}, headers=users["admin"].headers
    )
    items = response.json()["items"]
    MARK["id"] = items[0]["id"] if items else 0


@contextlib.contextmanager
def statements(engine) -> Iterator[list[str]]:
    """The SQL statements `engine` (an AsyncEngine) runs inside the block, an executemany
    counted once: for tests that a batch is written in a few statements, not one per row."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, _params, _context, _executemany) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", note)
