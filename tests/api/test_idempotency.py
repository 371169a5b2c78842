"""`Idempotency-Key` on POST: a retry gets the first answer and writes nothing; the key is
per caller, tied to its request, held while it runs, released by a 5xx, void after 24 hours."""

import uuid
from datetime import UTC, datetime

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import func, select, update
from starlette.exceptions import HTTPException

from api.deps import current_actor, write_uow
from domain import customer_service
from jobs.idempotency_purge import run_idempotency_purge
from persistence.models import Customer, IdempotencyKey
from tests.api.test_api_keys import key_headers, make_key
from tests.conftest import make_user, organization


def new_key() -> str:
    return f"retry-{uuid.uuid4()}"


async def customers_named(database, name: str) -> int:
    async with database.session(write=False) as session:
        return await session.scalar(
            select(func.count()).select_from(Customer).where(Customer.name == name)
        )


async def key_rows(database, key: str) -> list[IdempotencyKey]:
    async with database.session(write=False) as session:
        return list(
            (await session.scalars(select(IdempotencyKey).where(IdempotencyKey.key == key))).all()
        )


def with_key(user_headers: dict[str, str], key: str) -> dict[str, str]:
    return {**user_headers, "Idempotency-Key": key}


class TestRetry:
    async def test_a_retry_gets_the_first_answer_and_writes_nothing(self, client, users, database):
        body, key = organization(), new_key()
        headers = with_key(users["am"].headers, key)
        first = await client.post("/customers", json=body, headers=headers)
        assert first.status_code == 201, first.text
        assert "idempotent-replayed" not in first.headers
        again = await client.post("/customers", json=body, headers=headers)
        assert again.status_code == 201
        assert again.headers["idempotent-replayed"] == "true"
        assert again.content == first.content
        for name in ("location", "etag", "content-type"):
            assert again.headers[name] == first.headers[name]
        assert await customers_named(database, body["name"]) == 1

    async def test_a_refusal_is_kept_and_replayed_as_well(self, client, users, database):
        # An account manager may not name the owner: 403 from the service, after the claim.
        body, key = organization(owner_id=users["am2"].id), new_key()
        headers = with_key(users["am"].headers, key)
        first = await client.post("/customers", json=body, headers=headers)
        assert first.status_code == 403, first.text
        again = await client.post("/customers", json=body, headers=headers)
        assert (again.status_code, again.content) == (403, first.content)
        assert again.headers["idempotent-replayed"] == "true"
        assert await customers_named(database, body["name"]) == 0

    async def test_without_the_header_nothing_is_kept(self, client, users, database):
        async def kept() -> int:
            async with database.session(write=False) as session:
                return await session.scalar(select(func.count()).select_from(IdempotencyKey))

        before = await kept()
        made = await client.post("/customers", json=organization(), headers=users["am"].headers)
        assert made.status_code == 201 and "idempotent-replayed" not in made.headers
        assert await kept() == before


class TestRefused:
    async def test_the_same_key_with_another_body_is_422_and_writes_nothing(
        self, client, users, database
    ):
        key = new_key()
        headers = with_key(users["am"].headers, key)
        assert (await client.post("/customers", json=organization(), headers=headers)).is_success
        other = organization()
        response = await client.post("/customers", json=other, headers=headers)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "idempotency-key-reused"
        assert await customers_named(database, other["name"]) == 0

    async def test_the_same_key_on_another_path_is_422(self, client, users):
        key = new_key()
        made = await client.post(
            "/customers", json=organization(), headers=with_key(users["am"].headers, key)
        )
        assert made.status_code == 201
        response = await client.post(
            f"/customers/{made.json()['id']}/contacts",
            json={"name": "李四", "mobile": "13800138000"},
            headers=with_key(users["am"].headers, key),
        )
        assert response.json()["code"] == "idempotency-key-reused"

    @pytest.mark.parametrize(
        "value",
        [b"", b"x" * 256, "caf\u00e9".encode(), b"tab\there", b"del\x7f"],
        ids=["empty", "too-long", "non-ascii", "tab", "control"],
    )
    async def test_a_malformed_key_is_422_and_writes_nothing(self, client, users, database, value):
        body = organization()
        headers = {**users["am"].headers, "Idempotency-Key": value}
        response = await client.post("/customers", json=body, headers=headers)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "Idempotency-Key"
        assert await customers_named(database, body["name"]) == 0

    async def test_the_longest_key_is_accepted(self, client, users):
        headers = with_key(users["am"].headers, "~ " + "k" * 253)
        assert (await client.post("/customers", json=organization(), headers=headers)).is_success

    async def test_an_upload_with_a_key_is_refused(self, client, users):
        ticket = await client.post(
            "/imports",
            files={"file": ("a.csv", b"name\n", "text/csv")},
            data={"kind": "customers", "mode": "dry_run"},
            headers=with_key(users["am"].headers, new_key()),
        )
        assert ticket.status_code == 422, ticket.text
        assert ticket.json()["code"] == "idempotency-key-unsupported"


class TestInFlight:
    async def test_a_retry_while_the_first_runs_is_409(self, client, users, database):
        body, key = organization(), new_key()
        headers = with_key(users["am"].headers, key)
        assert (await client.post("/customers", json=body, headers=headers)).status_code == 201
        # Put the key back as the first request holds it while it runs: claimed, no answer yet.
        async with database.session(write=True) as session:
            await session.execute(
                update(IdempotencyKey)
                .where(IdempotencyKey.key == key)
                .values(state="in_flight", status=None, headers=None, body=None)
            )
        response = await client.post("/customers", json=body, headers=headers)
        assert response.status_code == 409, response.text
        assert response.json()["code"] == "idempotency-key-in-flight"
        assert await customers_named(database, body["name"]) == 1
        (row,) = await key_rows(database, key)
        assert row.state == "in_flight"  # the refused retry did not touch it


class TestCallers:
    async def test_two_users_use_the_same_key_independently(self, client, users, database):
        key = new_key()
        mine, theirs = organization(), organization()
        a = await client.post("/customers", json=mine, headers=with_key(users["am"].headers, key))
        b = await client.post(
            "/customers", json=theirs, headers=with_key(users["am2"].headers, key)
        )
        assert (a.status_code, b.status_code) == (201, 201)
        assert "idempotent-replayed" not in b.headers
        assert await customers_named(database, theirs["name"]) == 1
        assert len(await key_rows(database, key)) == 2

    async def test_an_api_key_has_its_own_keys(self, client, users, database):
        owner = await make_user(client, database, "account_manager")
        api_key = await make_key(
            client, users["admin"], scopes=["customers:read", "customers:write"],
            owner_id=owner.id,
        )  # fmt: skip
        key, body = new_key(), organization()
        headers = {**key_headers(api_key), "Idempotency-Key": key}
        first = await client.post("/customers", json=body, headers=headers)
        assert first.status_code == 201, first.text
        again = await client.post("/customers", json=body, headers=headers)
        assert again.headers["idempotent-replayed"] == "true"
        assert again.content == first.content
        assert "ratelimit-remaining" in again.headers  # the retry's own, counted
        assert await customers_named(database, body["name"]) == 1
        # The owner signed in is another caller: the same key is free for them.
        other = organization()
        mine = await client.post("/customers", json=other, headers=with_key(owner.headers, key))
        assert mine.status_code == 201 and "idempotent-replayed" not in mine.headers
        assert {(r.caller_kind, r.caller_id) for r in await key_rows(database, key)} == {
            ("api_key", api_key["key"]["id"]),
            ("user", owner.id),
        }


class TestFailures:
    @pytest.mark.parametrize(
        "failure",
        [RuntimeError("boom"), HTTPException(503, "down for a moment")],
        ids=["crash", "503"],
    )
    async def test_a_5xx_leaves_the_key_free_for_the_retry(
        self, client, users, database, monkeypatch, failure
    ):
        body, key = organization(), new_key()
        headers = with_key(users["am"].headers, key)
        real_create = customer_service.create

        async def failing(*args, **kwargs):
            raise failure

        monkeypatch.setattr(customer_service, "create", failing)
        failed = await client.post("/customers", json=body, headers=headers)
        assert failed.status_code >= 500
        assert await key_rows(database, key) == []
        monkeypatch.setattr(customer_service, "create", real_create)
        retried = await client.post("/customers", json=body, headers=headers)
        assert retried.status_code == 201, retried.text
        assert "idempotent-replayed" not in retried.headers
        assert await customers_named(database, body["name"]) == 1


class TestExpiry:
    async def test_a_key_lasts_24_hours_and_is_purged_after(self, client, users, database, clock):
        clock.at = datetime.now(UTC)
        body, key = organization(), new_key()
        headers = with_key(users["am"].headers, key)
        assert (await client.post("/customers", json=body, headers=headers)).status_code == 201
        clock.advance(hours=23, minutes=59)
        kept = await client.post("/customers", json=body, headers=headers)
        assert kept.headers["idempotent-replayed"] == "true"
        await run_idempotency_purge(database, clock)
        assert len(await key_rows(database, key)) == 1
        clock.advance(minutes=1)
        # Past its 24 hours the key is new again: another body is no longer "reused".
        other = organization()
        fresh = await client.post("/customers", json=other, headers=headers)
        assert fresh.status_code == 201 and "idempotent-replayed" not in fresh.headers
        assert await customers_named(database, other["name"]) == 1
        clock.advance(hours=24)
        purged = await run_idempotency_purge(database, clock)
        assert purged["purged"] >= 1
        assert await key_rows(database, key) == []


def _calls(dependant, into: list) -> list:
    for sub in dependant.dependencies:
        _calls(sub, into)
        into.append(sub.call)
    return into


async def test_every_post_claims_its_key_before_its_transaction_opens(app):
    """The claim is its own transaction: on SQLite it would wait for the write lock the
    route's unit of work holds, were the unit of work opened first."""
    checked, late = 0, []
    for route in iter_route_contexts(app.routes):
        if "POST" not in (route.methods or ()) or getattr(route, "dependant", None) is None:
            continue
        calls = _calls(route.dependant, [])
        if write_uow in calls and current_actor in calls:
            checked += 1
            if calls.index(write_uow) < calls.index(current_actor):
                late.append(route.path)
    assert checked > 30 and late == []
