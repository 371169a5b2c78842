"""Contacts, orders, tickets, follow-ups and opportunities by other systems' ids, as customers
(test_external_ids.py): kept unique per kind of record, merged on PATCH, found, upserted."""

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import create_customer, make_user


@pytest.fixture(scope="module")
async def managers(client, database) -> dict:
    return {
        "am": await make_user(client, database, "account_manager"),
        "am2": await make_user(client, database, "account_manager"),
        "supervisor": await make_user(client, database, "supervisor"),
        "admin": await make_user(client, database, "admin"),
    }


@dataclass(frozen=True)
class Kind:
    plural: str  # /{plural}/by-external-id/...
    body: Any  # customer id -> a create body (customer_id included)
    change: dict  # a field an update sets
    writer: str = "am"  # who edits them: account managers do not work tickets

    def create(self, customer_id: int) -> tuple[str, dict]:
        body = self.body(customer_id)
        if self.plural in ("contacts", "orders"):  # created under their customer
            del body["customer_id"]
            return f"/customers/{customer_id}/{self.plural}", body
        return f"/{self.plural}", body

    def url(self, record: dict) -> str:
        if self.plural == "contacts":
            return f"/customers/{record['customer_id']}/contacts/{record['id']}"
        return f"/{self.plural}/{record['id']}"


KINDS = {
    "contact": Kind("contacts", lambda c: {"customer_id": c, "name": "王五"}, {"title": "经理"}),
    "order": Kind(
        "orders",
        lambda c: {
            "customer_id": c,
            "product": "软件",
            "amount": "1000.00",
            "ordered_on": "2026-11-02",
        },
        {"product": "服务"},
    ),
    "ticket": Kind(
        "tickets",
        lambda c: {
            "customer_id": c,
            "type": "order_support",
            "channel": "phone",
            "title": "发票",
        },
        {"title": "发票重开"},
        writer="supervisor",
    ),
    "follow_up": Kind(
        "follow-ups",
        lambda c: {"customer_id": c, "method": "phone", "summary": "聊了预算"},
        {"summary": "聊了预算和工期"},
    ),
    "opportunity": Kind(
        "opportunities", lambda c: {"customer_id": c, "title": "二期"}, {"title": "二期扩容"}
    ),
}
kinds = pytest.mark.parametrize("kind", list(KINDS.values()), ids=list(KINDS))


def erp_id() -> str:
    return f"X-{uuid.uuid4().hex[:10]}"


async def create(client, user, kind: Kind, customer_id: int, **fields) -> dict:
    url, body = kind.create(customer_id)
    response = await client.post(url, json={**body, **fields}, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()


@kinds
class TestExternalIds:
    async def test_created_found_merged_and_released(self, client, managers, kind):
        customer = await create_customer(client, managers["am"])
        am = managers[kind.writer]
        first = erp_id()
        made = await create(client, am, kind, customer["id"], external_ids={"erp": first})
        assert made["external_ids"] == {"erp": first}
        plain = await create(client, am, kind, customer["id"])
        assert plain["external_ids"] == {}

        found = await client.get(f"/{kind.plural}/by-external-id/erp/{first}", headers=am.headers)
        assert found.status_code == 200, found.text
        assert found.json()["id"] == made["id"] and found.headers["ETag"]

        second = erp_id()
        merged = await client.patch(
            kind.url(made), json={"external_ids": {"old": "7", "erp": second}}, headers=am.headers
        )
        assert merged.status_code == 200, merged.text
        assert merged.json()["external_ids"] == {"erp": second, "old": "7"}
        removed = await client.patch(
            kind.url(made), json={"external_ids": {"old": None}}, headers=am.headers
        )
        assert removed.json()["external_ids"] == {"erp": second}
        untouched = await client.patch(
            kind.url(made), json={"external_ids": None}, headers=am.headers
        )
        assert untouched.status_code == 200 and untouched.json()["external_ids"] == {"erp": second}
        gone = await client.get(f"/{kind.plural}/by-external-id/erp/{first}", headers=am.headers)
        assert gone.status_code == 404
        # The released id is free for another record.
        again = await client.patch(
            kind.url(plain), json={"external_ids": {"erp": first}}, headers=am.headers
        )
        assert again.status_code == 200 and again.json()["external_ids"] == {"erp": first}

    async def test_an_id_another_record_holds_is_409_naming_it(self, client, managers, kind):
        customer = await create_customer(client, managers["am"])
        am = managers[kind.writer]
        taken = erp_id()
        holder = await create(client, am, kind, customer["id"], external_ids={"erp": taken})
        url, body = kind.create(customer["id"])
        clash = await client.post(
            url, json={**body, "external_ids": {"erp": taken}}, headers=am.headers
        )
        assert clash.status_code == 409, clash.text
        assert clash.json()["errors"][0]["field"] == "external_ids.erp"
        assert f"erp:{taken}" in clash.json()["detail"]
        assert str(holder["id"]) in clash.json()["detail"]
        other = await create(client, am, kind, customer["id"])
        patched = await client.patch(
            kind.url(other), json={"external_ids": {"erp": taken}}, headers=am.headers
        )
        assert patched.status_code == 409
        # The same id in another system, or another kind of record's, is free.
        free = await client.patch(
            kind.url(other), json={"external_ids": {"wms": taken}}, headers=am.headers
        )
        assert free.status_code == 200, free.text

    async def test_upsert_creates_then_updates(self, client, managers, kind):
        customer = await create_customer(client, managers["am"])
        am = managers[kind.writer]
        value = erp_id()
        url = f"/{kind.plural}/by-external-id/erp/{value}"
        created = await client.put(url, json=kind.body(customer["id"]), headers=am.headers)
        assert created.status_code == 201, created.text
        assert created.json()["external_ids"] == {"erp": value}
        assert created.headers["Location"].endswith(str(created.json()["id"]))

        updated = await client.put(
            url, json={**kind.body(customer["id"]), **kind.change}, headers=am.headers
        )
        assert updated.status_code == 200, updated.text
        assert updated.json()["id"] == created.json()["id"]
        for name, value_ in kind.change.items():
            assert updated.json()[name] == value_
        assert updated.json()["version"] > created.json()["version"]

        other = await create_customer(client, managers["am"])
        moved = await client.put(url, json=kind.body(other["id"]), headers=am.headers)
        assert moved.status_code == 422, moved.text  # its customer cannot change

        body = {**kind.body(customer["id"]), "external_ids": {"erp": "another"}}
        differs = await client.put(url, json=body, headers=am.headers)
        assert differs.status_code == 422

    async def test_another_managers_record_is_not_found_nor_taken_over(
        self, client, managers, kind
    ):
        am, am2 = managers["am"], managers["am2"]
        customer = await create_customer(client, am)
        value = erp_id()
        made = await create(client, am, kind, customer["id"], external_ids={"erp": value})
        url = f"/{kind.plural}/by-external-id/erp/{value}"
        assert (await client.get(url, headers=am2.headers)).status_code == 404
        mine = await create_customer(client, am2)
        taken = await client.put(url, json=kind.body(mine["id"]), headers=am2.headers)
        assert taken.status_code == 404, taken.text
        still = await client.get(url, headers=am.headers)
        assert still.json()["id"] == made["id"] and still.json()["customer_id"] == customer["id"]

    async def test_bad_system_is_422(self, client, managers, kind):
        am = managers["am"]
        customer = await create_customer(client, am)
        bad_path = await client.get(f"/{kind.plural}/by-external-id/ERP/1", headers=am.headers)
        assert bad_path.status_code == 422
        put = await client.put(
            f"/{kind.plural}/by-external-id/9erp/1",
            json=kind.body(customer["id"]),
            headers=am.headers,
        )
        assert put.status_code == 422
        url, body = kind.create(customer["id"])
        bad_body = await client.post(
            url, json={**body, "external_ids": {"ERP": "1"}}, headers=am.headers
        )
        assert bad_body.status_code == 422


class TestDeletionReleasesIds:
    async def test_a_deleted_contact_frees_its_id(self, client, managers):
        am = managers["am"]
        customer = await create_customer(client, am)
        value = erp_id()
        contact = await create(
            client, am, KINDS["contact"], customer["id"], external_ids={"erp": value}
        )
        deleted = await client.delete(
            f"/customers/{customer['id']}/contacts/{contact['id']}", headers=am.headers
        )
        assert deleted.status_code == 204
        url = f"/contacts/by-external-id/erp/{value}"
        assert (await client.get(url, headers=am.headers)).status_code == 404
        again = await client.put(
            url, json=KINDS["contact"].body(customer["id"]), headers=am.headers
        )
        assert again.status_code == 201, again.text

    async def test_a_deleted_customer_frees_its_and_its_records_ids(self, client, managers):
        admin = managers["admin"]
        customer = await create_customer(client, admin, external_ids={"erp": erp_id()})
        held = {"customers": customer["external_ids"]["erp"]}
        for name in ("contact", "order", "follow_up", "opportunity"):
            kind = KINDS[name]
            held[kind.plural] = erp_id()
            await create(
                client, admin, kind, customer["id"], external_ids={"erp": held[kind.plural]}
            )
        deleted = await client.delete(f"/customers/{customer['id']}", headers=admin.headers)
        assert deleted.status_code == 204, deleted.text
        other = await create_customer(client, admin)
        for name in ("contact", "order", "follow_up", "opportunity"):
            kind = KINDS[name]
            url = f"/{kind.plural}/by-external-id/erp/{held[kind.plural]}"
            again = await client.put(url, json=kind.body(other["id"]), headers=admin.headers)
            assert again.status_code == 201, (name, again.text)
        customer_url = f"/customers/by-external-id/erp/{held['customers']}"
        assert (await client.get(customer_url, headers=admin.headers)).status_code == 404
