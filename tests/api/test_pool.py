"""The public pool through the API: what a pool customer (owner_id null) looks like to each
role everywhere, GET /pool (roles, masking, filters, paging), POST /pool/{id}/claim (limit,
cooldown at simulated times, races) and an admin assigning a pool customer."""

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.validation import mask_phone
from tests.api.pool_support import history, lifecycle, pool_items, release, stored, unique  # noqa: F401
from tests.api.ticket_support import open_ticket, ticket_body
from tests.conftest import create_customer, make_user
from tests.support import assert_problem

SH = ZoneInfo("Asia/Shanghai")


async def add_contact(client, owner, customer_id: int, **fields) -> dict:
    response = await client.post(
        f"/customers/{customer_id}/contacts",
        json={"name": "李雷", "mobile": "13812345678", **fields},
        headers=owner.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
async def pooled(client, users, database) -> dict:
    """A customer users["am"] created (with a contact and a ticket an admin opened), then lost
    to the pool."""
    customer = await create_customer(
        client, users["am"], name=unique("公海客户"), region="上海市浦东新区"
    )
    contact = await add_contact(client, users["am"], customer["id"], phone="021-12345678")
    ticket = await open_ticket(client, users["admin"], customer["id"])
    await release(database, customer["id"])
    return {**customer, "contact_id": contact["id"], "ticket_id": ticket["id"]}


class TestAPoolCustomerEverywhere:
    """Account managers never see a pool customer through /customers; everyone else sees it
    with owner_id null."""

    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("GET", "/customers/{id}", None),
            ("PATCH", "/customers/{id}", {"region": "华北"}),
            ("GET", "/customers/{id}/history", None),
            ("GET", "/customers/{id}/contacts", None),
            ("GET", "/customers/{id}/contacts/{contact}", None),
            ("POST", "/customers/{id}/contacts", {"name": "韩梅梅"}),
            ("POST", "/customers/{id}/archive", {"reason": "不要了"}),
            ("GET", "/tickets/{ticket}", None),
        ],
    )
    async def test_its_former_owner_gets_404(
        self, client, users, database, pooled, method, path, body
    ):
        before = await stored(database, pooled["id"])
        url = path.format(id=pooled["id"], contact=pooled["contact_id"], ticket=pooled["ticket_id"])
        response = await client.request(method, url, json=body, headers=users["am"].headers)
        assert_problem(response, 404, "not-found")
        assert (await stored(database, pooled["id"])).version == before.version

    async def test_nor_does_it_show_in_their_lists_or_take_tickets(self, client, users, pooled):
        am = users["am"].headers
        listed = await client.get("/customers", params={"name": pooled["name"]}, headers=am)
        assert listed.status_code == 200 and listed.json()["items"] == []
        tickets = await client.get("/tickets", params={"customer_id": pooled["id"]}, headers=am)
        assert tickets.status_code == 200 and tickets.json()["items"] == []
        response = await client.post("/tickets", json=ticket_body(pooled["id"]), headers=am)
        assert_problem(response, 404, "not-found")
        response = await client.post(
            f"/customers/{pooled['id']}/tags", json={"tag_ids": [1]}, headers=am
        )
        assert_problem(response, 404, "not-found")

    @pytest.mark.parametrize("role", ["admin", "supervisor", "agent", "readonly"])
    async def test_other_roles_see_it_without_owner(self, client, users, pooled, role):
        headers = users[role].headers
        one = await client.get(f"/customers/{pooled['id']}", headers=headers)
        assert one.status_code == 200, one.text
        assert one.json()["owner_id"] is None and one.json()["pool_entered_at"] is not None
        listed = await client.get("/customers", params={"name": pooled["name"]}, headers=headers)
        assert [c["owner_id"] for c in listed.json()["items"]] == [None]
        contacts = await client.get(f"/customers/{pooled['id']}/contacts", headers=headers)
        mobile = contacts.json()[0]["mobile"]
        # Supervisors and readonly users see it masked, as on any customer not theirs.
        assert mobile == (
            "+86138****5678" if role in ("supervisor", "readonly") else "+8613812345678"
        )
        events = await client.get(f"/customers/{pooled['id']}/history", headers=headers)
        assert events.status_code == 200
        assert events.json()["items"][0]["action"] == "release"

    async def test_the_release_is_on_the_history(self, client, users, pooled):
        release_event = (await history(client, users["admin"], pooled["id"]))[-1]
        assert release_event["action"] == "release" and release_event["actor_id"] is None
        assert release_event["changes"]["owner_id"] == [users["am"].id, None]
        assert release_event["changes"]["release_reason"] == [None, "no_follow_up"]

    @pytest.mark.parametrize("role", ["admin", "supervisor", "agent"])
    async def test_tickets_can_be_opened_for_it(self, client, users, pooled, role):
        ticket = await open_ticket(client, users[role], pooled["id"])
        assert ticket["customer_id"] == pooled["id"]

    async def test_admin_edits_it_and_it_stays_in_the_pool(self, client, users, database, pooled):
        response = await client.patch(
            f"/customers/{pooled['id']}", json={"region": "华北"}, headers=users["admin"].headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["owner_id"] is None and response.json()["region"] == "华北"
        assert (await stored(database, pooled["id"])).pool_entered_at is not None


class TestAdminAssignsAPoolCustomer:
    async def test_naming_an_owner_takes_it_out_of_the_pool(
        self, client, users, database, clock, pooled
    ):
        entered = (await stored(database, pooled["id"])).pool_entered_at
        clock.at = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
        response = await client.patch(
            f"/customers/{pooled['id']}",
            json={"owner_id": users["am2"].id},
            headers=users["admin"].headers,
        )
        assert response.status_code == 200, response.text
        assert response.json()["owner_id"] == users["am2"].id
        assert response.json()["pool_entered_at"] is None
        row = await stored(database, pooled["id"])
        assert row.owner_engaged_at == clock.at and row.owned_since == clock.at
        assert row.released_by == users["am"].id  # who lost it last, kept for the cooldown
        last = (await history(client, users["admin"], pooled["id"]))[-1]
        assert last["action"] == "update" and last["actor_id"] == users["admin"].id
        assert last["changes"] == {
            "owner_id": [None, users["am2"].id],
            "pool_entered_at": [entered.isoformat(), None],
        }
        assert pooled["id"] not in [
            c["id"] for c in await pool_items(client, users["admin"], name=pooled["name"])
        ]

    async def test_an_admin_reassigning_an_owned_customer_restarts_its_clocks(
        self, client, users, database, clock
    ):
        customer = await create_customer(client, users["am"])
        clock.at = datetime(2031, 6, 1, tzinfo=UTC)
        response = await client.patch(
            f"/customers/{customer['id']}",
            json={"owner_id": users["am2"].id},
            headers=users["admin"].headers,
        )
        assert response.status_code == 200, response.text
        row = await stored(database, customer["id"])
        assert row.owner_engaged_at == clock.at and row.owned_since == clock.at


# ---- GET /pool ---------------------------------------------------------------------------


class TestPoolList:
    @pytest.mark.parametrize("role", ["admin", "supervisor", "am", "readonly"])
    async def test_who_lists_it(self, client, users, pooled, role):
        items = await pool_items(client, users[role], name=pooled["name"])
        assert [i["id"] for i in items] == [pooled["id"]]

    async def test_agents_are_403(self, client, users):
        assert_problem(await client.get("/pool", headers=users["agent"].headers), 403, "forbidden")

    @pytest.mark.parametrize("role", ["supervisor", "am", "readonly"])
    async def test_contacts_masked_and_who_released_hidden(self, client, users, pooled, role):
        [item] = await pool_items(client, users[role], name=pooled["name"])
        [contact] = item["contacts"]
        assert contact["mobile"] == "+86138****5678"
        assert contact["phone"] == mask_phone("+862112345678") != "+862112345678"
        assert contact["masked_fields"] == ["mobile", "phone"]
        assert item["released_by"] is None
        assert item["pool_entered_at"] is not None and item["region"] == "上海市浦东新区"
        assert "id_number" not in item and "cumulative_amount" not in item

    async def test_admins_see_everything(self, client, users, pooled):
        [item] = await pool_items(client, users["admin"], name=pooled["name"])
        assert item["released_by"] == users["am"].id
        assert item["contacts"][0]["mobile"] == "+8613812345678"
        assert item["contacts"][0]["masked_fields"] == []

    async def test_an_individual_shows_no_id_number(self, client, users, database):
        customer = await create_customer(
            client, users["am"], kind="individual", name=unique("散户")
        )
        await release(database, customer["id"])
        [item] = await pool_items(client, users["supervisor"], name=customer["name"])
        assert item["kind"] == "individual" and "id_number" not in item
        assert customer["id_number"] not in str(item)

    async def test_owned_and_archived_customers_are_not_in_it(self, client, users, database):
        marker = unique("池外")
        owned = await create_customer(client, users["am"], name=f"{marker}-owned")
        archived = await create_customer(client, users["am"], name=f"{marker}-archived")
        kept = await create_customer(client, users["am"], name=f"{marker}-kept")
        await release(database, archived["id"], kept["id"])
        response = await client.post(
            f"/customers/{archived['id']}/archive",
            json={"reason": "停止合作"},
            headers=users["admin"].headers,
        )
        assert response.status_code == 200, response.text
        for role in ("admin", "am"):
            assert [i["id"] for i in await pool_items(client, users[role], name=marker)] == [
                kept["id"]
            ]
        assert owned["id"] != kept["id"]

    async def test_filters(self, client, users, database):
        marker = unique("筛选")
        a = await create_customer(
            client,
            users["am"],
            name=f"{marker}甲",
            industry="I65",
            region="浙江省杭州市",
            stage="intent",
        )
        b = await create_customer(
            client,
            users["am"],
            name=f"{marker}乙",
            industry="C13",
            region="上海市",
            stage="potential",
        )
        c = await create_customer(
            client,
            users["am"],
            name=f"{marker}丙",
            industry="I63",
            region="杭州",
            stage="potential",
        )
        await release(database, a["id"], b["id"], c["id"])
        am = users["am"]

        async def ids(**params) -> set[int]:
            return {i["id"] for i in await pool_items(client, am, **{"name": marker, **params})}

        assert await ids() == {a["id"], b["id"], c["id"]}
        assert await ids(industry="i") == {a["id"], c["id"]}
        assert await ids(industry="I65") == {a["id"]}
        assert await ids(region="杭州") == {a["id"], c["id"]}
        assert await ids(stage="potential") == {b["id"], c["id"]}
        assert await ids(stage=["potential", "intent"], industry="C") == {b["id"]}
        assert await ids(name=f"{marker}乙") == {b["id"]}

    async def test_latest_released_first_and_keyset_pages(self, client, users, database):
        marker = unique("分页")
        made = [await create_customer(client, users["am"], name=f"{marker}{n}") for n in range(5)]
        base = datetime(2030, 1, 1, tzinfo=UTC)
        for n, customer in enumerate(made):  # two share a release time: the id breaks ties
            await release(database, customer["id"], at=base + timedelta(hours=min(n, 3)))
        expected = [made[4]["id"], made[3]["id"], made[2]["id"], made[1]["id"], made[0]["id"]]
        seen, cursor = [], None
        while True:
            params = {"name": marker, "limit": 2, **({"cursor": cursor} if cursor else {})}
            response = await client.get("/pool", params=params, headers=users["am"].headers)
            assert response.status_code == 200, response.text
            page = response.json()
            assert len(page["items"]) <= 2
            seen += [i["id"] for i in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == expected

    @pytest.mark.parametrize(
        "params",
        [
            {"cursor": "not-a-cursor"},
            {"limit": 0},
            {"limit": 201},
            {"stage": "won"},
            {"name": "a\x00b"},
            {"industry": "TOOLONG"},
        ],
    )
    async def test_bad_parameters_are_problems(self, client, users, params):
        response = await client.get("/pool", params=params, headers=users["am"].headers)
        assert_problem(response, 400 if "cursor" in params else 422)


# ---- POST /pool/{id}/claim ----------------------------------------------------------------


async def claim(client, user, customer_id: int):
    return await client.post(f"/pool/{customer_id}/claim", headers=user.headers)


class TestClaim:
    async def test_the_caller_becomes_the_owner(self, client, users, database, clock, pooled):
        entered = (await stored(database, pooled["id"])).pool_entered_at
        clock.at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=400)
        response = await claim(client, users["am2"], pooled["id"])
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["owner_id"] == users["am2"].id and body["pool_entered_at"] is None
        assert body["masked_fields"] == []  # theirs now: seen in full
        assert response.headers["ETag"] == f'"{body["version"]}"'
        row = await stored(database, pooled["id"])
        assert (row.owner_id, row.owner_engaged_at, row.owned_since) == (
            users["am2"].id,
            clock.at,
            clock.at,
        )
        assert row.released_by == users["am"].id
        last = (await history(client, users["admin"], pooled["id"]))[-1]
        assert last["action"] == "claim" and last["actor_id"] == users["am2"].id
        assert last["changes"] == {
            "owner_id": [None, users["am2"].id],
            "pool_entered_at": [entered.isoformat(), None],
        }
        # Theirs now, everywhere; no longer in the pool.
        assert (
            await client.get(f"/customers/{pooled['id']}", headers=users["am2"].headers)
        ).status_code == 200
        contacts = await client.get(
            f"/customers/{pooled['id']}/contacts", headers=users["am2"].headers
        )
        assert contacts.json()[0]["mobile"] == "+8613812345678"
        assert await pool_items(client, users["am2"], name=pooled["name"]) == []

    async def test_an_admin_claims_for_themselves(self, client, users, pooled):
        response = await claim(client, users["admin"], pooled["id"])
        assert response.status_code == 200 and response.json()["owner_id"] == users["admin"].id

    @pytest.mark.parametrize("role", ["supervisor", "agent", "readonly"])
    async def test_roles_that_own_nothing_cannot_claim(self, client, users, database, pooled, role):
        assert_problem(await claim(client, users[role], pooled["id"]), 403, "forbidden")
        assert (await stored(database, pooled["id"])).owner_id is None

    async def test_an_owned_customer_is_not_in_the_pool(self, client, users):
        customer = await create_customer(client, users["am"])
        for who in ("am", "admin"):  # they may read it: told why
            body = assert_problem(
                await claim(client, users[who], customer["id"]), 409, "not-in-pool"
            )
            assert "not in the public pool" in body["detail"]
        # Another manager learns nothing of it: the 404 of a missing customer.
        assert_problem(await claim(client, users["am2"], customer["id"]), 404, "not-found")

    async def test_second_claim_is_409_and_changes_nothing(self, client, users, database, pooled):
        assert (await claim(client, users["am2"], pooled["id"])).status_code == 200
        before = await stored(database, pooled["id"])
        assert_problem(await claim(client, users["admin"], pooled["id"]), 409, "not-in-pool")
        after = await stored(database, pooled["id"])
        assert (after.owner_id, after.version) == (users["am2"].id, before.version)

    async def test_unknown_or_archived(self, client, users, database, pooled):
        assert_problem(await claim(client, users["am2"], 2**62), 404, "not-found")
        response = await client.post(
            f"/customers/{pooled['id']}/archive",
            json={"reason": "停止合作"},
            headers=users["admin"].headers,
        )
        assert response.status_code == 200, response.text
        assert_problem(await claim(client, users["am2"], pooled["id"]), 404, "not-found")
        assert_problem(await claim(client, users["admin"], pooled["id"]), 409, "not-in-pool")
        assert (await stored(database, pooled["id"])).owner_id is None

    async def test_concurrent_claims_leave_exactly_one_owner(self, client, users, database, pooled):
        claimers = [await make_user(client, database, "account_manager") for _ in range(5)]
        responses = await asyncio.gather(*(claim(client, u, pooled["id"]) for u in claimers))
        statuses = sorted(r.status_code for r in responses)
        assert statuses.count(200) == 1, [r.text for r in responses]
        winner = claimers[[r.status_code for r in responses].index(200)]
        # A loser either lost the race in the same moment (409) or came after the winner, when
        # the customer was already someone else's (404, like any customer they may not see).
        for response in responses:
            if response.status_code != 200:
                assert_problem(
                    response,
                    response.status_code,
                    {409: "not-in-pool", 404: "not-found"}[response.status_code],
                )
        assert (await stored(database, pooled["id"])).owner_id == winner.id
        claims = [
            e for e in await history(client, users["admin"], pooled["id"]) if e["action"] == "claim"
        ]
        assert [e["actor_id"] for e in claims] == [winner.id]


class TestClaimLimit:
    async def test_at_the_limit_is_409_and_archived_ones_do_not_count(
        self, client, users, database, lifecycle
    ):
        seller = await make_user(client, database, "account_manager")
        mine = [await create_customer(client, seller) for _ in range(2)]
        candidate = await create_customer(client, users["am"])
        await release(database, candidate["id"])
        await lifecycle(pool_claim_limit=2)
        body = assert_problem(await claim(client, seller, candidate["id"]), 409, "claim-limit")
        assert (body["owned"], body["limit"]) == (2, 2)
        assert (await stored(database, candidate["id"])).owner_id is None
        response = await client.post(
            f"/customers/{mine[0]['id']}/archive",
            json={"reason": "停止合作"},
            headers=seller.headers,
        )
        assert response.status_code == 200, response.text
        response = await claim(client, seller, candidate["id"])
        assert response.status_code == 200, response.text
        # Now at 2 again: the next one is refused.
        another = await create_customer(client, users["am"])
        await release(database, another["id"])
        assert_problem(await claim(client, seller, another["id"]), 409, "claim-limit")

    async def test_two_claims_at_once_cannot_both_pass_the_limit(
        self, client, users, database, lifecycle
    ):
        seller = await make_user(client, database, "account_manager")
        await create_customer(client, seller)
        first = await create_customer(client, users["am"])
        second = await create_customer(client, users["am"])
        await release(database, first["id"], second["id"])
        await lifecycle(pool_claim_limit=2)
        responses = await asyncio.gather(
            claim(client, seller, first["id"]), claim(client, seller, second["id"])
        )
        assert sorted(r.status_code for r in responses) == [200, 409]
        refused = next(r for r in responses if r.status_code == 409)
        assert_problem(refused, 409, "claim-limit")
        owners = [(await stored(database, c["id"])).owner_id for c in (first, second)]
        assert sorted(owners, key=lambda o: o is None) == [seller.id, None]


class TestReclaimCooldown:
    """Released 1 March 2031 at 23:30 Shanghai time: with a 7-day cooldown whoever released
    it may claim it back from 8 March 00:00 local; anyone else at once."""

    RELEASED = datetime(2031, 3, 1, 23, 30, tzinfo=SH)

    @pytest.fixture
    async def am(self, client, database):
        """An account manager of the test's own: the claim limit counts every customer the
        shared one was given by earlier tests."""
        return await make_user(client, database, "account_manager")

    async def test_the_releaser_waits_seven_calendar_days(self, client, users, database, clock, am):
        customer = await create_customer(client, am)
        await release(database, customer["id"], at=self.RELEASED)
        clock.at = datetime(2031, 3, 7, 23, 59, 59, tzinfo=SH)
        body = assert_problem(await claim(client, am, customer["id"]), 409, "reclaim-cooldown")
        assert datetime.fromisoformat(body["claimable_from"]) == datetime(2031, 3, 8, tzinfo=SH)
        assert (await stored(database, customer["id"])).owner_id is None
        clock.at = datetime(2031, 3, 8, 0, 0, tzinfo=SH)
        response = await claim(client, am, customer["id"])
        assert response.status_code == 200, response.text
        assert response.json()["owner_id"] == am.id

    async def test_someone_else_claims_at_once(self, client, users, database, clock, am):
        customer = await create_customer(client, am)
        await release(database, customer["id"], at=self.RELEASED)
        clock.at = self.RELEASED + timedelta(minutes=1)
        response = await claim(client, users["am2"], customer["id"])
        assert response.status_code == 200, response.text

    async def test_the_cooldown_follows_the_setting(
        self, client, users, database, clock, lifecycle, am
    ):
        customer = await create_customer(client, am)
        await release(database, customer["id"], at=self.RELEASED)
        await lifecycle(pool_reclaim_cooldown_days=1)
        clock.at = datetime(2031, 3, 1, 23, 59, tzinfo=SH)
        assert_problem(await claim(client, am, customer["id"]), 409, "reclaim-cooldown")
        clock.at = datetime(2031, 3, 2, 0, 0, tzinfo=SH)
        assert (await claim(client, am, customer["id"])).status_code == 200
        customer = await create_customer(client, am)
        await release(database, customer["id"], at=self.RELEASED)
        await lifecycle(pool_reclaim_cooldown_days=0)
        clock.at = self.RELEASED
        assert (await claim(client, am, customer["id"])).status_code == 200


class TestArchivedCustomers:
    """Archived customers are kept with their history, readable by admins only, and gone
    from lists, search and the pool (the pool-recycle job skips them: tests/jobs)."""

    async def test_history_is_kept_and_readable_by_admins_only(self, client, users, pooled):
        response = await client.post(
            f"/customers/{pooled['id']}/archive",
            json={"reason": "停止合作"},
            headers=users["admin"].headers,
        )
        assert response.status_code == 200, response.text
        actions = [e["action"] for e in await history(client, users["admin"], pooled["id"])]
        assert actions[0] == "create" and actions[-2:] == ["release", "archive"]
        for role in ("supervisor", "am", "agent", "readonly"):
            response = await client.get(
                f"/customers/{pooled['id']}/history", headers=users[role].headers
            )
            assert_problem(response, 404, "not-found")
            listed = await client.get(
                "/customers", params={"name": pooled["name"]}, headers=users[role].headers
            )
            assert listed.json()["items"] == []
        listed = await client.get(
            "/customers", params={"name": pooled["name"]}, headers=users["admin"].headers
        )
        assert listed.json()["items"] == []
        listed = await client.get(
            "/customers",
            params={"name": pooled["name"], "archived": "true"},
            headers=users["admin"].headers,
        )
        assert [c["id"] for c in listed.json()["items"]] == [pooled["id"]]

    async def test_unarchived_it_is_back_in_the_pool(self, client, users, pooled):
        admin = users["admin"].headers
        await client.post(
            f"/customers/{pooled['id']}/archive", json={"reason": "暂停"}, headers=admin
        )
        assert await pool_items(client, users["am2"], name=pooled["name"]) == []
        response = await client.post(
            f"/customers/{pooled['id']}/unarchive", json={"reason": "恢复"}, headers=admin
        )
        assert response.status_code == 200 and response.json()["owner_id"] is None
        assert [i["id"] for i in await pool_items(client, users["am2"], name=pooled["name"])] == [
            pooled["id"]
        ]
        assert (await claim(client, users["am2"], pooled["id"])).status_code == 200
