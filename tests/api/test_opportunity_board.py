"""What the opportunity board reads beyond one page of cards: per-stage totals
(GET /opportunities/stage-totals) with the list's filters, and the expected-close-month
filter both take. The session database is shared: each test counts a fresh account
manager's opportunities (`owner=`), or reads as one."""

from typing import Any

import pytest

from tests.api.sales_support import move, ok, opportunity, team
from tests.conftest import create_customer
from tests.support import assert_problem

ZERO = {"count": 0, "amount": "0.00"}


async def totals(client, user, **params: Any) -> dict[str, dict[str, Any]]:
    body = await ok(
        await client.get("/opportunities/stage-totals", params=params, headers=user.headers)
    )
    assert [t["stage"] for t in body] == ["intent", "quote", "contract", "won", "lost"]
    return {t["stage"]: {"count": t["count"], "amount": t["amount"]} for t in body}


async def listed(client, user, **params: Any) -> set[int]:
    body = await ok(
        await client.get("/opportunities", params={"limit": 200, **params}, headers=user.headers)
    )
    return {o["id"] for o in body["items"]}


class TestStageTotals:
    async def test_counts_and_amounts_per_stage(self, client, database, users):
        t = await team(client, database)
        cid = t.customer["id"]
        # The amount is the upper budget, else the lower one, else nothing: as the board sums.
        await opportunity(client, t.owner, cid, budget_min="10000", budget_max="12800.5")
        await opportunity(client, t.owner, cid, budget_min="300.25")
        await opportunity(client, t.owner, cid)
        await opportunity(client, t.owner, cid, stage="quote", budget_max="50000")
        won = await opportunity(client, t.owner, cid, stage="contract", budget_max="0.01")
        await ok(await move(client, t.owner, won["id"], "won"))
        lost = await opportunity(client, t.owner, cid, stage="quote", budget_max="999999999999.99")
        await ok(await move(client, t.owner, lost["id"], "lost", reason="预算取消"))
        await opportunity(client, users["admin"], cid, budget_max="7")  # the admin's own

        assert await totals(client, users["supervisor"], owner=str(t.owner.id)) == {
            "intent": {"count": 3, "amount": "13100.75"},
            "quote": {"count": 1, "amount": "50000.00"},
            "contract": ZERO,
            "won": {"count": 1, "amount": "0.01"},
            "lost": {"count": 1, "amount": "999999999999.99"},
        }
        # Without an owner, the customer's owner sees the admin's opportunity too.
        mine = await totals(client, t.owner)
        assert mine["intent"] == {"count": 4, "amount": "13107.75"}
        assert (await totals(client, t.owner, owner="me"))["intent"]["count"] == 3

    async def test_the_same_filters_as_the_list(self, client, database, users):
        t = await team(client, database)
        cid = t.customer["id"]
        second = await create_customer(client, t.owner)
        a = await opportunity(client, t.owner, cid, title="年度维保", budget_max="100")
        b = await opportunity(client, t.owner, second["id"], title="云迁移", budget_max="20")
        c = await opportunity(client, t.owner, second["id"], stage="quote", budget_max="3")
        for params, ids in (
            ({"customer_id": second["id"]}, {b["id"], c["id"]}),
            ({"q": "维保"}, {a["id"]}),
            ({"stale": "false"}, {a["id"], b["id"], c["id"]}),
            ({"stale": "true"}, set()),
        ):
            got = await totals(client, t.owner, owner="me", **params)
            assert await listed(client, t.owner, owner="me", **params) == ids
            assert sum(x["count"] for x in got.values()) == len(ids), params

    async def test_account_managers_count_their_customers_only(self, client, database, users):
        t = await team(client, database)
        await opportunity(client, t.owner, t.customer["id"], budget_max="100")
        await opportunity(client, users["admin"], t.customer["id"], budget_max="50")
        # the other account manager owns no customer: nothing, even asking for the owner's
        other = await totals(client, t.other)
        assert all(x == ZERO for x in other.values())
        asked = await totals(client, t.other, owner=str(t.owner.id))
        assert all(x == ZERO for x in asked.values())
        assert (await totals(client, t.owner))["intent"] == {"count": 2, "amount": "150.00"}

    async def test_archived_customers_are_left_out(self, client, database, users):
        t = await team(client, database)
        second = await create_customer(client, t.owner)
        await opportunity(client, t.owner, t.customer["id"], budget_max="100")
        await opportunity(client, t.owner, second["id"], budget_max="40")
        assert (await totals(client, users["admin"], owner=str(t.owner.id)))["intent"] == {
            "count": 2,
            "amount": "140.00",
        }
        await ok(
            await client.post(
                f"/customers/{second['id']}/archive",
                json={"reason": "停止合作"},
                headers=t.owner.headers,
            )
        )
        for user in (users["admin"], t.owner):
            got = await totals(client, user, owner=str(t.owner.id))
            assert got["intent"] == {"count": 1, "amount": "100.00"}

    async def test_agents_are_refused(self, client, users):
        assert_problem(
            await client.get("/opportunities/stage-totals", headers=users["agent"].headers), 403
        )

    @pytest.mark.parametrize("name", ["stage", "limit", "cursor"])
    async def test_the_lists_paging_and_stage_are_not_parameters(self, client, users, name):
        r = await client.get(
            "/opportunities/stage-totals", params={name: "intent"}, headers=users["admin"].headers
        )
        assert_problem(r, 400, "unknown-parameter", field=name)


class TestCloseMonth:
    async def test_both_endpoints_take_the_expected_close_month(self, client, database, users):
        t = await team(client, database)
        cid = t.customer["id"]

        async def made(day: str | None, budget: str) -> int:
            fields = {"expected_close_on": day} if day else {}
            return (await opportunity(client, t.owner, cid, budget_max=budget, **fields))["id"]

        first = await made("2026-12-01", "1")
        last = await made("2026-12-31", "20")
        await made("2026-11-30", "300")
        await made("2027-01-01", "4000")  # the next month is the next year's January
        await made(None, "50000")
        quote = await opportunity(
            client, t.owner, cid, stage="quote", budget_max="0.5", expected_close_on="2026-12-15"
        )

        assert await listed(client, t.owner, owner="me", close_month="2026-12") == {
            first,
            last,
            quote["id"],
        }
        assert await listed(client, t.owner, stage="quote", close_month="2026-12") == {quote["id"]}
        got = await totals(client, t.owner, owner="me", close_month="2026-12")
        assert (got["intent"], got["quote"]) == (
            {"count": 2, "amount": "21.00"},
            {"count": 1, "amount": "0.50"},
        )
        january = await totals(client, t.owner, close_month="2027-01")
        assert january["intent"] == {"count": 1, "amount": "4000.00"}
        assert all(
            x == ZERO for x in (await totals(client, t.owner, close_month="2026-10")).values()
        )

    @pytest.mark.parametrize(
        "value", ["2026-13", "2026-00", "2026-1", "1969-12", "2101-01", "2026-12-01", "十二月", ""]
    )
    @pytest.mark.parametrize("path", ["/opportunities", "/opportunities/stage-totals"])
    async def test_a_bad_month_is_422(self, client, users, path, value):
        r = await client.get(path, params={"close_month": value}, headers=users["admin"].headers)
        assert_problem(r, 422, "validation", field="close_month")
