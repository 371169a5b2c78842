"""The `stale-opportunities` job at simulated times (daily at 02:00 Asia/Shanghai).

An opportunity opened Mon 2025-03-03 10:00 Shanghai with the default 30 days is stale from
Wed 04-02 (30 calendar days later). An effective follow-up on Sat 04-05 starts a new quiet
spell, stale from Mon 05-05."""

from datetime import UTC, datetime

from sqlalchemy import update

from jobs.runner import AsOf
from jobs.stale_opportunities import run_stale_opportunities
from persistence.models import LifecycleSettings
from tests.jobs.conftest import local
from tests.jobs.sales_desk import sales  # noqa: F401  (fixture)

OPENED = local("2025-03-03 10:00")


async def stale_days(sales, days: int) -> None:
    async with sales.desk.database.session(write=True) as s:
        await s.execute(
            update(LifecycleSettings)
            .where(LifecycleSettings.id == 1)
            .values(stale_opportunity_days=days)
        )


class TestStaleOpportunities:
    async def test_once_per_quiet_spell(self, sales):
        customer = await sales.customer(OPENED)
        opp = await sales.opportunity(OPENED, customer)
        await sales.desk.run("stale-opportunities", local("2025-04-01 02:00"))
        assert await sales.inbox() == []

        run = await sales.desk.run("stale-opportunities", local("2025-04-02 02:00"))
        assert run["result"] == {"stale": 1, "notifications": 1, "stale_opportunity_days": 30}
        assert await sales.inbox() == [("am", "stale_opportunity", "opportunity", opp["id"])]
        [(entity, cycle)] = await sales.alerts("stale-opportunity")
        assert entity == opp["id"]
        assert datetime.fromisoformat(cycle) == OPENED  # the spell began when it was opened
        note = await sales.notification("stale_opportunity", opp["id"])
        assert note.title == "商机停滞: 年度采购商机" and "30" in note.body

        totals = await sales.totals()
        again = await run_stale_opportunities(sales.desk.database, AsOf(local("2025-04-02 02:00")))
        assert again["stale"] == 0 and again["notifications"] == 0
        for day in ("2025-04-03", "2025-04-04"):
            await sales.desk.run("stale-opportunities", local(f"{day} 02:00"))
        assert await sales.totals() == totals

        # a follow-up without an answer changes nothing; an effective one starts a new spell
        await sales.follow_up(local("2025-04-04 15:00"), customer, opportunity_id=opp["id"])
        await sales.follow_up(
            local("2025-04-05 15:00"), customer, opportunity_id=opp["id"], effective=True
        )
        await sales.desk.run("stale-opportunities", local("2025-05-04 02:00"))
        assert len(await sales.inbox()) == 1
        await sales.desk.run("stale-opportunities", local("2025-05-05 02:00"))
        assert await sales.inbox() == [("am", "stale_opportunity", "opportunity", opp["id"])] * 2
        cycles = [datetime.fromisoformat(c) for _, c in await sales.alerts("stale-opportunity")]
        assert sorted(cycles) == [OPENED, local("2025-04-05 15:00")]

    async def test_stale_from_midnight_in_shanghai(self, sales):
        customer = await sales.customer(OPENED)
        await sales.opportunity(OPENED, customer)
        before = datetime(2025, 4, 1, 15, 59, 59, tzinfo=UTC)  # 04-01 23:59:59 in Shanghai
        assert (await run_stale_opportunities(sales.desk.database, AsOf(before)))["stale"] == 0
        after = datetime(2025, 4, 1, 16, 0, tzinfo=UTC)  # 04-02 00:00
        assert (await run_stale_opportunities(sales.desk.database, AsOf(after)))["stale"] == 1

    async def test_the_threshold_is_configurable(self, sales):
        customer = await sales.customer(OPENED)
        opp = await sales.opportunity(OPENED, customer)
        await stale_days(sales, 10)
        try:
            await sales.desk.run("stale-opportunities", local("2025-03-12 02:00"))
            assert await sales.inbox() == []
            run = await sales.desk.run("stale-opportunities", local("2025-03-13 02:00"))
            assert run["result"]["stale_opportunity_days"] == 10
            assert await sales.inbox() == [("am", "stale_opportunity", "opportunity", opp["id"])]
        finally:
            await stale_days(sales, 30)

    async def test_closed_opportunities_and_archived_customers_are_skipped(self, sales):
        customer = await sales.customer(OPENED)
        won = await sales.opportunity(OPENED, customer, stage="contract")
        await sales.ok(
            OPENED, "am", "POST", f"/opportunities/{won['id']}/transitions", {"to": "won"}
        )
        lost = await sales.opportunity(OPENED, customer)
        await sales.ok(
            OPENED,
            "am",
            "POST",
            f"/opportunities/{lost['id']}/transitions",
            {"to": "lost", "reason": "客户取消项目"},
        )
        archived = await sales.customer(OPENED)
        await sales.opportunity(OPENED, archived)
        await sales.ok(
            OPENED, "am", "POST", f"/customers/{archived}/archive", {"reason": "停止合作"}
        )
        run = await sales.desk.run("stale-opportunities", local("2025-06-01 02:00"))
        assert run["result"]["stale"] == 0 and await sales.inbox() == []

    async def test_the_opportunity_owner_is_told(self, sales):
        customer = await sales.customer(OPENED)
        opp = await sales.opportunity(
            OPENED, customer, user="admin", owner_id=sales.desk.users["am2"].id
        )
        await sales.desk.run("stale-opportunities", local("2025-04-02 02:00"))
        assert await sales.inbox() == [("am2", "stale_opportunity", "opportunity", opp["id"])]


async def test_the_job_is_registered_daily_at_2_shanghai():
    from jobs.registry import JOBS

    spec = JOBS["stale-opportunities"]
    assert spec.due_at(local("2025-04-02 01:59")) == local("2025-04-01 02:00")
    assert spec.due_at(local("2025-04-02 02:00")) == local("2025-04-02 02:00")
