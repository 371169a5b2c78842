"""The audit trail (capability 8): who, when, what, before → after; admins read it with
filters and keyset pages. Each test acts as its own fresh admin, so `actor_id` isolates its
events from the rest of the shared session database."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import create_customer, make_user
from tests.support import assert_problem, uid


async def events(client, reader, **filters) -> dict:
    response = await client.get("/audit-events", params=filters, headers=reader.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def new_tag(client, admin) -> dict:
    response = await client.post("/tags", json={"name": f"审计-{uid()}"}, headers=admin.headers)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
async def actor(client, database):
    """An admin of this test alone."""
    return await make_user(client, database, "admin")


class TestOnlyAdminsRead:
    async def test_admin_reads(self, client, users):
        body = await events(client, users["admin"])
        assert set(body) >= {"items", "next_cursor"}

    async def test_other_roles_are_403(self, client, users):
        for role in ("supervisor", "am", "agent", "readonly"):
            response = await client.get("/audit-events", headers=users[role].headers)
            assert_problem(response, 403, "forbidden")

    async def test_anonymous_is_401(self, client):
        response = await client.get("/audit-events")
        assert_problem(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"] == "Bearer"


class TestEventShape:
    async def test_actor_and_changes_before_after(self, client, users, actor):
        customer = await create_customer(client, actor, region="华北")
        response = await client.patch(
            f"/customers/{customer['id']}",
            json={"region": "华东", "grade": "A"},
            headers=actor.headers,
        )
        assert response.status_code == 200, response.text
        [update, create] = (await events(client, users["admin"], actor_id=actor.id))["items"]
        assert update["action"] == "update" and create["action"] == "create"
        for event in (update, create):
            assert event["actor_id"] == actor.id
            assert event["entity_type"] == "customer"
            assert event["entity_id"] == event["customer_id"] == customer["id"]
            assert datetime.fromisoformat(event["at"]).utcoffset() is not None
        # an admin's hand-set grade is locked against the customer-value job
        assert update["changes"] == {
            "region": ["华北", "华东"],
            "grade": [None, "A"],
            "grade_locked": [False, True],
        }
        assert create["changes"]["name"] == [None, customer["name"]]
        assert create["changes"]["code"] == [None, customer["code"]]
        assert update["id"] > create["id"]

    async def test_an_account_managers_change_names_them(self, client, users):
        am = users["am"]
        customer = await create_customer(client, am)
        await client.patch(
            f"/customers/{customer['id']}", json={"urgency": "high"}, headers=am.headers
        )
        items = (
            await events(
                client,
                users["admin"],
                entity_type="customer",
                entity_id=customer["id"],
                action="update",
            )
        )["items"]
        assert [(e["actor_id"], e["changes"]) for e in items] == [
            (am.id, {"urgency": [None, "high"]})
        ]


class TestFilters:
    async def test_entity_type_and_id(self, client, users, actor):
        first, second = await new_tag(client, actor), await new_tag(client, actor)
        await client.patch(f"/tags/{first['id']}", json={"color": "#123456"}, headers=actor.headers)
        body = await events(client, users["admin"], entity_type="tag", entity_id=first["id"])
        assert [e["action"] for e in body["items"]] == ["update", "create"]
        assert {e["entity_id"] for e in body["items"]} == {first["id"]}
        both = await events(client, users["admin"], entity_type="tag", actor_id=actor.id)
        assert {e["entity_id"] for e in both["items"]} == {first["id"], second["id"]}
        assert (
            await events(client, users["admin"], entity_type="custom_field", actor_id=actor.id)
        )["items"] == []

    async def test_customer_id_covers_its_contacts(self, client, users, actor):
        customer = await create_customer(client, actor)
        other = await create_customer(client, actor)
        contact = await client.post(
            f"/customers/{customer['id']}/contacts",
            json={"name": "李雷", "mobile": "13800138000"},
            headers=actor.headers,
        )
        assert contact.status_code == 201, contact.text
        items = (await events(client, users["admin"], customer_id=customer["id"]))["items"]
        assert [(e["entity_type"], e["action"]) for e in items] == [
            ("contact", "create"),
            ("customer", "create"),
        ]
        assert items[0]["entity_id"] == contact.json()["id"]
        assert items[0]["changes"]["mobile"] == [None, "+8613800138000"]
        assert other["id"] not in {e["customer_id"] for e in items}

    async def test_actor_id(self, client, users, actor):
        await new_tag(client, actor)
        await new_tag(client, users["admin"])
        items = (await events(client, users["admin"], actor_id=actor.id))["items"]
        assert len(items) == 1 and items[0]["actor_id"] == actor.id

    async def test_action(self, client, users, actor):
        tag = await new_tag(client, actor)
        await client.patch(f"/tags/{tag['id']}", json={"color": "#abcdef"}, headers=actor.headers)
        await client.delete(f"/tags/{tag['id']}", headers=actor.headers)
        for action in ("create", "update", "delete"):
            items = (await events(client, users["admin"], actor_id=actor.id, action=action))[
                "items"
            ]
            assert [e["action"] for e in items] == [action]
        assert (await events(client, users["admin"], actor_id=actor.id, action="merge"))[
            "items"
        ] == []

    async def test_unknown_ids_give_an_empty_page(self, client, users):
        body = await events(client, users["admin"], entity_id=2**62, customer_id=2**62)
        assert body == {"items": [], "next_cursor": None, "total": None, "total_accuracy": None}


class TestTimeWindow:
    async def test_since_inclusive_until_exclusive_with_offsets(self, client, users, actor, clock):
        start = datetime(2021, 3, 1, tzinfo=UTC)
        clock.at = start
        tag = await new_tag(client, actor)  # 00:00Z
        clock.advance(hours=1)
        await client.patch(
            f"/tags/{tag['id']}", json={"color": "#111111"}, headers=actor.headers
        )  # 01:00Z
        clock.advance(hours=1)
        await new_tag(client, actor)  # 02:00Z
        admin = users["admin"]

        at = [
            datetime.fromisoformat(e["at"])
            for e in (await events(client, admin, actor_id=actor.id))["items"]
        ]
        assert at == [start + timedelta(hours=2), start + timedelta(hours=1), start]
        shanghai = {"since": "2021-03-01T09:00:00+08:00"}  # = 01:00Z, inclusive
        assert len((await events(client, admin, actor_id=actor.id, **shanghai))["items"]) == 2
        until = {"until": "2021-03-01T02:00:00Z"}  # exclusive
        assert [
            e["action"] for e in (await events(client, admin, actor_id=actor.id, **until))["items"]
        ] == ["update", "create"]
        both = await events(
            client,
            admin,
            actor_id=actor.id,
            since="2021-02-28T19:30:00-05:00",
            until="2021-03-01T01:59:59.999+00:00",
        )
        assert [e["action"] for e in both["items"]] == ["update"]

    async def test_naive_or_malformed_time_is_422(self, client, users):
        for param in ("since", "until"):
            for value in (
                "2024-01-01T00:00:00",
                "2024-01-01",
                "yesterday",
                "2024-13-01T00:00:00Z",
                "",
            ):
                response = await client.get(
                    "/audit-events", params={param: value}, headers=users["admin"].headers
                )
                body = assert_problem(response, 422, "validation")
                assert [e["field"] for e in body["errors"]] == [param], value


class TestKeysetPagination:
    async def test_pages_cover_everything_once_newest_first(self, client, users, actor):
        for _ in range(5):
            await new_tag(client, actor)
        admin = users["admin"]
        everything = [e["id"] for e in (await events(client, admin, actor_id=actor.id))["items"]]
        assert len(everything) == 5 and everything == sorted(everything, reverse=True)
        seen, pages, cursor = [], [], None
        while True:
            params = {"actor_id": actor.id, "limit": 2, **({"cursor": cursor} if cursor else {})}
            body = await events(client, admin, **params)
            pages.append(len(body["items"]))
            seen += [e["id"] for e in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert pages == [2, 2, 1]
        assert seen == everything

    async def test_exactly_a_full_last_page_has_no_next_cursor(self, client, users, actor):
        for _ in range(2):
            await new_tag(client, actor)
        body = await events(client, users["admin"], actor_id=actor.id, limit=2)
        assert len(body["items"]) == 2 and body["next_cursor"] is None

    async def test_limit_out_of_range_is_422(self, client, users):
        for limit in ("0", "201", "-1", "abc", "1.5"):
            response = await client.get(
                "/audit-events", params={"limit": limit}, headers=users["admin"].headers
            )
            body = assert_problem(response, 422, "validation")
            assert [e["field"] for e in body["errors"]] == ["limit"], limit

    async def test_limit_200_is_allowed(self, client, users):
        body = await events(client, users["admin"], limit=200)
        assert len(body["items"]) <= 200

    async def test_a_foreign_cursor_is_400(self, client, users):
        response = await client.get(
            "/audit-events", params={"cursor": "!!!"}, headers=users["admin"].headers
        )
        assert_problem(response, 400, "invalid-cursor")


class TestHistoryBelongsToOneRecord:
    async def test_a_new_customer_never_inherits_a_deleted_ones_history(self, client, users):
        admin = users["admin"]
        gone = await create_customer(client, admin, region="旧客户")
        assert (
            await client.delete(f"/customers/{gone['id']}", headers=admin.headers)
        ).status_code == 204
        fresh = await create_customer(client, users["am"])
        history = await client.get(f"/customers/{fresh['id']}/history", headers=users["am"].headers)
        assert [e["action"] for e in history.json()["items"]] == ["create"]
        assert fresh["id"] != gone["id"]
