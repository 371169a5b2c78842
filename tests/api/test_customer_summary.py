"""The customer page's summary (`GET /customers/{id}/summary`): counts and the pool clock."""

from datetime import UTC, datetime, timedelta

from tests.api.pool_support import lifecycle  # noqa: F401 (fixture)
from tests.conftest import create_customer, make_user
from tests.support import assert_problem


class TestSummary:
    async def test_counts_and_open_work(self, client, users, database, clock):
        owner = await make_user(client, database, "account_manager")
        customer = await create_customer(client, owner)
        cid, h = customer["id"], owner.headers
        assert (
            await client.post(
                f"/customers/{cid}/contacts",
                json={"name": "李四", "mobile": "13800138000"},
                headers=h,
            )
        ).status_code == 201
        for title, budget in (("一期", "1000.50"), ("二期", None)):
            body = {
                "customer_id": cid,
                "title": title,
                "stage": "intent",
                **({"budget_max": budget} if budget else {}),
            }
            r = await client.post("/opportunities", json=body, headers=h)
            assert r.status_code == 201, r.text
        assert (
            await client.post("/tasks", json={"title": "x", "customer_id": cid}, headers=h)
        ).status_code == 201
        r = await client.get(f"/customers/{cid}/summary", headers=h)
        assert r.status_code == 200, r.text
        body = r.json()
        assert {
            k: body[k]
            for k in (
                "contacts",
                "follow_ups",
                "orders",
                "opportunities",
                "open_opportunities",
                "open_opportunity_amount",
                "tickets",
                "open_tickets",
                "open_tasks",
            )
        } == {
            "contacts": 1,
            "follow_ups": 0,
            "orders": 0,
            "opportunities": 2,
            "open_opportunities": 2,
            "open_opportunity_amount": "1000.50",
            "tickets": 0,
            "open_tickets": 0,
            "open_tasks": 1,
        }
        agent = await client.get(f"/customers/{cid}/summary", headers=users["agent"].headers)
        assert agent.status_code == 200
        assert (agent.json()["orders"], agent.json()["open_opportunity_amount"]) == (None, None)
        assert_problem(
            await client.get(f"/customers/{cid}/summary", headers=users["am2"].headers),
            404,
            "not-found",
        )

    async def test_the_pool_warning_comes_days_before_the_release(
        self, client, users, database, clock, lifecycle
    ):
        await lifecycle(pool_release_days=30, pool_warning_days=3)
        owner = await make_user(client, database, "account_manager")
        clock.at = datetime(2026, 3, 1, 2, tzinfo=UTC)  # 10:00 on 1 March in Shanghai
        customer = await create_customer(client, owner)
        r = await client.get(f"/customers/{customer['id']}/summary", headers=owner.headers)
        assert (
            r.json()["pool_release_on"],
            r.json()["pool_days_left"],
            r.json()["pool_warning"],
        ) == ("2026-03-31", 30, False)
        listed = await client.get("/customers", headers=owner.headers)
        assert [c["pool_days_left"] for c in listed.json()["items"]] == [None]  # not yet near
        clock.at += timedelta(days=27)
        r = await client.get(f"/customers/{customer['id']}/summary", headers=owner.headers)
        assert (r.json()["pool_days_left"], r.json()["pool_warning"]) == (3, True)
        # The list and the record say it too, for the list's warning.
        listed = await client.get("/customers", headers=owner.headers)
        assert [c["pool_days_left"] for c in listed.json()["items"]] == [3]
        one = await client.get(f"/customers/{customer['id']}", headers=owner.headers)
        assert one.json()["pool_days_left"] == 3
        r = await client.post(
            f"/customers/{customer['id']}/release", json={"reason": "x"}, headers=owner.headers
        )
        r = await client.get(f"/customers/{customer['id']}/summary", headers=users["admin"].headers)
        assert (r.json()["pool_release_on"], r.json()["pool_warning"]) == (None, False)
        one = await client.get(f"/customers/{customer['id']}", headers=users["admin"].headers)
        assert one.json()["pool_days_left"] is None  # in the pool: nothing to warn of
