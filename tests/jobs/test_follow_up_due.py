"""The `follow-up-due` job at simulated times (daily at 02:00 Asia/Shanghai).

Customers are created on Mon 2025-03-03 10:00 Shanghai: an intent customer (every 3 days) is
due on Thu 03-06, a potential one (every 7 days) on Mon 03-10."""

import asyncio
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jobs.follow_up_due import run_follow_up_due
from jobs.runner import AsOf
from tests.jobs.conftest import local
from tests.jobs.sales_desk import sales  # noqa: F401  (fixture)

CREATED = local("2025-03-03 10:00")


class TestCadenceReminders:
    async def test_one_reminder_per_customer_and_due_date(self, sales):
        customer = await sales.customer(CREATED)
        quiet = await sales.desk.run("follow-up-due", local("2025-03-05 02:00"))
        assert quiet["ran"] and quiet["result"]["customers_due"] == 0
        assert await sales.inbox() == []

        run = await sales.desk.run("follow-up-due", local("2025-03-06 02:00"))
        assert run["result"] == {"customers_due": 1, "next_actions_due": 0, "notifications": 1}
        assert await sales.inbox() == [("am", "follow_up_due", "customer", customer)]
        assert await sales.alerts("follow-up-due") == [(customer, "2025-03-06")]
        note = await sales.notification("follow_up_due", customer)
        assert note.title.startswith("跟进到期: 跟进测试") and "2025-03-06" in note.body

        totals = await sales.totals()
        again = await run_follow_up_due(sales.desk.database, AsOf(local("2025-03-06 02:00")))
        assert again == {"customers_due": 0, "next_actions_due": 0, "notifications": 0}
        later = await sales.desk.run("follow-up-due", local("2025-03-07 02:00"))  # overdue
        assert later["ran"] and later["result"]["notifications"] == 0
        assert await sales.totals() == totals

        # A follow-up on 03-07 moves the next due date to 03-10: a new reminder then.
        await sales.follow_up(local("2025-03-07 10:00"), customer)
        await sales.desk.run("follow-up-due", local("2025-03-09 02:00"))
        assert len(await sales.inbox()) == 1
        await sales.desk.run("follow-up-due", local("2025-03-10 02:00"))
        assert await sales.inbox() == [("am", "follow_up_due", "customer", customer)] * 2
        assert await sales.alerts("follow-up-due") == [
            (customer, "2025-03-06"),
            (customer, "2025-03-10"),
        ]

    async def test_due_from_midnight_in_shanghai(self, sales):
        customer = await sales.customer(CREATED)
        before = datetime(2025, 3, 5, 15, 59, 59, tzinfo=UTC)  # 03-05 23:59:59 in Shanghai
        assert (await run_follow_up_due(sales.desk.database, AsOf(before)))["customers_due"] == 0
        after = datetime(2025, 3, 5, 16, 0, tzinfo=UTC)  # 03-06 00:00
        assert (await run_follow_up_due(sales.desk.database, AsOf(after)))["customers_due"] == 1
        assert await sales.alerts("follow-up-due") == [(customer, "2025-03-06")]

    async def test_archived_pool_and_ruleless_customers_are_skipped(self, sales):
        archived = await sales.customer(CREATED)
        await sales.ok(
            CREATED, "am", "POST", f"/customers/{archived}/archive", {"reason": "停止合作"}
        )
        pooled = await sales.customer(CREATED)
        await sales.set_customer(pooled, owner_id=None)  # released to the public pool
        ruleless = await sales.customer(CREATED, stage="lost")
        await sales.set_customer(ruleless, next_follow_up_on=local("2025-03-04 00:00").date())
        run = await sales.desk.run("follow-up-due", local("2025-03-20 02:00"))
        assert run["result"]["customers_due"] == 0 and await sales.inbox() == []

    async def test_a_deleted_rule_stops_reminders_of_its_stage(self, sales):
        customer = await sales.customer(CREATED, stage="potential")
        await sales.ok(CREATED, "admin", "DELETE", "/cadence-rules/potential", status=204)
        try:
            await sales.desk.run("follow-up-due", local("2025-03-10 02:00"))
            assert await sales.inbox() == []
            await sales.ok(
                CREATED, "admin", "PUT", "/cadence-rules/potential", {"interval_days": 7}
            )
            await sales.desk.run("follow-up-due", local("2025-03-11 02:00"))
            assert await sales.inbox() == [("am", "follow_up_due", "customer", customer)]
        finally:
            await sales.ok(
                CREATED, "admin", "PUT", "/cadence-rules/potential", {"interval_days": 7}
            )


class TestNextActionReminders:
    async def test_one_reminder_per_next_action(self, sales):
        customer = await sales.customer(CREATED, stage="potential")
        made = await sales.follow_up(
            local("2025-03-03 11:00"),
            customer,
            next_action="寄送样品",
            next_action_due_on="2025-03-05",
        )
        await sales.desk.run("follow-up-due", local("2025-03-04 02:00"))
        assert await sales.inbox() == []

        run = await sales.desk.run("follow-up-due", local("2025-03-05 02:00"))
        # the next action, and the customer whose next follow-up date it became
        assert run["result"] == {"customers_due": 1, "next_actions_due": 1, "notifications": 2}
        assert await sales.inbox() == [
            ("am", "follow_up_due", "customer", customer),
            ("am", "next_action_due", "follow_up", made["id"]),
        ]
        assert await sales.alerts("next-action-due") == [(made["id"], "2025-03-05")]
        note = await sales.notification("next_action_due", made["id"])
        assert "寄送样品" in note.body and "2025-03-05" in note.body

        totals = await sales.totals()
        again = await run_follow_up_due(sales.desk.database, AsOf(local("2025-03-05 02:00")))
        assert again == {"customers_due": 0, "next_actions_due": 0, "notifications": 0}
        await sales.desk.run("follow-up-due", local("2025-03-06 02:00"))
        assert await sales.totals() == totals

    async def test_done_actions_and_lost_customers_are_not_reminded(self, sales):
        customer = await sales.customer(CREATED, stage="lost")  # no cadence for lost
        done = await sales.follow_up(
            local("2025-03-03 11:00"), customer, next_action="回访", next_action_due_on="2025-03-04"
        )
        await sales.ok(
            local("2025-03-03 12:00"),
            "am",
            "PATCH",
            f"/follow-ups/{done['id']}",
            {"next_action_done": True},
        )
        other = await sales.customer(CREATED, stage="lost")
        open_ = await sales.follow_up(
            local("2025-03-03 11:00"), other, next_action="挽回", next_action_due_on="2025-03-04"
        )
        run = await sales.desk.run("follow-up-due", local("2025-03-04 02:00"))
        assert run["result"] == {"customers_due": 0, "next_actions_due": 1, "notifications": 1}
        assert await sales.inbox() == [("am", "next_action_due", "follow_up", open_["id"])]

    async def test_an_account_manager_who_lost_the_customer_is_not_reminded(self, sales):
        customer = await sales.customer(CREATED, stage="lost")
        await sales.follow_up(
            local("2025-03-03 11:00"), customer, next_action="报价", next_action_due_on="2025-03-04"
        )
        await sales.ok(
            local("2025-03-03 12:00"),
            "admin",
            "PATCH",
            f"/customers/{customer}",
            {"owner_id": sales.desk.users["am2"].id},
        )
        # an admin's next action counts on any customer, owned by someone else or not
        elsewhere = await sales.customer(CREATED, stage="lost")
        admins = await sales.follow_up(
            local("2025-03-03 11:30"),
            elsewhere,
            user="admin",
            next_action="复核",
            next_action_due_on="2025-03-04",
        )
        await sales.desk.run("follow-up-due", local("2025-03-04 02:00"))
        assert await sales.inbox() == [("admin", "next_action_due", "follow_up", admins["id"])]


async def test_the_job_is_registered_daily_at_2_shanghai():
    from jobs.registry import JOBS

    spec = JOBS["follow-up-due"]
    assert spec.due_at(local("2025-03-06 01:59")) == local("2025-03-05 02:00")
    assert spec.due_at(local("2025-03-06 02:00")) == local("2025-03-06 02:00")


class TestCommandLine:
    @pytest.mark.parametrize("jobs_database_url", ["sqlite"], indirect=True)
    async def test_crm_run_job_as_of_a_time(self, sales):
        customer = await sales.customer(CREATED)
        opp = await sales.opportunity(CREATED, customer)
        crm = Path(sys.executable).with_name("crm")
        results = {}
        for job, now in (
            ("follow-up-due", "2025-03-06T02:00:00+08:00"),
            ("stale-opportunities", "2025-04-02T02:00:00+08:00"),
        ):
            process = await asyncio.create_subprocess_exec(
                str(crm),
                "run-job",
                job,
                "--now",
                now,
                env={**os.environ, "CRM_DATABASE_URL": sales.desk.url},
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            out, err = await asyncio.wait_for(process.communicate(), 120)  # never hang
            assert process.returncode == 0, err.decode()
            results[job] = json.loads(out)
        assert results["follow-up-due"]["due_at"] == "2025-03-05T18:00:00+00:00"
        assert results["follow-up-due"]["result"]["customers_due"] == 1
        assert results["stale-opportunities"]["result"]["stale"] == 1
        assert await sales.inbox() == [
            ("am", "follow_up_due", "customer", customer),
            ("am", "stale_opportunity", "opportunity", opp["id"]),
        ]
