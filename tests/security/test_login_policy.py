"""Sign-in limits: per (address, username) and per address, counted atomically, and never a
lock on the account itself (the owner signs in from elsewhere)."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx

from domain.user_service import MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_USER
from tests.conftest import PASSWORD, make_user
from tests.support import assert_problem

_next_address = iter(range(1, 60000))


@asynccontextmanager
async def from_address(app) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests come from an address of its own (in process: only the ASGI
    scope's client field differs; nothing leaves the machine)."""
    n = next(_next_address)
    transport = httpx.ASGITransport(
        app=app, raise_app_exceptions=False, client=(f"198.51.{n // 250}.{n % 250 + 1}", 40000)
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as c:
        yield c


async def attempt(client, username: str, password: str) -> int:
    response = await client.post("/auth/token", data={"username": username, "password": password})
    assert response.status_code in (200, 401, 429), response.text
    return response.status_code


class TestTheOwnerIsNeverLockedOut:
    async def test_after_an_attacker_hits_the_limit_the_owner_signs_in_elsewhere(
        self, app, client, database, clock
    ):
        user = await make_user(client, database, "admin")
        clock.at = datetime.now(UTC)
        async with from_address(app) as attacker, from_address(app) as owner:
            for _ in range(MAX_FAILURES_PER_USER):
                assert await attempt(attacker, user.username, "guess-guess-1") == 401
            refused = await attacker.post(
                "/auth/token", data={"username": user.username, "password": PASSWORD}
            )
            assert_problem(refused, 429, "rate-limited")
            assert int(refused.headers["retry-after"]) == 15 * 60
            assert await attempt(owner, user.username, PASSWORD) == 200

    async def test_the_attackers_address_still_signs_in_other_users(
        self, app, client, database, clock
    ):
        target = await make_user(client, database, "agent")
        colleague = await make_user(client, database, "agent")
        clock.at = datetime.now(UTC)
        async with from_address(app) as office:
            for _ in range(MAX_FAILURES_PER_USER):
                await attempt(office, target.username, "guess-guess-1")
            assert await attempt(office, target.username, PASSWORD) == 429
            assert await attempt(office, colleague.username, PASSWORD) == 200

    async def test_the_lock_lifts_after_the_window(self, app, client, database, clock):
        user = await make_user(client, database, "agent")
        clock.at = datetime.now(UTC)
        async with from_address(app) as attacker:
            for _ in range(MAX_FAILURES_PER_USER):
                await attempt(attacker, user.username, "guess-guess-1")
            assert await attempt(attacker, user.username, PASSWORD) == 429
            clock.advance(minutes=15, seconds=1)
            assert await attempt(attacker, user.username, PASSWORD) == 200

    async def test_hammering_a_locked_address_does_not_extend_its_lock(
        self, app, client, database, clock
    ):
        user = await make_user(client, database, "agent")
        clock.at = datetime.now(UTC)
        async with from_address(app) as attacker:
            for _ in range(MAX_FAILURES_PER_USER):
                await attempt(attacker, user.username, "guess-guess-1")
            clock.advance(minutes=10)
            for _ in range(20):
                assert await attempt(attacker, user.username, "guess-guess-2") == 429
            clock.advance(minutes=5, seconds=1)
            assert await attempt(attacker, user.username, PASSWORD) == 200

    async def test_a_success_clears_the_addresses_failures_for_that_user(
        self, app, client, database, clock
    ):
        user = await make_user(client, database, "agent")
        clock.at = datetime.now(UTC)
        async with from_address(app) as device:
            for _ in range(MAX_FAILURES_PER_USER - 1):
                await attempt(device, user.username, "typo-typo-1")
            assert await attempt(device, user.username, PASSWORD) == 200
            for _ in range(MAX_FAILURES_PER_USER - 1):
                assert await attempt(device, user.username, "typo-typo-2") == 401
            assert await attempt(device, user.username, PASSWORD) == 200


class TestSpraying:
    async def test_one_address_trying_many_usernames_is_limited(self, app, client, database, clock):
        victim = await make_user(client, database, "agent")
        clock.at = datetime.now(UTC)
        async with from_address(app) as sprayer, from_address(app) as victims_desk:
            for i in range(MAX_FAILURES_PER_ADDRESS):
                assert await attempt(sprayer, f"nobody-{i}", "Summer2026!!") == 401
            assert await attempt(sprayer, victim.username, PASSWORD) == 429
            assert await attempt(sprayer, "malformed user\n", "x") == 429
            assert await attempt(victims_desk, victim.username, PASSWORD) == 200

    async def test_malformed_usernames_count_as_one_user_and_against_the_address(self, app, clock):
        clock.at = datetime.now(UTC)
        async with from_address(app) as sprayer:
            for i in range(MAX_FAILURES_PER_USER):
                assert await attempt(sprayer, f"bad name {i}", "x") == 401
            assert await attempt(sprayer, "bad name again", "x") == 429
            for i in range(MAX_FAILURES_PER_ADDRESS - MAX_FAILURES_PER_USER):
                assert await attempt(sprayer, f"nobody-{i}", "x") == 401
            assert await attempt(sprayer, "nobody-else", "x") == 429


class TestConcurrentAttempts:
    async def test_a_burst_checks_no_more_passwords_than_the_limit(
        self, app, client, database, clock
    ):
        user = await make_user(client, database, "agent")
        clock.at = datetime.now(UTC)
        async with from_address(app) as attacker:
            statuses = Counter(
                await asyncio.gather(
                    *(attempt(attacker, user.username, f"guess-{i:04d}-x") for i in range(40))
                )
            )
        assert statuses[401] <= MAX_FAILURES_PER_USER, statuses
        assert statuses[401] + statuses[429] == 40, statuses
