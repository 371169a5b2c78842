"""Nothing is silently ignored: on every GET endpoint an undeclared query parameter, and on
every list a sort it does not offer, is a 400 problem naming it."""

import re

import pytest

from api.app import create_app
from config import Settings
from tests.support import assert_problem


def _get_operations() -> list[tuple[str, list[str] | None]]:
    app = create_app(Settings(database_url="sqlite:///:memory:", secret_key="x" * 32))
    out = []
    for path, item in sorted(app.openapi()["paths"].items()):
        if "get" not in item:
            continue
        sort = next(
            (
                p
                for p in item["get"].get("parameters", [])
                if p["in"] == "query" and p["name"] == "sort"
            ),
            None,
        )
        out.append((path, sort and sort["schema"].get("enum")))
    return out


OPERATIONS = _get_operations()


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path).removeprefix("/api/v1")


@pytest.mark.parametrize("path", [p for p, _ in OPERATIONS])
async def test_unknown_parameter_is_400_naming_it(client, users, path):
    response = await client.get(
        _concrete(path), params={"colour": "red", "limit": "5"}, headers=users["admin"].headers
    )
    body = assert_problem(response, 400, "unknown-parameter")
    assert [e["field"] for e in body["errors"]] in (["colour"], ["colour", "limit"])
    assert "colour" in body["detail"]


@pytest.mark.parametrize("path", [p for p, sorts in OPERATIONS if sorts])
async def test_unknown_sort_is_400_naming_it(client, users, path):
    response = await client.get(
        _concrete(path), params={"sort": "shoe_size"}, headers=users["admin"].headers
    )
    body = assert_problem(response, 400, "unknown-sort", field="sort")
    assert "shoe_size" in body["detail"]


async def test_declared_parameters_still_work(client, users):
    response = await client.get(
        "/customers", params={"limit": 1, "sort": "-name"}, headers=users["admin"].headers
    )
    assert response.status_code == 200, response.text


def test_every_list_endpoint_is_covered():
    paths = {p for p, _ in OPERATIONS}
    for path in (
        "/api/v1/customers",
        "/api/v1/tickets",
        "/api/v1/follow-ups",
        "/api/v1/opportunities",
        "/api/v1/customers/{customer_id}/orders",
        "/api/v1/pool",
        "/api/v1/audit-events",
        "/api/v1/notifications",
        "/api/v1/search",
    ):
        assert path in paths, path


async def test_the_web_apps_pages_take_any_query(app, tmp_path):
    """The SPA's URLs (/customers?stage=…) are the web app's, not the API's: served as is."""
    import httpx

    from api.app import create_app
    from config import Settings

    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<html>app</html>")
    spa = create_app(
        Settings(
            database_url=app.state.settings.database_url,
            secret_key="test-secret-key-0123456789",
            frontend_dist=dist,
            var_dir=tmp_path / "var",
            attachments_dir=tmp_path / "att",
        )
    )
    transport = httpx.ASGITransport(app=spa)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        response = await c.get("/customers", params={"stage": "customer"})
    assert response.status_code == 200 and "app" in response.text
