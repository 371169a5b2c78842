"""Opportunities through the API: creation, budgets, the stage machine (409 with the allowed
targets, lost needs a reason, won and lost are final), winning with an order, edits with
If-Match, staleness on read, lists, audit and access."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from persistence.models import CustomerOrder, Opportunity
from tests.api.sales_support import (
    cst,
    follow_up,
    get_customer,
    history,
    instant,
    move,
    ok,
    opportunity,
    stored,
    team,
)
from tests.conftest import create_customer
from tests.support import assert_problem


async def order_count(database, customer_id: int) -> int:
    async with database.session(write=False) as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(CustomerOrder)
                .where(CustomerOrder.customer_id == customer_id)
            )
        )


class TestCreate:
    async def test_defaults_and_exact_budgets(self, client, database, users):
        t = await team(client, database)
        made = await opportunity(
            client,
            t.owner,
            t.customer["id"],
            budget_min="50000",
            budget_max="80000.5",
            expected_close_on="2025-06-30",
        )
        assert (made["stage"], made["owner_id"], made["customer_id"]) == (
            "intent",
            t.owner.id,
            t.customer["id"],
        )
        assert (made["budget_min"], made["budget_max"]) == ("50000.00", "80000.50")
        assert made["allowed_transitions"] == ["lost", "quote"]
        assert made["stale"] is False and made["lost_reason"] is None
        assert made["customer_name"] == t.customer["name"]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"budget_min": "100", "budget_max": "99.99"}, "budget_max"),
            ({"budget_min": "-1"}, "budget_min"),
            ({"budget_max": "1.234"}, "budget_max"),
            ({"stage": "won"}, "stage"),
            ({"stage": "lost"}, "stage"),
            ({"title": "   "}, "title"),
            ({"lost_reason": "x"}, "lost_reason"),
        ],
    )
    async def test_bad_input_is_422_and_creates_nothing(self, client, database, users, body, field):
        t = await team(client, database)
        r = await client.post(
            "/opportunities",
            headers=t.owner.headers,
            json={"customer_id": t.customer["id"], "title": "项目", **body},
        )
        assert_problem(r, 422, "validation", field=field)
        listed = await ok(
            await client.get(
                f"/customers/{t.customer['id']}/opportunities", headers=t.owner.headers
            )
        )
        assert listed["items"] == []

    async def test_may_start_further_along(self, client, database, users):
        t = await team(client, database)
        made = await opportunity(client, t.owner, t.customer["id"], stage="contract")
        assert made["allowed_transitions"] == ["lost", "won"]

    async def test_only_admins_name_the_owner(self, client, database, users):
        t = await team(client, database)
        r = await client.post(
            "/opportunities",
            headers=t.owner.headers,
            json={"customer_id": t.customer["id"], "title": "项目", "owner_id": t.other.id},
        )
        assert_problem(r, 403, "fields-forbidden", field="owner_id")
        made = await opportunity(client, users["admin"], t.customer["id"], owner_id=t.owner.id)
        assert made["owner_id"] == t.owner.id
        r = await client.post(
            "/opportunities",
            headers=users["admin"].headers,
            json={
                "customer_id": t.customer["id"],
                "title": "项目",
                "owner_id": users["readonly"].id,
            },
        )
        assert_problem(r, 422, "validation", field="owner_id")


class TestStageMachine:
    async def test_the_happy_path(self, client, database, users):
        t = await team(client, database)
        opp = await opportunity(client, t.owner, t.customer["id"])
        for to, allowed in (
            ("quote", ["contract", "lost"]),
            ("contract", ["lost", "won"]),
            ("won", []),
        ):
            got = await ok(await move(client, t.owner, opp["id"], to))
            assert (got["stage"], got["allowed_transitions"]) == (to, allowed)
        assert got["closed_at"] is not None

    @pytest.mark.parametrize(
        ("path", "to", "allowed"),
        [
            ([], "won", ["lost", "quote"]),
            ([], "contract", ["lost", "quote"]),
            ([], "intent", ["lost", "quote"]),
            (["quote"], "intent", ["contract", "lost"]),
            (["quote", "contract", "won"], "lost", []),
            (["lost"], "intent", []),
        ],
    )
    async def test_an_illegal_move_is_409_listing_the_allowed(
        self, client, database, users, path, to, allowed
    ):
        t = await team(client, database)
        opp = await opportunity(client, t.owner, t.customer["id"])
        for step in path:
            await ok(await move(client, t.owner, opp["id"], step, reason="原因"))
        current = await stored(database, Opportunity, opp["id"])
        body = assert_problem(await move(client, t.owner, opp["id"], to), 409, "illegal-transition")
        assert (body["allowed"], body["requested"]) == (allowed, to)
        after = await stored(database, Opportunity, opp["id"])
        assert (after.stage, after.version) == (current.stage, current.version)

    @pytest.mark.parametrize("reason", ["missing", None, "", "   "])
    async def test_lost_needs_a_reason(self, client, database, users, reason):
        t = await team(client, database)
        opp = await opportunity(client, t.owner, t.customer["id"], stage="quote")
        extra = {} if reason == "missing" else {"reason": reason}
        assert_problem(
            await move(client, t.owner, opp["id"], "lost", **extra),
            422,
            "validation",
            field="reason",
        )
        assert (await stored(database, Opportunity, opp["id"])).stage == "quote"

    async def test_lost_from_any_open_stage_keeps_the_reason(self, client, database, users):
        t = await team(client, database)
        for stage in ("intent", "quote", "contract"):
            opp = await opportunity(client, t.owner, t.customer["id"], stage=stage)
            got = await ok(await move(client, t.owner, opp["id"], "lost", reason=" 预算被砍 "))
            assert (got["stage"], got["lost_reason"]) == ("lost", "预算被砍")
            assert got["closed_at"] is not None and got["allowed_transitions"] == []

    async def test_transitions_are_on_the_customers_history(self, client, database, users):
        t = await team(client, database)
        opp = await opportunity(client, t.owner, t.customer["id"])
        await ok(await move(client, t.owner, opp["id"], "quote", reason="已发报价"))
        await ok(await move(client, t.owner, opp["id"], "lost", reason="选了竞品"))
        events = [
            e
            for e in await history(client, users["admin"], t.customer["id"])
            if e["entity_type"] == "opportunity"
        ]
        assert [e["action"] for e in events] == ["transition", "transition", "create"]
        assert events[0]["changes"]["stage"] == ["quote", "lost"]
        assert events[0]["changes"]["lost_reason"] == [None, "选了竞品"]
        assert events[1]["changes"] == {"stage": ["intent", "quote"], "reason": [None, "已发报价"]}

    async def test_if_match(self, client, database, users):
        t = await team(client, database)
        opp = await opportunity(client, t.owner, t.customer["id"])
        r = await client.post(
            f"/opportunities/{opp['id']}/transitions",
            json={"to": "quote"},
            headers={**t.owner.headers, "If-Match": '"5"'},
        )
        assert_problem(r, 412, "version-mismatch")
        r = await client.post(
            f"/opportunities/{opp['id']}/transitions",
            json={"to": "quote"},
            headers={**t.owner.headers, "If-Match": '"1"'},
        )
        assert (await ok(r))["stage"] == "quote" and r.headers["ETag"] == '"2"'


class TestWinning:
    async def test_winning_with_an_order(self, client, database, users, clock):
        t = await team(client, database)
        clock.at = cst(2025, 5, 20, 10)
        customer = await create_customer(client, t.owner, stage="intent")
        t.customer = customer
        opp = await opportunity(client, t.owner, t.customer["id"], stage="contract")
        got = await ok(
            await move(
                client,
                t.owner,
                opp["id"],
                "won",
                order={
                    "product": "CRM 三年期",
                    "amount": "360000.00",
                    "ordered_on": "2025-05-20",
                    "contract_no": "HT-2025-088",
                },
            )
        )
        assert got["stage"] == "won"
        orders = await ok(
            await client.get(f"/customers/{t.customer['id']}/orders", headers=t.owner.headers)
        )
        [made] = orders["items"]
        assert (made["opportunity_id"], made["amount"], made["contract_no"], made["status"]) == (
            opp["id"],
            "360000.00",
            "HT-2025-088",
            "confirmed",
        )
        assert made["order_no"].startswith("O202505")
        customer = await get_customer(client, t.owner, t.customer["id"])
        assert (
            customer["cumulative_amount"],
            customer["first_cooperation_on"],
            customer["stage"],
        ) == ("360000.00", "2025-05-20", "customer")
        # a customer now: the 30-day cadence, from the day it was created (no contact yet)
        assert customer["next_follow_up_on"] == "2025-06-19"
        events = [
            (e["entity_type"], e["action"])
            for e in await history(client, users["admin"], t.customer["id"])
        ][:3]
        assert sorted(events) == [
            ("customer", "update"),
            ("opportunity", "transition"),
            ("order", "create"),
        ]

    async def test_winning_without_an_order(self, client, database, users):
        t = await team(client, database)
        opp = await opportunity(client, t.owner, t.customer["id"], stage="contract")
        await ok(await move(client, t.owner, opp["id"], "won"))
        assert await order_count(database, t.customer["id"]) == 0
        assert (await get_customer(client, t.owner, t.customer["id"]))["stage"] == "customer"

    async def test_a_bad_order_wins_nothing(self, client, database, users):
        t = await team(client, database)
        opp = await opportunity(client, t.owner, t.customer["id"], stage="contract")
        r = await move(
            client,
            t.owner,
            opp["id"],
            "won",
            order={"product": "x", "amount": "0", "ordered_on": "2025-05-20"},
        )
        assert_problem(r, 422, "validation", field="order.amount")
        first = await ok(
            await move(
                client,
                users["admin"],
                (await opportunity(client, t.owner, t.customer["id"], stage="contract"))["id"],
                "won",
                order={"product": "x", "amount": "1.00", "ordered_on": "2025-05-20"},
            )
        )
        orders = await ok(
            await client.get(f"/customers/{t.customer['id']}/orders", headers=t.owner.headers)
        )
        taken = orders["items"][0]["order_no"]
        assert first["stage"] == "won"
        # a duplicate order number fails the whole transition
        r = await move(
            client,
            t.owner,
            opp["id"],
            "won",
            order={"product": "x", "amount": "5.00", "ordered_on": "2025-05-20", "order_no": taken},
        )
        assert_problem(r, 409, "duplicate")
        assert (await stored(database, Opportunity, opp["id"])).stage == "contract"
        assert await order_count(database, t.customer["id"]) == 1

    async def test_an_order_only_when_winning(self, client, database, users):
        t = await team(client, database)
        opp = await opportunity(client, t.owner, t.customer["id"])
        r = await move(
            client,
            t.owner,
            opp["id"],
            "quote",
            order={"product": "x", "amount": "1.00", "ordered_on": "2025-05-20"},
        )
        assert_problem(r, 422, "validation", field="order")
        assert (await stored(database, Opportunity, opp["id"])).stage == "intent"


class TestEdit:
    async def test_edit_with_if_match_and_audit(self, client, database, users):
        t = await team(client, database)
        opp = await opportunity(client, t.owner, t.customer["id"], budget_max="1000")
        r = await client.patch(
            f"/opportunities/{opp['id']}",
            json={"title": "新标题"},
            headers={**t.owner.headers, "If-Match": '"3"'},
        )
        assert_problem(r, 412, "version-mismatch")
        r = await client.patch(
            f"/opportunities/{opp['id']}",
            json={"title": "新标题", "budget_min": "500"},
            headers={**t.owner.headers, "If-Match": '"1"'},
        )
        got = await ok(r)
        assert (got["title"], got["budget_min"], got["version"]) == ("新标题", "500.00", 2)
        [event] = [
            e
            for e in await history(client, users["admin"], t.customer["id"])
            if e["entity_type"] == "opportunity" and e["action"] == "update"
        ]
        assert event["changes"] == {
            "title": ["ERP 升级项目", "新标题"],
            "budget_min": [None, "500.00"],
        }

    @pytest.mark.parametrize(
        ("body", "status", "field"),
        [
            ({"budget_min": "2000"}, 422, "budget_max"),  # above the stored maximum
            ({"stage": "won"}, 422, "stage"),
            ({"title": None}, 422, "title"),
            ({"customer_id": 1}, 422, "customer_id"),
            ({"owner_id": 1}, 403, "owner_id"),
        ],
    )
    async def test_refused_edits_change_nothing(self, client, database, users, body, status, field):
        t = await team(client, database)
        opp = await opportunity(client, t.owner, t.customer["id"], budget_max="1000")
        r = await client.patch(f"/opportunities/{opp['id']}", json=body, headers=t.owner.headers)
        assert_problem(r, status, field=field)
        assert (await stored(database, Opportunity, opp["id"])).version == 1

    async def test_a_closed_opportunity_no_longer_changes(self, client, database, users):
        t = await team(client, database)
        opp = await opportunity(client, t.owner, t.customer["id"], stage="contract")
        await ok(await move(client, t.owner, opp["id"], "won"))
        r = await client.patch(
            f"/opportunities/{opp['id']}", json={"title": "改"}, headers=t.owner.headers
        )
        assert_problem(r, 409, "conflict")


class TestStale:
    """Created Fri 2025-01-10 20:00 Shanghai; 30 days quiet (the default) on 2025-02-09."""

    async def test_stale_on_read_from_the_thirtieth_day(self, client, database, users, clock):
        t = await team(client, database)
        clock.at = cst(2025, 1, 10, 20)
        opp = await opportunity(client, t.owner, t.customer["id"])

        async def stale(at: datetime) -> bool:
            clock.at = at
            got = await ok(await client.get(f"/opportunities/{opp['id']}", headers=t.owner.headers))
            listed = await ok(
                await client.get(
                    "/opportunities",
                    params={"customer_id": t.customer["id"], "stale": "true"},
                    headers=t.owner.headers,
                )
            )
            assert got["stale"] == (opp["id"] in {o["id"] for o in listed["items"]})
            return got["stale"]

        assert await stale(datetime(2025, 2, 8, 15, 59, 59, tzinfo=UTC)) is False  # 23:59:59
        assert await stale(datetime(2025, 2, 8, 16, 0, tzinfo=UTC)) is True  # 02-09 00:00
        await follow_up(
            client,
            t.owner,
            t.customer["id"],
            at=cst(2025, 2, 9, 10),
            opportunity_id=opp["id"],
            effective=False,
        )
        assert await stale(cst(2025, 2, 9, 11)) is True  # no answer: still quiet
        await follow_up(
            client,
            t.owner,
            t.customer["id"],
            at=cst(2025, 2, 9, 12),
            opportunity_id=opp["id"],
            effective=True,
        )
        assert await stale(cst(2025, 2, 9, 13)) is False
        assert await stale(cst(2025, 3, 10, 23, 59)) is False
        assert await stale(cst(2025, 3, 11, 0, 0)) is True
        not_stale = await ok(
            await client.get(
                "/opportunities",
                params={"customer_id": t.customer["id"], "stale": "false"},
                headers=t.owner.headers,
            )
        )
        assert not_stale["items"] == []

    async def test_closed_ones_are_never_stale(self, client, database, users, clock):
        t = await team(client, database)
        clock.at = cst(2025, 1, 10, 20)
        opp = await opportunity(client, t.owner, t.customer["id"])
        await ok(await move(client, t.owner, opp["id"], "lost", reason="无预算"))
        clock.at = cst(2025, 6, 1, 9)
        got = await ok(await client.get(f"/opportunities/{opp['id']}", headers=t.owner.headers))
        assert got["stale"] is False


class TestLists:
    async def test_filters_pages_and_who_sees_which(self, client, database, users):
        t = await team(client, database)
        second = await create_customer(client, t.owner)
        theirs = await create_customer(client, t.other)
        a = await opportunity(client, t.owner, t.customer["id"])
        b = await opportunity(client, t.owner, second["id"], stage="quote")
        c = await opportunity(client, users["admin"], t.customer["id"])  # the admin's own
        x = await opportunity(client, t.other, theirs["id"])
        mine = {a["id"], b["id"], c["id"]}

        async def ids(user, **params) -> list[int]:
            body = await ok(
                await client.get(
                    "/opportunities", params={"limit": 200, **params}, headers=user.headers
                )
            )
            return [o["id"] for o in body["items"] if o["id"] in mine | {x["id"]}]

        assert await ids(t.owner) == [c["id"], b["id"], a["id"]]
        assert await ids(t.owner, owner="me") == [b["id"], a["id"]]
        assert await ids(t.owner, stage="quote") == [b["id"]]
        assert await ids(t.owner, customer_id=t.customer["id"]) == [c["id"], a["id"]]
        assert await ids(t.other) == [x["id"]]
        assert await ids(users["supervisor"]) == [x["id"], c["id"], b["id"], a["id"]]
        page = await ok(
            await client.get(
                "/opportunities", params={"owner": "me", "limit": 1}, headers=t.owner.headers
            )
        )
        rest = await ok(
            await client.get(
                "/opportunities",
                params={"owner": "me", "limit": 1, "cursor": page["next_cursor"]},
                headers=t.owner.headers,
            )
        )
        assert [o["id"] for o in page["items"] + rest["items"]] == [b["id"], a["id"]]
        await ok(
            await client.post(
                f"/customers/{second['id']}/archive",
                json={"reason": "停止合作"},
                headers=t.owner.headers,
            )
        )
        assert await ids(users["admin"]) == [x["id"], c["id"], a["id"]]
        customer_list = await ok(
            await client.get(
                f"/customers/{t.customer['id']}/opportunities", headers=users["readonly"].headers
            )
        )
        assert [o["id"] for o in customer_list["items"]] == [c["id"], a["id"]]


ROLES = ("admin", "supervisor", "owner", "other", "agent", "readonly")
# Budgets are money: agents are refused by role (403) everywhere.
MATRIX = {
    "list": (200, 200, 200, 200, 403, 200),
    "customer-list": (200, 200, 200, 404, 403, 200),
    "create": (201, 403, 201, 404, 403, 403),
    "get": (200, 200, 200, 404, 403, 200),
    "patch": (200, 403, 200, 404, 403, 403),
    "transition": (200, 403, 200, 404, 403, 403),
}


@pytest.mark.parametrize(
    ("action", "role", "expected"),
    [(a, r, s[i]) for a, s in MATRIX.items() for i, r in enumerate(ROLES)],
)
async def test_access(client, database, users, action, role, expected):
    t = await team(client, database)
    opp = await opportunity(client, t.owner, t.customer["id"])
    user = {"owner": t.owner, "other": t.other}.get(role) or users[role]
    cid, oid = t.customer["id"], opp["id"]
    call = {
        "list": lambda: client.get("/opportunities", headers=user.headers),
        "customer-list": lambda: client.get(
            f"/customers/{cid}/opportunities", headers=user.headers
        ),
        "create": lambda: client.post(
            "/opportunities", headers=user.headers, json={"customer_id": cid, "title": "新商机"}
        ),
        "get": lambda: client.get(f"/opportunities/{oid}", headers=user.headers),
        "patch": lambda: client.patch(
            f"/opportunities/{oid}", json={"title": "改"}, headers=user.headers
        ),
        "transition": lambda: move(client, user, oid, "quote"),
    }[action]
    response = await call()
    if expected >= 400:
        assert_problem(response, expected, {403: None, 404: "not-found"}[expected])
        assert (await stored(database, Opportunity, oid)).version == 1
    else:
        assert response.status_code == expected, response.text
    if action == "list" and expected == 200:
        ids = {o["id"] for o in response.json()["items"]}
        assert (oid in ids) == (role != "other")  # newest first: on the first page


async def test_agents_get_403_even_for_unknown_ids(client, users):
    assert_problem(await client.get(f"/opportunities/{2**62}", headers=users["agent"].headers), 403)


async def test_instant_fields_have_offsets(client, database, users):
    t = await team(client, database)
    opp = await opportunity(client, t.owner, t.customer["id"])
    assert instant(opp["created_at"]) and instant(opp["updated_at"])
