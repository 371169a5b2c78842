"""The grade an admin fixes by hand: setting `grade` locks it against the customer-value job
(`grade_locked`), `grade_locked: false` hands it back; nobody else sets either. The job side
is tested in tests/jobs/lifecycle/test_customer_value.py."""

import pytest

from persistence.models import Customer
from tests.conftest import create_customer, organization
from tests.support import assert_problem


async def history(client, user, customer_id: int, action: str) -> list[dict]:
    r = await client.get(f"/customers/{customer_id}/history", headers=user.headers)
    assert r.status_code == 200, r.text
    return [e for e in r.json()["items"] if e["action"] == action]


async def stored(database, customer_id: int) -> Customer:
    async with database.session(write=False) as s:
        return await s.get(Customer, customer_id)


class TestGradeLock:
    async def test_an_admins_grade_is_locked_and_can_be_unlocked(self, client, users):
        customer = await create_customer(client, users["am"])
        assert customer["grade_locked"] is False
        r = await client.patch(
            f"/customers/{customer['id']}", json={"grade": "A"}, headers=users["admin"].headers
        )
        assert r.status_code == 200, r.text
        assert (r.json()["grade"], r.json()["grade_locked"]) == ("A", True)
        r = await client.patch(
            f"/customers/{customer['id']}",
            json={"grade_locked": False},
            headers=users["admin"].headers,
        )
        assert (r.json()["grade"], r.json()["grade_locked"]) == ("A", False)
        events = await history(client, users["admin"], customer["id"], "update")
        assert [e["changes"] for e in events] == [
            {"grade_locked": [True, False]},
            {"grade": [None, "A"], "grade_locked": [False, True]},
        ]

    async def test_the_same_grade_again_pins_it(self, client, users):
        customer = await create_customer(client, users["am"])
        await client.patch(
            f"/customers/{customer['id']}",
            json={"grade": "B", "grade_locked": False},
            headers=users["admin"].headers,
        )
        r = await client.patch(
            f"/customers/{customer['id']}", json={"grade": "B"}, headers=users["admin"].headers
        )
        assert r.json()["grade_locked"] is True
        [last, _] = await history(client, users["admin"], customer["id"], "update")
        assert last["changes"] == {"grade_locked": [False, True]}

    async def test_created_with_a_grade_by_an_admin_is_locked(self, client, users):
        r = await client.post(
            "/customers", json=organization(grade="S"), headers=users["admin"].headers
        )
        assert r.status_code == 201, r.text
        assert (r.json()["grade"], r.json()["grade_locked"]) == ("S", True)
        [event] = await history(client, users["admin"], r.json()["id"], "create")
        assert event["changes"]["grade_locked"] == [None, True]

    @pytest.mark.parametrize(
        "body", [{"grade": "A"}, {"grade_locked": True}, {"grade": "S", "region": "华东"}]
    )
    async def test_others_may_not_set_it(self, client, database, users, body):
        customer = await create_customer(client, users["am"])
        r = await client.patch(
            f"/customers/{customer['id']}", json=body, headers=users["am"].headers
        )
        problem = assert_problem(r, 403, "fields-forbidden")
        assert {e["field"] for e in problem["errors"]} == set(body) & {"grade", "grade_locked"}
        row = await stored(database, customer["id"])
        assert (row.grade, row.grade_locked, row.region) == (None, False, None)
        r = await client.post(
            "/customers", json=organization(grade="A"), headers=users["am"].headers
        )
        assert_problem(r, 403, "fields-forbidden")

    async def test_null_lock_is_422(self, client, users):
        customer = await create_customer(client, users["am"])
        r = await client.patch(
            f"/customers/{customer['id']}",
            json={"grade_locked": None},
            headers=users["admin"].headers,
        )
        assert_problem(r, 422, "validation", field="grade_locked")
