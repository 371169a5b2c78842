"""`updated_since` on every list that syncs pull from, as on the customers' list: records
changed at or after the instant (ISO 8601 with offset)."""

from datetime import UTC, datetime, timedelta

from tests.api.sales_support import follow_up, ok, opportunity, order
from tests.api.ticket_support import open_ticket
from tests.conftest import create_customer


async def ids_since(client, user, path: str, instant: datetime, **params) -> set[int]:
    body = await ok(
        await client.get(
            path, params={"updated_since": instant.isoformat(), **params}, headers=user.headers
        )
    )
    return {item["id"] for item in (body if isinstance(body, list) else body["items"])}


async def check(client, user, path: str, make, edit, **params) -> None:
    """An old record is left out until it is edited; a new one is in; none in the future."""
    old = await make()
    boundary = datetime.now(UTC)
    new = await make()
    assert await ids_since(client, user, path, boundary, **params) >= {new["id"]}
    assert old["id"] not in await ids_since(client, user, path, boundary, **params)
    await edit(old)
    assert await ids_since(client, user, path, boundary, **params) >= {old["id"], new["id"]}
    future = datetime.now(UTC) + timedelta(minutes=5)
    assert await ids_since(client, user, path, future, **params) == set()
    naive = await client.get(
        path, params={"updated_since": "2031-05-01T08:00:00", **params}, headers=user.headers
    )
    assert naive.status_code == 422, naive.text


async def patch(client, user, path: str, body: dict) -> None:
    await ok(await client.patch(path, json=body, headers=user.headers))


class TestUpdatedSince:
    async def test_contacts(self, client, users):
        am = users["am"]
        customer = await create_customer(client, am)
        path = f"/customers/{customer['id']}/contacts"
        counter = iter(range(10))

        async def make():
            body = {"name": "联系人", "mobile": f"1390013{next(counter):04d}"}
            return await ok(await client.post(path, json=body, headers=am.headers), 201)

        async def edit(contact):
            await patch(client, am, f"{path}/{contact['id']}", {"title": "经理"})

        await check(client, am, path, make, edit)

    async def test_orders(self, client, users):
        am = users["am"]
        customer = await create_customer(client, am)

        async def edit(record):
            await patch(client, am, f"/orders/{record['id']}", {"product": "续费"})

        await check(
            client, am, f"/customers/{customer['id']}/orders",
            lambda: order(client, am, customer["id"]), edit,
        )  # fmt: skip

    async def test_follow_ups_both_lists(self, client, users):
        am = users["am"]
        customer = await create_customer(client, am)

        async def edit(record):
            await patch(client, am, f"/follow-ups/{record['id']}", {"summary": "再次沟通"})

        def make():
            return follow_up(client, am, customer["id"])

        await check(client, am, "/follow-ups", make, edit, customer_id=customer["id"])
        await check(client, am, f"/customers/{customer['id']}/follow-ups", make, edit)

    async def test_opportunities(self, client, users):
        am = users["am"]
        customer = await create_customer(client, am)

        async def edit(record):
            await patch(client, am, f"/opportunities/{record['id']}", {"title": "二期项目"})

        await check(
            client, am, "/opportunities", lambda: opportunity(client, am, customer["id"]), edit,
            customer_id=customer["id"],
        )  # fmt: skip

    async def test_tickets(self, client, users):
        am = users["am"]
        customer = await create_customer(client, am)

        async def edit(record):  # the one who works it: an admin
            await patch(client, users["admin"], f"/tickets/{record['id']}", {"title": "改了标题"})

        await check(
            client, am, "/tickets", lambda: open_ticket(client, am, customer["id"]), edit,
            customer_id=customer["id"],
        )  # fmt: skip

    async def test_tasks(self, client, users):
        am = users["am"]
        customer = await create_customer(client, am)

        async def make():
            body = {"title": "回访", "customer_id": customer["id"]}
            return await ok(await client.post("/tasks", json=body, headers=am.headers), 201)

        async def edit(record):
            await patch(client, am, f"/tasks/{record['id']}", {"title": "再回访"})

        await check(client, am, "/tasks", make, edit, customer_id=customer["id"])
