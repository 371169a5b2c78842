"""Contacts of a customer: phone normalisation, the single primary contact, the two-ways-to-
reach warning, If-Match and the customer's history."""

import pytest
from sqlalchemy import select

from persistence.models import Contact
from tests.conftest import create_customer, organization
from tests.support import assert_problem

WARNING = "fewer-than-two-contact-methods"


@pytest.fixture
async def customer(client, users) -> dict:
    return await create_customer(client, users["am"])


@pytest.fixture(scope="module")
async def contactless(client, users) -> dict:
    """A customer that only ever receives invalid contacts."""
    return await create_customer(client, users["am"])


async def add(client, user, customer_id: int, **fields) -> dict:
    response = await client.post(
        f"/customers/{customer_id}/contacts", json=fields, headers=user.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def contacts_of(client, user, customer_id: int) -> list[dict]:
    response = await client.get(f"/customers/{customer_id}/contacts", headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def stored_contacts(database, customer_id: int) -> list[Contact]:
    async with database.session(write=False) as session:
        return list(
            (
                await session.scalars(
                    select(Contact).where(Contact.customer_id == customer_id).order_by(Contact.id)
                )
            ).all()
        )


async def warnings_of(client, user, customer_id: int) -> list[str]:
    response = await client.get(f"/customers/{customer_id}", headers=user.headers)
    return [w["code"] for w in response.json()["warnings"]]


class TestPhoneNormalisation:
    @pytest.mark.parametrize(
        ("field", "sent", "kept"),
        [
            ("mobile", "138 1234 5678", "+8613812345678"),
            ("mobile", "+86 138-1234-5678", "+8613812345678"),
            ("mobile", "13812345678", "+8613812345678"),
            ("phone", "010-12345678", "+861012345678"),
            ("phone", "(0755) 8888 8888", "+8675588888888"),
            ("phone", "+1 650 253 0000", "+16502530000"),
        ],
    )
    async def test_stored_as_e164(self, client, users, database, customer, field, sent, kept):
        contact = await add(client, users["am"], customer["id"], name="张三", **{field: sent})
        assert contact[field] == kept
        [row] = await stored_contacts(database, customer["id"])
        assert getattr(row, field) == kept

    async def test_blank_phone_means_none(self, client, users, customer):
        contact = await add(
            client, users["am"], customer["id"], name="张三", mobile="  ", email="zhang@example.com"
        )
        assert contact["mobile"] is None

    async def test_patch_normalises_too(self, client, users, customer):
        contact = await add(client, users["am"], customer["id"], name="张三")
        response = await client.patch(
            f"/customers/{customer['id']}/contacts/{contact['id']}",
            json={"mobile": "139 8765 4321"},
            headers=users["am"].headers,
        )
        assert response.status_code == 200 and response.json()["mobile"] == "+8613987654321"


class TestContactValidation:
    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"mobile": "12345"}, "mobile"),
            ({"mobile": "139 1234 567"}, "mobile"),
            ({"mobile": "call me"}, "mobile"),
            ({"phone": "010-123"}, "phone"),
            ({"email": "not-an-email"}, "email"),
            ({"email": "a@b@c.com"}, "email"),
            ({"name": "   "}, "name"),
            ({"name": ""}, "name"),
            ({"mobile": "1" * 31}, "mobile"),
            ({"wechat": "x" * 65}, "wechat"),
            ({"is_primary": None}, "is_primary"),
            ({"version": 3}, "version"),
            ({"customer_id": 1}, "customer_id"),
        ],
    )
    async def test_invalid_contact_is_422_and_not_created(
        self, client, users, database, contactless, fields, field
    ):
        response = await client.post(
            f"/customers/{contactless['id']}/contacts",
            json={"name": "张三", **fields},
            headers=users["am"].headers,
        )
        assert_problem(response, 422, "validation", field=field)
        assert await stored_contacts(database, contactless["id"]) == []

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"mobile": "12345"}, "mobile"),
            ({"email": "nope"}, "email"),
            ({"name": None}, "name"),
            ({"is_primary": None}, "is_primary"),
            ({"is_primary": False}, "is_primary"),
        ],
    )
    async def test_invalid_patch_is_422_and_changes_nothing(
        self, client, users, database, customer, fields, field
    ):
        contact = await add(client, users["am"], customer["id"], name="张三", mobile="13812345678")
        response = await client.patch(
            f"/customers/{customer['id']}/contacts/{contact['id']}",
            json=fields,
            headers=users["am"].headers,
        )
        assert_problem(response, 422, "validation", field=field)
        [row] = await stored_contacts(database, customer["id"])
        assert (row.name, row.mobile, row.is_primary, row.version) == (
            "张三",
            "+8613812345678",
            True,
            contact["version"],
        )

    async def test_contact_of_another_customer_is_404(self, client, users, customer):
        other = await create_customer(client, users["am"])
        contact = await add(client, users["am"], other["id"], name="张三")
        url = f"/customers/{customer['id']}/contacts/{contact['id']}"
        for method in ("GET", "PATCH", "DELETE"):
            kwargs = {"json": {"title": "x"}} if method == "PATCH" else {}
            response = await client.request(method, url, headers=users["am"].headers, **kwargs)
            assert_problem(response, 404, "not-found")
        assert len(await contacts_of(client, users["am"], other["id"])) == 1


class TestSinglePrimaryContact:
    async def test_first_contact_is_primary(self, client, users, customer):
        first = await add(client, users["am"], customer["id"], name="甲", is_primary=False)
        assert first["is_primary"] is True
        second = await add(client, users["am"], customer["id"], name="乙")
        assert second["is_primary"] is False

    async def test_marking_another_primary_unmarks_the_first(self, client, users, customer):
        first = await add(client, users["am"], customer["id"], name="甲")
        second = await add(client, users["am"], customer["id"], name="乙")
        third = await add(client, users["am"], customer["id"], name="丙", is_primary=True)
        assert third["is_primary"] is True
        listed = await contacts_of(client, users["am"], customer["id"])
        assert [c["id"] for c in listed if c["is_primary"]] == [third["id"]]
        assert listed[0]["id"] == third["id"]  # the primary first

        response = await client.patch(
            f"/customers/{customer['id']}/contacts/{second['id']}",
            json={"is_primary": True},
            headers=users["am"].headers,
        )
        assert response.status_code == 200 and response.json()["is_primary"] is True
        listed = await contacts_of(client, users["am"], customer["id"])
        assert [c["id"] for c in listed if c["is_primary"]] == [second["id"]]
        assert {c["id"] for c in listed} == {first["id"], second["id"], third["id"]}

    async def test_deleting_the_primary_promotes_the_oldest_other(
        self, client, users, database, customer
    ):
        first = await add(client, users["am"], customer["id"], name="甲")
        second = await add(client, users["am"], customer["id"], name="乙")
        third = await add(client, users["am"], customer["id"], name="丙")
        response = await client.delete(
            f"/customers/{customer['id']}/contacts/{first['id']}", headers=users["am"].headers
        )
        assert response.status_code == 204
        rows = await stored_contacts(database, customer["id"])
        assert [(r.id, r.is_primary) for r in rows] == [(second["id"], True), (third["id"], False)]
        await client.delete(
            f"/customers/{customer['id']}/contacts/{second['id']}", headers=users["am"].headers
        )
        rows = await stored_contacts(database, customer["id"])
        assert [(r.id, r.is_primary) for r in rows] == [(third["id"], True)]
        await client.delete(
            f"/customers/{customer['id']}/contacts/{third['id']}", headers=users["am"].headers
        )
        assert await stored_contacts(database, customer["id"]) == []

    async def test_deleting_another_leaves_the_primary(self, client, users, database, customer):
        first = await add(client, users["am"], customer["id"], name="甲")
        second = await add(client, users["am"], customer["id"], name="乙")
        await client.delete(
            f"/customers/{customer['id']}/contacts/{second['id']}", headers=users["am"].headers
        )
        rows = await stored_contacts(database, customer["id"])
        assert [(r.id, r.is_primary) for r in rows] == [(first["id"], True)]


class TestTwoWaysToReach:
    async def test_warns_until_two_distinct_ways_exist(self, client, users, customer):
        am, cid = users["am"], customer["id"]
        assert [w["code"] for w in customer["warnings"]] == [WARNING]
        first = await add(client, am, cid, name="甲", mobile="13812345678")
        assert await warnings_of(client, am, cid) == [WARNING]
        await add(client, am, cid, name="乙", mobile="138 1234 5678")  # the same number
        assert await warnings_of(client, am, cid) == [WARNING]
        response = await client.patch(
            f"/customers/{cid}/contacts/{first['id']}",
            json={"email": "jia@example.com"},
            headers=am.headers,
        )
        assert response.status_code == 200
        assert await warnings_of(client, am, cid) == []
        listed = await client.get(
            "/customers", headers=am.headers, params={"name": customer["name"]}
        )
        assert listed.json()["items"][0]["warnings"] == []
        # Taking a way away brings the warning back: it is never stored, always derived.
        await client.patch(
            f"/customers/{cid}/contacts/{first['id']}", json={"email": None}, headers=am.headers
        )
        assert await warnings_of(client, am, cid) == [WARNING]

    async def test_one_contact_with_two_ways_is_enough(self, client, users, customer):
        await add(
            client, users["am"], customer["id"], name="甲", wechat="jia_wx", phone="010-12345678"
        )
        assert await warnings_of(client, users["am"], customer["id"]) == []

    async def test_warning_does_not_block_writes(self, client, users, customer):
        response = await client.patch(
            f"/customers/{customer['id']}", json={"urgency": "low"}, headers=users["am"].headers
        )
        assert response.status_code == 200
        assert [w["code"] for w in response.json()["warnings"]] == [WARNING]


class TestContactETag:
    async def test_get_carries_the_version_and_patch_bumps_it(self, client, users, customer):
        response = await client.post(
            f"/customers/{customer['id']}/contacts",
            json={"name": "甲"},
            headers=users["am"].headers,
        )
        contact = response.json()
        assert response.headers["etag"] == f'"{contact["version"]}"'
        url = f"/customers/{customer['id']}/contacts/{contact['id']}"
        response = await client.get(url, headers=users["am"].headers)
        assert response.headers["etag"] == f'"{contact["version"]}"'
        response = await client.patch(
            url,
            json={"title": "总经理"},
            headers={**users["am"].headers, "If-Match": response.headers["etag"]},
        )
        assert response.status_code == 200, response.text
        assert response.json()["version"] == contact["version"] + 1
        assert response.headers["etag"] == f'"{contact["version"] + 1}"'

    async def test_stale_etag_is_412_and_changes_nothing(self, client, users, database, customer):
        contact = await add(client, users["am"], customer["id"], name="甲")
        url = f"/customers/{customer['id']}/contacts/{contact['id']}"
        stale = f'"{contact["version"]}"'
        await client.patch(url, json={"title": "总经理"}, headers=users["am"].headers)
        response = await client.patch(
            url, json={"title": "董事长"}, headers={**users["am"].headers, "If-Match": stale}
        )
        body = assert_problem(response, 412, "version-mismatch")
        assert body["current_version"] == contact["version"] + 1
        response = await client.delete(url, headers={**users["am"].headers, "If-Match": stale})
        assert_problem(response, 412, "version-mismatch")
        [row] = await stored_contacts(database, customer["id"])
        assert row.title == "总经理" and row.version == contact["version"] + 1

    async def test_delete_with_current_etag_or_none(self, client, users, database, customer):
        first = await add(client, users["am"], customer["id"], name="甲")
        second = await add(client, users["am"], customer["id"], name="乙")
        base = f"/customers/{customer['id']}/contacts"
        response = await client.delete(
            f"{base}/{second['id']}",
            headers={**users["am"].headers, "If-Match": f'"{second["version"]}"'},
        )
        assert response.status_code == 204
        response = await client.delete(f"{base}/{first['id']}", headers=users["am"].headers)
        assert response.status_code == 204
        assert await stored_contacts(database, customer["id"]) == []

    async def test_unmarked_primary_gets_a_new_version(self, client, users, customer):
        first = await add(client, users["am"], customer["id"], name="甲")
        await add(client, users["am"], customer["id"], name="乙", is_primary=True)
        url = f"/customers/{customer['id']}/contacts/{first['id']}"
        response = await client.patch(
            url,
            json={"title": "x"},
            headers={**users["am"].headers, "If-Match": f'"{first["version"]}"'},
        )
        assert_problem(response, 412, "version-mismatch")


class TestContactHistory:
    async def test_contact_writes_appear_in_the_customers_history(self, client, users, customer):
        am, cid = users["am"], customer["id"]
        contact = await add(client, am, cid, name="甲", mobile="138 1234 5678")
        await client.patch(
            f"/customers/{cid}/contacts/{contact['id']}",
            json={"title": "采购", "email": "JIA@Example.COM"},
            headers=am.headers,
        )
        await client.delete(f"/customers/{cid}/contacts/{contact['id']}", headers=am.headers)
        response = await client.get(f"/customers/{cid}/history", headers=am.headers)
        assert response.status_code == 200
        contact_events = [e for e in response.json()["items"] if e["entity_type"] == "contact"]
        assert [e["action"] for e in contact_events] == ["delete", "update", "create"]
        delete, update, create = contact_events
        assert all(
            e["entity_id"] == contact["id"] and e["customer_id"] == cid and e["actor_id"] == am.id
            for e in contact_events
        )
        assert create["changes"]["name"] == [None, "甲"]
        assert create["changes"]["mobile"] == [None, "+8613812345678"]
        assert create["changes"]["is_primary"] == [None, True]
        assert update["changes"] == {"title": [None, "采购"], "email": [None, "JIA@example.com"]}
        assert delete["changes"]["name"] == ["甲", None]
        assert delete["changes"]["mobile"] == ["+8613812345678", None]

    async def test_primary_handovers_are_audited_on_both_contacts(self, client, users, customer):
        am, cid = users["am"], customer["id"]
        first = await add(client, am, cid, name="甲")
        second = await add(client, am, cid, name="乙", is_primary=True)
        await client.patch(
            f"/customers/{cid}/contacts/{first['id']}",
            json={"is_primary": True},
            headers=am.headers,
        )
        await client.delete(f"/customers/{cid}/contacts/{first['id']}", headers=am.headers)
        response = await client.get(f"/customers/{cid}/history", headers=am.headers)
        trail = [
            (e["entity_id"], e["action"], e["changes"].get("is_primary"))
            for e in response.json()["items"][::-1]
            if e["entity_type"] == "contact"
        ]
        assert trail == [
            (first["id"], "create", [None, True]),
            (second["id"], "create", [None, True]),
            (first["id"], "update", [True, False]),  # unmarked by the new primary
            (first["id"], "update", [False, True]),
            (second["id"], "update", [True, False]),
            (first["id"], "delete", [True, None]),
            (second["id"], "update", [False, True]),  # promoted when the primary went
        ]

    async def test_rejected_contact_write_leaves_no_event(self, client, users, customer):
        am, cid = users["am"], customer["id"]
        before = (await client.get(f"/customers/{cid}/history", headers=am.headers)).json()
        response = await client.post(
            f"/customers/{cid}/contacts", json={"name": "甲", "mobile": "12345"}, headers=am.headers
        )
        assert response.status_code == 422
        after = (await client.get(f"/customers/{cid}/history", headers=am.headers)).json()
        assert after == before


class TestCreatedWithTheCustomer:
    async def test_a_new_customer_comes_with_its_primary_contact(self, client, users, database):
        am = users["am"]
        body = organization(
            primary_contact={"name": " 王经理 ", "mobile": "138 0013 8000", "title": "采购"}
        )
        response = await client.post("/customers", json=body, headers=am.headers)
        assert response.status_code == 201, response.text
        body = response.json()
        [stored] = await stored_contacts(database, body["id"])
        assert (stored.name, stored.mobile, stored.title, stored.is_primary) == (
            "王经理",
            "+8613800138000",
            "采购",
            True,
        )
        assert body["primary_contact"] == {
            "id": stored.id,
            "name": "王经理",
            "mobile": "+8613800138000",
            "phone": None,
            "email": None,
        }
        history = await client.get(f"/customers/{body['id']}/history", headers=am.headers)
        kinds = {(e["entity_type"], e["action"]) for e in history.json()["items"]}
        assert {("customer", "create"), ("contact", "create")} <= kinds

    @pytest.mark.parametrize(
        ("contact", "field"),
        [
            ({"name": "王经理", "mobile": "12345"}, "primary_contact.mobile"),
            ({"name": "王经理", "email": "not-an-address"}, "primary_contact.email"),
            ({"name": "  "}, "primary_contact.name"),
            ({"mobile": "13800138000"}, "primary_contact.name"),
            ({"name": "王经理", "is_primary": False}, "primary_contact.is_primary"),
        ],
    )
    async def test_a_bad_contact_refuses_the_customer_too(
        self, client, users, database, contact, field
    ):
        body = organization(primary_contact=contact)
        response = await client.post("/customers", json=body, headers=users["am"].headers)
        assert_problem(response, 422, field=field)
        listed = await client.get(
            "/customers", params={"name": body["name"]}, headers=users["am"].headers
        )
        assert listed.json()["items"] == []  # one transaction: no customer without its contact

    async def test_without_one_the_customer_has_no_primary_contact(self, client, users):
        customer = await create_customer(client, users["am"])
        assert customer["primary_contact"] is None
