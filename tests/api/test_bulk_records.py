"""POST /orders/bulk, /follow-ups/bulk and /tickets/bulk: each item an upsert by external id
or a create, answered and written on its own; all or nothing with atomic=true."""

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from persistence.models import AuditEvent, ExternalId
from tests.api.test_external_ids_everywhere import KINDS as SYNCED
from tests.conftest import create_customer


@dataclass(frozen=True)
class Kind:
    entity_type: str  # as in external_id and audit_event
    plural: str  # /{plural}/bulk, /{plural}/by-external-id/...
    body: Any  # customer id -> a valid item without external_id
    change: dict  # what an update sets
    required: str  # a field whose absence makes an item malformed
    forbidden: Any  # (my customer's id, another's) -> an item the writer may not write
    refused: tuple[int, str]  # and its answer: status, problem code
    writer: str  # account managers do not work tickets: a supervisor does

    def listed(self, customer_id: int) -> str:
        if self.plural == "tickets":
            return f"/tickets?customer_id={customer_id}"
        return f"/customers/{customer_id}/{self.plural}"


KINDS = {
    "order": Kind(
        "order",
        "orders",
        SYNCED["order"].body,
        SYNCED["order"].change,
        "product",
        lambda mine, theirs: SYNCED["order"].body(theirs),  # not found: not theirs to see
        (404, "not-found"),
        "am",
    ),
    "follow_up": Kind(
        "follow_up",
        "follow-ups",
        SYNCED["follow_up"].body,
        SYNCED["follow_up"].change,
        "summary",
        lambda mine, theirs: {**SYNCED["follow_up"].body(mine), "owner_id": 1},  # admins only
        (403, "fields-forbidden"),
        "am",
    ),
    "ticket": Kind(
        "ticket",
        "tickets",
        SYNCED["ticket"].body,
        SYNCED["ticket"].change,
        "title",
        lambda mine, theirs: {
            **SYNCED["ticket"].body(mine),
            "opened_at": "2026-11-01T09:00:00+08:00",  # admins only
        },
        (403, "fields-forbidden"),
        "supervisor",
    ),
}
kinds = pytest.mark.parametrize("kind", list(KINDS.values()), ids=list(KINDS))


def erp_id() -> str:
    return f"B-{uuid.uuid4().hex[:10]}"


def ref(value: str) -> dict:
    return {"system": "erp", "id": value}


async def holders(database, entity_type: str, *values: str) -> dict[str, int]:
    async with database.session(write=False) as session:
        rows = await session.execute(
            select(ExternalId.value, ExternalId.entity_id).where(
                ExternalId.entity_type == entity_type,
                ExternalId.system == "erp",
                ExternalId.value.in_(values),
            )
        )
        return dict(rows.all())


async def audited(database, entity_type: str, customer_id: int) -> list[tuple[int, str]]:
    """(record id, action) of the customer's records of this type, oldest first."""
    async with database.session(write=False) as session:
        rows = await session.execute(
            select(AuditEvent.entity_id, AuditEvent.action)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.customer_id == customer_id)
            .order_by(AuditEvent.id)
        )
        return [(entity_id, action) for entity_id, action in rows.all()]


async def listed_ids(client, user, kind: Kind, customer_id: int) -> set[int]:
    response = await client.get(kind.listed(customer_id), headers=user.headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


@kinds
class TestMixedBatch:
    async def test_each_item_answered_and_written_on_its_own(self, client, database, users, kind):
        writer = users[kind.writer]
        mine = await create_customer(client, users["am"])
        theirs = await create_customer(client, users["am2"])
        new, old, unused = erp_id(), erp_id(), [erp_id() for _ in range(4)]
        existing = await client.put(
            f"/{kind.plural}/by-external-id/erp/{old}", json=kind.body(mine["id"]),
            headers=writer.headers,
        )  # fmt: skip
        assert existing.status_code == 201, existing.text
        before = existing.json()
        malformed = kind.body(mine["id"])
        del malformed[kind.required]
        forbidden = kind.forbidden(mine["id"], theirs["id"])
        items = [
            {**kind.body(mine["id"]), "external_id": ref(new)},  # 0: created
            {**kind.body(mine["id"]), **kind.change, "external_id": ref(old)},  # 1: updated
            {**malformed, "external_id": ref(unused[0])},  # 2: malformed
            {**forbidden, "external_id": ref(unused[1])},  # 3: forbidden
            {**kind.body(mine["id"]), "external_id": ref(new)},  # 4: the same id again
            kind.body(mine["id"]),  # 5: a plain create
            {**kind.body(mine["id"]), "external_ids": {"erp": old}},  # 6: another's id: 409
            {**kind.body(mine["id"]), "external_id": {"system": "ERP", "id": unused[2]}},  # 7
        ]
        response = await client.post(
            f"/{kind.plural}/bulk", json={"items": items}, headers=writer.headers
        )
        assert response.status_code == 200, response.text
        answers = response.json()["items"]
        assert [a["index"] for a in answers] == list(range(len(items)))
        refused, code = kind.refused
        assert [a["status"] for a in answers] == [201, 200, 422, refused, 422, 201, 409, 422]
        assert answers[1]["id"] == before["id"]
        assert answers[2]["error"]["code"] == "validation"
        assert answers[2]["error"]["errors"][0]["field"] == kind.required
        assert answers[2]["error"]["instance"].endswith(f"/{kind.plural}/bulk#/items/2")
        assert answers[3]["error"]["code"] == code
        assert answers[4]["error"]["errors"][0]["field"] == "external_id"
        assert answers[6]["error"]["code"] == "duplicate"
        assert answers[7]["error"]["code"] == "validation"
        assert all(a["error"] is None for a in answers if a["status"] < 300)
        assert all(a["id"] is None for a in answers if a["status"] >= 400)
        created, updated, plain = answers[0]["id"], before["id"], answers[5]["id"]

        assert await holders(database, kind.entity_type, new, old, *unused) == {
            new: created,
            old: updated,
        }
        body = kind.body(mine["id"])
        for record_id, expected in (
            (created, body),
            (plain, body),
            (updated, {**body, **kind.change}),
        ):
            got = await client.get(f"/{kind.plural}/{record_id}", headers=writer.headers)
            assert got.status_code == 200, got.text
            assert {name: got.json()[name] for name in expected} == expected
        got = await client.get(f"/{kind.plural}/{plain}", headers=writer.headers)
        assert got.json()["external_ids"] == {}
        assert await listed_ids(client, writer, kind, mine["id"]) == {created, updated, plain}
        assert await listed_ids(client, users["am2"], kind, theirs["id"]) == set()

        # audited as one by one: a create each, the update once, nothing for the failed ones
        assert await audited(database, kind.entity_type, mine["id"]) == [
            (updated, "create"),
            (created, "create"),
            (updated, "update"),
            (plain, "create"),
        ]
        assert await audited(database, kind.entity_type, theirs["id"]) == []

        # answered as alone
        alone = await client.put(f"/{kind.plural}/by-external-id/erp/{unused[3]}",
                                 json=forbidden, headers=writer.headers)  # fmt: skip
        assert alone.status_code == answers[3]["status"]
        assert alone.json()["code"] == answers[3]["error"]["code"]

    async def test_readers_may_not(self, client, users, kind):
        response = await client.post(
            f"/{kind.plural}/bulk",
            json={"items": [kind.body(1)]},
            headers=users["readonly"].headers,
        )
        assert response.status_code == 403


@kinds
class TestAtomic:
    async def test_one_bad_item_writes_nothing(self, client, database, users, kind):
        writer = users[kind.writer]
        customer = await create_customer(client, users["am"])
        first, fourth = erp_id(), erp_id()
        malformed = kind.body(customer["id"])
        del malformed[kind.required]
        response = await client.post(
            f"/{kind.plural}/bulk",
            params={"atomic": "true"},
            json={"items": [
                {**kind.body(customer["id"]), "external_id": ref(first)},
                kind.body(customer["id"]),
                malformed,
                {**kind.body(customer["id"]), "external_id": ref(fourth)},
                {**kind.body(customer["id"]), "external_id": ref(first)},
            ]},
            headers=writer.headers,
        )  # fmt: skip
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["code"] == "batch-failed" and problem["failed"] == [2, 4]
        assert [e["field"] for e in problem["errors"]] == ["items.2", "items.4"]
        assert await holders(database, kind.entity_type, first, fourth) == {}
        assert await listed_ids(client, writer, kind, customer["id"]) == set()
        assert await audited(database, kind.entity_type, customer["id"]) == []

    async def test_all_good_is_written(self, client, database, users, kind):
        customer = await create_customer(client, users["am"])
        value = erp_id()
        response = await client.post(
            f"/{kind.plural}/bulk",
            params={"atomic": "true"},
            json={"items": [{**kind.body(customer["id"]), "external_id": ref(value)}]},
            headers=users[kind.writer].headers,
        )
        assert response.status_code == 200, response.text
        [answer] = response.json()["items"]
        assert await holders(database, kind.entity_type, value) == {value: answer["id"]}


@kinds
@pytest.mark.parametrize("count", [0, 1001])
async def test_empty_or_over_1000_is_422(client, users, kind, count):
    items = [kind.body(1) for _ in range(count)]
    response = await client.post(
        f"/{kind.plural}/bulk", json={"items": items}, headers=users[kind.writer].headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "items"


async def test_later_items_see_the_ids_earlier_ones_wrote(client, users):
    am = users["am"]
    customer = await create_customer(client, am)
    value = erp_id()
    order = KINDS["order"].body(customer["id"])
    response = await client.post(
        "/orders/bulk",
        json={"items": [
            {**order, "external_ids": {"erp": value}},
            {**order, "amount": "99.00", "external_id": ref(value)},
        ]},
        headers=am.headers,
    )  # fmt: skip
    answers = response.json()["items"]
    assert [a["status"] for a in answers] == [201, 200], response.text
    assert answers[0]["id"] == answers[1]["id"]
    got = await client.get(f"/orders/{answers[0]['id']}", headers=am.headers)
    assert got.json()["amount"] == "99.00"


async def test_account_managers_tickets_on_their_own_customers_only(client, users):
    """An account manager opens tickets for their customers; another's is not found, and a
    ticket they do not work (not its assignee) is theirs to read, not to edit."""
    am = users["am"]
    mine = await create_customer(client, am)
    theirs = await create_customer(client, users["am2"])
    worked = erp_id()
    made = await client.put(f"/tickets/by-external-id/erp/{worked}",
                            json=KINDS["ticket"].body(mine["id"]),
                            headers=users["supervisor"].headers)  # fmt: skip
    assert made.status_code == 201, made.text
    response = await client.post(
        "/tickets/bulk",
        json={"items": [
            KINDS["ticket"].body(mine["id"]),
            KINDS["ticket"].body(theirs["id"]),
            {**KINDS["ticket"].body(mine["id"]), "title": "改标题", "external_id": ref(worked)},
        ]},
        headers=am.headers,
    )  # fmt: skip
    answers = response.json()["items"]
    assert [a["status"] for a in answers] == [201, 404, 403], response.text
    unchanged = await client.get(f"/tickets/{made.json()['id']}", headers=am.headers)
    assert unchanged.json()["title"] == made.json()["title"]
    assert unchanged.json()["version"] == made.json()["version"]


async def test_a_retry_with_the_same_idempotency_key_writes_nothing(client, database, users):
    am = users["am"]
    customer = await create_customer(client, am)
    value = erp_id()
    body = {"items": [{**KINDS["follow_up"].body(customer["id"]), "external_id": ref(value)}]}
    headers = {**am.headers, "Idempotency-Key": f"bulk-{uuid.uuid4().hex}"}
    first = await client.post("/follow-ups/bulk", json=body, headers=headers)
    again = await client.post("/follow-ups/bulk", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert len(await audited(database, "follow_up", customer["id"])) == 1
