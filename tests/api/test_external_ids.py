"""Customers by other systems' ids: kept unique per system, found, and upserted."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import create_customer, make_user, organization


# Account managers of this module's own: the shared ones' customer counts matter elsewhere
# (the pool's claim limit).
@pytest.fixture(scope="module")
async def managers(client, database) -> dict:
    return {
        "am": await make_user(client, database, "account_manager"),
        "am2": await make_user(client, database, "account_manager"),
    }


def erp_id() -> str:
    return f"C-{uuid.uuid4().hex[:10]}"


class TestExternalIds:
    async def test_kept_found_merged_and_released(self, client, managers):
        am = managers["am"]
        first = erp_id()
        made = await create_customer(client, am, external_ids={"erp": first, "crm-old": "77"})
        assert made["external_ids"] == {"crm-old": "77", "erp": first}
        found = await client.get(f"/customers/by-external-id/erp/{first}", headers=am.headers)
        assert found.status_code == 200 and found.json()["id"] == made["id"]

        clash = await client.post(
            "/customers", json=organization(external_ids={"erp": first}), headers=am.headers
        )
        assert clash.status_code == 409
        assert clash.json()["errors"][0]["field"] == "external_ids.erp"
        assert (
            f"erp:{first}" in clash.json()["detail"] and str(made["id"]) in clash.json()["detail"]
        )

        second = erp_id()
        patched = await client.patch(
            f"/customers/{made['id']}",
            json={"external_ids": {"erp": second, "crm-old": None}},
            headers=am.headers,
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["external_ids"] == {"erp": second}
        gone = await client.get(f"/customers/by-external-id/erp/{first}", headers=am.headers)
        assert gone.status_code == 404
        # The released id is free for another customer.
        other = await create_customer(client, am, external_ids={"erp": first})
        assert other["external_ids"] == {"erp": first}

    async def test_bad_ids_are_422_and_change_nothing(self, client, managers):
        am = managers["am"]
        made = await create_customer(client, am)
        for ids in ({"ERP": "1"}, {"erp": ""}, {"erp": "x" * 201}, {"erp": "a\x01b"}):
            response = await client.patch(
                f"/customers/{made['id']}", json={"external_ids": ids}, headers=am.headers
            )
            assert response.status_code == 422, (ids, response.text)
        after = await client.get(f"/customers/{made['id']}", headers=am.headers)
        assert after.json()["external_ids"] == {} and after.json()["version"] == made["version"]

    async def test_someone_elses_customer_is_not_found_by_its_id(self, client, managers):
        theirs = erp_id()
        await create_customer(client, managers["am2"], external_ids={"erp": theirs})
        response = await client.get(
            f"/customers/by-external-id/erp/{theirs}", headers=managers["am"].headers
        )
        assert response.status_code == 404


class TestUpsert:
    async def test_creates_then_updates(self, client, managers):
        am = managers["am"]
        ext = erp_id()
        body = organization(stage="potential")
        created = await client.put(f"/customers/by-external-id/erp/{ext}", json=body,
                                   headers=am.headers)  # fmt: skip
        assert created.status_code == 201, created.text
        customer = created.json()
        assert customer["external_ids"] == {"erp": ext}
        assert created.headers["Location"] == f"/api/v1/customers/{customer['id']}"

        again = await client.put(
            f"/customers/by-external-id/erp/{ext}",
            json={**body, "stage": "intent", "address": "上海市浦东新区"},
            headers=am.headers,
        )
        assert again.status_code == 200, again.text
        assert again.json()["id"] == customer["id"]
        assert (again.json()["stage"], again.json()["address"]) == ("intent", "上海市浦东新区")
        same = await client.put(f"/customers/by-external-id/erp/{ext}",
                                json={**body, "stage": "intent"}, headers=am.headers)  # fmt: skip
        assert same.status_code == 200 and same.json()["version"] == again.json()["version"]

    async def test_refuses_what_cannot_be(self, client, managers):
        am = managers["am"]
        ext = erp_id()
        made = await client.put(
            f"/customers/by-external-id/erp/{ext}", json=organization(), headers=am.headers
        )
        assert made.status_code == 201
        individual = {"kind": "individual", "name": "张三"}
        kind = await client.put(
            f"/customers/by-external-id/erp/{ext}", json=individual, headers=am.headers
        )
        assert kind.status_code == 422 and kind.json()["errors"][0]["field"] == "kind"
        other = await client.put(
            f"/customers/by-external-id/erp/{erp_id()}",
            json=organization(external_ids={"erp": "something-else"}),
            headers=am.headers,
        )
        assert other.status_code == 422
        bad_system = await client.put(
            "/customers/by-external-id/ERP!/1", json=organization(), headers=am.headers
        )
        assert bad_system.status_code == 422

    async def test_another_owners_customer_is_404_not_taken_over(self, client, managers):
        ext = erp_id()
        await client.put(
            f"/customers/by-external-id/erp/{ext}", json=organization(),
            headers=managers["am2"].headers,
        )  # fmt: skip
        response = await client.put(
            f"/customers/by-external-id/erp/{ext}", json=organization(),
            headers=managers["am"].headers,
        )  # fmt: skip
        assert response.status_code == 404


class TestUpdatedSince:
    async def test_pages_through_what_changed_since_an_instant(self, client, database, clock):
        am = await make_user(client, database, "account_manager")  # sees only these
        base = datetime.now(UTC) - timedelta(days=1)
        clock.at = base
        old = await create_customer(client, am)
        clock.at = base + timedelta(hours=1)
        new = await create_customer(client, am)
        clock.at = None  # an edit stamps updated_at with the time it happens
        edited = await client.patch(
            f"/customers/{old['id']}", json={"address": "北京市海淀区"}, headers=am.headers
        )
        assert edited.status_code == 200, edited.text

        async def since(instant: datetime) -> list[int]:
            response = await client.get(
                "/customers",
                params={"updated_since": instant.isoformat(), "sort": "updated_at", "limit": 1},
                headers=am.headers,
            )
            assert response.status_code == 200, response.text
            ids, body = [], response.json()
            ids += [c["id"] for c in body["items"]]
            while body["next_cursor"]:
                body = (
                    await client.get(
                        "/customers",
                        params={"updated_since": instant.isoformat(), "sort": "updated_at",
                                "limit": 1, "cursor": body["next_cursor"]},
                        headers=am.headers,
                    )
                ).json()  # fmt: skip
                ids += [c["id"] for c in body["items"]]
            return ids

        assert await since(base + timedelta(minutes=30)) == [new["id"], old["id"]]
        assert await since(base + timedelta(hours=2)) == [old["id"]]
        assert await since(datetime.now(UTC) + timedelta(minutes=1)) == []
        naive = await client.get(
            "/customers", params={"updated_since": "2031-05-01T08:00:00"}, headers=am.headers
        )
        assert naive.status_code == 422
