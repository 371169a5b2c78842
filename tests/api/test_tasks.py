"""Tasks through the API: listing (whose, open or done, keyset pages) and completing (who may,
twice is harmless, audited). The jobs that create tasks are tested in tests/jobs/lifecycle;
here tasks are written straight to the table."""

from datetime import date, timedelta

import pytest

from persistence.models import Customer, Task
from tests.api.ticket_support import MONDAY_9, instant
from tests.conftest import create_customer, make_user
from tests.support import assert_problem


async def add_task(
    database,
    owner_id: int,
    customer_id: int | None,
    *,
    kind: str = "activation",
    done: bool = False,
) -> int:
    async with database.session(write=True) as s:
        task = Task(
            owner_id=owner_id,
            customer_id=customer_id,
            kind=kind,
            title=f"任务 {kind}",
            due_on=date(2024, 10, 21),
            done_at=MONDAY_9 if done else None,
            created_at=MONDAY_9,
            updated_at=MONDAY_9,
        )
        s.add(task)
        await s.flush()
        return task.id


@pytest.fixture
async def am(client, database):
    """A fresh account manager with a customer: no other test's tasks in sight."""
    user = await make_user(client, database, "account_manager")
    customer = await create_customer(client, user)
    return user, customer["id"]


async def ids(client, user, **params) -> list[int]:
    r = await client.get("/tasks", params=params, headers=user.headers)
    assert r.status_code == 200, r.text
    return [t["id"] for t in r.json()["items"]]


class TestList:
    async def test_my_open_done_and_all_tasks_newest_first(self, client, database, am):
        user, customer_id = am
        first = await add_task(database, user.id, customer_id)
        done = await add_task(database, user.id, customer_id, kind="verification", done=True)
        last = await add_task(database, user.id, customer_id, kind="verification")
        assert await ids(client, user, owner="me", done="false") == [last, first]
        assert await ids(client, user, done="true") == [done]
        assert await ids(client, user) == [last, done, first]
        r = await client.get("/tasks", params={"done": "false"}, headers=user.headers)
        task = r.json()["items"][0]
        assert task == {
            "id": last,
            "owner_id": user.id,
            "customer_id": customer_id,
            "kind": "verification",
            "title": "任务 verification",
            "due_on": "2024-10-21",
            "done_at": None,
            "version": 1,
            "created_at": task["created_at"],
        }
        assert instant(task["created_at"]) == MONDAY_9

    async def test_keyset_pages_walk_every_task_once(self, client, database, am):
        user, customer_id = am
        made = [await add_task(database, user.id, customer_id) for _ in range(5)]
        seen, cursor, pages = [], None, 0
        while True:
            params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            r = await client.get("/tasks", params=params, headers=user.headers)
            assert r.status_code == 200, r.text
            seen += [t["id"] for t in r.json()["items"]]
            cursor, pages = r.json()["next_cursor"], pages + 1
            if cursor is None:
                break
        assert seen == sorted(made, reverse=True) and pages == 3
        assert_problem(
            await client.get("/tasks", params={"cursor": "bm9wZQ"}, headers=user.headers),
            400,
            "invalid-cursor",
        )

    async def test_tasks_of_archived_customers_are_left_out(self, client, database, am):
        user, customer_id = am
        task = await add_task(database, user.id, customer_id)
        r = await client.post(
            f"/customers/{customer_id}/archive", json={"reason": "合作结束"}, headers=user.headers
        )
        assert r.status_code == 200, r.text
        assert task not in await ids(client, user)

    async def test_admins_list_anyones_others_only_their_own(self, client, database, users, am):
        user, customer_id = am
        task = await add_task(database, user.id, customer_id)
        assert await ids(client, users["admin"], owner=str(user.id)) == [task]
        assert await ids(client, user, owner=str(user.id)) == [task]
        r = await client.get("/tasks", params={"owner": str(user.id)}, headers=users["am2"].headers)
        assert_problem(r, 403, "forbidden")
        assert await ids(client, users["readonly"]) == []  # no tasks, but may look

    @pytest.mark.parametrize("owner", ["you", "0", "-1", "1" * 19, "me "])
    async def test_a_malformed_owner_is_422(self, client, users, owner):
        r = await client.get("/tasks", params={"owner": owner}, headers=users["admin"].headers)
        assert_problem(r, 422, "validation", field="owner")

    async def test_anonymous_is_401(self, client):
        assert_problem(await client.get("/tasks"), 401, "unauthorized")


class TestComplete:
    async def test_the_owner_completes_once_and_it_is_on_the_history(
        self, client, database, users, clock, am
    ):
        user, customer_id = am
        task = await add_task(database, user.id, customer_id)
        clock.at = MONDAY_9 + timedelta(hours=2)
        r = await client.post(f"/tasks/{task}/complete", headers=user.headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert instant(body["done_at"]) == clock.at and body["version"] == 2
        async with database.session(write=False) as s:
            assert (await s.get(Task, task)).done_at == clock.at

        clock.at = MONDAY_9 + timedelta(hours=3)  # again: nothing changes
        again = await client.post(f"/tasks/{task}/complete", headers=user.headers)
        assert again.status_code == 200
        assert {**again.json(), "done_at": instant(again.json()["done_at"])} == {
            **body,
            "done_at": MONDAY_9 + timedelta(hours=2),
        }
        r = await client.get(f"/customers/{customer_id}/history", headers=user.headers)
        completions = [e for e in r.json()["items"] if e["action"] == "complete"]
        assert [(e["entity_type"], e["entity_id"], e["actor_id"]) for e in completions] == [
            ("task", task, user.id)
        ]
        assert instant(completions[0]["changes"]["done_at"][1]) == MONDAY_9 + timedelta(hours=2)
        assert await ids(client, user, done="false") == []

    async def test_an_admin_may_complete_anyones(self, client, database, users, am):
        user, customer_id = am
        task = await add_task(database, user.id, customer_id)
        r = await client.post(f"/tasks/{task}/complete", headers=users["admin"].headers)
        assert r.status_code == 200 and r.json()["done_at"] is not None

    async def test_someone_elses_task_is_404_and_stays_open(self, client, database, users, am):
        user, customer_id = am
        task = await add_task(database, user.id, customer_id)
        r = await client.post(f"/tasks/{task}/complete", headers=users["am2"].headers)
        assert_problem(r, 404, "not-found")
        for role in ("supervisor", "agent", "readonly"):  # they have no customers:write
            r = await client.post(f"/tasks/{task}/complete", headers=users[role].headers)
            assert_problem(r, 403, "forbidden")
        async with database.session(write=False) as s:
            assert (await s.get(Task, task)).done_at is None
        assert_problem(
            await client.post("/tasks/999999999/complete", headers=users["admin"].headers),
            404,
            "not-found",
        )

    async def test_a_task_without_customer(self, client, database, am):
        user, _ = am
        task = await add_task(database, user.id, None)
        r = await client.post(f"/tasks/{task}/complete", headers=user.headers)
        assert r.status_code == 200 and r.json()["customer_id"] is None
        async with database.session(write=False) as s:  # the customer table is untouched
            assert await s.get(Customer, 0) is None
