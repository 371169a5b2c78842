"""Follow-ups through the API: the required summary, the time, what a follow-up does to its
customer (contact dates, activity, the pool clock, the next follow-up date), next actions,
linked opportunities, corrections, lists and access."""

from datetime import UTC, datetime, timedelta

import pytest

from persistence.models import Customer, FollowUp, Opportunity
from tests.api.sales_support import (
    cst,
    follow_up,
    get_customer,
    history,
    instant,
    move,
    ok,
    opportunity,
    set_columns,
    stored,
    team,
)
from tests.conftest import create_customer
from tests.support import assert_problem


async def count(client, user, customer_id: int) -> int:
    body = await ok(
        await client.get(
            f"/customers/{customer_id}/follow-ups", params={"limit": 200}, headers=user.headers
        )
    )
    return len(body["items"])


class TestSummary:
    @pytest.mark.parametrize("summary", ["missing", None, "", "   ", "\n\t "])
    async def test_a_follow_up_without_a_summary_is_422(self, client, database, users, summary):
        t = await team(client, database)
        body = {"customer_id": t.customer["id"], "method": "phone"}
        if summary != "missing":
            body["summary"] = summary
        r = await client.post("/follow-ups", json=body, headers=t.owner.headers)
        assert_problem(r, 422, "validation", field="summary")
        assert await count(client, t.owner, t.customer["id"]) == 0
        assert (await get_customer(client, t.owner, t.customer["id"]))["last_contact_at"] is None

    @pytest.mark.parametrize("summary", ["无", "ok", "  已沟通  "])
    async def test_a_short_or_vague_summary_is_accepted(self, client, database, users, summary):
        t = await team(client, database)
        made = await follow_up(client, t.owner, t.customer["id"], summary=summary)
        assert made["summary"] == summary.strip()

    async def test_patch_cannot_blank_the_summary(self, client, database, users):
        t = await team(client, database)
        made = await follow_up(client, t.owner, t.customer["id"])
        for value in (None, "  "):
            r = await client.patch(
                f"/follow-ups/{made['id']}", json={"summary": value}, headers=t.owner.headers
            )
            assert_problem(r, 422, "validation", field="summary")
        assert (await stored(database, FollowUp, made["id"])).summary == "电话沟通需求"


class TestWhen:
    async def test_at_defaults_to_now(self, client, database, users, clock):
        t = await team(client, database)
        clock.at = datetime(2025, 3, 4, 2, 30, tzinfo=UTC)
        made = await follow_up(client, t.owner, t.customer["id"])
        assert instant(made["at"]) == clock.at

    async def test_at_most_one_day_ahead(self, client, database, users, clock):
        t = await team(client, database)
        clock.at = datetime(2025, 3, 4, 2, 30, tzinfo=UTC)
        r = await client.post(
            "/follow-ups",
            headers=t.owner.headers,
            json={
                "customer_id": t.customer["id"],
                "method": "visit",
                "summary": "拜访",
                "at": (clock.at + timedelta(days=1, seconds=1)).isoformat(),
            },
        )
        assert_problem(r, 422, "validation", field="at")
        assert await count(client, t.owner, t.customer["id"]) == 0
        made = await follow_up(client, t.owner, t.customer["id"], at=clock.at + timedelta(days=1))
        assert instant(made["at"]) == clock.at + timedelta(days=1)

    @pytest.mark.parametrize("at", ["0001-01-01T00:00:00+08:00", "1969-12-31T23:59:59+00:00"])
    async def test_too_long_ago_is_422(self, client, database, users, at):
        t = await team(client, database)
        r = await client.post(
            "/follow-ups",
            headers=t.owner.headers,
            json={"customer_id": t.customer["id"], "method": "visit", "summary": "拜访", "at": at},
        )
        assert_problem(r, 422, "validation", field="at")

    async def test_a_time_without_offset_is_422(self, client, database, users):
        t = await team(client, database)
        r = await client.post(
            "/follow-ups",
            headers=t.owner.headers,
            json={
                "customer_id": t.customer["id"],
                "method": "visit",
                "summary": "拜访",
                "at": "2025-03-04T10:00:00",
            },
        )
        assert_problem(r, 422, "validation", field="at")

    async def test_unknown_method_is_422(self, client, database, users):
        t = await team(client, database)
        r = await client.post(
            "/follow-ups",
            headers=t.owner.headers,
            json={"customer_id": t.customer["id"], "method": "pigeon", "summary": "x"},
        )
        assert_problem(r, 422, "validation", field="method")


class TestCustomerEffects:
    async def test_contact_dates_and_activity(self, client, database, users, clock):
        t = await team(client, database)
        cid = t.customer["id"]
        await set_columns(database, cid, activity_status="dormant")
        clock.at = cst(2025, 3, 10, 9)
        await follow_up(client, t.owner, cid, at=cst(2025, 3, 5, 15))
        customer = await get_customer(client, t.owner, cid)
        assert instant(customer["last_contact_at"]) == cst(2025, 3, 5, 15)
        assert instant(customer["first_contact_at"]) == cst(2025, 3, 5, 15)
        assert customer["activity_status"] == "active"
        # Logged after the fact: the last contact does not move back; the first stays.
        await follow_up(client, t.owner, cid, at=cst(2025, 3, 1, 15))
        customer = await get_customer(client, t.owner, cid)
        assert instant(customer["last_contact_at"]) == cst(2025, 3, 5, 15)
        assert instant(customer["first_contact_at"]) == cst(2025, 3, 5, 15)
        await follow_up(client, t.owner, cid, at=cst(2025, 3, 8, 15))
        customer = await get_customer(client, t.owner, cid)
        assert instant(customer["last_contact_at"]) == cst(2025, 3, 8, 15)

    async def test_an_effective_follow_up_by_the_owner_restarts_the_pool_clock(
        self, client, database, users, clock
    ):
        t = await team(client, database)
        cid = t.customer["id"]
        engaged = cst(2025, 1, 1, 9)
        await set_columns(database, cid, owner_engaged_at=engaged)
        clock.at = cst(2025, 3, 10, 9)
        await follow_up(client, t.owner, cid, at=cst(2025, 3, 2, 9), effective=False)
        assert (await stored(database, Customer, cid)).owner_engaged_at == engaged
        # effective, but by someone else than the owner: not the owner's engagement
        await follow_up(client, users["admin"], cid, at=cst(2025, 3, 3, 9), effective=True)
        assert (await stored(database, Customer, cid)).owner_engaged_at == engaged
        await follow_up(client, t.owner, cid, at=cst(2025, 3, 4, 9), effective=True)
        assert (await stored(database, Customer, cid)).owner_engaged_at == cst(2025, 3, 4, 9)
        await follow_up(client, t.owner, cid, at=cst(2025, 3, 1, 9), effective=True)
        assert (await stored(database, Customer, cid)).owner_engaged_at == cst(2025, 3, 4, 9)
        # an admin recording it on the owner's behalf counts as the owner's
        await follow_up(
            client, users["admin"], cid, at=cst(2025, 3, 6, 9), effective=True, owner_id=t.owner.id
        )
        assert (await stored(database, Customer, cid)).owner_engaged_at == cst(2025, 3, 6, 9)

    async def test_next_follow_up_by_the_cadence_in_shanghai_days(
        self, client, database, users, clock
    ):
        t = await team(client, database, stage="intent")  # every 3 days
        clock.at = cst(2025, 3, 10, 9)
        # 2025-03-04 01:30 in Shanghai is still 3 March in UTC: the local day counts.
        await follow_up(
            client, t.owner, t.customer["id"], at=datetime(2025, 3, 3, 17, 30, tzinfo=UTC)
        )
        assert (await get_customer(client, t.owner, t.customer["id"]))[
            "next_follow_up_on"
        ] == "2025-03-07"

    async def test_the_next_actions_due_date_wins(self, client, database, users, clock):
        t = await team(client, database, stage="intent")
        clock.at = cst(2025, 3, 10, 9)
        await follow_up(
            client,
            t.owner,
            t.customer["id"],
            at=cst(2025, 3, 4, 9),
            next_action="发送报价单",
            next_action_due_on="2025-03-20",
        )
        assert (await get_customer(client, t.owner, t.customer["id"]))[
            "next_follow_up_on"
        ] == "2025-03-20"

    async def test_no_rule_no_cadence_date(self, client, database, users, clock):
        t = await team(client, database, stage="lost")  # lost has no cadence rule
        clock.at = cst(2025, 3, 10, 9)
        await follow_up(client, t.owner, t.customer["id"], at=cst(2025, 3, 4, 9))
        assert (await get_customer(client, t.owner, t.customer["id"]))["next_follow_up_on"] is None

    async def test_only_the_latest_follow_up_sets_what_is_due(self, client, database, users, clock):
        t = await team(client, database, stage="potential")  # every 7 days
        cid = t.customer["id"]
        clock.at = cst(2025, 3, 10, 9)
        await follow_up(client, t.owner, cid, at=cst(2025, 3, 6, 9))
        await follow_up(
            client,
            t.owner,
            cid,
            at=cst(2025, 3, 2, 9),
            next_action="补录: 寄样品",
            next_action_due_on="2025-03-03",
        )
        assert (await get_customer(client, t.owner, cid))["next_follow_up_on"] == "2025-03-13"


class TestNextActions:
    async def test_a_later_follow_up_closes_earlier_open_next_actions(
        self, client, database, users, clock
    ):
        t = await team(client, database)
        cid = t.customer["id"]
        clock.at = cst(2025, 3, 10, 9)
        first = await follow_up(
            client,
            t.owner,
            cid,
            at=cst(2025, 3, 3, 9),
            next_action="发资料",
            next_action_due_on="2025-03-05",
        )
        assert first["next_action_done_at"] is None
        plain = await follow_up(client, t.owner, cid, at=cst(2025, 3, 1, 9))  # no action
        second = await follow_up(
            client,
            t.owner,
            cid,
            at=cst(2025, 3, 4, 9),
            next_action="约演示",
            next_action_due_on="2025-03-07",
        )
        first = await ok(await client.get(f"/follow-ups/{first['id']}", headers=t.owner.headers))
        assert instant(first["next_action_done_at"]) == cst(2025, 3, 4, 9)
        assert (await stored(database, FollowUp, plain["id"])).next_action_done_at is None
        assert second["next_action_done_at"] is None
        # logged after the fact, between the two: its next action was overtaken at once
        late = await follow_up(
            client,
            t.owner,
            cid,
            at=cst(2025, 3, 3, 12),
            next_action="回电",
            next_action_due_on="2025-03-03",
        )
        assert instant(late["next_action_done_at"]) == cst(2025, 3, 4, 9)
        second = await ok(await client.get(f"/follow-ups/{second['id']}", headers=t.owner.headers))
        assert second["next_action_done_at"] is None
        events = [
            e
            for e in await history(client, users["admin"], cid)
            if e["entity_type"] == "follow_up" and e["action"] == "update"
        ]
        assert {e["entity_id"] for e in events} == {first["id"]}

    async def test_a_due_date_needs_an_action_on_or_after_the_contact(
        self, client, database, users, clock
    ):
        t = await team(client, database)
        clock.at = cst(2025, 3, 10, 9)
        base = {
            "customer_id": t.customer["id"],
            "method": "phone",
            "summary": "x",
            "at": cst(2025, 3, 4, 9).isoformat(),
        }
        r = await client.post(
            "/follow-ups",
            json={**base, "next_action_due_on": "2025-03-05"},
            headers=t.owner.headers,
        )
        assert_problem(r, 422, "validation", field="next_action_due_on")
        r = await client.post(
            "/follow-ups",
            json={**base, "next_action": "回访", "next_action_due_on": "2025-03-03"},
            headers=t.owner.headers,
        )
        assert_problem(r, 422, "validation", field="next_action_due_on")
        assert await count(client, t.owner, t.customer["id"]) == 0

    async def test_tick_off_and_reopen(self, client, database, users, clock):
        t = await team(client, database)
        clock.at = cst(2025, 3, 10, 9)
        made = await follow_up(
            client,
            t.owner,
            t.customer["id"],
            at=cst(2025, 3, 4, 9),
            next_action="回访",
            next_action_due_on="2025-03-06",
        )
        done = await ok(
            await client.patch(
                f"/follow-ups/{made['id']}",
                json={"next_action_done": True},
                headers=t.owner.headers,
            )
        )
        assert instant(done["next_action_done_at"]) == clock.at
        again = await ok(
            await client.patch(
                f"/follow-ups/{made['id']}",
                json={"next_action_done": False},
                headers=t.owner.headers,
            )
        )
        assert again["next_action_done_at"] is None

    async def test_a_new_due_date_on_the_latest_follow_up_moves_the_customers(
        self, client, database, users, clock
    ):
        t = await team(client, database, stage="intent")
        clock.at = cst(2025, 3, 10, 9)
        made = await follow_up(
            client,
            t.owner,
            t.customer["id"],
            at=cst(2025, 3, 4, 9),
            next_action="回访",
            next_action_due_on="2025-03-06",
        )
        await ok(
            await client.patch(
                f"/follow-ups/{made['id']}",
                json={"next_action_due_on": "2025-03-12"},
                headers=t.owner.headers,
            )
        )
        assert (await get_customer(client, t.owner, t.customer["id"]))[
            "next_follow_up_on"
        ] == "2025-03-12"
        await ok(
            await client.patch(
                f"/follow-ups/{made['id']}", json={"next_action": None}, headers=t.owner.headers
            )
        )
        # no next action any more: back to the cadence (intent: 3 days after 4 March)
        assert (await get_customer(client, t.owner, t.customer["id"]))[
            "next_follow_up_on"
        ] == "2025-03-07"


class TestOpportunityLink:
    async def test_an_effective_follow_up_marks_the_opportunity(
        self, client, database, users, clock
    ):
        t = await team(client, database)
        clock.at = cst(2025, 3, 10, 9)
        opp = await opportunity(client, t.owner, t.customer["id"])
        await follow_up(
            client,
            t.owner,
            t.customer["id"],
            at=cst(2025, 3, 5, 9),
            opportunity_id=opp["id"],
            effective=False,
        )
        assert (await stored(database, Opportunity, opp["id"])).last_effective_follow_up_at is None
        await follow_up(
            client,
            t.owner,
            t.customer["id"],
            at=cst(2025, 3, 6, 9),
            opportunity_id=opp["id"],
            effective=True,
        )
        await follow_up(
            client,
            t.owner,
            t.customer["id"],
            at=cst(2025, 3, 2, 9),
            opportunity_id=opp["id"],
            effective=True,
        )
        got = await ok(await client.get(f"/opportunities/{opp['id']}", headers=t.owner.headers))
        assert instant(got["last_effective_follow_up_at"]) == cst(2025, 3, 6, 9)

    async def test_a_later_effective_flag_marks_it_too(self, client, database, users, clock):
        t = await team(client, database)
        # The owner's pool clock starts when the customer is made: make that before 5 March.
        await set_columns(database, t.customer["id"], owner_engaged_at=cst(2025, 3, 1, 9))
        clock.at = cst(2025, 3, 10, 9)
        opp = await opportunity(client, t.owner, t.customer["id"])
        made = await follow_up(
            client, t.owner, t.customer["id"], at=cst(2025, 3, 5, 9), opportunity_id=opp["id"]
        )
        await ok(
            await client.patch(
                f"/follow-ups/{made['id']}", json={"effective": True}, headers=t.owner.headers
            )
        )
        got = await stored(database, Opportunity, opp["id"])
        assert got.last_effective_follow_up_at == cst(2025, 3, 5, 9)
        assert (await stored(database, Customer, t.customer["id"])).owner_engaged_at == cst(
            2025, 3, 5, 9
        )
        r = await client.patch(
            f"/follow-ups/{made['id']}", json={"effective": False}, headers=t.owner.headers
        )
        assert_problem(r, 409, "conflict")
        assert (await stored(database, FollowUp, made["id"])).effective is True

    async def test_only_open_opportunities_of_the_same_customer(self, client, database, users):
        t = await team(client, database)
        elsewhere = await create_customer(client, t.owner)
        foreign = await opportunity(client, t.owner, elsewhere["id"])
        lost = await opportunity(client, t.owner, t.customer["id"])
        await ok(await move(client, t.owner, lost["id"], "lost", reason="预算取消"))
        for opp_id in (foreign["id"], lost["id"], 2**62):
            r = await client.post(
                "/follow-ups",
                headers=t.owner.headers,
                json={
                    "customer_id": t.customer["id"],
                    "method": "phone",
                    "summary": "x",
                    "opportunity_id": opp_id,
                },
            )
            assert_problem(r, 422, "validation", field="opportunity_id")
        assert await count(client, t.owner, t.customer["id"]) == 0


class TestCorrections:
    async def test_the_author_corrects_and_it_is_audited(self, client, database, users):
        t = await team(client, database)
        made = await follow_up(client, t.owner, t.customer["id"], feedback=None)
        r = await client.patch(
            f"/follow-ups/{made['id']}",
            headers={**t.owner.headers, "If-Match": '"1"'},
            json={"feedback": "客户要求下周报价", "method": "wechat"},
        )
        got = await ok(r)
        assert (got["feedback"], got["method"], got["version"]) == ("客户要求下周报价", "wechat", 2)
        events = [
            e
            for e in await history(client, users["admin"], t.customer["id"])
            if e["entity_type"] == "follow_up"
        ]
        assert [e["action"] for e in events] == ["update", "create"]
        assert events[0]["changes"] == {
            "feedback": [None, "客户要求下周报价"],
            "method": ["phone", "wechat"],
        }
        assert events[1]["changes"]["summary"] == [None, "电话沟通需求"]
        assert events[1]["customer_id"] == t.customer["id"]

    async def test_stale_if_match_is_412(self, client, database, users):
        t = await team(client, database)
        made = await follow_up(client, t.owner, t.customer["id"])
        r = await client.patch(
            f"/follow-ups/{made['id']}",
            json={"summary": "改"},
            headers={**t.owner.headers, "If-Match": '"9"'},
        )
        assert_problem(r, 412, "version-mismatch")

    @pytest.mark.parametrize("field", ["at", "customer_id", "owner_id", "next_action_done_at"])
    async def test_what_happened_when_and_by_whom_stays(self, client, database, users, field):
        t = await team(client, database)
        made = await follow_up(client, t.owner, t.customer["id"])
        value = "2025-01-01T00:00:00+08:00" if field.endswith("at") else t.other.id
        r = await client.patch(
            f"/follow-ups/{made['id']}", json={field: value}, headers=t.owner.headers
        )
        assert_problem(r, 422, "validation", field=field)

    async def test_only_the_author_or_an_admin(self, client, database, users):
        t = await team(client, database)
        by_admin = await follow_up(client, users["admin"], t.customer["id"])
        r = await client.patch(
            f"/follow-ups/{by_admin['id']}", json={"summary": "改"}, headers=t.owner.headers
        )
        assert_problem(r, 403, "forbidden")
        own = await follow_up(client, t.owner, t.customer["id"])
        got = await ok(
            await client.patch(
                f"/follow-ups/{own['id']}", json={"summary": "改"}, headers=users["admin"].headers
            )
        )
        assert got["summary"] == "改"


class TestOwner:
    async def test_the_caller_owns_it_and_only_admins_name_another(self, client, database, users):
        t = await team(client, database)
        made = await follow_up(client, t.owner, t.customer["id"])
        assert made["owner_id"] == t.owner.id
        r = await client.post(
            "/follow-ups",
            headers=t.owner.headers,
            json={
                "customer_id": t.customer["id"],
                "method": "phone",
                "summary": "x",
                "owner_id": t.other.id,
            },
        )
        assert_problem(r, 403, "fields-forbidden", field="owner_id")
        named = await follow_up(client, users["admin"], t.customer["id"], owner_id=t.owner.id)
        assert named["owner_id"] == t.owner.id
        r = await client.post(
            "/follow-ups",
            headers=users["admin"].headers,
            json={
                "customer_id": t.customer["id"],
                "method": "phone",
                "summary": "x",
                "owner_id": users["agent"].id,
            },
        )
        assert_problem(r, 422, "validation", field="owner_id")


class TestLists:
    async def test_filters_and_keyset_pages(self, client, database, users, clock):
        t = await team(client, database)
        other_customer = await create_customer(client, t.owner)
        clock.at = cst(2025, 3, 10, 9)
        a = await follow_up(client, t.owner, t.customer["id"], at=cst(2025, 3, 1, 23, 30))
        b = await follow_up(client, t.owner, t.customer["id"], at=cst(2025, 3, 2, 0, 30))
        c = await follow_up(client, t.owner, other_customer["id"], at=cst(2025, 3, 3, 9))
        d = await follow_up(client, users["admin"], t.customer["id"], at=cst(2025, 3, 4, 9))
        mine = await ok(
            await client.get(
                "/follow-ups", params={"owner": "me", "limit": 200}, headers=t.owner.headers
            )
        )
        assert [f["id"] for f in mine["items"]] == [c["id"], b["id"], a["id"]]
        assert mine["items"][0]["customer_name"] == other_customer["name"]
        by_id = await ok(
            await client.get(
                "/follow-ups", params={"owner_id": t.owner.id}, headers=t.owner.headers
            )
        )
        assert [f["id"] for f in by_id["items"]] == [c["id"], b["id"], a["id"]]
        of_customer = await ok(
            await client.get(
                "/follow-ups", params={"customer_id": t.customer["id"]}, headers=t.owner.headers
            )
        )
        assert [f["id"] for f in of_customer["items"]] == [d["id"], b["id"], a["id"]]
        # from/to are Shanghai calendar days
        day = await ok(
            await client.get(
                "/follow-ups",
                params={"owner": "me", "from": "2025-03-02", "to": "2025-03-02"},
                headers=t.owner.headers,
            )
        )
        assert [f["id"] for f in day["items"]] == [b["id"]]
        page = await ok(
            await client.get(
                "/follow-ups", params={"owner": "me", "limit": 2}, headers=t.owner.headers
            )
        )
        rest = await ok(
            await client.get(
                "/follow-ups",
                params={"owner": "me", "limit": 2, "cursor": page["next_cursor"]},
                headers=t.owner.headers,
            )
        )
        assert [f["id"] for f in page["items"] + rest["items"]] == [c["id"], b["id"], a["id"]]
        assert rest["next_cursor"] is None
        r = await client.get(
            "/follow-ups", params={"owner": "me", "owner_id": t.other.id}, headers=t.owner.headers
        )
        assert_problem(r, 422, "validation", field="owner")
        assert_problem(
            await client.get("/follow-ups", params={"owner": "you"}, headers=t.owner.headers),
            422,
            "validation",
            field="owner",
        )

    async def test_who_sees_which(self, client, database, users):
        t = await team(client, database)
        theirs = await create_customer(client, t.other)
        mine = await follow_up(client, t.owner, t.customer["id"])
        other = await follow_up(client, t.other, theirs["id"])

        async def ids(user) -> set[int]:
            body = await ok(
                await client.get("/follow-ups", params={"limit": 200}, headers=user.headers)
            )
            return {f["id"] for f in body["items"]} & {mine["id"], other["id"]}

        assert await ids(t.owner) == {mine["id"]}
        assert await ids(t.other) == {other["id"]}
        for role in ("admin", "supervisor", "agent", "readonly"):
            assert await ids(users[role]) == {mine["id"], other["id"]}, role
        await ok(
            await client.post(
                f"/customers/{theirs['id']}/archive",
                json={"reason": "合作结束"},
                headers=t.other.headers,
            )
        )
        for role in ("admin", "supervisor", "agent"):
            assert await ids(users[role]) == {mine["id"]}, role
        assert_problem(
            await client.get(f"/follow-ups/{other['id']}", headers=t.other.headers),
            404,
            "not-found",
        )
        assert (
            await ok(await client.get(f"/follow-ups/{other['id']}", headers=users["admin"].headers))
        )["id"] == other["id"]

    async def test_own_follow_ups_leave_out_customers_no_longer_yours(
        self, client, database, users, clock
    ):
        """owner=me checks each follow-up's customer row by row (its own query plan): a
        customer transferred away or archived takes the account manager's follow-ups with it."""
        t = await team(client, database)
        kept = await create_customer(client, t.owner)
        moved = await create_customer(client, t.owner)
        clock.at = cst(2025, 3, 10, 9)
        on_kept = await follow_up(client, t.owner, kept["id"], at=cst(2025, 3, 1, 9))
        await follow_up(client, t.owner, moved["id"], at=cst(2025, 3, 2, 9))
        on_archived = await follow_up(client, t.owner, t.customer["id"], at=cst(2025, 3, 3, 9))

        async def mine() -> list[int]:
            body = await ok(
                await client.get("/follow-ups", params={"owner": "me"}, headers=t.owner.headers)
            )
            return [f["id"] for f in body["items"]]

        await ok(
            await client.patch(
                f"/customers/{moved['id']}",
                json={"owner_id": t.other.id},
                headers=users["admin"].headers,
            )
        )
        assert await mine() == [on_archived["id"], on_kept["id"]]
        await ok(
            await client.post(
                f"/customers/{t.customer['id']}/archive",
                json={"reason": "合作结束"},
                headers=t.owner.headers,
            )
        )
        assert await mine() == [on_kept["id"]]

    async def test_customer_follow_ups_newest_first(self, client, database, users, clock):
        t = await team(client, database)
        clock.at = cst(2025, 3, 10, 9)
        old = await follow_up(client, t.owner, t.customer["id"], at=cst(2025, 3, 1, 9))
        new = await follow_up(client, t.owner, t.customer["id"], at=cst(2025, 3, 5, 9))
        body = await ok(
            await client.get(
                f"/customers/{t.customer['id']}/follow-ups", headers=users["agent"].headers
            )
        )
        assert [f["id"] for f in body["items"]] == [new["id"], old["id"]]


ROLES = ("admin", "supervisor", "owner", "other", "agent", "readonly")
# Agents read contact records of every customer (DESIGN §1), never write them; supervisors and
# readonly users read; another account manager's customer does not exist for you (404).
MATRIX = {
    "customer-list": (200, 200, 200, 404, 200, 200),
    "create": (201, 403, 201, 404, 403, 403),
    "get": (200, 200, 200, 404, 200, 200),
    "patch": (200, 403, 200, 404, 403, 403),
}


@pytest.mark.parametrize(
    ("action", "role", "expected"),
    [(a, r, s[i]) for a, s in MATRIX.items() for i, r in enumerate(ROLES)],
)
async def test_access(client, database, users, action, role, expected):
    t = await team(client, database)
    made = await follow_up(client, t.owner, t.customer["id"])
    user = {"owner": t.owner, "other": t.other}.get(role) or users[role]
    cid, fid = t.customer["id"], made["id"]
    call = {
        "customer-list": lambda: client.get(f"/customers/{cid}/follow-ups", headers=user.headers),
        "create": lambda: client.post(
            "/follow-ups",
            headers=user.headers,
            json={"customer_id": cid, "method": "sms", "summary": "短信"},
        ),
        "get": lambda: client.get(f"/follow-ups/{fid}", headers=user.headers),
        "patch": lambda: client.patch(
            f"/follow-ups/{fid}", json={"summary": "改"}, headers=user.headers
        ),
    }[action]
    response = await call()
    if expected >= 400:
        assert_problem(response, expected, {403: None, 404: "not-found"}[expected])
        assert (await stored(database, FollowUp, fid)).version == 1
        assert await count(client, users["admin"], cid) == 1
    else:
        assert response.status_code == expected, response.text


async def test_ticking_off_a_missing_next_action_is_422(client, database, users):
    t = await team(client, database)
    made = await follow_up(client, t.owner, t.customer["id"])
    r = await client.patch(
        f"/follow-ups/{made['id']}", json={"next_action_done": True}, headers=t.owner.headers
    )
    assert_problem(r, 422, "validation", field="next_action_done")
    assert (await stored(database, FollowUp, made["id"])).version == 1
