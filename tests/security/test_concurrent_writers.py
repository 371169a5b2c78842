"""Child records (follow-ups, orders) written to one customer at once: none conflicts with
another or with an edit of the customer's own fields, and the derived columns stay right. A
stale If-Match is a 412 whichever way it is found."""

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.api.sales_support import get_customer, team
from tests.support import assert_problem


class TestChildrenDoNotConflict:
    async def test_sixteen_follow_ups_at_once_all_land(self, client, database):
        t = await team(client, database)
        base = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
        before = await get_customer(client, t.owner, t.customer["id"])

        async def record(i: int) -> int:
            response = await client.post(
                "/follow-ups",
                headers=t.owner.headers,
                json={
                    "customer_id": t.customer["id"],
                    "method": "phone",
                    "summary": f"第 {i} 次",
                    "at": (base + timedelta(minutes=i)).isoformat(),
                },
            )
            return response.status_code

        statuses = await asyncio.gather(*(record(i) for i in range(16)))
        assert statuses == [201] * 16
        after = await get_customer(client, t.owner, t.customer["id"])
        assert after["version"] == before["version"]
        assert datetime.fromisoformat(after["last_contact_at"]) == base + timedelta(minutes=15)
        listed = await client.get(
            "/follow-ups",
            params={"customer_id": t.customer["id"], "limit": 50},
            headers=t.owner.headers,
        )
        assert len(listed.json()["items"]) == 16

    async def test_orders_at_once_sum_to_the_cumulative_amount(self, client, database):
        t = await team(client, database)

        async def order(i: int) -> int:
            response = await client.post(
                f"/customers/{t.customer['id']}/orders",
                headers=t.owner.headers,
                json={
                    "product": f"订阅 {i}",
                    "amount": f"{100 + i}.50",
                    "ordered_on": "2025-03-01",
                },
            )
            return response.status_code

        assert await asyncio.gather(*(order(i) for i in range(12))) == [201] * 12
        after = await get_customer(client, t.owner, t.customer["id"])
        assert Decimal(after["cumulative_amount"]) == sum(
            Decimal(f"{100 + i}.50") for i in range(12)
        )

    async def test_an_edit_opened_before_a_follow_up_still_saves(self, client, database):
        t = await team(client, database)
        opened = await client.get(f"/customers/{t.customer['id']}", headers=t.owner.headers)
        etag = opened.headers["etag"]
        await client.post(
            "/follow-ups",
            headers=t.owner.headers,
            json={"customer_id": t.customer["id"], "method": "visit", "summary": "上门拜访"},
        )
        response = await client.patch(
            f"/customers/{t.customer['id']}",
            json={"main_business": "工业软件"},
            headers={**t.owner.headers, "If-Match": etag},
        )
        assert response.status_code == 200, response.text
        assert response.json()["last_contact_at"] is not None


class TestStaleIfMatch:
    async def test_a_stale_if_match_is_412(self, client, database):
        t = await team(client, database)
        etag = (
            await client.get(f"/customers/{t.customer['id']}", headers=t.owner.headers)
        ).headers["etag"]
        first = await client.patch(
            f"/customers/{t.customer['id']}",
            json={"region": "华东"},
            headers={**t.owner.headers, "If-Match": etag},
        )
        assert first.status_code == 200
        second = await client.patch(
            f"/customers/{t.customer['id']}",
            json={"region": "华南"},
            headers={**t.owner.headers, "If-Match": etag},
        )
        assert_problem(second, 412, "version-mismatch")
        stored = await get_customer(client, t.owner, t.customer["id"])
        assert stored["region"] == "华东"

    async def test_concurrent_edits_with_the_same_if_match_one_wins_the_rest_412(
        self, client, database
    ):
        t = await team(client, database)
        etag = (
            await client.get(f"/customers/{t.customer['id']}", headers=t.owner.headers)
        ).headers["etag"]

        async def edit(i: int) -> int:
            response = await client.patch(
                f"/customers/{t.customer['id']}",
                json={"main_business": f"业务 {i}"},
                headers={**t.owner.headers, "If-Match": etag},
            )
            return response.status_code

        statuses = sorted(await asyncio.gather(*(edit(i) for i in range(8))))
        assert statuses == [200] + [412] * 7, statuses
