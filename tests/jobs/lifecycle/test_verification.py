"""The `verification` job and `POST /customers/{id}/verify` at simulated times.

Hand-computed with verification_days 90: a customer created on 2024-01-10 (Shanghai) and never
checked is due on 2024-01-10 + 90 = 2024-04-09 (21 days of January, 29 of February, 31 of
March, 9 of April). Checked on 2024-04-10, the next check is due 2024-07-09 (20 + 31 + 30 + 9)."""

from datetime import datetime

from tests.jobs.conftest import local

CREATED = local("2024-01-10 10:00")
QUIET = {"alerts": 0, "notifications": 0, "tasks": 0}


class TestReminders:
    async def test_due_ninety_days_after_creation_once(self, world):
        c = await world.customer(created=CREATED, name="核查测试有限公司")
        assert await world.run("verification", local("2024-04-08 02:30")) == {
            "as_of": "2024-04-08",
            **QUIET,
        }
        assert await world.notified(c) == []

        assert await world.run("verification", local("2024-04-09 02:30")) == {
            "as_of": "2024-04-09",
            "alerts": 1,
            "notifications": 1,
            "tasks": 1,
        }
        assert await world.notified(c) == [("am", "verification_due")]
        assert await world.tasks(c) == [("am", "verification", False)]
        assert await world.alerts(c) == [("verification", "2024-04-09")]

        for at in ("2024-04-10 02:30", "2024-05-20 02:30"):
            result = await world.run("verification", local(at))
            assert {k: v for k, v in result.items() if k != "as_of"} == QUIET
        assert await world.notified(c) == [("am", "verification_due")]

    async def test_the_due_date_is_a_local_calendar_day(self, world):
        # 00:30 on Jan 10 in Shanghai is Jan 9 in UTC; the cycle must still be 04-09.
        c = await world.customer(created=local("2024-01-10 00:30"))
        await world.run_at("verification", local("2024-04-08 23:59:59"))
        assert await world.alerts(c) == []
        await world.run_at("verification", local("2024-04-09 00:00"))
        assert await world.alerts(c) == [("verification", "2024-04-09")]

    async def test_a_second_run_changes_nothing(self, world):
        await world.customer(created=CREATED)
        await world.run_at("verification", local("2024-04-09 02:30"))
        before = await world.snapshot()
        assert await world.run_at("verification", local("2024-04-09 02:30")) == {
            "as_of": "2024-04-09",
            **QUIET,
        }
        assert await world.snapshot() == before

    async def test_the_period_comes_from_the_settings(self, world):
        await world.set_thresholds(verification_days=30)
        c = await world.customer(created=CREATED)  # 2024-01-10 + 30 = 2024-02-09
        await world.run("verification", local("2024-02-08 02:30"))
        assert await world.alerts(c) == []
        await world.run("verification", local("2024-02-09 02:30"))
        assert await world.alerts(c) == [("verification", "2024-02-09")]

    async def test_pool_archived_and_inactive_owners_are_skipped(self, world):
        pool = await world.customer(owner=None, created=CREATED)
        archived = await world.customer(archived=True, created=CREATED)
        orphaned = await world.customer(owner="am_off", created=CREATED)
        result = await world.run("verification", local("2024-04-09 02:30"))
        assert result == {"as_of": "2024-04-09", **QUIET}
        for c in (pool, archived, orphaned):
            assert await world.alerts(c) == [] and await world.notified(c) == []


class TestVerify:
    async def test_a_check_starts_the_next_cycle_and_completes_the_task(self, world):
        c = await world.customer(created=CREATED)
        await world.run("verification", local("2024-04-09 02:30"))
        checked_at = local("2024-04-10 11:00")
        world.clock.at = checked_at
        r = await world.client.post(
            f"/customers/{c}/verify", json={"note": "地址已更新"}, headers=world.users["am"].headers
        )
        assert r.status_code == 200, r.text
        assert datetime.fromisoformat(r.json()["verified_at"]) == checked_at
        customer = await world.get(c)
        assert (customer.verified_at, customer.verified_by) == (checked_at, world.users["am"].id)
        assert await world.tasks(c) == [("am", "verification", True)]
        [check] = await world.history(c, "verify")
        assert check["actor_id"] == world.users["am"].id
        assert check["changes"]["note"] == [None, "地址已更新"]
        assert check["changes"]["verified_by"] == [None, world.users["am"].id]
        [done] = await world.history(c, "complete")
        assert done["entity_type"] == "task" and done["changes"]["done_at"][0] is None

        # next cycle: 2024-04-10 + 90 = 2024-07-09
        await world.run("verification", local("2024-07-08 02:30"))
        assert await world.notified(c) == [("am", "verification_due")]
        await world.run("verification", local("2024-07-09 02:30"))
        assert await world.notified(c) == [("am", "verification_due")] * 2
        assert await world.alerts(c) == [
            ("verification", "2024-04-09"),
            ("verification", "2024-07-09"),
        ]
        assert await world.tasks(c) == [("am", "verification", False), ("am", "verification", True)]

    async def test_a_check_before_the_due_date_postpones_the_reminder(self, world):
        c = await world.customer(created=CREATED)
        world.clock.at = local("2024-04-01 00:30")  # still 03-31 in UTC
        r = await world.client.post(
            f"/customers/{c}/verify", json={}, headers=world.users["admin"].headers
        )
        assert r.status_code == 200, r.text
        await world.run("verification", local("2024-04-09 02:30"))
        assert await world.alerts(c) == []
        # 2024-04-01 + 90 = 2024-06-30, counted from the local day of the check
        await world.run_at("verification", local("2024-06-29 23:59:59"))
        assert await world.alerts(c) == []
        await world.run_at("verification", local("2024-06-30 00:00"))
        assert await world.alerts(c) == [("verification", "2024-06-30")]
