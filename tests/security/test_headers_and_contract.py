"""Security headers on every answer, and a contract that declares every status the app gives."""

import json
from pathlib import Path

import httpx

from api.app import create_app
from config import Settings

OPENAPI = json.loads(
    (Path(__file__).resolve().parents[2] / "openapi" / "openapi.json").read_text(encoding="utf-8")
)


class TestHeaders:
    async def test_api_answers_are_not_cached_framed_or_sniffed(self, client, users):
        for response in (
            await client.get("/customers", headers=users["admin"].headers),
            await client.get("/customers"),  # a 401 problem
            await client.get("/health"),
        ):
            assert response.headers["cache-control"] == "no-store"
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"

    async def test_the_app_page_has_a_content_security_policy(self, tmp_path):
        (tmp_path / "index.html").write_text("<!doctype html><title>CRM</title>")
        app = create_app(
            Settings(
                database_url=f"sqlite:///{tmp_path / 'x.db'}",
                secret_key="k" * 32,
                var_dir=tmp_path,
                frontend_dist=tmp_path,
            )
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            page = await c.get("/customers/12")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy
        assert page.headers["x-frame-options"] == "DENY"
        await app.state.database.dispose()


def operations():
    for path, item in OPENAPI["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", method, operation


def parameters(operation):
    """An operation's parameters, the shared ones (`$ref`) looked up."""
    shared = OPENAPI["components"].get("parameters", {})
    for p in operation.get("parameters", []):
        yield shared[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p


class TestContract:
    def test_every_operation_declares_the_problems_it_can_answer(self):
        missing = []
        for name, method, operation in operations():
            declared = set(operation["responses"])
            expected = {"400", "422"}
            if "requestBody" in operation:
                expected.add("413")
            if method in ("post", "put", "patch", "delete"):
                expected.add("409")
            if any(p["name"].lower() == "if-match" for p in parameters(operation)):
                expected.add("412")
            if not expected <= declared:
                missing.append((name, sorted(expected - declared)))
        assert not missing, missing

    def test_sign_in_declares_429(self):
        assert "429" in OPENAPI["paths"]["/api/v1/auth/token"]["post"]["responses"]

    def test_problems_are_typed_as_problem_json(self):
        for name, _, operation in operations():
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    content = response.get("content", {})
                    assert list(content) == ["application/problem+json"], (name, status)
                    assert content["application/problem+json"]["schema"] == {
                        "$ref": "#/components/schemas/Problem"
                    }, (name, status)

    def test_no_time_of_day_is_declared_as_format_time(self):
        text = json.dumps(OPENAPI)
        assert '"format": "time"' not in text
        opens = OPENAPI["components"]["schemas"]["BusinessHoursIn"]["properties"]["opens"]
        assert opens["type"] == "string" and opens["pattern"]
