"""`GET /follow-ups/due`: open next actions due and customers due by the cadence, as of today
in Asia/Shanghai, for yourself or (admins, supervisors, readonly) for anyone.

The account manager's customers are all created on Sat 2025-03-01 09:00 Shanghai, so without
a follow-up an intent customer is due on 03-04 (every 3 days), a potential one on 03-08."""

from datetime import UTC, datetime

import pytest

from tests.api.sales_support import cst, follow_up, ok, set_columns
from tests.conftest import create_customer, make_user
from tests.support import assert_problem


@pytest.fixture
async def book(client, database, users, clock):
    """An account manager's customers A–G in every situation the due list distinguishes."""
    owner = await make_user(client, database, "account_manager")
    colleague = await make_user(client, database, "account_manager")  # signed in before
    clock.at = cst(2025, 3, 1, 9)  # the clock moves: tokens are issued by it
    made = {}
    for key, stage in (
        ("A", "intent"),
        ("B", "potential"),
        ("C", "intent"),
        ("D", "intent"),
        ("E", "intent"),
        ("F", "intent"),
        ("G", "lost"),
    ):
        made[key] = await create_customer(client, owner, stage=stage, name=f"客户{key}-{owner.id}")
    ids = {k: c["id"] for k, c in made.items()}
    clock.at = cst(2025, 3, 10, 10)
    await follow_up(client, owner, ids["A"], at=cst(2025, 3, 5, 9))  # due 03-08
    b = await follow_up(
        client,
        owner,
        ids["B"],
        at=cst(2025, 3, 6, 9),
        next_action="寄样品",
        next_action_due_on="2025-03-09",
    )
    await follow_up(
        client,
        owner,
        ids["C"],
        at=cst(2025, 3, 9, 9),
        next_action="约演示",
        next_action_due_on="2025-03-12",
    )  # not due yet
    # D: never followed up, due 03-04 from its creation
    await ok(
        await client.post(
            f"/customers/{ids['E']}/archive", json={"reason": "停止合作"}, headers=owner.headers
        )
    )
    await follow_up(
        client,
        owner,
        ids["F"],
        at=cst(2025, 3, 2, 9),
        next_action="回电",
        next_action_due_on="2025-03-05",
    )
    await set_columns(database, ids["F"], owner_id=None)  # released to the public pool
    g = await follow_up(
        client,
        owner,
        ids["G"],
        at=cst(2025, 3, 3, 9),
        next_action="挽回沟通",
        next_action_due_on="2025-03-07",
    )  # lost: no cadence, the action counts
    return owner, ids, b["id"], g["id"], colleague


def items(body: dict) -> list[tuple]:
    return [
        (i["due_on"], i["customer_id"], i["kind"], i["follow_up_id"], i["overdue_days"])
        for i in body["items"]
    ]


async def due(client, user, **params) -> dict:
    return await ok(await client.get("/follow-ups/due", params=params, headers=user.headers))


class TestDueList:
    async def test_what_is_due_today_in_order(self, client, users, book):
        owner, ids, b_follow_up, g_follow_up, _ = book
        body = await due(client, owner, owner="me")
        assert items(body) == [
            ("2025-03-04", ids["D"], "cadence", None, 6),
            ("2025-03-07", ids["G"], "next_action", g_follow_up, 3),
            ("2025-03-08", ids["A"], "cadence", None, 2),
            ("2025-03-09", ids["B"], "cadence", None, 1),
            ("2025-03-09", ids["B"], "next_action", b_follow_up, 1),
        ]
        assert body["next_cursor"] is None
        assert body["items"][4]["next_action"] == "寄样品"
        assert body["items"][4]["customer_name"] == f"客户B-{owner.id}"
        assert await due(client, owner) == body  # owner=me is the default

    async def test_keyset_pages(self, client, users, book):
        owner, *_ = book
        everything = items(await due(client, owner))
        seen, cursor = [], None
        while True:
            params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = await due(client, owner, **params)
            seen += items(page)
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == everything
        assert_problem(
            await client.get("/follow-ups/due", params={"cursor": "WzFd"}, headers=owner.headers),
            400,
            "invalid-cursor",
        )
        assert_problem(
            await client.get("/follow-ups/due", params={"limit": 201}, headers=owner.headers),
            422,
            "validation",
        )

    async def test_around_midnight_in_shanghai(self, client, users, book, clock):
        owner, ids, *_ = book
        clock.at = datetime(2025, 3, 7, 15, 59, 59, tzinfo=UTC)  # 03-07 23:59:59 in Shanghai
        assert ids["A"] not in {i[1] for i in items(await due(client, owner))}
        clock.at = datetime(2025, 3, 7, 16, 0, tzinfo=UTC)  # 03-08 00:00
        assert ("2025-03-08", ids["A"], "cadence", None, 0) in items(await due(client, owner))

    async def test_a_ticked_off_next_action_is_no_longer_due(self, client, users, book):
        owner, ids, b_follow_up, *_ = book
        await ok(
            await client.patch(
                f"/follow-ups/{b_follow_up}", json={"next_action_done": True}, headers=owner.headers
            )
        )
        kinds = [(i[1], i[2]) for i in items(await due(client, owner))]
        assert (ids["B"], "next_action") not in kinds and (ids["B"], "cadence") in kinds

    async def test_a_follow_up_moves_the_cadence_on(self, client, users, book):
        owner, ids, *_ = book
        await follow_up(client, owner, ids["D"], at=cst(2025, 3, 10, 9))
        assert ids["D"] not in {i[1] for i in items(await due(client, owner))}


class TestWhoseList:
    async def test_readers_of_everything_may_look_at_anyones(self, client, users, book):
        owner, *_ = book
        mine = await due(client, owner)
        for role in ("admin", "supervisor", "readonly"):
            assert await due(client, users[role], owner=str(owner.id)) == mine, role

    async def test_others_only_at_their_own(self, client, users, book):
        owner, *_, colleague = book
        for user in (colleague, users["agent"]):
            r = await client.get(
                "/follow-ups/due", params={"owner": str(owner.id)}, headers=user.headers
            )
            assert_problem(r, 403, "forbidden")
        assert (await due(client, colleague))["items"] == []
        assert (await due(client, users["agent"], owner="me"))["items"] == []

    async def test_unknown_owner(self, client, users):
        r = await client.get(
            "/follow-ups/due", params={"owner": str(2**62)}, headers=users["admin"].headers
        )
        assert_problem(r, 422, "validation", field="owner")
        r = await client.get(
            "/follow-ups/due", params={"owner": "someone"}, headers=users["admin"].headers
        )
        assert_problem(r, 422, "validation", field="owner")

    async def test_an_admins_next_actions_on_someone_elses_customer(self, client, users, book):
        owner, ids, *_ = book
        admin = users["admin"]
        made = await follow_up(
            client,
            admin,
            ids["C"],
            at=cst(2025, 3, 9, 15),
            next_action="管理员回访",
            next_action_due_on="2025-03-10",
        )
        mine = items(await due(client, admin))
        assert ("2025-03-10", ids["C"], "next_action", made["id"], 0) in mine
        # the latest contact sets the customer's next follow-up date, for its owner too; the
        # owner's own next action on C (due 03-12) was overtaken by the admin's contact
        assert [i for i in items(await due(client, owner)) if i[1] == ids["C"]] == [
            ("2025-03-10", ids["C"], "cadence", None, 0)
        ]
