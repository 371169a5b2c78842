"""Orders and contracts through the API: numbering, amounts as exact decimals, the customer's
derived totals, validation, If-Match, paging, audit, and who may see and write them."""

import re
from datetime import UTC, datetime

import pytest

from persistence.models import CustomerOrder
from tests.api.sales_support import (
    get_customer,
    history,
    ok,
    opportunity,
    order,
    set_columns,
    stored,
    team,
)
from tests.conftest import create_customer
from tests.support import assert_problem


class TestNumbering:
    async def test_the_server_numbers_orders_by_shanghai_month(
        self, client, database, users, clock
    ):
        t = await team(client, database)
        # 2031-06-30 17:00 UTC is already 1 July in Shanghai.
        clock.at = datetime(2031, 6, 30, 17, 0, tzinfo=UTC)
        first = await order(client, t.owner, t.customer["id"])
        assert re.fullmatch(r"O203107\d{6}", first["order_no"]), first["order_no"]
        assert first["order_no"] == "O203107000001"

    async def test_numbers_typed_by_hand_are_skipped(self, client, database, users, clock):
        t = await team(client, database)
        clock.at = datetime(2031, 8, 10, 2, 0, tzinfo=UTC)
        assert (await order(client, t.owner, t.customer["id"]))["order_no"] == "O203108000001"
        await order(client, t.owner, t.customer["id"], order_no="O203108000002")
        assert (await order(client, t.owner, t.customer["id"]))["order_no"] == "O203108000003"

    async def test_a_taken_order_no_is_409_and_changes_nothing(self, client, database, users):
        t = await team(client, database)
        first = await order(client, t.owner, t.customer["id"], amount="100.00")
        before = await get_customer(client, t.owner, t.customer["id"])
        r = await client.post(
            f"/customers/{t.customer['id']}/orders",
            headers=t.owner.headers,
            json={
                "order_no": first["order_no"],
                "product": "x",
                "amount": "5.00",
                "ordered_on": "2025-01-01",
            },
        )
        assert_problem(r, 409, "duplicate", field="order_no")
        after = await get_customer(client, t.owner, t.customer["id"])
        assert after["cumulative_amount"] == "100.00" and after["version"] == before["version"]
        listed = await ok(
            await client.get(f"/customers/{t.customer['id']}/orders", headers=t.owner.headers)
        )
        assert [o["id"] for o in listed["items"]] == [first["id"]]

    async def test_order_no_is_trimmed_and_a_blank_one_refused(self, client, database, users):
        t = await team(client, database)
        made = await order(client, t.owner, t.customer["id"], order_no="  HT-2025-001 ")
        assert made["order_no"] == "HT-2025-001"
        r = await client.post(
            f"/customers/{t.customer['id']}/orders",
            headers=t.owner.headers,
            json={"order_no": "   ", "product": "x", "amount": "5.00", "ordered_on": "2025-01-01"},
        )
        assert_problem(r, 422, "validation", field="order_no")


class TestAmountsAndTotals:
    async def test_amounts_are_exact_decimal_strings(self, client, database, users):
        t = await team(client, database)
        a = await order(client, t.owner, t.customer["id"], amount="0.10")
        b = await order(client, t.owner, t.customer["id"], amount=0.2)  # a JSON number too
        assert (a["amount"], b["amount"]) == ("0.10", "0.20")
        customer = await get_customer(client, t.owner, t.customer["id"])
        assert customer["cumulative_amount"] == "0.30"  # never 0.30000000000000004
        assert (await stored(database, CustomerOrder, a["id"])).amount == __import__(
            "decimal"
        ).Decimal("0.10")

    @pytest.mark.parametrize(
        "amount",
        [
            "0",
            "-5.00",
            "12.345",
            "abc",
            "NaN",
            "Infinity",
            "1000000000000.00",
            None,
            True,
            0.30000000000000004,
        ],
    )
    async def test_bad_amounts_are_422_and_change_nothing(self, client, database, users, amount):
        t = await team(client, database)
        r = await client.post(
            f"/customers/{t.customer['id']}/orders",
            headers=t.owner.headers,
            json={"product": "x", "amount": amount, "ordered_on": "2025-01-01"},
        )
        assert_problem(r, 422, "validation", field="amount")
        customer = await get_customer(client, t.owner, t.customer["id"])
        assert customer["cumulative_amount"] == "0.00"
        assert customer["first_cooperation_on"] is None

    async def test_totals_and_dates_follow_every_write(self, client, database, users):
        t = await team(client, database)
        cid = t.customer["id"]
        await order(client, t.owner, cid, amount="1000.00", ordered_on="2025-03-05")
        early = await order(client, t.owner, cid, amount="250.50", ordered_on="2024-11-20")
        await order(
            client, t.owner, cid, amount="9999.00", ordered_on="2023-01-01", status="cancelled"
        )
        customer = await get_customer(client, t.owner, cid)
        assert (
            customer["cumulative_amount"],
            customer["first_cooperation_on"],
            customer["last_order_on"],
        ) == ("1250.50", "2024-11-20", "2025-03-05")

        r = await client.patch(
            f"/orders/{early['id']}", json={"status": "cancelled"}, headers=t.owner.headers
        )
        assert (await ok(r))["status"] == "cancelled"
        customer = await get_customer(client, t.owner, cid)
        assert (
            customer["cumulative_amount"],
            customer["first_cooperation_on"],
            customer["last_order_on"],
        ) == ("1000.00", "2025-03-05", "2025-03-05")

        r = await client.patch(
            f"/orders/{early['id']}",
            json={"status": "completed", "amount": "300", "ordered_on": "2025-04-01"},
            headers=t.owner.headers,
        )
        assert (await ok(r))["amount"] == "300.00"
        customer = await get_customer(client, t.owner, cid)
        assert (
            customer["cumulative_amount"],
            customer["first_cooperation_on"],
            customer["last_order_on"],
        ) == ("1300.00", "2025-03-05", "2025-04-01")

    async def test_an_order_makes_a_dormant_customer_active(self, client, database, users):
        t = await team(client, database)
        await set_columns(database, t.customer["id"], activity_status="dormant")
        assert (await get_customer(client, t.owner, t.customer["id"]))[
            "activity_status"
        ] == "dormant"
        await order(client, t.owner, t.customer["id"])
        assert (await get_customer(client, t.owner, t.customer["id"]))[
            "activity_status"
        ] == "active"


class TestValidation:
    async def test_required_fields_and_unknown_ones(self, client, database, users):
        t = await team(client, database)
        url = f"/customers/{t.customer['id']}/orders"
        for missing in ("product", "amount", "ordered_on"):
            body = {"product": "x", "amount": "1.00", "ordered_on": "2025-01-01"}
            del body[missing]
            assert_problem(
                await client.post(url, json=body, headers=t.owner.headers),
                422,
                "validation",
                field=missing,
            )
        body = {"product": "x", "amount": "1.00", "ordered_on": "2025-01-01", "version": 3}
        assert_problem(
            await client.post(url, json=body, headers=t.owner.headers),
            422,
            "validation",
            field="version",
        )
        body = {"product": "x", "amount": "1.00", "ordered_on": "2025-01-01", "status": "shipped"}
        assert_problem(
            await client.post(url, json=body, headers=t.owner.headers),
            422,
            "validation",
            field="status",
        )

    async def test_the_opportunity_must_be_the_customers(self, client, database, users):
        t = await team(client, database)
        elsewhere = await create_customer(client, t.owner)
        foreign = await opportunity(client, t.owner, elsewhere["id"])
        r = await client.post(
            f"/customers/{t.customer['id']}/orders",
            headers=t.owner.headers,
            json={
                "product": "x",
                "amount": "1.00",
                "ordered_on": "2025-01-01",
                "opportunity_id": foreign["id"],
            },
        )
        assert_problem(r, 422, "validation", field="opportunity_id")
        own = await opportunity(client, t.owner, t.customer["id"])
        made = await order(client, t.owner, t.customer["id"], opportunity_id=own["id"])
        assert made["opportunity_id"] == own["id"]

    async def test_patch_refuses_nulls_and_what_may_not_change(self, client, database, users):
        t = await team(client, database)
        made = await order(client, t.owner, t.customer["id"])
        for body, field in (
            ({"product": None}, "product"),
            ({"amount": None}, "amount"),
            ({"customer_id": 1}, "customer_id"),
            ({"created_by": 1}, "created_by"),
        ):
            r = await client.patch(f"/orders/{made['id']}", json=body, headers=t.owner.headers)
            assert_problem(r, 422, "validation", field=field)
        assert (await stored(database, CustomerOrder, made["id"])).version == 1


class TestConcurrencyAndPaging:
    async def test_if_match(self, client, database, users):
        t = await team(client, database)
        made = await order(client, t.owner, t.customer["id"])
        r = await client.get(f"/orders/{made['id']}", headers=t.owner.headers)
        assert r.headers["ETag"] == '"1"'
        r = await client.patch(
            f"/orders/{made['id']}",
            json={"product": "新名"},
            headers={**t.owner.headers, "If-Match": '"7"'},
        )
        assert_problem(r, 412, "version-mismatch")
        assert (await stored(database, CustomerOrder, made["id"])).product == "CRM 年度订阅"
        r = await client.patch(
            f"/orders/{made['id']}",
            json={"product": "新名"},
            headers={**t.owner.headers, "If-Match": '"1"'},
        )
        assert (await ok(r))["product"] == "新名" and r.headers["ETag"] == '"2"'

    async def test_keyset_pages_newest_order_date_first(self, client, database, users):
        t = await team(client, database)
        ids = [
            (await order(client, t.owner, t.customer["id"], ordered_on=day))["id"]
            for day in ("2025-01-02", "2025-03-01", "2025-03-01", "2024-12-31")
        ]
        url = f"/customers/{t.customer['id']}/orders"
        first = await ok(await client.get(url, params={"limit": 3}, headers=t.owner.headers))
        assert [o["id"] for o in first["items"]] == [ids[2], ids[1], ids[0]]
        rest = await ok(
            await client.get(
                url, params={"limit": 3, "cursor": first["next_cursor"]}, headers=t.owner.headers
            )
        )
        assert [o["id"] for o in rest["items"]] == [ids[3]] and rest["next_cursor"] is None
        cancelled = await ok(
            await client.get(url, params={"status": "cancelled"}, headers=t.owner.headers)
        )
        assert cancelled["items"] == []
        assert_problem(
            await client.get(url, params={"cursor": "bm9wZQ=="}, headers=t.owner.headers),
            400,
            "invalid-cursor",
        )


class TestAudit:
    async def test_writes_are_on_the_customers_history(self, client, database, users):
        t = await team(client, database)
        made = await order(client, t.owner, t.customer["id"], amount="88.80")
        await ok(
            await client.patch(
                f"/orders/{made['id']}", json={"status": "completed"}, headers=t.owner.headers
            )
        )
        events = [
            e
            for e in await history(client, users["admin"], t.customer["id"])
            if e["entity_type"] == "order"
        ]
        assert [(e["action"], e["entity_id"], e["actor_id"]) for e in events] == [
            ("update", made["id"], t.owner.id),
            ("create", made["id"], t.owner.id),
        ]
        assert events[0]["changes"] == {"status": ["confirmed", "completed"]}
        assert events[1]["changes"]["amount"] == [None, "88.80"]
        assert events[1]["changes"]["order_no"] == [None, made["order_no"]]


# ---- who may do what ------------------------------------------------------------------------

ROLES = ("admin", "supervisor", "owner", "other", "agent", "readonly")
# Agents see no money, so orders are refused to them by role (403) whatever the id; another
# account manager's customer does not exist for you (404).
MATRIX = {
    "list": (200, 200, 200, 404, 403, 200),
    "create": (201, 403, 201, 404, 403, 403),
    "get": (200, 200, 200, 404, 403, 200),
    "patch": (200, 403, 200, 404, 403, 403),
}


@pytest.mark.parametrize(
    ("action", "role", "expected"),
    [(a, r, s[i]) for a, s in MATRIX.items() for i, r in enumerate(ROLES)],
)
async def test_access(client, database, users, action, role, expected):
    t = await team(client, database)
    made = await order(client, t.owner, t.customer["id"])
    user = {"owner": t.owner, "other": t.other}.get(role) or users[role]
    cid, oid = t.customer["id"], made["id"]
    r = {
        "list": lambda: client.get(f"/customers/{cid}/orders", headers=user.headers),
        "create": lambda: client.post(
            f"/customers/{cid}/orders",
            headers=user.headers,
            json={"product": "y", "amount": "1.00", "ordered_on": "2025-01-01"},
        ),
        "get": lambda: client.get(f"/orders/{oid}", headers=user.headers),
        "patch": lambda: client.patch(
            f"/orders/{oid}", json={"product": "z"}, headers=user.headers
        ),
    }[action]
    response = await r()
    if expected >= 400:
        assert_problem(response, expected, {403: None, 404: "not-found"}[expected])
        assert (await stored(database, CustomerOrder, oid)).version == 1
        assert (await get_customer(client, users["admin"], cid))["cumulative_amount"] == "12800.00"
    else:
        assert response.status_code == expected, response.text


async def test_agents_get_403_even_for_orders_that_do_not_exist(client, users):
    assert_problem(await client.get(f"/orders/{2**62}", headers=users["agent"].headers), 403)
    assert_problem(
        await client.get(f"/orders/{2**62}", headers=users["admin"].headers), 404, "not-found"
    )


async def test_orders_of_an_archived_customer_are_the_admins(client, database, users):
    t = await team(client, database)
    made = await order(client, t.owner, t.customer["id"])
    await ok(
        await client.post(
            f"/customers/{t.customer['id']}/archive",
            json={"reason": "合作结束"},
            headers=t.owner.headers,
        )
    )
    assert_problem(await client.get(f"/orders/{made['id']}", headers=t.owner.headers), 404)
    assert_problem(
        await client.get(f"/orders/{made['id']}", headers=users["supervisor"].headers), 404
    )
    assert (await ok(await client.get(f"/orders/{made['id']}", headers=users["admin"].headers)))[
        "id"
    ] == made["id"]


async def test_agents_see_no_amounts_in_the_customers_history(client, database, users):
    t = await team(client, database)
    made = await order(client, t.owner, t.customer["id"], amount="66.60")
    await ok(
        await client.patch(
            f"/orders/{made['id']}", json={"amount": "77.70"}, headers=t.owner.headers
        )
    )
    await opportunity(client, t.owner, t.customer["id"], budget_min="10", budget_max="20")

    async def money(user) -> list:
        events = await history(client, user, t.customer["id"])
        return sorted(
            (
                (k, v)
                for e in events
                for k, v in e["changes"].items()
                if k in ("amount", "budget_min", "budget_max")
            ),
            key=repr,
        )

    assert await money(users["supervisor"]) == sorted(
        [
            ("budget_min", [None, "10.00"]),
            ("budget_max", [None, "20.00"]),
            ("amount", ["66.60", "77.70"]),
            ("amount", [None, "66.60"]),
        ],
        key=repr,
    )
    assert await money(users["agent"]) == []
    events = await history(client, users["agent"], t.customer["id"])
    [update] = [e for e in events if e["entity_type"] == "order" and e["action"] == "update"]
    assert update["changes"] == {}  # the only change was the amount
