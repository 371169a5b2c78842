"""The `dormancy` job at simulated times.

Hand-computed: a customer last heard from on Wed 2024-01-10 (Shanghai) with dormancy_days 180
turns dormant on 2024-01-10 + 180 days = 2024-07-08 (21 days left of January, 29 of February
(leap year), 31 + 30 + 31 + 30 of March to June, and 8 of July: 21+29+31+30+31+30+8 = 180).
The daily run at 02:00 on 07-07 leaves it active; the one on 07-08 makes it dormant."""

import asyncio
import json
import os
import sys
from datetime import date
from pathlib import Path

import pytest

from jobs.registry import JOBS
from jobs.runner import run_job
from tests.jobs.conftest import local

LAST = local("2024-01-10 10:00")
BEFORE, AFTER = local("2024-07-07 02:00"), local("2024-07-08 02:00")
QUIET = {"dormant": 0, "active_again": 0, "alerts": 0, "notifications": 0, "tasks": 0}


class TestTurningDormant:
    async def test_the_day_before_nothing_on_the_day_status_notification_task(self, world):
        c = await world.customer(last_contact=LAST, name="休眠测试有限公司")

        assert await world.run("dormancy", BEFORE) == {"as_of": "2024-07-07", **QUIET}
        assert await world.status(c) == "active"
        assert await world.notified(c) == [] and await world.tasks(c) == []

        result = await world.run("dormancy", AFTER)
        assert result == {
            "as_of": "2024-07-08",
            **QUIET,
            "dormant": 1,
            "alerts": 1,
            "notifications": 1,
            "tasks": 1,
        }
        assert await world.status(c) == "dormant"
        assert await world.notified(c) == [("am", "customer_dormant")]
        assert await world.tasks(c) == [("am", "activation", False)]
        assert await world.alerts(c) == [("dormant", "2024-07-08")]

    async def test_the_threshold_is_local_midnight(self, world):
        c = await world.customer(last_contact=LAST)
        await world.run_at("dormancy", local("2024-07-07 23:59:59"))
        assert await world.status(c) == "active"
        await world.run_at("dormancy", local("2024-07-08 00:00"))
        assert await world.status(c) == "dormant"

    async def test_days_are_shanghai_calendar_days_not_utc_ones(self, world):
        # 00:30 in Shanghai on Jan 10 is still Jan 9 in UTC: counting UTC days would make it
        # dormant a day early (at 08:00 on 07-07 Shanghai time).
        c = await world.customer(last_contact=local("2024-01-10 00:30"))
        await world.run_at("dormancy", local("2024-07-07 23:59:59"))
        assert await world.status(c) == "active"
        await world.run_at("dormancy", local("2024-07-08 00:00"))
        assert await world.status(c) == "dormant"

    async def test_the_latest_of_follow_up_order_ticket_or_creation_counts(self, world):
        old = local("2023-12-01 10:00")
        by_contact = await world.customer(last_contact=LAST)
        await world.order(by_contact, "2023-11-30", "100.00")
        by_order = await world.customer(last_contact=old)
        await world.order(by_order, "2024-01-10", "100.00")
        by_ticket = await world.customer(last_contact=old)
        await world.ticket(by_ticket, LAST)  # straight into the table: the job reads tickets
        by_creation = await world.customer(created=LAST)
        await world.ticket(by_creation, old)  # older than its creation (imported history)
        created_only = await world.customer(created=LAST)
        everyone = [by_contact, by_order, by_ticket, by_creation, created_only]

        await world.run_at("dormancy", local("2024-07-07 23:59:59"))
        assert [await world.status(c) for c in everyone] == [
            "active",
            "active",
            "active",
            "dormant",
            "active",
        ]
        await world.run_at("dormancy", local("2024-07-08 00:00"))
        assert [await world.status(c) for c in everyone] == ["dormant"] * 5

    async def test_the_threshold_comes_from_the_settings(self, world):
        await world.set_thresholds(dormancy_days=30)
        c = await world.customer(last_contact=LAST)  # 2024-01-10 + 30 = 2024-02-09
        await world.run("dormancy", local("2024-02-08 02:00"))
        assert await world.status(c) == "active"
        await world.run("dormancy", local("2024-02-09 02:00"))
        assert await world.status(c) == "dormant"

    async def test_the_notification_and_task_name_the_customer(self, world):
        c = await world.customer(last_contact=LAST, name="星河贸易有限公司")
        await world.run("dormancy", AFTER)
        am = world.users["am"]
        r = await world.client.get("/notifications", headers=am.headers)
        [n] = [n for n in r.json()["items"] if n["kind"] == "customer_dormant"]
        assert "星河贸易有限公司" in n["title"]
        assert (n["entity_type"], n["entity_id"]) == ("customer", c)
        r = await world.client.get("/tasks", params={"done": "false"}, headers=am.headers)
        [task] = r.json()["items"]
        assert task["kind"] == "activation" and task["customer_id"] == c
        assert "星河贸易有限公司" in task["title"]
        assert task["due_on"] == "2024-07-15" and task["done_at"] is None  # a week to act


class TestOncePerSpell:
    async def test_a_second_run_changes_nothing(self, world):
        c = await world.customer(last_contact=LAST)
        await world.run_at("dormancy", AFTER)
        before = await world.snapshot()
        assert await world.run_at("dormancy", AFTER) == {"as_of": "2024-07-08", **QUIET}
        assert await world.run_at("dormancy", local("2024-07-09 02:00")) == {
            "as_of": "2024-07-09",
            **QUIET,
        }
        assert await world.snapshot() == before
        assert await world.notified(c) == [("am", "customer_dormant")]
        assert await world.tasks(c) == [("am", "activation", False)]

    async def test_the_runner_runs_a_due_time_once(self, world):
        await world.customer(last_contact=LAST)
        await world.run("dormancy", AFTER)
        outcome = await run_job(world.database, "dormancy", local("2024-07-08 23:00"))
        assert outcome["ran"] is False and outcome["due_at"] == "2024-07-07T18:00:00+00:00"

    async def test_a_new_interaction_ends_the_spell_and_the_next_one_alerts_again(self, world):
        c = await world.customer(last_contact=LAST)
        await world.run("dormancy", AFTER)
        # The follow-up service records a follow-up (SALES sets the status itself as well;
        # the job must also catch up on its own).
        await world.follow_up(c, local("2024-07-20 15:00"))
        result = await world.run("dormancy", local("2024-07-21 02:00"))
        assert result["active_again"] == 1 and result["dormant"] == 0
        assert await world.status(c) == "active"
        # quiet again: 2024-07-20 + 180 days = 2025-01-16
        await world.run("dormancy", local("2025-01-15 02:00"))
        assert await world.status(c) == "active"
        await world.run("dormancy", local("2025-01-16 02:00"))
        assert await world.status(c) == "dormant"
        assert await world.notified(c) == [("am", "customer_dormant")] * 2
        assert await world.tasks(c) == [("am", "activation", False)] * 2
        assert await world.alerts(c) == [("dormant", "2024-07-08"), ("dormant", "2025-01-16")]

    async def test_every_change_of_status_is_on_the_history(self, world):
        c = await world.customer(last_contact=LAST)
        await world.run("dormancy", AFTER)
        await world.follow_up(c, local("2024-07-20 15:00"))
        await world.run("dormancy", local("2024-07-21 02:00"))
        events = await world.history(c, "lifecycle")
        assert [(e["actor_id"], e["changes"]) for e in events] == [
            (None, {"activity_status": ["active", "dormant"]}),
            (None, {"activity_status": ["dormant", "active"]}),
        ]


class TestWhoIsLeftOut:
    async def test_archived_customers_are_skipped(self, world):
        c = await world.customer(last_contact=LAST, archived=True)
        d = await world.customer(last_contact=LAST, archived=True, status="dormant")
        await world.follow_up(d, local("2024-07-01 10:00"))
        await world.run("dormancy", AFTER)
        assert (await world.status(c), await world.status(d)) == ("active", "dormant")
        assert await world.notified(c) == [] and await world.history(c, "lifecycle") == []

    async def test_a_pool_customer_turns_dormant_but_nobody_is_told(self, world):
        c = await world.customer(owner=None, last_contact=LAST)
        result = await world.run("dormancy", AFTER)
        assert result["dormant"] == 1 and result["alerts"] == 0
        assert await world.status(c) == "dormant"
        assert await world.notified(c) == [] and await world.tasks(c) == []

    async def test_an_inactive_owner_gets_neither_notification_nor_task(self, world):
        c = await world.customer(owner="am_off", last_contact=LAST)
        result = await world.run("dormancy", AFTER)
        assert (result["dormant"], result["notifications"], result["tasks"]) == (1, 0, 0)
        assert await world.notified(c) == [] and await world.tasks(c) == []

    async def test_churn_risk_takes_precedence_and_is_left_alone(self, world):
        c = await world.customer(last_contact=LAST, status="churn_risk")
        await world.run("dormancy", AFTER)
        assert await world.status(c) == "churn_risk"
        assert await world.notified(c) == []


class TestTicketsAreInteractions:
    async def test_a_ticket_wakes_a_dormant_customer_and_moves_its_last_contact(self, world):
        c = await world.customer(last_contact=LAST, status="dormant")
        opened = local("2024-08-01 10:00")
        world.clock.at = opened
        r = await world.client.post(
            "/tickets",
            headers=world.users["am"].headers,
            json={"customer_id": c, "type": "order_support", "channel": "phone", "title": "咨询"},
        )
        assert r.status_code == 201, r.text
        customer = await world.get(c)
        assert customer.activity_status == "active" and customer.last_contact_at == opened
        [event] = await world.history(c, "lifecycle")
        assert event["actor_id"] == world.users["am"].id
        assert event["changes"] == {"activity_status": ["dormant", "active"]}
        # derived columns: the customer's version (its ETag) stays
        assert customer.version == 1

    async def test_a_backdated_ticket_never_moves_the_last_contact_back(self, world):
        c = await world.customer(last_contact=local("2024-07-01 10:00"))
        world.clock.at = local("2024-08-01 10:00")
        r = await world.client.post(
            "/tickets",
            headers=world.users["admin"].headers,
            json={
                "customer_id": c,
                "type": "order_support",
                "channel": "phone",
                "title": "补录",
                "opened_at": local("2024-06-01 10:00").isoformat(),
            },
        )
        assert r.status_code == 201, r.text
        assert (await world.get(c)).last_contact_at == local("2024-07-01 10:00")

    async def test_a_ticket_leaves_churn_risk_for_its_job(self, world):
        c = await world.customer(last_contact=LAST, status="churn_risk")
        world.clock.at = local("2024-08-01 10:00")
        r = await world.client.post(
            "/tickets",
            headers=world.users["am"].headers,
            json={"customer_id": c, "type": "complaint", "channel": "phone", "title": "投诉"},
        )
        assert r.status_code == 201, r.text
        customer = await world.get(c)
        assert customer.activity_status == "churn_risk"
        assert customer.last_contact_at == local("2024-08-01 10:00")
        assert await world.history(c, "lifecycle") == []


class TestSchedule:
    def test_the_lifecycle_jobs_run_daily_from_two_in_the_morning(self):
        for name, minute in (
            ("dormancy", "02:00"),
            ("churn-risk", "02:15"),
            ("verification", "02:30"),
            ("customer-value", "02:45"),
        ):
            spec = JOBS[name]
            assert spec.every.days == 1, name
            assert spec.due_at(local("2024-07-08 12:00")) == local(f"2024-07-08 {minute}")
            assert spec.due_at(local("2024-07-08 01:59")) == local(f"2024-07-07 {minute}")

    @pytest.mark.parametrize("lifecycle_database_url", ["sqlite"], indirect=True)
    async def test_crm_run_job_runs_dormancy_as_of_a_time(self, world):
        c = await world.customer(last_contact=LAST)
        crm = Path(sys.executable).with_name("crm")
        process = await asyncio.create_subprocess_exec(
            str(crm),
            "run-job",
            "dormancy",
            "--now",
            "2024-07-08T02:00:00+08:00",
            env={**os.environ, "CRM_DATABASE_URL": world.url},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode == 0, err.decode()
        outcome = json.loads(out)
        assert outcome["ran"] is True and outcome["due_at"] == "2024-07-07T18:00:00+00:00"
        assert outcome["result"]["dormant"] == 1
        assert await world.status(c) == "dormant"
        assert date.fromisoformat(outcome["result"]["as_of"]) == date(2024, 7, 8)
