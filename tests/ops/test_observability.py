"""Observability: request ids and structured request logs, no secrets in any log line of the
login and token flows, /metrics behind its token with the listed series, liveness vs
readiness."""

import io
import json
import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.app import create_app
from api.observability import JsonFormatter
from config import Settings
from jobs.registry import JobSpec
from jobs.runner import run_job
from tests.conftest import PASSWORD, make_user

METRICS_TOKEN = "metrics-token-" + uuid.uuid4().hex


@pytest.fixture
def metrics_on(app) -> Iterator[None]:
    original = app.state.settings
    app.state.settings = original.model_copy(update={"metrics_token": METRICS_TOKEN})
    yield
    app.state.settings = original


async def test_a_request_id_is_taken_or_made_returned_and_logged(client, users):
    given = await client.get(
        "/users/me", headers={**users["agent"].headers, "X-Request-ID": "trace-42.a:b"}
    )
    assert given.headers["x-request-id"] == "trace-42.a:b"
    made = await client.get("/users/me", headers=users["agent"].headers)
    assert len(made.headers["x-request-id"]) == 32
    forged = await client.get(
        "/users/me", headers={**users["agent"].headers, "X-Request-ID": 'x" level=admin'}
    )
    assert forged.headers["x-request-id"] != 'x" level=admin'


async def test_log_lines_carry_the_fields(client, users):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    try:
        agent = users["agent"]
        await client.get("/users/me", headers={**agent.headers, "X-Request-ID": "rid-one"})
        await client.get(
            "/customers/999999999", headers={**agent.headers, "X-Request-ID": "rid-two"}
        )
        await client.get("/users/me", headers={"X-Request-ID": "rid-three"})
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    by_id = {line.get("request_id"): line for line in lines if line["logger"] == "crm.http"}
    assert by_id["rid-one"]["route"] == "/api/v1/users/me"
    assert by_id["rid-one"]["status"] == 200 and by_id["rid-one"]["user_id"] == agent.id
    assert by_id["rid-one"]["duration_ms"] >= 0 and by_id["rid-one"]["method"] == "GET"
    assert by_id["rid-two"]["route"] == "/api/v1/customers/{customer_id}"
    assert by_id["rid-two"]["status"] == 404
    assert by_id["rid-three"]["status"] == 401 and "user_id" not in by_id["rid-three"]


async def test_no_secret_reaches_the_logs_of_the_login_and_token_flows(app, client, database):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root, crm = logging.getLogger(), logging.getLogger("crm")
    saved = root.level, crm.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    crm.setLevel(logging.DEBUG)
    secrets: list[str] = [PASSWORD, app.state.settings.signing_key]
    try:
        user = await make_user(client, database, "agent")
        secrets.append(user.headers["Authorization"].removeprefix("Bearer "))
        wrong = await client.post(
            "/auth/token", data={"username": user.username, "password": "wrong-password-9"}
        )
        assert wrong.status_code == 401
        secrets.append("wrong-password-9")
        tokens = (
            await client.post("/auth/token", data={"username": user.username, "password": PASSWORD})
        ).json()
        secrets += [tokens["access_token"], tokens["refresh_token"]]
        rotated = (
            await client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        ).json()
        secrets += [rotated["access_token"], rotated["refresh_token"]]
        rotated = (
            await client.post("/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
        ).json()
        secrets += [rotated["access_token"], rotated["refresh_token"]]
        reused = await client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert reused.status_code == 401
        headers = {"Authorization": f"Bearer {rotated['access_token']}"}
        changed = await client.patch(
            "/users/me",
            headers=headers,
            json={"password": "a-new-password-7", "current_password": PASSWORD},
        )
        secrets.append("a-new-password-7")
        assert changed.status_code == 200, changed.text
        again = (
            await client.post(
                "/auth/token", data={"username": user.username, "password": "a-new-password-7"}
            )
        ).json()
        secrets += [again["access_token"], again["refresh_token"]]
        assert (
            await client.post("/auth/logout", json={"refresh_token": again["refresh_token"]})
        ).status_code == 204
        await client.get(
            "/users/me", headers={"Authorization": "Bearer " + again["access_token"] + "x"}
        )
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        crm.setLevel(saved[1])
    text = stream.getvalue()
    assert text.count("crm.http") >= 8  # the flows were logged …
    leaked = [s for s in secrets if s and (s in text or s[:24] in text)]
    assert leaked == []  # … and no password, token or key is in them


async def test_metrics_need_their_token_and_list_the_series(app, client, database, metrics_on):
    root = f"{client.base_url.scheme}://{client.base_url.host}"
    async with httpx.AsyncClient(transport=client._transport, base_url=root) as bare:
        assert (await bare.get("/metrics")).status_code == 401
        assert (
            await bare.get("/metrics", headers={"Authorization": "Bearer nope"})
        ).status_code == 401
        await client.get("/health")

        async def boom(_database, _clock):
            raise RuntimeError("boom")

        async def fine(_database, _clock):
            return {"ok": 1}

        fine_job, boom_job = f"fine-{uuid.uuid4().hex[:8]}", f"boom-{uuid.uuid4().hex[:8]}"
        jobs = {
            fine_job: JobSpec(fine, every=timedelta(minutes=1)),  # counters are per process
            boom_job: JobSpec(boom, every=timedelta(minutes=1)),
        }
        now = datetime.now(UTC) - timedelta(days=365 * 30)
        await run_job(database, fine_job, now, jobs=jobs)
        await run_job(database, fine_job, now, jobs=jobs)  # the same due time: skipped
        with pytest.raises(RuntimeError):
            await run_job(database, boom_job, now, jobs=jobs)
        got = await bare.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/plain")
    body = got.text
    for line in (
        'crm_http_requests_total{method="GET",route="/api/v1/health",status="200"}',
        'crm_http_request_duration_seconds_bucket{le="0.005",method="GET",'
        'route="/api/v1/health",status="200"}',
        f'crm_job_runs_total{{job="{fine_job}",outcome="ran"}} 1.0',
        f'crm_job_runs_total{{job="{fine_job}",outcome="skipped"}} 1.0',
        f'crm_job_runs_total{{job="{boom_job}",outcome="failed"}} 1.0',
        f'crm_job_failures_total{{job="{boom_job}"}} 1.0',
        f'crm_job_duration_seconds_count{{job="{fine_job}"}} 1.0',
        'crm_sla_alerts_sent_total{target="first_response",threshold="breach"}',
        "crm_outbox_backlog ",
        'crm_db_pool_connections{pool="write",state="checked_out"}',
    ):
        assert line in body, line


async def test_metrics_are_off_without_a_token(client):
    root = f"{client.base_url.scheme}://{client.base_url.host}"
    async with httpx.AsyncClient(transport=client._transport, base_url=root) as bare:
        assert (await bare.get("/metrics")).status_code == 404


async def test_liveness_and_readiness(client, tmp_path):
    assert (await client.get("/health/live")).json() == {"status": "live"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["revision"] == ready.json()["head"]
    unmigrated = create_app(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'empty.db'}",
            secret_key="k" * 32,
            var_dir=tmp_path,
            jobs=False,
            frontend_dist=tmp_path / "none",
        )
    )
    transport = httpx.ASGITransport(app=unmigrated, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t/api/v1") as other:
        assert (await other.get("/health/live")).status_code == 200
        not_ready = await other.get("/health/ready")
    await unmigrated.state.database.dispose()
    assert not_ready.status_code == 503 and not_ready.json()["status"] == "not_ready"
