"""Releasing a customer to the public pool by hand (`POST /customers/{id}/release`)."""

from tests.api.pool_support import history, stored
from tests.conftest import create_customer, make_user
from tests.support import assert_problem


class TestRelease:
    async def test_the_owner_releases_with_a_reason_and_waits_to_reclaim(
        self, client, users, database, clock
    ):
        owner = await make_user(client, database, "account_manager")
        customer = await create_customer(client, owner)
        r = await client.post(
            f"/customers/{customer['id']}/release",
            json={"reason": "无意向"},
            headers={**owner.headers, "If-Match": '"99"'},
        )
        assert_problem(r, 412, "version-mismatch")
        r = await client.post(
            f"/customers/{customer['id']}/release", json={"reason": "无意向"}, headers=owner.headers
        )
        assert r.status_code == 200, r.text
        assert r.json()["owner_id"] is None and r.json()["pool_entered_at"] is not None
        row = await stored(database, customer["id"])
        assert (row.owner_id, row.released_by) == (None, owner.id)
        events = [
            e
            for e in await history(client, users["admin"], customer["id"])
            if e["action"] == "release"
        ]
        assert len(events) == 1 and events[0]["actor_id"] == owner.id
        assert events[0]["changes"]["owner_id"] == [owner.id, None]
        assert events[0]["changes"]["release_reason"] == [None, "manual"]
        assert events[0]["changes"]["release_note"] == [None, "无意向"]
        # gone from the former owner's reach; the cooldown applies to them
        r = await client.get(f"/customers/{customer['id']}", headers=owner.headers)
        assert_problem(r, 404, "not-found")
        r = await client.post(f"/pool/{customer['id']}/claim", headers=owner.headers)
        assert_problem(r, 409, "reclaim-cooldown")
        clock.advance(days=8)
        r = await client.post(f"/pool/{customer['id']}/claim", headers=owner.headers)
        assert r.status_code == 200, r.text

    async def test_an_admin_releases_anyones_and_a_second_time_is_409(self, client, users):
        customer = await create_customer(client, users["am"])
        admin = users["admin"].headers
        r = await client.post(
            f"/customers/{customer['id']}/release", json={"reason": "调整"}, headers=admin
        )
        assert r.status_code == 200, r.text
        r = await client.post(
            f"/customers/{customer['id']}/release", json={"reason": "调整"}, headers=admin
        )
        assert_problem(r, 409, "already-in-pool")

    async def test_others_cannot(self, client, users, database):
        customer = await create_customer(client, users["am"])
        r = await client.post(
            f"/customers/{customer['id']}/release",
            json={"reason": "x"},
            headers=users["am2"].headers,
        )
        assert_problem(r, 404, "not-found")
        for role in ("supervisor", "agent", "readonly"):
            r = await client.post(
                f"/customers/{customer['id']}/release",
                json={"reason": "x"},
                headers=users[role].headers,
            )
            assert_problem(r, 403, "forbidden")
        r = await client.post(
            f"/customers/{customer['id']}/release", json={"reason": ""}, headers=users["am"].headers
        )
        assert_problem(r, 422, "validation", field="reason")
        assert (await stored(database, customer["id"])).owner_id == users["am"].id


class TestCreateIntoPool:
    async def test_an_admin_creates_a_customer_without_owner_straight_into_the_pool(
        self, client, users, database
    ):
        from tests.conftest import organization

        r = await client.post(
            "/customers", json=organization(owner_id=None), headers=users["admin"].headers
        )
        assert r.status_code == 201, r.text
        assert r.json()["owner_id"] is None and r.json()["pool_entered_at"] is not None
        pool = await client.get(
            "/pool", params={"name": r.json()["name"]}, headers=users["am"].headers
        )
        assert [c["id"] for c in pool.json()["items"]] == [r.json()["id"]]
        r = await client.post(
            "/customers", json=organization(owner_id=None), headers=users["am"].headers
        )
        assert_problem(r, 403, "fields-forbidden")
        r = await client.post("/customers", json=organization(), headers=users["admin"].headers)
        assert r.json()["owner_id"] == users["admin"].id  # left out: the admin owns it
