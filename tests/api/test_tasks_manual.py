"""Manual tasks through the API: created by people (`POST /tasks`), reassigned
(`PATCH /tasks/{id}`), and listed per customer (`GET /tasks?customer_id=`)."""

import pytest

from persistence.models import Task
from tests.conftest import create_customer, make_user
from tests.support import assert_problem


@pytest.fixture
async def am(client, database):
    user = await make_user(client, database, "account_manager")
    customer = await create_customer(client, user)
    return user, customer["id"]


class TestCreate:
    async def test_an_account_manager_adds_one_for_a_customer_and_it_is_on_the_history(
        self, client, database, am
    ):
        user, customer_id = am
        r = await client.post(
            "/tasks",
            json={"title": " 回访报价 ", "due_on": "2024-11-01", "customer_id": customer_id},
            headers=user.headers,
        )
        assert r.status_code == 201, r.text
        task = r.json()
        assert (
            task["title"],
            task["kind"],
            task["owner_id"],
            task["customer_id"],
            task["due_on"],
            task["done_at"],
        ) == ("回访报价", "manual", user.id, customer_id, "2024-11-01", None)
        async with database.session(write=False) as s:
            assert (await s.get(Task, task["id"])).kind == "manual"
        r = await client.get(f"/customers/{customer_id}/history", headers=user.headers)
        created = [e for e in r.json()["items"] if e["entity_type"] == "task"]
        assert [(e["action"], e["changes"]["title"]) for e in created] == [
            ("create", [None, "回访报价"])
        ]

    async def test_a_customer_one_may_not_see_is_404(self, client, users, am):
        _, customer_id = am
        r = await client.post(
            "/tasks", json={"title": "x", "customer_id": customer_id}, headers=users["am2"].headers
        )
        assert_problem(r, 404, "not-found")

    async def test_only_admins_give_tasks_to_others(self, client, users, am):
        user, customer_id = am
        r = await client.post(
            "/tasks", json={"title": "x", "owner_id": users["am2"].id}, headers=user.headers
        )
        assert_problem(r, 403, "forbidden")
        r = await client.post(
            "/tasks",
            json={"title": "核实", "customer_id": customer_id, "owner_id": user.id},
            headers=users["admin"].headers,
        )
        assert r.status_code == 201 and r.json()["owner_id"] == user.id

    async def test_the_assignee_must_be_able_to_work_it(self, client, users, am):
        user, customer_id = am
        admin = users["admin"].headers
        for owner in (users["agent"].id, users["am2"].id, 999_999_999):
            r = await client.post(
                "/tasks",
                json={"title": "x", "customer_id": customer_id, "owner_id": owner},
                headers=admin,
            )
            assert_problem(r, 422, "validation", field="owner_id")

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"title": "  "},
            {"title": "x" * 201},
            {"title": "x", "kind": "manual"},
            {"title": "x", "due_on": "soon"},
        ],
    )
    async def test_bad_bodies_are_422(self, client, users, body):
        r = await client.post("/tasks", json=body, headers=users["am"].headers)
        assert_problem(r, 422, "validation")

    @pytest.mark.parametrize("role", ["supervisor", "agent", "readonly"])
    async def test_roles_without_customers_write_are_403(self, client, users, role):
        r = await client.post("/tasks", json={"title": "x"}, headers=users[role].headers)
        assert_problem(r, 403, "forbidden")


class TestReassign:
    async def test_an_admin_reassigns_and_the_new_owner_sees_it(self, client, users, am):
        user, customer_id = am
        other = users["admin"]
        r = await client.post("/tasks", json={"title": "上门拜访"}, headers=user.headers)
        task = r.json()
        r = await client.patch(
            f"/tasks/{task['id']}",
            json={"owner_id": other.id},
            headers={**user.headers, "If-Match": '"0"'},
        )
        assert_problem(r, 412, "version-mismatch")
        r = await client.patch(
            f"/tasks/{task['id']}", json={"owner_id": other.id}, headers=user.headers
        )
        assert_problem(r, 403, "forbidden")  # not the customer's owner, not an admin
        r = await client.patch(
            f"/tasks/{task['id']}",
            json={"owner_id": other.id, "due_on": "2024-12-01"},
            headers=other.headers,
        )
        assert r.status_code == 200, r.text
        assert (r.json()["owner_id"], r.json()["due_on"], r.json()["version"]) == (
            other.id,
            "2024-12-01",
            2,
        )
        listed = await client.get("/tasks", params={"done": "false"}, headers=other.headers)
        assert task["id"] in [t["id"] for t in listed.json()["items"]]
        mine = await client.get("/tasks", headers=user.headers)
        assert task["id"] not in [t["id"] for t in mine.json()["items"]]

    async def test_someone_elses_task_is_404(self, client, users, am):
        user, _ = am
        task = (await client.post("/tasks", json={"title": "x"}, headers=user.headers)).json()
        r = await client.patch(
            f"/tasks/{task['id']}", json={"title": "y"}, headers=users["am2"].headers
        )
        assert_problem(r, 404, "not-found")

    @pytest.mark.parametrize("body", [{"title": None}, {"owner_id": None}, {"done_at": None}])
    async def test_nulls_and_unknown_fields_are_422(self, client, am, body):
        user, _ = am
        task = (await client.post("/tasks", json={"title": "x"}, headers=user.headers)).json()
        r = await client.patch(f"/tasks/{task['id']}", json=body, headers=user.headers)
        assert_problem(r, 422, "validation")


class TestPerCustomer:
    async def test_whoever_sees_the_customer_lists_its_tasks_of_every_owner(
        self, client, users, am
    ):
        user, customer_id = am
        mine = (
            await client.post(
                "/tasks", json={"title": "a", "customer_id": customer_id}, headers=user.headers
            )
        ).json()
        admins = (
            await client.post(
                "/tasks",
                json={"title": "b", "customer_id": customer_id, "owner_id": users["admin"].id},
                headers=users["admin"].headers,
            )
        ).json()
        other = (await client.post("/tasks", json={"title": "c"}, headers=user.headers)).json()
        for who in (user, users["supervisor"], users["admin"]):
            r = await client.get("/tasks", params={"customer_id": customer_id}, headers=who.headers)
            assert r.status_code == 200, r.text
            assert [t["id"] for t in r.json()["items"]] == [admins["id"], mine["id"]]
        r = await client.get(
            "/tasks", params={"customer_id": customer_id, "owner": "me"}, headers=user.headers
        )
        assert [t["id"] for t in r.json()["items"]] == [mine["id"]]
        assert other["id"] not in [t["id"] for t in r.json()["items"]]
        r = await client.get(
            "/tasks", params={"customer_id": customer_id}, headers=users["am2"].headers
        )
        assert_problem(r, 404, "not-found")


class TestTimelineFilter:
    async def test_the_history_keeps_one_kind_of_record(self, client, am):
        user, customer_id = am
        await client.post(
            "/tasks", json={"title": "a", "customer_id": customer_id}, headers=user.headers
        )
        r = await client.post(
            f"/customers/{customer_id}/contacts",
            json={"name": "李四", "mobile": "13800138000"},
            headers=user.headers,
        )
        assert r.status_code == 201, r.text
        every = await client.get(f"/customers/{customer_id}/history", headers=user.headers)
        assert {e["entity_type"] for e in every.json()["items"]} == {"customer", "task", "contact"}
        tasks = await client.get(
            f"/customers/{customer_id}/history",
            params={"entity_type": "task"},
            headers=user.headers,
        )
        assert [e["entity_type"] for e in tasks.json()["items"]] == ["task"]
        r = await client.get(
            f"/customers/{customer_id}/history",
            params={"entity_type": "nope"},
            headers=user.headers,
        )
        assert_problem(r, 422, "validation", field="entity_type")
