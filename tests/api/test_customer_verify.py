"""`POST /customers/{id}/verify`, the periodic check of basic information, through the API.
The verification job and the tasks a check completes are tested in tests/jobs/lifecycle."""

from datetime import timedelta

import pytest

from persistence.models import Customer
from tests.api.ticket_support import MONDAY_9, instant
from tests.conftest import create_customer
from tests.support import assert_problem


async def history(client, user, customer_id: int, action: str) -> list[dict]:
    r = await client.get(f"/customers/{customer_id}/history", headers=user.headers)
    assert r.status_code == 200, r.text
    return [e for e in r.json()["items"] if e["action"] == action]


async def stored(database, customer_id: int) -> Customer:
    async with database.session(write=False) as s:
        return await s.get(Customer, customer_id)


class TestVerify:
    async def test_the_owner_records_a_check_with_a_note(self, client, database, users, clock):
        customer = await create_customer(client, users["am"])
        clock.at = MONDAY_9
        r = await client.post(
            f"/customers/{customer['id']}/verify",
            json={"note": "电话核实地址与联系人"},
            headers=users["am"].headers,
        )
        assert r.status_code == 200, r.text
        assert instant(r.json()["verified_at"]) == MONDAY_9
        assert r.json()["verification_note"] == "电话核实地址与联系人"
        assert r.json()["version"] == customer["version"] + 1
        assert r.headers["ETag"] == f'"{customer["version"] + 1}"'
        row = await stored(database, customer["id"])
        assert (row.verified_at, row.verified_by) == (MONDAY_9, users["am"].id)
        [event] = await history(client, users["am"], customer["id"], "verify")
        assert event["actor_id"] == users["am"].id
        assert event["changes"]["note"] == [None, "电话核实地址与联系人"]
        assert event["changes"]["verified_by"] == [None, users["am"].id]
        assert instant(event["changes"]["verified_at"][1]) == MONDAY_9

    async def test_a_later_check_moves_it_on_and_an_admin_may_check_any(
        self, client, database, users, clock
    ):
        customer = await create_customer(client, users["am"])
        clock.at = MONDAY_9
        r = await client.post(
            f"/customers/{customer['id']}/verify",
            json={"note": "地址已核对"},
            headers=users["am"].headers,
        )
        assert r.status_code == 200, r.text
        clock.at = MONDAY_9 + timedelta(days=91)
        r = await client.post(
            f"/customers/{customer['id']}/verify", json={}, headers=users["admin"].headers
        )
        assert r.status_code == 200, r.text
        # The note belongs to the check it came with: a later check without one clears it.
        one = await client.get(f"/customers/{customer['id']}", headers=users["am"].headers)
        assert one.json()["verification_note"] is None
        row = await stored(database, customer["id"])
        assert (row.verified_at, row.verified_by) == (clock.at, users["admin"].id)
        events = await history(client, users["admin"], customer["id"], "verify")
        assert [e["actor_id"] for e in events] == [users["admin"].id, users["am"].id]
        assert "note" not in events[0]["changes"]  # no note given, none recorded

    async def test_who_may_not(self, client, database, users):
        customer = await create_customer(client, users["am"])
        assert_problem(
            await client.post(
                f"/customers/{customer['id']}/verify", json={}, headers=users["am2"].headers
            ),
            404,
            "not-found",
        )
        for role in ("supervisor", "agent", "readonly"):
            assert_problem(
                await client.post(
                    f"/customers/{customer['id']}/verify", json={}, headers=users[role].headers
                ),
                403,
                "forbidden",
            )
        assert_problem(
            await client.post(
                "/customers/999999999/verify", json={}, headers=users["admin"].headers
            ),
            404,
            "not-found",
        )
        assert (await stored(database, customer["id"])).verified_at is None

    @pytest.mark.parametrize(
        "body, field",
        [
            ({"note": "x" * 2001}, "note"),
            ({"verified_at": "2024-01-01T00:00:00Z"}, "verified_at"),
            ({"note": "a\x00b"}, "note"),
        ],
    )
    async def test_bad_input_is_422_and_changes_nothing(self, client, database, users, body, field):
        customer = await create_customer(client, users["am"])
        r = await client.post(
            f"/customers/{customer['id']}/verify", json=body, headers=users["am"].headers
        )
        assert_problem(r, 422, "validation", field=field)
        assert (await stored(database, customer["id"])).verified_at is None

    async def test_a_stale_if_match_is_412(self, client, database, users):
        customer = await create_customer(client, users["am"])
        r = await client.post(
            f"/customers/{customer['id']}/verify",
            json={},
            headers={**users["am"].headers, "If-Match": '"99"'},
        )
        assert_problem(r, 412, "version-mismatch")
        assert (await stored(database, customer["id"])).verified_at is None
