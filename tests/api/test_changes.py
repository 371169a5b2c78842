"""The sync feed: every create, update and delete once, in commit order, as the caller may see
it; tombstones; types, paging, cursors; and a replica kept by polling under concurrent writers."""

import asyncio
import base64
import json
import uuid
from typing import Any

import pytest
from sqlalchemy import event

from domain import customer_service
from domain.roles import SYSTEM
from persistence.uow import SqlUnitOfWork
from tests.api.sales_support import follow_up, ok, opportunity, order
from tests.api.test_api_keys import key_headers, make_key
from tests.api.ticket_support import open_ticket
from tests.conftest import MovableClock, create_customer

# On PostgreSQL the feed waits for every write transaction open on the server (transaction ids
# are the cluster's, not one database's): a test running beside it in another worker would hold
# its polls back. These run alone.
pytestmark = pytest.mark.serial

Replica = dict[tuple[str, int], dict[str, Any]]


async def start(client, headers: dict[str, str], **params: Any) -> str:
    page = await ok(
        await client.get("/changes", params={"since": "now", **params}, headers=headers)
    )
    assert page["items"] == [] and page["has_more"] is False
    return page["next_cursor"]


async def drain(
    client, headers: dict[str, str], cursor: str, **params: Any
) -> tuple[str, list[dict[str, Any]]]:
    """Poll until there is nothing more to read now: the new cursor and every entry read."""
    entries = []
    while True:
        page = await ok(
            await client.get("/changes", params={"since": cursor, **params}, headers=headers)
        )
        entries += page["items"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return cursor, entries


def apply(replica: Replica, entries: list[dict[str, Any]], seen: set[tuple[str, int, int]]) -> None:
    for entry in entries:
        key = (entry["type"], entry["id"])
        assert (*key, entry["position"]) not in seen, f"applied twice: {entry}"
        seen.add((*key, entry["position"]))
        if entry["action"] == "delete":
            replica.pop(key, None)
            if entry["type"] == "customers":  # its contacts and the rest go with it
                for other in [k for k, v in replica.items() if v.get("customer_id") == entry["id"]]:
                    replica.pop(other)
        else:
            replica[key] = entry["body"]


class TestEntries:
    async def test_creates_updates_and_deletes_come_once_in_commit_order(self, client, users):
        admin = users["admin"].headers
        cursor = await start(client, admin)
        kept = await create_customer(client, users["admin"])
        contact = await ok(
            await client.post(
                f"/customers/{kept['id']}/contacts",
                json={"name": "李雷", "mobile": "13800138000"},
                headers=admin,
            ),
            201,
        )
        await ok(
            await client.patch(
                f"/customers/{kept['id']}", json={"address": "上海市浦东新区"}, headers=admin
            )
        )
        erp = f"ERP-{uuid.uuid4().hex[:8]}"
        gone = await create_customer(client, users["admin"], external_ids={"erp": erp})
        await ok(await client.delete(f"/customers/{gone['id']}", headers=admin), 204)

        cursor, entries = await drain(client, admin, cursor)
        mine = [e for e in entries if e["customer_id"] in (kept["id"], gone["id"])]
        assert [(e["type"], e["id"], e["action"]) for e in mine] == [
            ("contacts", contact["id"], "upsert"),
            ("customers", kept["id"], "upsert"),
            ("customers", gone["id"], "delete"),
        ]
        contact_entry, customer_entry, tombstone = mine
        assert contact_entry["body"] == contact
        # One entry for three writes, with the latest body, as GET shows it.
        current = await ok(await client.get(f"/customers/{kept['id']}", headers=admin))
        assert customer_entry["body"] == current and current["address"] == "上海市浦东新区"
        assert tombstone["body"] is None and tombstone["external_ids"] == {"erp": erp}
        assert tombstone["deleted_at"] is not None
        positions = [(e["type"], e["id"], e["position"]) for e in entries]
        assert len(set(positions)) == len(positions)

        # Nothing new: nothing again.
        _, again = await drain(client, admin, cursor)
        assert not [e for e in again if e["customer_id"] in (kept["id"], gone["id"])]

    async def test_every_type_carries_its_get_body(self, client, users):
        am = users["am"]
        cursor = await start(client, am.headers)
        customer = await create_customer(client, am)
        made = {
            "orders": await order(client, am, customer["id"]),
            "follow_ups": await follow_up(client, am, customer["id"]),
            "opportunities": await opportunity(client, am, customer["id"]),
            "tickets": await open_ticket(client, am, customer["id"]),
        }
        _, entries = await drain(client, am.headers, cursor)
        by_key = {(e["type"], e["id"]): e for e in entries}
        paths = {
            "orders": "/orders/{}",
            "follow_ups": "/follow-ups/{}",
            "opportunities": "/opportunities/{}",
            "tickets": "/tickets/{}",
        }
        for kind, record in made.items():
            current = await ok(
                await client.get(paths[kind].format(record["id"]), headers=am.headers)
            )
            assert by_key[(kind, record["id"])]["body"] == current, kind
        assert by_key[("customers", customer["id"])]["body"] == await ok(
            await client.get(f"/customers/{customer['id']}", headers=am.headers)
        )

    async def test_a_public_reply_changes_the_ticket_and_an_internal_note_does_not(
        self, client, users
    ):
        admin = users["admin"]
        customer = await create_customer(client, admin)
        ticket = await open_ticket(client, admin, customer["id"])
        cursor = await start(client, admin.headers)

        async def comment(visibility: str) -> None:
            body = {"body": f"{visibility} 回复", "visibility": visibility}
            await ok(
                await client.post(
                    f"/tickets/{ticket['id']}/comments", json=body, headers=admin.headers
                ),
                201,
            )

        await comment("internal")
        cursor, entries = await drain(client, admin.headers, cursor)
        assert [e for e in entries if e["type"] == "tickets" and e["id"] == ticket["id"]] == []

        await comment("public")
        _, entries = await drain(client, admin.headers, cursor)
        [entry] = [e for e in entries if e["type"] == "tickets" and e["id"] == ticket["id"]]
        current = await ok(await client.get(f"/tickets/{ticket['id']}", headers=admin.headers))
        assert entry["body"] == current
        assert current["first_response_at"] is not None
        history = await ok(
            await client.get(
                "/audit-events",
                params={"entity_type": "ticket", "entity_id": ticket["id"], "action": "reply"},
                headers=admin.headers,
            )
        )
        [reply] = history["items"]
        assert set(reply["changes"]) == {"first_response_at", "last_public_reply_at"}


class TestWhoSeesWhat:
    async def test_an_account_managers_feed_holds_only_their_customers(self, client, users):
        am, am2, agent = users["am"], users["am2"], users["agent"]
        cursors = {u.username: await start(client, u.headers) for u in (am, am2, agent)}
        mine = await create_customer(client, am, address="北京市海淀区中关村大街1号")
        theirs = await create_customer(client, am2)
        ids = {mine["id"], theirs["id"]}

        _, entries = await drain(client, am.headers, cursors[am.username])
        assert {e["id"] for e in entries if e["id"] in ids and e["type"] == "customers"} == {
            mine["id"]
        }
        _, entries = await drain(client, am2.headers, cursors[am2.username])
        assert mine["id"] not in {e["id"] for e in entries if e["type"] == "customers"}

        # Whoever reads another's customer gets it masked exactly as GET masks it.
        _, entries = await drain(client, agent.headers, cursors[agent.username])
        seen = {e["id"]: e["body"] for e in entries if e["type"] == "customers"}
        for customer in (mine, theirs):
            response = await client.get(f"/customers/{customer['id']}", headers=agent.headers)
            if response.status_code == 404:
                assert customer["id"] not in seen
            else:
                assert seen[customer["id"]] == response.json()
                assert seen[customer["id"]]["masked_fields"]

    async def test_types_filter_and_their_scopes(self, client, users):
        admin = users["admin"]
        cursor = await start(client, admin.headers, types="contacts")
        customer = await create_customer(client, admin)
        await ok(
            await client.post(
                f"/customers/{customer['id']}/contacts",
                json={"name": "韩梅梅", "email": "hmm@example.com"},
                headers=admin.headers,
            ),
            201,
        )
        _, entries = await drain(client, admin.headers, cursor, types="contacts")
        assert entries and {e["type"] for e in entries} == {"contacts"}

        unknown = await client.get("/changes", params={"types": "planets"}, headers=admin.headers)
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "types"

        key = key_headers(await make_key(client, admin, scopes=["customers:read"]))
        refused = await client.get("/changes", params={"types": "tickets"}, headers=key)
        assert refused.status_code == 403 and "tickets:read" in refused.json()["detail"]
        cursor = await start(client, key)
        await open_ticket(client, admin, customer["id"])
        _, entries = await drain(client, key, cursor)
        assert "tickets" not in {e["type"] for e in entries}


class TestReadsPerPage:
    async def make(self, client, user, count: int) -> set[int]:
        """`count` customers, each with a contact (one deleted: a tombstone), an order, a
        follow-up, an opportunity and a ticket."""
        ids = set()
        for _ in range(count):
            customer = await create_customer(client, user)
            ids.add(customer["id"])
            for name in ("甲", "乙"):
                contact = await ok(
                    await client.post(
                        f"/customers/{customer['id']}/contacts",
                        json={"name": f"联系人{name}", "mobile": "13800138000"},
                        headers=user.headers,
                    ),
                    201,
                )
            path = f"/customers/{customer['id']}/contacts/{contact['id']}"
            await ok(await client.delete(path, headers=user.headers), 204)
            await order(client, user, customer["id"])
            await follow_up(client, user, customer["id"])
            await opportunity(client, user, customer["id"])
            await open_ticket(client, user, customer["id"])
        return ids

    async def test_a_page_reads_a_bounded_number_of_times_however_many_entries(
        self, client, users, database
    ):
        """Bodies are read per type for the whole page: a regression to one read per record
        makes the count grow with the page."""
        statements = 0

        def count(*_: Any) -> None:
            nonlocal statements
            statements += 1

        engines = [database.read_engine.sync_engine, database.write_engine.sync_engine]
        am = users["am"]
        per_page = []
        for size in (1, 6):
            cursor = await start(client, am.headers)
            ids = await self.make(client, am, size)
            for engine in engines:
                event.listen(engine, "before_cursor_execute", count)
            try:
                statements = 0
                _, entries = await drain(client, am.headers, cursor, limit=200)
                polls, statements = statements, 0
                page = await ok(
                    await client.get(
                        "/changes", params={"since": cursor, "limit": 200}, headers=am.headers
                    )
                )
                per_page.append(statements)
            finally:
                for engine in engines:
                    event.remove(engine, "before_cursor_execute", count)
            mine = [e for e in page["items"] if e["customer_id"] in ids]
            kinds = {(e["type"], e["action"]) for e in mine}
            assert kinds == {
                (t, "upsert")
                for t in ("customers", "contacts", "orders", "follow_ups", "opportunities",
                          "tickets")
            } | {("contacts", "delete")}, kinds  # fmt: skip
            assert len(mine) == 7 * size and polls >= per_page[-1]
        assert per_page[0] == per_page[1] <= 30, (
            per_page
        )  # the caller, the feed, each type in batch


class TestCursors:
    async def test_paging_with_a_small_limit_loses_and_repeats_nothing(self, client, users):
        admin = users["admin"]
        cursor = await start(client, admin.headers)
        made = [await create_customer(client, admin) for _ in range(5)]
        for customer in made[:2]:
            await ok(
                await client.patch(
                    f"/customers/{customer['id']}", json={"address": "广州"}, headers=admin.headers
                )
            )
        _, whole = await drain(client, admin.headers, cursor)
        _, paged = await drain(client, admin.headers, cursor, limit=1)
        ids = {c["id"] for c in made}

        def ours(entries):
            return [e for e in entries if e["id"] in ids and e["type"] == "customers"]

        # One page collapses a record's writes; pages of one write each do not: same end state.
        assert {e["id"] for e in ours(whole)} == {e["id"] for e in ours(paged)} == ids
        replica: Replica = {}
        apply(replica, ours(paged), set())
        assert all(replica[("customers", c["id"])] == e["body"] for c in made for e in
                   ours(whole) if e["id"] == c["id"])  # fmt: skip

    async def test_a_bad_cursor_is_400(self, client, users):
        for since in ("garbage", base64.urlsafe_b64encode(b"[1,2]").decode(), "bm90IGpzb24="):
            response = await client.get(
                "/changes", params={"since": since}, headers=users["admin"].headers
            )
            assert response.status_code == 400, since
            assert response.json()["type"] == "/problems/invalid-cursor"

    async def test_a_cursor_older_than_thirty_days_is_410(self, client, users, clock):
        cursor = await start(client, users["admin"].headers)
        clock.advance(days=31)
        response = await client.get(
            "/changes", params={"since": cursor}, headers=users["admin"].headers
        )
        assert response.status_code == 410
        assert response.json()["type"] == "/problems/cursor-expired"
        assert "resynchronise" in response.json()["detail"]
        issued = json.loads(base64.urlsafe_b64decode(cursor))
        fresh = base64.urlsafe_b64encode(
            json.dumps([*issued[:2], int(clock.now().timestamp())]).encode()
        ).decode()
        response = await client.get(
            "/changes", params={"since": fresh}, headers=users["admin"].headers
        )
        assert response.status_code == 200


class TestReplica:
    async def test_a_polling_replica_ends_equal_to_the_database(self, client, users, database):
        """Writers in parallel while a client polls and applies the feed. On PostgreSQL one
        transaction is held open across later commits and polls: the feed must wait for it
        rather than pass it by (ids are handed out at insert, not at commit)."""
        admin = users["admin"]
        cursor = await start(client, admin.headers)
        made = [await create_customer(client, admin) for _ in range(6)]
        replica: Replica = {}
        seen: set[tuple[str, int, int]] = set()

        polling = asyncio.Lock()  # one client: its polls follow each other

        async def poll() -> None:
            nonlocal cursor
            async with polling:
                cursor, entries = await drain(client, admin.headers, cursor)
                apply(replica, entries, seen)

        async def write(i: int) -> None:
            customer = made[i]
            await ok(
                await client.patch(
                    f"/customers/{customer['id']}",
                    json={"address": f"第 {i} 号"},
                    headers=admin.headers,
                )
            )
            await ok(
                await client.post(
                    f"/customers/{customer['id']}/contacts",
                    json={"name": f"联系人{i}", "mobile": f"1380013{i:04d}"},
                    headers=admin.headers,
                ),
                201,
            )
            if i % 3 == 0:
                await ok(
                    await client.delete(f"/customers/{customer['id']}", headers=admin.headers), 204
                )

        held = made[1]
        if database.backend == "postgresql":
            async with database.session(write=True) as session:
                await customer_service.update(
                    SqlUnitOfWork(session),
                    MovableClock(),
                    SYSTEM,
                    held["id"],
                    {"main_business": "晚提交的事务"},
                    if_match=None,
                )
                await session.flush()  # its audit entry now has an id below the writers' ones
                await asyncio.gather(*(write(i) for i in (0, 2, 3)), poll(), poll())
                await poll()
                assert replica.get(("customers", held["id"]), {}).get("main_business") is None
            # committed: the next poll picks it up, the cursor handed out meanwhile did not pass it
            await poll()
            assert replica[("customers", held["id"])]["main_business"] == "晚提交的事务"
            await asyncio.gather(*(write(i) for i in (1, 4, 5)), poll())
        else:
            await asyncio.gather(*(write(i) for i in range(6)), poll(), poll())
        await poll()

        ids = {c["id"] for c in made}
        for customer in made:
            response = await client.get(f"/customers/{customer['id']}", headers=admin.headers)
            key = ("customers", customer["id"])
            if response.status_code == 404:
                assert key not in replica
                continue
            assert replica[key] == response.json()
            contacts = await ok(
                await client.get(f"/customers/{customer['id']}/contacts", headers=admin.headers)
            )
            replicated = {
                k[1]: v
                for k, v in replica.items()
                if k[0] == "contacts" and v["customer_id"] == customer["id"]
            }
            assert replicated == {c["id"]: c for c in contacts}
        assert {k[1] for k in replica if k[0] == "customers" and k[1] in ids} == {
            c["id"] for i, c in enumerate(made) if i % 3 != 0
        }
