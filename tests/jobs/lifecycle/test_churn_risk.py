"""The `churn-risk` job at simulated times.

Hand-computed with the defaults (no order for 365 days, a complaint in the last 90): last
order 2023-06-01, complaint opened 2024-05-20 14:00 Shanghai.
- The order drought reaches 365 days on 2023-06-01 + 365 = 2024-05-31 (2024 is a leap year).
- The complaint is "in the last 90 days" through 2024-08-17 (day 1 is 05-20: 12 days of May,
  30 of June, 31 of July, 17 of August = 90) and not any more on 2024-08-18.
So: active on 05-30, churn_risk from 05-31, active again on 08-18."""

from tests.jobs.conftest import local
from tests.jobs.lifecycle.conftest import World

LAST_ORDER = "2023-06-01"
COMPLAINT = local("2024-05-20 14:00")
QUIET = {"churn_risk": 0, "cleared": 0, "alerts": 0, "notifications": 0}


async def at_risk(world: World, **customer: object) -> int:
    c = await world.customer(**customer)
    await world.order(c, LAST_ORDER, "5000.00")
    await world.ticket(c, COMPLAINT, type="complaint")
    return c


class TestRule:
    async def test_turns_churn_risk_when_the_order_drought_reaches_365_days(self, world):
        c = await at_risk(world, name="老客户有限公司")
        assert await world.run("churn-risk", local("2024-05-30 02:15")) == {
            "as_of": "2024-05-30",
            **QUIET,
        }
        assert await world.status(c) == "active"

        result = await world.run("churn-risk", local("2024-05-31 02:15"))
        assert result == {
            "as_of": "2024-05-31",
            **QUIET,
            "churn_risk": 1,
            "alerts": 1,
            "notifications": 1,
        }
        assert await world.status(c) == "churn_risk"
        assert await world.notified(c) == [("am", "customer_churn_risk")]
        assert await world.alerts(c) == [("churn_risk", "2024-05-31")]

    async def test_clears_when_the_complaint_is_more_than_90_days_old(self, world):
        c = await at_risk(world)
        await world.run("churn-risk", local("2024-05-31 02:15"))
        await world.run_at("churn-risk", local("2024-08-17 23:59:59"))
        assert await world.status(c) == "churn_risk"
        result = await world.run_at("churn-risk", local("2024-08-18 00:00"))
        assert result["cleared"] == 1
        assert await world.status(c) == "active"
        assert [e["changes"] for e in await world.history(c, "lifecycle")] == [
            {"activity_status": ["active", "churn_risk"]},
            {"activity_status": ["churn_risk", "active"]},
        ]

    async def test_clears_when_the_customer_orders_again(self, world):
        c = await at_risk(world)
        await world.run("churn-risk", local("2024-06-01 02:15"))
        await world.order(c, "2024-06-10", "800.00")
        assert (await world.run("churn-risk", local("2024-06-11 02:15")))["cleared"] == 1
        assert await world.status(c) == "active"

    async def test_the_order_threshold_is_a_local_calendar_day(self, world):
        c = await at_risk(world)
        await world.run_at("churn-risk", local("2024-05-30 23:59:59"))
        assert await world.status(c) == "active"
        await world.run_at("churn-risk", local("2024-05-31 00:00"))
        assert await world.status(c) == "churn_risk"

    async def test_thresholds_come_from_the_settings(self, world):
        await world.set_thresholds(churn_no_order_days=30, churn_complaint_days=10)
        c = await world.customer()
        await world.order(c, "2024-05-01", "100.00")  # 30 days: 2024-05-31
        await world.ticket(c, local("2024-05-25 09:00"), type="complaint")  # through 06-03
        await world.run("churn-risk", local("2024-05-30 02:15"))
        assert await world.status(c) == "active"
        await world.run("churn-risk", local("2024-05-31 02:15"))
        assert await world.status(c) == "churn_risk"
        await world.run("churn-risk", local("2024-06-03 02:15"))
        assert await world.status(c) == "churn_risk"
        await world.run("churn-risk", local("2024-06-04 02:15"))
        assert await world.status(c) == "active"

    async def test_what_does_not_count(self, world):
        no_orders = await world.customer()
        await world.ticket(no_orders, COMPLAINT, type="complaint")
        other_ticket = await world.customer()
        await world.order(other_ticket, LAST_ORDER, "100.00")
        await world.ticket(other_ticket, COMPLAINT, type="after_sales_repair")
        cancelled_complaint = await world.customer()
        await world.order(cancelled_complaint, LAST_ORDER, "100.00")
        await world.ticket(cancelled_complaint, COMPLAINT, type="complaint", status="cancelled")
        only_cancelled_orders = await world.customer()
        await world.order(only_cancelled_orders, LAST_ORDER, "100.00", status="cancelled")
        await world.ticket(only_cancelled_orders, COMPLAINT, type="complaint")
        result = await world.run("churn-risk", local("2024-06-01 02:15"))
        assert result["churn_risk"] == 0
        for c in (no_orders, other_ticket, cancelled_complaint, only_cancelled_orders):
            assert await world.status(c) == "active"


class TestOncePerSpell:
    async def test_a_second_run_changes_nothing(self, world):
        c = await at_risk(world)
        await world.run_at("churn-risk", local("2024-06-01 02:15"))
        before = await world.snapshot()
        for at in ("2024-06-01 02:15", "2024-06-02 02:15", "2024-07-01 02:15"):
            result = await world.run_at("churn-risk", local(at))
            assert {k: v for k, v in result.items() if k != "as_of"} == QUIET
        assert await world.snapshot() == before
        assert await world.notified(c) == [("am", "customer_churn_risk")]

    async def test_a_new_spell_is_told_again(self, world):
        c = await at_risk(world)
        await world.run("churn-risk", local("2024-06-01 02:15"))
        await world.run("churn-risk", local("2024-08-18 02:15"))  # complaint too old
        assert await world.status(c) == "active"
        await world.ticket(c, local("2024-09-02 10:00"), type="complaint")
        await world.run("churn-risk", local("2024-09-03 02:15"))
        assert await world.status(c) == "churn_risk"
        assert await world.notified(c) == [("am", "customer_churn_risk")] * 2
        assert await world.alerts(c) == [("churn_risk", "2024-06-01"), ("churn_risk", "2024-09-03")]


class TestPrecedence:
    async def test_churn_risk_wins_over_dormant_both_ways(self, world):
        # dormancy 30 days: the complaint of 05-20 is the last interaction, so the customer is
        # dormant from 06-19 and meets the churn rule at the same time.
        await world.set_thresholds(dormancy_days=30)
        c = await at_risk(world)
        await world.run("dormancy", local("2024-06-20 02:00"))
        assert await world.status(c) == "dormant"
        result = await world.run("churn-risk", local("2024-06-20 02:15"))
        assert result["churn_risk"] == 1
        assert await world.status(c) == "churn_risk"
        await world.run("dormancy", local("2024-06-21 02:00"))
        assert await world.status(c) == "churn_risk"  # the dormancy job leaves it alone
        # The complaint ages out: back to active, and the next dormancy run makes it
        # dormant again (a new spell, so its owner is asked again).
        await world.run("churn-risk", local("2024-08-18 02:15"))
        assert await world.status(c) == "active"
        await world.run("dormancy", local("2024-08-19 02:00"))
        assert await world.status(c) == "dormant"
        assert await world.notified(c) == sorted(
            [("am", "customer_dormant")] * 2 + [("am", "customer_churn_risk")]
        )


class TestWhoIsLeftOut:
    async def test_archived_customers_are_skipped(self, world):
        c = await at_risk(world, archived=True)
        assert (await world.run("churn-risk", local("2024-06-01 02:15")))["churn_risk"] == 0
        assert await world.status(c) == "active"

    async def test_a_pool_customer_is_at_risk_but_nobody_is_told(self, world):
        c = await at_risk(world, owner=None)
        result = await world.run("churn-risk", local("2024-06-01 02:15"))
        assert (result["churn_risk"], result["notifications"]) == (1, 0)
        assert await world.status(c) == "churn_risk" and await world.notified(c) == []

    async def test_an_inactive_owner_is_not_told(self, world):
        c = await at_risk(world, owner="am_off")
        result = await world.run("churn-risk", local("2024-06-01 02:15"))
        assert (result["churn_risk"], result["notifications"]) == (1, 0)
        assert await world.notified(c) == []
