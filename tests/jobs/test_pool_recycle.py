"""The `pool-recycle` job at simulated times, on the jobs database of each back-end.

Days are calendar days in Asia/Shanghai (UTC+8). With the defaults (release after 30 days,
warning 3 days before): a customer taken on 1 March 2025 at 15:00 is warned from 28 March
00:00 (27 days) and released from 31 March 00:00 (30 days), whatever the hour on 1 March.
The daily run is due at 02:00. Customers are made through the API by an account manager, so
their pool clocks start when they are created; effective follow-ups (the sales part) move
`owner_engaged_at`, which the tests set directly. All dates are long before the desk's own
customer was made, so it is never touched.
"""

import asyncio
import json
import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from jobs.pool_recycle import run_pool_recycle
from jobs.runner import AsOf
from persistence.models import (
    AuditEvent,
    Customer,
    JobRun,
    LifecycleAlert,
    LifecycleSettings,
    Notification,
)
from tests.conftest import TestUser as User
from tests.conftest import make_user, organization
from tests.jobs.conftest import Desk, local

DEFAULTS = {
    "pool_release_days": 30,
    "pool_warning_days": 3,
    "pool_no_order_days": None,
    "pool_claim_limit": 200,
    "pool_reclaim_cooldown_days": 7,
}


@pytest.fixture(scope="session")
async def sellers(service_desk: Desk) -> dict[str, User]:
    """Two account managers on the jobs database, made once (in no department: no ticket is
    ever routed to them)."""
    return {
        key: await make_user(
            service_desk.client, service_desk.database, "account_manager", prefix=key
        )
        for key in ("am", "am2")
    }


class Pool:
    def __init__(self, desk: Desk, sellers: dict[str, User]) -> None:
        self.desk, self.sellers = desk, sellers
        self.users = {**desk.users, **sellers}

    async def reset(self) -> None:
        """Forget the previous test's customers (the desk's own stays), alerts and settings."""
        async with self.desk.database.session(write=True) as s:
            await s.execute(delete(Customer).where(Customer.id != self.desk.customer_id))
            await s.execute(delete(LifecycleAlert))
            await s.execute(update(LifecycleSettings).values(**DEFAULTS))

    async def call(self, at: datetime, user: str, method: str, path: str, json: Any = None) -> Any:
        """An API call made at `at` (the app's clock) by users[user]."""
        self.desk.clock.at = at
        return await self.desk.client.request(
            method, path, json=json, headers=self.users[user].headers
        )

    async def settings(self, **values: Any) -> None:
        r = await self.call(
            local("2020-01-01 00:00"), "admin", "PATCH", "/lifecycle-settings", values
        )
        assert r.status_code == 200, r.text

    async def customer(self, at: datetime, owner: str = "am", **fields: Any) -> dict[str, Any]:
        """A customer `owner` creates at `at`: its pool clocks start then."""
        self.desk.clock.at = at
        r = await self.desk.client.post(
            "/customers", json=organization(**fields), headers=self.users[owner].headers
        )
        assert r.status_code == 201, r.text
        return r.json()

    async def set(self, customer_id: int, **values: Any) -> None:
        """What other parts do: effective follow-ups move owner_engaged_at, orders
        last_order_on."""
        async with self.desk.database.session(write=True) as s:
            await s.execute(update(Customer).where(Customer.id == customer_id).values(**values))

    async def run(self, at: datetime) -> dict[str, int]:
        """One run as of `at`, straight (not through the runner's once-per-day claim)."""
        return await run_pool_recycle(self.desk.database, AsOf(at), zone="Asia/Shanghai")

    async def row(self, customer_id: int) -> Customer:
        async with self.desk.database.session(write=False) as s:
            return (await s.scalars(select(Customer).where(Customer.id == customer_id))).one()

    async def owner_key(self, customer_id: int) -> str | None:
        owner_id = (await self.row(customer_id)).owner_id
        return None if owner_id is None else self.key_of(owner_id)

    def key_of(self, user_id: int) -> str:
        return next(k for k, u in self.users.items() if u.id == user_id)

    async def notes(self, customer_id: int) -> list[tuple[str, str]]:
        """(user key, kind) of every notification about the customer, duplicates kept."""
        async with self.desk.database.session(write=False) as s:
            rows = (
                await s.execute(
                    select(Notification.user_id, Notification.kind).where(
                        Notification.entity_type == "customer",
                        Notification.entity_id == customer_id,
                    )
                )
            ).all()
        return sorted((self.key_of(u), k) for u, k in rows)

    async def alerts(self, customer_id: int) -> list[tuple[str, str]]:
        async with self.desk.database.session(write=False) as s:
            rows = (
                await s.execute(
                    select(LifecycleAlert.kind, LifecycleAlert.cycle).where(
                        LifecycleAlert.entity_id == customer_id
                    )
                )
            ).all()
        return sorted((kind, cycle) for kind, cycle in rows)

    async def history(self, customer_id: int) -> list[dict[str, Any]]:
        r = await self.desk.client.get(
            f"/customers/{customer_id}/history",
            params={"limit": 200},
            headers=self.users["admin"].headers,
        )
        assert r.status_code == 200, r.text
        return list(reversed(r.json()["items"]))

    async def totals(self) -> dict[str, Any]:
        """Everything a run with nothing to do must leave alone."""
        async with self.desk.database.session(write=False) as s:
            counts = {
                m.__tablename__: int(await s.scalar(select(func.count()).select_from(m)))
                for m in (Notification, AuditEvent, LifecycleAlert, JobRun)
            }
            counts["customers"] = sorted(
                (
                    await s.execute(
                        select(
                            Customer.id,
                            Customer.owner_id,
                            Customer.version,
                            Customer.pool_entered_at,
                        )
                    )
                ).all()
            )
        return counts


@pytest.fixture
async def pool(desk: Desk, sellers: dict[str, User]) -> Pool:
    p = Pool(desk, sellers)
    await p.reset()
    return p


NOTHING = {
    "released": 0,
    "released_no_follow_up": 0,
    "released_no_order": 0,
    "warnings": 0,
    "order_warnings": 0,
    "notifications": 0,
    "audit_events": 0,
}


class TestRelease:
    async def test_released_on_the_thirtieth_calendar_day_not_before(self, pool):
        c = await pool.customer(local("2025-03-01 15:00"))
        assert (await pool.run(local("2025-03-30 23:59:59")))["released"] == 0
        assert await pool.owner_key(c["id"]) == "am"

        result = await pool.run(local("2025-03-31 00:00"))
        assert result["released"] == result["released_no_follow_up"] == 1
        row = await pool.row(c["id"])
        assert row.owner_id is None and row.released_by == pool.users["am"].id
        assert row.pool_entered_at == local("2025-03-31 00:00")
        assert row.version == c["version"] + 1
        assert ("am", "pool_release") in await pool.notes(c["id"])
        release = (await pool.history(c["id"]))[-1]
        assert (release["action"], release["actor_id"], release["entity_type"]) == (
            "release",
            None,
            "customer",
        )
        assert release["changes"] == {
            "owner_id": [pool.users["am"].id, None],
            "pool_entered_at": [None, local("2025-03-31 00:00").isoformat()],
            "release_reason": [None, "no_follow_up"],
        }

    @pytest.mark.parametrize(
        ("taken_on", "kept_at", "released_at"),
        [
            ("2025-03-01 00:00", "2025-03-30 23:59:59", "2025-03-31 00:00"),
            ("2025-03-01 23:59:59", "2025-03-30 23:59:59", "2025-03-31 00:00"),
            ("2025-03-02 00:00", "2025-03-31 23:59:59", "2025-04-01 00:00"),
        ],
    )
    async def test_the_hour_of_the_day_does_not_matter(self, pool, taken_on, kept_at, released_at):
        c = await pool.customer(local(taken_on))
        await pool.run(local(kept_at))
        assert await pool.owner_key(c["id"]) == "am"
        await pool.run(local(released_at))
        assert await pool.owner_key(c["id"]) is None

    async def test_a_follow_up_moves_the_clock(self, pool):
        c = await pool.customer(local("2025-03-01 15:00"))
        await pool.set(c["id"], owner_engaged_at=local("2025-03-20 10:00"))
        assert (await pool.run(local("2025-04-18 23:59")))["released"] == 0
        assert (await pool.run(local("2025-04-19 00:00")))["released"] == 1

    async def test_the_daily_run_at_two(self, pool):
        c = await pool.customer(local("2025-03-01 15:00"))
        before = await pool.desk.run("pool-recycle", local("2025-03-30 02:00"))
        assert before["ran"] and before["due_at"] == "2025-03-29T18:00:00+00:00"
        assert await pool.owner_key(c["id"]) == "am"
        after = await pool.desk.run("pool-recycle", local("2025-03-31 02:00"))
        assert after["ran"] and after["result"]["released"] == 1
        again = await pool.desk.run("pool-recycle", local("2025-03-31 09:00"))
        assert again["ran"] is False  # this due time already ran

    async def test_a_second_run_changes_nothing(self, pool):
        cs = [await pool.customer(local("2025-03-01 15:00"), owner=o) for o in ("am", "am2")]
        await pool.customer(local("2025-03-03 15:00"))  # warned, not released
        first = await pool.run(local("2025-03-31 02:00"))
        assert (
            first["released"],
            first["warnings"],
            first["notifications"],
            first["audit_events"],
        ) == (2, 1, 3, 2)
        totals = await pool.totals()
        assert await pool.run(local("2025-03-31 02:00")) == NOTHING
        assert await pool.run(local("2025-03-31 18:00")) == NOTHING
        assert await pool.totals() == totals
        for c in cs:
            assert [e["action"] for e in await pool.history(c["id"])].count("release") == 1

    async def test_archived_customers_are_left_alone(self, pool):
        c = await pool.customer(local("2025-03-01 15:00"))
        pool.desk.clock.at = local("2025-03-10 10:00")
        r = await pool.desk.client.post(
            f"/customers/{c['id']}/archive",
            json={"reason": "停止合作"},
            headers=pool.users["am"].headers,
        )
        assert r.status_code == 200, r.text
        assert await pool.run(local("2025-06-01 02:00")) == NOTHING
        row = await pool.row(c["id"])
        assert row.owner_id == pool.users["am"].id and row.pool_entered_at is None
        assert await pool.alerts(c["id"]) == []

    async def test_unarchiving_gives_the_owner_a_fresh_period(self, pool):
        c = await pool.customer(local("2025-03-01 15:00"))
        pool.desk.clock.at = local("2025-03-10 10:00")
        r = await pool.desk.client.post(
            f"/customers/{c['id']}/archive",
            json={"reason": "暂停"},
            headers=pool.users["am"].headers,
        )
        assert r.status_code == 200, r.text
        pool.desk.clock.at = local("2025-05-01 10:00")
        r = await pool.desk.client.post(
            f"/customers/{c['id']}/unarchive",
            json={"reason": "恢复"},
            headers=pool.users["admin"].headers,
        )
        assert r.status_code == 200, r.text
        assert (await pool.run(local("2025-05-30 23:59")))["released"] == 0
        assert (await pool.run(local("2025-05-31 00:00")))["released"] == 1

    async def test_a_pool_customer_is_not_released_again(self, pool):
        c = await pool.customer(local("2025-03-01 15:00"))
        await pool.run(local("2025-03-31 02:00"))
        totals = await pool.totals()
        assert await pool.run(local("2025-09-01 02:00")) == NOTHING
        assert await pool.totals() == totals
        assert (await pool.row(c["id"])).pool_entered_at == local("2025-03-31 02:00")

    async def test_the_release_period_follows_the_settings(self, pool):
        await pool.settings(pool_release_days=10, pool_warning_days=2)
        c = await pool.customer(local("2025-03-01 15:00"))
        assert (await pool.run(local("2025-03-10 23:59")))["released"] == 0
        assert (await pool.run(local("2025-03-11 00:00")))["released"] == 1
        assert await pool.owner_key(c["id"]) is None


class TestWarning:
    async def test_warned_once_three_days_before(self, pool):
        c = await pool.customer(local("2025-03-01 15:00"))
        quiet = await pool.run(local("2025-03-27 23:59:59"))
        assert quiet == NOTHING and await pool.notes(c["id"]) == []

        warned = await pool.run(local("2025-03-28 00:00"))
        assert (warned["warnings"], warned["notifications"], warned["released"]) == (1, 1, 0)
        assert await pool.notes(c["id"]) == [("am", "pool_warning")]
        assert await pool.alerts(c["id"]) == [("pool-warning", "2025-03-01T07:00:00.000000Z")]
        r = await pool.desk.client.get(
            "/notifications", params={"limit": 200}, headers=pool.users["am"].headers
        )
        [note] = [n for n in r.json()["items"] if n["entity_id"] == c["id"]]
        # The reader's language renders it from the parameters; no body in one language.
        assert c["name"] in note["title"] and note["body"] is None
        assert note["params"] == {"name": c["name"], "target": "no_follow_up", "days": 3}

        for at in ("2025-03-28 02:00", "2025-03-29 02:00", "2025-03-30 02:00"):
            assert await pool.run(local(at)) == NOTHING
        assert await pool.notes(c["id"]) == [("am", "pool_warning")]
        released = await pool.run(local("2025-03-31 02:00"))
        assert (released["released"], released["warnings"]) == (1, 0)
        assert await pool.notes(c["id"]) == [("am", "pool_release"), ("am", "pool_warning")]

    async def test_re_engaging_starts_a_new_cycle(self, pool):
        c = await pool.customer(local("2025-03-01 15:00"))
        await pool.run(local("2025-03-28 02:00"))
        await pool.set(c["id"], owner_engaged_at=local("2025-03-29 10:00"))
        assert await pool.run(local("2025-03-31 02:00")) == NOTHING
        assert await pool.run(local("2025-04-24 23:59")) == NOTHING
        assert (await pool.run(local("2025-04-25 00:00")))["warnings"] == 1
        assert [kind for kind, _ in await pool.alerts(c["id"])] == ["pool-warning"] * 2
        assert await pool.notes(c["id"]) == [("am", "pool_warning")] * 2
        assert (await pool.run(local("2025-04-28 00:00")))["released"] == 1

    async def test_a_customer_past_both_is_released_without_a_warning(self, pool):
        c = await pool.customer(local("2025-03-01 15:00"))
        result = await pool.run(local("2025-05-01 02:00"))
        assert (result["released"], result["warnings"]) == (1, 0)
        assert await pool.notes(c["id"]) == [("am", "pool_release")]

    async def test_a_new_owner_starts_a_new_cycle(self, pool):
        """Released, claimed by someone else: their own warning comes 27 days later."""
        c = await pool.customer(local("2025-03-01 15:00"))
        await pool.run(local("2025-03-28 02:00"))
        await pool.run(local("2025-03-31 02:00"))
        r = await pool.call(local("2025-04-02 11:00"), "am2", "POST", f"/pool/{c['id']}/claim")
        assert r.status_code == 200, r.text
        assert await pool.run(local("2025-04-28 23:59")) == NOTHING
        assert (await pool.run(local("2025-04-29 00:00")))["warnings"] == 1
        assert ("am2", "pool_warning") in await pool.notes(c["id"])
        assert (await pool.run(local("2025-05-02 00:00")))["released"] == 1
        assert (await pool.row(c["id"])).released_by == pool.users["am2"].id


class TestNoOrderRule:
    """pool_no_order_days = 60: owned since 1 January 2025 with no order, the customer goes on
    2 March (warned on 27 February) however often it is followed up."""

    async def following_up(self, pool, customer_id: int, at: datetime) -> dict[str, int]:
        await pool.set(customer_id, owner_engaged_at=at)
        return await pool.run(at)

    async def test_released_after_sixty_days_without_an_order(self, pool):
        await pool.settings(pool_no_order_days=60)
        c = await pool.customer(local("2025-01-01 09:00"))
        assert await self.following_up(pool, c["id"], local("2025-02-26 23:59")) == NOTHING
        warned = await self.following_up(pool, c["id"], local("2025-02-27 00:00"))
        assert (warned["order_warnings"], warned["warnings"], warned["released"]) == (1, 0, 0)
        assert await pool.alerts(c["id"]) == [
            ("pool-warning-order", "2025-01-01T01:00:00.000000Z|")
        ]
        assert await self.following_up(pool, c["id"], local("2025-03-01 23:59")) == NOTHING
        released = await self.following_up(pool, c["id"], local("2025-03-02 00:00"))
        assert (released["released"], released["released_no_order"]) == (1, 1)
        assert await pool.notes(c["id"]) == [("am", "pool_release"), ("am", "pool_warning")]
        event = (await pool.history(c["id"]))[-1]
        assert event["changes"]["release_reason"] == [None, "no_order"]

    async def test_an_order_restarts_the_count(self, pool):
        await pool.settings(pool_no_order_days=60)
        c = await pool.customer(local("2025-01-01 09:00"))
        await pool.set(c["id"], last_order_on=date(2025, 2, 10))
        assert await self.following_up(pool, c["id"], local("2025-04-10 23:59")) == {
            **NOTHING,
            "order_warnings": 1,
            "notifications": 1,
        }
        assert await pool.alerts(c["id"]) == [
            ("pool-warning-order", "2025-01-01T01:00:00.000000Z|2025-02-10")
        ]
        assert (await self.following_up(pool, c["id"], local("2025-04-11 00:00")))[
            "released_no_order"
        ] == 1

    async def test_an_order_before_the_ownership_does_not_count_against_the_new_owner(self, pool):
        await pool.settings(pool_no_order_days=60)
        c = await pool.customer(local("2025-01-01 09:00"))
        await pool.set(c["id"], last_order_on=date(2023, 6, 1))
        assert (await self.following_up(pool, c["id"], local("2025-01-02 02:00")))["released"] == 0
        assert (await self.following_up(pool, c["id"], local("2025-03-01 23:59")))["released"] == 0
        assert (await self.following_up(pool, c["id"], local("2025-03-02 00:00")))["released"] == 1

    async def test_off_by_default(self, pool):
        c = await pool.customer(local("2025-01-01 09:00"))
        assert await self.following_up(pool, c["id"], local("2025-12-01 02:00")) == NOTHING
        assert await pool.owner_key(c["id"]) == "am"

    async def test_twice_changes_nothing(self, pool):
        await pool.settings(pool_no_order_days=60)
        c = await pool.customer(local("2025-01-01 09:00"))
        await pool.customer(local("2024-12-01 09:00"))
        await pool.set(c["id"], owner_engaged_at=local("2025-03-01 10:00"))
        first = await pool.run(local("2025-03-02 02:00"))
        assert first["released"] == 2 and first["released_no_order"] == 1
        totals = await pool.totals()
        assert await pool.run(local("2025-03-02 02:00")) == NOTHING
        assert await pool.totals() == totals


class TestClaimAfterRelease:
    async def test_the_history_tells_the_story_and_the_releaser_waits(self, pool):
        c = await pool.customer(local("2025-03-01 15:00"))
        await pool.run(local("2025-03-31 02:00"))
        # Released on 31 March: its releaser may claim it back from 7 April.
        r = await pool.call(local("2025-04-06 23:59"), "am", "POST", f"/pool/{c['id']}/claim")
        assert r.status_code == 409 and r.json()["code"] == "reclaim-cooldown"
        r = await pool.call(local("2025-04-07 00:00"), "am", "POST", f"/pool/{c['id']}/claim")
        assert r.status_code == 200, r.text
        assert [e["action"] for e in await pool.history(c["id"])] == ["create", "release", "claim"]
        row = await pool.row(c["id"])
        assert (row.owner_engaged_at, row.owned_since, row.pool_entered_at) == (
            local("2025-04-07 00:00"),
            local("2025-04-07 00:00"),
            None,
        )
        # A fresh period: kept until 7 May.
        assert (await pool.run(local("2025-05-06 23:59")))["released"] == 0
        assert (await pool.run(local("2025-05-07 00:00")))["released"] == 1


class TestCommandLine:
    @pytest.mark.parametrize("jobs_database_url", ["sqlite"], indirect=True)
    async def test_crm_run_job_pool_recycle(self, pool):
        c = await pool.customer(local("2025-03-01 15:00"))
        crm = Path(sys.executable).with_name("crm")
        process = await asyncio.create_subprocess_exec(
            str(crm),
            "run-job",
            "pool-recycle",
            "--now",
            "2025-03-31T02:00:00+08:00",
            env={**os.environ, "CRM_DATABASE_URL": pool.desk.url},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 120)  # never hang
        assert process.returncode == 0, err.decode()
        result = json.loads(out)
        assert result["ran"] is True and result["due_at"] == "2025-03-30T18:00:00+00:00"
        assert result["result"]["released"] == 1
        assert await pool.owner_key(c["id"]) is None
