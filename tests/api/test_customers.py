"""Customer records (一户一档): masking, validation, mass assignment, codes, concurrency control,
lists, tags and the audit trail. Assertions only look at data each test created."""

import asyncio
import base64
import json
import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from stdnum.cn import ric, uscc

from persistence import pagination
from persistence.audit_repo import SqlAuditRepo
from persistence.models import Customer
from tests.conftest import (
    create_customer,
    credit_code,
    id_number,
    individual,
    make_user,
    organization,
)
from tests.support import assert_problem

SHANGHAI = ZoneInfo("Asia/Shanghai")
CODE = re.compile(r"^C(\d{4})(\d{2})(\d{6})$")


def unique(prefix: str = "客户") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def cursor_of(key: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def masked_id(value: str) -> str:
    return value[:6] + "*" * 8 + value[-4:]


async def stored(database, customer_id: int) -> Customer | None:
    async with database.session(write=False) as session:
        return await session.get(Customer, customer_id)


async def events(client, users, customer_id: int) -> list[dict]:
    """The customer's audit events, oldest first, as an admin reads them."""
    response = await client.get(
        "/audit-events",
        headers=users["admin"].headers,
        params={"customer_id": customer_id, "limit": 200},
    )
    assert response.status_code == 200, response.text
    return response.json()["items"][::-1]


async def named(client, users, name: str) -> list[dict]:
    """Customers (archived or not) whose name contains `name`, as an admin sees them."""
    response = await client.get(
        "/customers",
        headers=users["admin"].headers,
        params={"name": name, "archived": "all", "limit": 200},
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def admin_get(client, users, customer_id: int) -> dict:
    response = await client.get(f"/customers/{customer_id}", headers=users["admin"].headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
async def tags(client, users) -> list[dict]:
    made = []
    for _ in range(2):
        response = await client.post(
            "/tags", json={"name": unique("测试-")}, headers=users["admin"].headers
        )
        assert response.status_code == 201, response.text
        made.append(response.json())
    return made


# ---- masking -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def masked(client, users, database) -> dict:
    """An individual owned by users["am"] with an ID number changed once, a sensitive and a
    plain custom field, an amount and a contact with a mobile and a landline."""
    admin = users["admin"].headers
    secret, plain = f"income_{uuid.uuid4().hex[:8]}", f"hobby_{uuid.uuid4().hex[:8]}"
    for key, sensitive in ((secret, True), (plain, False)):
        response = await client.post(
            "/custom-fields",
            headers=admin,
            json={
                "key": key,
                "label_zh": "字段",
                "label_en": "Field",
                "type": "text",
                "sensitive": sensitive,
            },
        )
        assert response.status_code == 201, response.text
    first, second = id_number("19850612", 234), id_number("19850612", 236)
    name = unique("脱敏客户")
    customer = await create_customer(
        client,
        users["am"],
        kind="individual",
        name=name,
        id_number=first,
        custom_fields={secret: "年收入三百万", plain: "喜欢喝茶"},
    )
    response = await client.post(
        f"/customers/{customer['id']}/contacts",
        headers=users["am"].headers,
        json={"name": "本人", "mobile": "13812345678", "phone": "010-12345678"},
    )
    assert response.status_code == 201, response.text
    # The owner's change of an ID number is a change request; an admin approves it.
    response = await client.patch(
        f"/customers/{customer['id']}", json={"id_number": second}, headers=users["am"].headers
    )
    assert response.status_code == 202, response.text
    [request] = response.json()["items"]
    response = await client.post(f"/change-requests/{request['id']}/approve", headers=admin)
    assert response.status_code == 200, response.text
    async with database.session(write=True) as session:  # derived from orders, not writable
        row = await session.get(Customer, customer["id"])
        row.cumulative_amount, row.value_level = Decimal("12345.67"), "high"
    return {
        "id": customer["id"],
        "name": name,
        "first": first,
        "second": second,
        "secret": secret,
        "plain": plain,
    }


FULL_SIGHT = ("admin", "am")
MASKED_SIGHT = ("supervisor", "readonly")


class TestCustomerMasking:
    @pytest.mark.parametrize("role", ["admin", "am", "supervisor", "readonly", "agent"])
    async def test_get_and_list_mask_by_role(self, client, users, masked, role):
        headers = users[role].headers
        one = await client.get(f"/customers/{masked['id']}", headers=headers)
        assert one.status_code == 200, one.text
        listed = await client.get("/customers", params={"name": masked["name"]}, headers=headers)
        assert [c["id"] for c in listed.json()["items"]] == [masked["id"]]
        secret, plain = masked["secret"], masked["plain"]
        for body in (one.json(), listed.json()["items"][0]):
            if role in FULL_SIGHT:
                assert body["id_number"] == masked["second"]
                assert Decimal(body["cumulative_amount"]) == Decimal("12345.67")
                assert body["value_level"] == "high"
                assert body["custom_fields"] == {secret: "年收入三百万", plain: "喜欢喝茶"}
                assert body["masked_fields"] == []
            elif role in MASKED_SIGHT:
                assert body["id_number"] == masked_id(masked["second"])
                assert body["id_number"] != masked["second"]
                assert Decimal(body["cumulative_amount"]) == Decimal("12345.67")
                assert body["value_level"] == "high"
                assert body["custom_fields"] == {secret: "年收入三百万", plain: "喜欢喝茶"}
                assert body["masked_fields"] == ["id_number", "primary_contact"]
            else:  # agent: contacts and preferences, no money (nor the value level derived
                # from it), no ID number, no secrets
                assert body["id_number"] is None
                assert body["cumulative_amount"] is None and body["value_level"] is None
                assert body["custom_fields"] == {plain: "喜欢喝茶"}
                assert sorted(body["masked_fields"]) == sorted(
                    ["id_number", "cumulative_amount", "value_level", f"custom_fields.{secret}"]
                )
            # The number to call, masked as the contacts endpoint masks it (agents call).
            contact = body["primary_contact"]
            assert contact["name"] == "本人" and contact["email"] is None
            if role in MASKED_SIGHT:
                assert (contact["mobile"], contact["phone"]) == ("+86138****5678", "+86101***5678")
            else:
                assert (contact["mobile"], contact["phone"]) == ("+8613812345678", "+861012345678")
            assert body["birthday"] == "1985-06-12" and body["name"] == masked["name"]
        if role not in FULL_SIGHT:
            for text in (one.text, listed.text):
                assert masked["second"] not in text and masked["second"][6:14] not in text
        if role == "agent":
            assert "年收入三百万" not in one.text + listed.text

    @pytest.mark.parametrize("role", ["admin", "am", "supervisor", "readonly", "agent"])
    async def test_contact_phones_mask_by_role(self, client, users, masked, role):
        headers = users[role].headers
        listed = await client.get(f"/customers/{masked['id']}/contacts", headers=headers)
        assert listed.status_code == 200 and len(listed.json()) == 1
        one = await client.get(
            f"/customers/{masked['id']}/contacts/{listed.json()[0]['id']}", headers=headers
        )
        assert one.status_code == 200
        for body in (listed.json()[0], one.json()):
            if role in MASKED_SIGHT:
                assert body["mobile"] == "+86138****5678"
                assert body["phone"] == "+86101***5678"
                assert body["masked_fields"] == ["mobile", "phone"]
            else:  # agents call customers: they see numbers whole
                assert body["mobile"] == "+8613812345678"
                assert body["phone"] == "+861012345678"
                assert body["masked_fields"] == []

    async def test_store_keeps_the_real_values(self, database, masked):
        row = await stored(database, masked["id"])
        assert row.id_number == masked["second"]
        assert row.cumulative_amount == Decimal("12345.67")


class TestHistoryMasking:
    @pytest.mark.parametrize("role", ["admin", "am", "supervisor", "readonly", "agent"])
    async def test_history_is_masked_like_the_customer(self, client, users, masked, role):
        response = await client.get(
            f"/customers/{masked['id']}/history", headers=users[role].headers
        )
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        create = next(
            e for e in items if e["entity_type"] == "customer" and e["action"] == "create"
        )
        update = next(
            e for e in items if e["entity_type"] == "customer" and e["action"] == "update"
        )
        contact = next(e for e in items if e["entity_type"] == "contact")
        first, second, secret = masked["first"], masked["second"], masked["secret"]
        if role in FULL_SIGHT:
            assert create["changes"]["id_number"] == [None, first]
            assert update["changes"]["id_number"] == [first, second]
            assert create["changes"]["custom_fields"][1][secret] == "年收入三百万"
        elif role in MASKED_SIGHT:
            assert create["changes"]["id_number"] == [None, masked_id(first)]
            assert update["changes"]["id_number"] == [masked_id(first), masked_id(second)]
            assert create["changes"]["custom_fields"][1][secret] == "年收入三百万"
        else:
            assert "id_number" not in create["changes"]
            assert "id_number" not in update["changes"]
            assert secret not in create["changes"]["custom_fields"][1]
            assert masked["plain"] in create["changes"]["custom_fields"][1]
        expected_mobile = "+86138****5678" if role in MASKED_SIGHT else "+8613812345678"
        assert contact["changes"]["mobile"] == [None, expected_mobile]
        if role not in FULL_SIGHT:
            assert first not in response.text and second not in response.text
        if role == "agent":
            assert "年收入三百万" not in response.text


# ---- validation ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def target(client, users) -> dict:
    """An organization of users["am"] that bad requests aim at (and must leave alone)."""
    return await create_customer(client, users["am"], name=unique("靶子"))


def with_letters_credit_code() -> str:
    body = f"91440300MA5{uuid.uuid4().int % 10**6:06d}"
    return body + uscc.calc_check_digit(body)


def wrong_last(value: str, alphabet: str) -> str:
    return value[:-1] + next(c for c in alphabet if c != value[-1])


class TestRequiredFields:
    @pytest.mark.parametrize(
        ("kind", "missing"),
        [
            ("organization", "name"),
            ("organization", "credit_code"),
            ("individual", "name"),
            ("individual", "id_number"),
        ],
    )
    async def test_missing_identity_is_422_on_that_field(self, client, users, kind, missing):
        marker = unique("缺字段")
        body = organization(name=marker) if kind == "organization" else individual(name=marker)
        del body[missing]
        response = await client.post("/customers", json=body, headers=users["am"].headers)
        body = assert_problem(response, 422, "validation")
        assert missing in [e["field"] for e in body["errors"]]
        assert await named(client, users, marker) == []

    async def test_blank_name_counts_as_missing(self, client, users):
        response = await client.post(
            "/customers", json=organization(name="   "), headers=users["am"].headers
        )
        assert_problem(response, 422, "validation", field="name")


class TestCreditCode:
    async def test_wrong_check_digit_is_422(self, client, users):
        marker = unique()
        bad = wrong_last(credit_code(), "0123456789ABCDEFGHJKLMNPQRTUWXY")
        response = await client.post(
            "/customers",
            json=organization(name=marker, credit_code=bad),
            headers=users["am"].headers,
        )
        assert_problem(response, 422, "validation", field="credit_code")
        assert await named(client, users, marker) == []

    @pytest.mark.parametrize("bad", ["91440300MA5", "ABCDEFGHIJKLMNOPQR", "914403001234567890X"])
    async def test_malformed_is_422(self, client, users, bad):
        response = await client.post(
            "/customers", json=organization(credit_code=bad), headers=users["am"].headers
        )
        assert_problem(response, 422, "validation", field="credit_code")

    async def test_lower_case_with_spaces_is_stored_upper_case(self, client, users, database):
        code = with_letters_credit_code()
        sent = f" {code[:8].lower()} {code[8:].lower()} "
        created = await create_customer(client, users["am"], credit_code=sent)
        assert created["credit_code"] == code
        assert (await stored(database, created["id"])).credit_code == code


class TestIdNumber:
    async def test_wrong_check_digit_is_422(self, client, users):
        marker = unique()
        bad = wrong_last(id_number(), "0123456789X")
        response = await client.post(
            "/customers", json=individual(name=marker, id_number=bad), headers=users["am"].headers
        )
        assert_problem(response, 422, "validation", field="id_number")
        assert await named(client, users, marker) == []

    @pytest.mark.parametrize("day", ["19900230", "19901301", "20991399"])
    async def test_impossible_birth_date_is_422(self, client, users, day):
        body = f"110101{day}{uuid.uuid4().int % 1000:03d}"
        number = body + ric.calc_check_digit(body + "0")  # a correct check digit
        response = await client.post(
            "/customers", json=individual(id_number=number), headers=users["am"].headers
        )
        assert_problem(response, 422, "validation", field="id_number")

    @pytest.mark.parametrize(("sequence", "gender"), [(3, "male"), (4, "female")])
    async def test_gender_and_birthday_come_from_the_number(self, client, users, sequence, gender):
        number = id_number("19880815", 100 * (uuid.uuid4().int % 9 + 1) + sequence)
        created = await create_customer(client, users["am"], kind="individual", id_number=number)
        assert created["gender"] == gender and created["birthday"] == "1988-08-15"

    async def test_agreeing_gender_and_birthday_are_accepted(self, client, users):
        number = id_number("19880815", 501)
        created = await create_customer(
            client,
            users["am"],
            kind="individual",
            id_number=number,
            gender="male",
            birthday="1988-08-15",
        )
        assert created["gender"] == "male"

    @pytest.mark.parametrize(("field", "value"), [("gender", "female"), ("birthday", "1988-08-16")])
    async def test_contradicting_gender_or_birthday_is_422(self, client, users, field, value):
        marker = unique()
        body = individual(name=marker, id_number=id_number("19880815", 301), **{field: value})
        response = await client.post("/customers", json=body, headers=users["am"].headers)
        assert_problem(response, 422, "validation", field=field)
        assert await named(client, users, marker) == []

    async def test_lower_case_x_is_stored_upper_case(self, client, users, database):
        number = next(n for n in (id_number("19750101", s) for s in range(1000)) if n.endswith("X"))
        created = await create_customer(
            client, users["am"], kind="individual", id_number=number.lower()
        )
        assert created["id_number"] == number
        assert (await stored(database, created["id"])).id_number == number


class TestFieldsBelongToTheirKind:
    @pytest.mark.parametrize(
        ("kind", "field", "value"),
        [
            ("organization", "id_number", None),
            ("organization", "gender", "male"),
            ("organization", "birthday", "1990-01-01"),
            ("individual", "credit_code", None),
            ("individual", "industry", "I65"),
            ("individual", "size", "0-20"),
            ("individual", "main_business", "软件"),
        ],
    )
    async def test_other_kinds_field_is_422(self, client, users, kind, field, value):
        marker = unique()
        value = value or (id_number() if field == "id_number" else credit_code())
        body = (organization if kind == "organization" else individual)(
            name=marker, **{field: value}
        )
        response = await client.post("/customers", json=body, headers=users["am"].headers)
        assert_problem(response, 422, "validation", field=field)
        assert await named(client, users, marker) == []

    async def test_other_kinds_field_on_patch_is_422(self, client, users):
        person = await create_customer(client, users["am"], kind="individual")
        response = await client.patch(
            f"/customers/{person['id']}",
            json={"credit_code": credit_code()},
            headers=users["am"].headers,
        )
        assert_problem(response, 422, "validation", field="credit_code")
        assert (await admin_get(client, users, person["id"]))["version"] == person["version"]


class TestIndustry:
    @pytest.mark.parametrize("bad", ["Z99", "C99", "Z", "I6", "65", "I6X"])
    async def test_unknown_code_is_422(self, client, users, bad):
        response = await client.post(
            "/customers", json=organization(industry=bad), headers=users["am"].headers
        )
        assert_problem(response, 422, "validation", field="industry")

    @pytest.mark.parametrize(
        ("sent", "kept"),
        [("I65", "I65"), ("C", "C"), ("c13", "C13"), ("A01", "A01"), ("T97", "T97")],
    )
    async def test_section_or_division_is_stored_upper_case(self, client, users, sent, kept):
        created = await create_customer(client, users["am"], industry=sent)
        assert created["industry"] == kept


class TestDuplicates:
    async def test_duplicate_credit_code_is_409_even_lower_case_or_archived(self, client, users):
        code = with_letters_credit_code()
        first = await create_customer(client, users["am"], credit_code=code)
        for _ in range(2):
            marker = unique()
            response = await client.post(
                "/customers",
                headers=users["am"].headers,
                json=organization(name=marker, credit_code=code.lower()),
            )
            assert_problem(response, 409, "duplicate", field="credit_code")
            assert await named(client, users, marker) == []
            await client.post(
                f"/customers/{first['id']}/archive",
                json={"reason": "结束"},
                headers=users["am"].headers,
            )

    async def test_duplicate_id_number_is_409(self, client, users):
        number = id_number()
        await create_customer(client, users["am2"], kind="individual", id_number=number)
        marker = unique()
        response = await client.post(
            "/customers",
            headers=users["am"].headers,
            json=individual(name=marker, id_number=number),
        )
        assert_problem(response, 409, "duplicate", field="id_number")
        assert await named(client, users, marker) == []

    async def test_patch_onto_another_customers_credit_code_is_409(self, client, users):
        first = await create_customer(client, users["am"])
        second = await create_customer(client, users["am"])
        response = await client.patch(
            f"/customers/{second['id']}",
            json={"credit_code": first["credit_code"]},
            headers=users["am"].headers,
        )
        assert_problem(response, 409, "duplicate", field="credit_code")
        assert (await admin_get(client, users, second["id"]))["credit_code"] == second[
            "credit_code"
        ]

    async def test_patch_keeping_its_own_credit_code_is_fine(self, client, users):
        customer = await create_customer(client, users["am"])
        response = await client.patch(
            f"/customers/{customer['id']}",
            json={"credit_code": customer["credit_code"].lower()},
            headers=users["am"].headers,
        )
        assert response.status_code == 200, response.text

    async def test_the_form_learns_which_customer_it_would_repeat(self, client, users):
        """An account manager sees their own customer whole, another's by its owner's name
        only; an admin sees every one; an agent may not ask."""
        name = unique()
        mine = await create_customer(client, users["am"], name=name)
        theirs = await create_customer(client, users["am2"], name=name)

        async def same_as(user: str, **params: str) -> list[dict]:
            response = await client.get(
                "/customers/same-as", params=params, headers=users[user].headers
            )
            assert response.status_code == 200, response.text
            return response.json()

        assert await same_as("am", name=f"  {name} ") == [
            {
                "field": "name",
                "customer_id": mine["id"],
                "code": mine["code"],
                "name": name,
                "in_pool": False,
                "owner_name": users["am"].username,
            },
            {
                "field": "name",
                "customer_id": None,
                "code": None,
                "name": None,
                "in_pool": False,
                "owner_name": users["am2"].username,
            },
        ]
        assert [c["customer_id"] for c in await same_as("admin", name=name)] == [
            mine["id"],
            theirs["id"],
        ]
        by_code = await same_as("am2", credit_code=mine["credit_code"].lower())
        assert [(c["field"], c["customer_id"]) for c in by_code] == [("credit_code", None)]
        assert await same_as("am", name=unique(), credit_code="91440000") == []
        assert_problem(
            await client.get(
                "/customers/same-as", params={"name": name}, headers=users["agent"].headers
            ),
            403,
        )
        for field in ("name", "credit_code", "id_number"):  # PostgreSQL refuses NUL: a 422
            nul = await client.get(
                "/customers/same-as", params={field: "91\x0044"}, headers=users["am"].headers
            )
            assert nul.status_code == 422, (field, nul.text)


class TestUnknownTags:
    async def test_create_with_unknown_tag_is_422(self, client, users):
        marker = unique()
        response = await client.post(
            "/customers",
            headers=users["am"].headers,
            json=organization(name=marker, tag_ids=[987654321]),
        )
        assert_problem(response, 422, "validation", field="tag_ids")
        assert await named(client, users, marker) == []

    async def test_patch_and_assign_with_unknown_tag_are_422(self, client, users, tags):
        customer = await create_customer(client, users["am"], tag_ids=[tags[0]["id"]])
        response = await client.patch(
            f"/customers/{customer['id']}",
            json={"tag_ids": [tags[1]["id"], 987654321]},
            headers=users["am"].headers,
        )
        assert_problem(response, 422, "validation", field="tag_ids")
        response = await client.post(
            f"/customers/{customer['id']}/tags",
            json={"tag_ids": [987654321]},
            headers=users["am"].headers,
        )
        assert_problem(response, 422, "validation", field="tag_ids")
        after = await admin_get(client, users, customer["id"])
        assert [t["id"] for t in after["tags"]] == [tags[0]["id"]]
        assert after["version"] == customer["version"]


class TestPatchRules:
    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"kind": "individual"}, "kind"),
            ({"kind": "organization"}, "kind"),
            ({"name": None}, "name"),
            ({"name": "  "}, "name"),
            ({"stage": None}, "stage"),
            ({"credit_code": None}, "credit_code"),
            ({"stage": "won"}, "stage"),
            ({"grade": "Z"}, "grade"),
            ({"custom_fields": {"no_such_field_xyz": 1}}, "custom_fields.no_such_field_xyz"),
        ],
    )
    async def test_refused_patch_is_422_and_changes_nothing(
        self, client, users, target, body, field
    ):
        before = await admin_get(client, users, target["id"])
        response = await client.patch(
            f"/customers/{target['id']}", json=body, headers=users["am"].headers
        )
        assert_problem(response, 422, "validation", field=field)
        assert await admin_get(client, users, target["id"]) == before

    async def test_empty_patch_changes_nothing(self, client, users):
        customer = await create_customer(client, users["am"])
        response = await client.patch(
            f"/customers/{customer['id']}", json={}, headers=users["am"].headers
        )
        assert response.status_code == 200 and response.json()["version"] == customer["version"]


BAD_INPUT = [
    # (method, path with {id}, request kwargs, expected status)
    (
        "POST",
        "/customers",
        {"content": b"{not json", "headers": {"content-type": "application/json"}},
        422,
    ),
    ("POST", "/customers", {"json": []}, 422),
    ("POST", "/customers", {"json": "organization"}, 422),
    ("POST", "/customers", {"json": {"kind": "robot", "name": "x"}}, 422),
    (
        "POST",
        "/customers",
        {"json": {"kind": "organization", "name": 123, "credit_code": ["x"]}},
        422,
    ),
    ("POST", "/customers", {"json": {"kind": "organization", "name": "x" * 201}}, 422),
    ("POST", "/customers", {"json": {"kind": "organization", "name": "a\u0000b"}}, 422),
    ("POST", "/customers", {"json": {"kind": "organization", "name": "x", "owner_id": 2**70}}, 422),
    ("PATCH", "/customers/{id}", {"json": {"first_contact_at": "2024-01-01T10:00:00"}}, 422),
    ("PATCH", "/customers/{id}", {"json": {"first_contact_at": "yesterday"}}, 422),
    ("PATCH", "/customers/{id}", {"json": {"custom_fields": ["a"]}}, 422),
    ("PATCH", "/customers/{id}", {"json": {"tag_ids": [0]}}, 422),
    ("PATCH", "/customers/{id}", {"json": {"tag_ids": "1"}}, 422),
    ("PATCH", "/customers/{id}", {"json": {"address": "a\u0000b"}}, 422),
    ("PATCH", "/customers/{id}", {"json": {"region": "x"}, "headers": {"If-Match": "abc"}}, 422),
    ("GET", "/customers/99999999999999999999", {}, 422),
    ("GET", "/customers/abc", {}, 422),
    ("GET", "/customers/0", {}, 422),
    ("GET", "/customers/-1", {}, 422),
    ("DELETE", "/customers/99999999999999999999", {}, 422),
    ("GET", "/customers/987654321", {}, 404),
    ("GET", "/customers", {"params": {"limit": -1}}, 422),
    ("GET", "/customers", {"params": {"limit": 0}}, 422),
    ("GET", "/customers", {"params": {"limit": 201}}, 422),
    ("GET", "/customers", {"params": {"limit": "ten"}}, 422),
    ("GET", "/customers", {"params": {"sort": "password"}}, 400),
    ("GET", "/customers", {"params": {"stage": "won"}}, 422),
    ("GET", "/customers", {"params": {"owner_id": 2**64}}, 422),
    ("GET", "/customers", {"params": {"tag_id": "x"}}, 422),
    ("GET", "/customers", {"params": {"created_from": "2024-13-01"}}, 422),
    ("GET", "/customers", {"params": {"with_total": "maybe"}}, 422),
    ("GET", "/customers", {"params": {"name": "a\u0000b"}}, 422),
    ("GET", "/customers", {"params": {"industry": "I\u0000"}}, 422),
    ("GET", "/customers", {"params": {"cursor": "x" * 600}}, 422),
    ("GET", "/customers", {"params": {"cursor": "!!!not-a-cursor"}}, 400),
    ("GET", "/customers", {"params": {"cursor": cursor_of({"id": 1})}}, 400),
    ("GET", "/customers", {"params": {"cursor": cursor_of([1])}}, 400),
    ("GET", "/customers", {"params": {"cursor": cursor_of(["x", "y"])}}, 400),
    ("GET", "/customers", {"params": {"cursor": cursor_of([None, 1])}}, 400),
    ("GET", "/customers", {"params": {"cursor": cursor_of([True, 1])}}, 400),
    ("GET", "/customers", {"params": {"cursor": cursor_of([1, 2**70])}}, 400),
    ("GET", "/customers", {"params": {"cursor": cursor_of([[1], {}]), "sort": "name"}}, 400),
    ("GET", "/customers", {"params": {"cursor": cursor_of([1, 2]), "sort": "-updated_at"}}, 400),
    (
        "GET",
        "/customers",
        {"params": {"cursor": cursor_of(["2024-01-01T00:00:00", 2]), "sort": "-updated_at"}},
        400,
    ),
    (
        "GET",
        "/customers",
        {"params": {"cursor": cursor_of(["soon", 2]), "sort": "updated_at"}},
        400,
    ),
    ("GET", "/customers/{id}/history", {"params": {"cursor": cursor_of(["x"])}}, 400),
    ("GET", "/customers/{id}/history", {"params": {"cursor": cursor_of([2**64])}}, 400),
    ("GET", "/customers/{id}/history", {"params": {"limit": 201}}, 422),
    ("POST", "/customers/{id}/tags", {"json": {"tag_ids": []}}, 422),
    ("POST", "/customers/{id}/contacts", {"json": {"name": "x", "mobile": 13812345678}}, 422),
    ("DELETE", "/customers/{id}/tags/99999999999999999999", {}, 422),
]


class TestBadInputIsAProblemNeverA500:
    @pytest.mark.parametrize(
        ("method", "path", "kwargs", "status"),
        BAD_INPUT,
        ids=[f"{m}-{p}-{i}" for i, (m, p, _, _) in enumerate(BAD_INPUT)],
    )
    async def test_bad_input(self, client, users, database, target, method, path, kwargs, status):
        before = (await stored(database, target["id"])).version
        kwargs = dict(kwargs)
        headers = {**users["am"].headers, **kwargs.pop("headers", {})}
        response = await client.request(
            method, path.format(id=target["id"]), headers=headers, **kwargs
        )
        body = assert_problem(response, status)
        if status == 422:
            assert body["code"] == "validation" and body["errors"], body
        assert "Traceback" not in response.text
        assert (await stored(database, target["id"])).version == before


# ---- mass assignment and ownership ---------------------------------------------------------

SERVER_FIELDS = {
    "code": "C202401000001",
    "version": 99,
    "created_at": "2020-01-01T00:00:00Z",
    "updated_at": "2020-01-01T00:00:00Z",
    "id": 1,
    "activity_status": "dormant",
    "cumulative_amount": "999.00",
    "last_contact_at": "2020-01-01T00:00:00Z",
    "archived": True,
    "masked_fields": [],
    "owner": "me",
}


class TestMassAssignment:
    @pytest.mark.parametrize("owner", ["self", "other"])
    async def test_account_manager_creating_with_owner_id_is_403(self, client, users, owner):
        marker = unique()
        owner_id = users["am"].id if owner == "self" else users["am2"].id
        response = await client.post(
            "/customers",
            headers=users["am"].headers,
            json=organization(name=marker, owner_id=owner_id),
        )
        assert_problem(response, 403, "fields-forbidden", field="owner_id")
        assert await named(client, users, marker) == []

    async def test_account_manager_mixing_owner_id_with_other_fields_is_422(self, client, users):
        """An owner transfer by an account manager is a change request, which goes on its
        own: mixed with an ordinary field, nothing applies and nothing is requested."""
        customer = await create_customer(client, users["am"])
        response = await client.patch(
            f"/customers/{customer['id']}",
            headers=users["am"].headers,
            json={"owner_id": users["am2"].id, "region": "华北"},
        )
        assert_problem(response, 422, "validation", field="region")
        after = await admin_get(client, users, customer["id"])
        assert after["owner_id"] == users["am"].id and after["region"] is None
        assert after["version"] == customer["version"]
        requests = await client.get(
            "/change-requests",
            params={"customer_id": customer["id"]},
            headers=users["admin"].headers,
        )
        assert requests.json()["items"] == []

    @pytest.mark.parametrize("field", sorted(SERVER_FIELDS))
    async def test_server_owned_field_on_create_is_422(self, client, users, field):
        marker = unique()
        response = await client.post(
            "/customers",
            headers=users["am"].headers,
            json=organization(name=marker, **{field: SERVER_FIELDS[field]}),
        )
        assert_problem(response, 422, "validation", field=field)
        assert await named(client, users, marker) == []

    @pytest.mark.parametrize("field", sorted(SERVER_FIELDS))
    async def test_server_owned_field_on_patch_is_422_even_for_admin(
        self, client, users, target, field
    ):
        before = await admin_get(client, users, target["id"])
        response = await client.patch(
            f"/customers/{target['id']}",
            headers=users["admin"].headers,
            json={"region": "西北", field: SERVER_FIELDS[field]},
        )
        assert_problem(response, 422, "validation", field=field)
        assert await admin_get(client, users, target["id"]) == before


class TestOwnerAssignment:
    async def test_admin_names_the_owner(self, client, users):
        created = await create_customer(client, users["admin"], owner_id=users["am2"].id)
        assert created["owner_id"] == users["am2"].id
        response = await client.get(f"/customers/{created['id']}", headers=users["am2"].headers)
        assert response.status_code == 200
        response = await client.get(f"/customers/{created['id']}", headers=users["am"].headers)
        assert response.status_code == 404

    async def test_admin_without_owner_owns_it(self, client, users):
        created = await create_customer(client, users["admin"])
        assert created["owner_id"] == users["admin"].id

    async def test_account_manager_owns_what_they_create(self, client, users):
        created = await create_customer(client, users["am2"])
        assert created["owner_id"] == users["am2"].id

    @pytest.mark.parametrize("who", ["agent", "supervisor", "readonly", "nobody"])
    async def test_owner_must_be_account_manager_or_admin(self, client, users, who):
        marker = unique()
        owner_id = 987654321 if who == "nobody" else users[who].id
        response = await client.post(
            "/customers",
            headers=users["admin"].headers,
            json=organization(name=marker, owner_id=owner_id),
        )
        assert_problem(response, 422, "validation", field="owner_id")
        assert await named(client, users, marker) == []

    async def test_owner_must_be_active(self, client, users, database):
        leaver = await make_user(client, database, "account_manager")
        response = await client.patch(
            f"/users/{leaver.id}", json={"is_active": False}, headers=users["admin"].headers
        )
        assert response.status_code == 200, response.text
        marker = unique()
        response = await client.post(
            "/customers",
            headers=users["admin"].headers,
            json=organization(name=marker, owner_id=leaver.id),
        )
        assert_problem(response, 422, "validation", field="owner_id")
        assert await named(client, users, marker) == []

    async def test_admin_reassigns_and_the_old_owner_loses_sight(self, client, users):
        customer = await create_customer(client, users["am"])
        response = await client.patch(
            f"/customers/{customer['id']}",
            json={"owner_id": users["am2"].id},
            headers=users["admin"].headers,
        )
        assert response.status_code == 200 and response.json()["owner_id"] == users["am2"].id
        assert (
            await client.get(f"/customers/{customer['id']}", headers=users["am"].headers)
        ).status_code == 404
        assert (
            await client.get(f"/customers/{customer['id']}", headers=users["am2"].headers)
        ).status_code == 200
        last = (await events(client, users, customer["id"]))[-1]
        assert last["changes"] == {"owner_id": [users["am"].id, users["am2"].id]}

    @pytest.mark.parametrize("owner", [None, "agent"])
    async def test_admin_cannot_reassign_to_nobody_or_an_agent(self, client, users, target, owner):
        before = await admin_get(client, users, target["id"])
        response = await client.patch(
            f"/customers/{target['id']}",
            headers=users["admin"].headers,
            json={"owner_id": owner and users[owner].id},
        )
        assert_problem(response, 422, "validation", field="owner_id")
        assert await admin_get(client, users, target["id"]) == before


# ---- codes ---------------------------------------------------------------------------------


def sequence_of(code: str) -> tuple[str, int]:
    match = CODE.match(code)
    assert match, code
    return code[:7], int(match.group(3))


class TestCustomerCode:
    async def test_code_is_c_yyyymm_sequence_of_the_shanghai_month(self, client, users):
        created = await create_customer(client, users["am"])
        at = datetime.fromisoformat(created["created_at"]).astimezone(SHANGHAI)
        assert CODE.match(created["code"])
        assert created["code"][:7] == f"C{at:%Y%m}"

    @pytest.mark.parametrize(
        ("now", "prefix"),
        [
            ("2025-01-31T16:30:00+00:00", "C202502"),  # already 1 February in Shanghai
            ("2025-01-31T15:59:59+00:00", "C202501"),  # 23:59:59 on 31 January in Shanghai
            ("2024-12-31T16:00:00+00:00", "C202501"),
        ],
    )
    async def test_month_is_the_month_in_shanghai(self, client, users, clock, now, prefix):
        clock.at = datetime.fromisoformat(now)
        created = await create_customer(client, users["am"])
        assert created["code"].startswith(prefix)
        assert datetime.fromisoformat(created["created_at"]) == clock.at

    async def test_codes_count_up_within_a_month(self, client, users, clock):
        clock.at = datetime(2029, 3, 10, 4, 0, tzinfo=UTC)
        codes = [(await create_customer(client, users["am"]))["code"] for _ in range(3)]
        prefixes, numbers = zip(*map(sequence_of, codes), strict=True)
        assert set(prefixes) == {"C202903"}
        assert list(numbers) == list(range(numbers[0], numbers[0] + 3))

    async def test_code_cannot_be_changed(self, client, users):
        customer = await create_customer(client, users["am"])
        for headers in (users["am"].headers, users["admin"].headers):
            response = await client.patch(
                f"/customers/{customer['id']}", headers=headers, json={"code": "C209912999999"}
            )
            assert_problem(response, 422, "validation", field="code")
        assert (await admin_get(client, users, customer["id"]))["code"] == customer["code"]


class TestConcurrentCodes:
    async def test_twenty_concurrent_creates_get_distinct_consecutive_codes(
        self, client, users, clock
    ):
        clock.at = datetime(2031, 7, 15, 4, 0, tzinfo=UTC)
        responses = await asyncio.gather(
            *[
                client.post("/customers", json=organization(), headers=users["am"].headers)
                for _ in range(20)
            ]
        )
        assert [r.status_code for r in responses] == [201] * 20, [
            r.text for r in responses if r.status_code != 201
        ][:1]
        codes = [r.json()["code"] for r in responses]
        assert len(set(codes)) == 20
        prefixes, numbers = zip(*map(sequence_of, codes), strict=True)
        assert set(prefixes) == {"C203107"}
        assert sorted(numbers) == list(range(min(numbers), min(numbers) + 20))


# ---- If-Match / ETag -----------------------------------------------------------------------


class TestCustomerETag:
    async def test_create_answers_location_and_etag(self, client, users):
        response = await client.post("/customers", json=organization(), headers=users["am"].headers)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["version"] == 1 and response.headers["etag"] == '"1"'
        assert response.headers["location"] == f"/api/v1/customers/{body['id']}"

    async def test_get_carries_the_version(self, client, users):
        customer = await create_customer(client, users["am"])
        response = await client.get(f"/customers/{customer['id']}", headers=users["am"].headers)
        assert response.headers["etag"] == f'"{customer["version"]}"'

    async def test_patch_with_current_etag_bumps_the_version(self, client, users):
        customer = await create_customer(client, users["am"])
        etag = (
            await client.get(f"/customers/{customer['id']}", headers=users["am"].headers)
        ).headers["etag"]
        response = await client.patch(
            f"/customers/{customer['id']}",
            json={"region": "华东"},
            headers={**users["am"].headers, "If-Match": etag},
        )
        assert response.status_code == 200, response.text
        assert response.json()["version"] == customer["version"] + 1
        assert response.headers["etag"] == f'"{customer["version"] + 1}"'
        again = await client.get(f"/customers/{customer['id']}", headers=users["am"].headers)
        assert again.headers["etag"] == response.headers["etag"]

    async def test_patch_with_stale_etag_is_412_and_changes_nothing(self, client, users):
        customer = await create_customer(client, users["am"])
        stale = f'"{customer["version"]}"'
        await client.patch(
            f"/customers/{customer['id']}", json={"region": "华东"}, headers=users["am"].headers
        )
        before = await admin_get(client, users, customer["id"])
        response = await client.patch(
            f"/customers/{customer['id']}",
            json={"region": "华南"},
            headers={**users["am"].headers, "If-Match": stale},
        )
        body = assert_problem(response, 412, "version-mismatch")
        assert body["current_version"] == before["version"]
        assert await admin_get(client, users, customer["id"]) == before

    @pytest.mark.parametrize("if_match", [None, "*", 'W/"{v}"'])
    async def test_patch_without_a_strict_etag_is_allowed(self, client, users, if_match):
        customer = await create_customer(client, users["am"])
        headers = dict(users["am"].headers)
        if if_match:
            headers["If-Match"] = if_match.format(v=customer["version"])
        response = await client.patch(
            f"/customers/{customer['id']}", json={"region": "华中"}, headers=headers
        )
        assert response.status_code == 200 and response.json()["region"] == "华中"

    async def test_delete_honours_if_match(self, client, users):
        customer = await create_customer(client, users["am"])
        await client.patch(
            f"/customers/{customer['id']}", json={"region": "华东"}, headers=users["am"].headers
        )
        admin = users["admin"].headers
        response = await client.delete(
            f"/customers/{customer['id']}", headers={**admin, "If-Match": '"1"'}
        )
        assert_problem(response, 412, "version-mismatch")
        assert (await client.get(f"/customers/{customer['id']}", headers=admin)).status_code == 200
        response = await client.delete(
            f"/customers/{customer['id']}", headers={**admin, "If-Match": '"2"'}
        )
        assert response.status_code == 204
        assert (await client.get(f"/customers/{customer['id']}", headers=admin)).status_code == 404

    async def test_archive_honours_if_match(self, client, users):
        customer = await create_customer(client, users["am"])
        response = await client.post(
            f"/customers/{customer['id']}/archive",
            json={"reason": "结束"},
            headers={**users["am"].headers, "If-Match": '"7"'},
        )
        assert_problem(response, 412, "version-mismatch")
        assert (await admin_get(client, users, customer["id"]))["archived"] is False


# ---- lists ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def catalog(client, users, database, tags) -> dict:
    """Five customers of a fresh account manager, with names out of creation order."""
    owner = await make_user(client, database, "account_manager")
    token = uuid.uuid4().hex[:8]
    t1, t2 = tags[0]["id"], tags[1]["id"]
    specs = {
        "delta": dict(stage="potential", grade="S", industry="I65", tag_ids=[t1, t2]),
        "alpha": dict(stage="intent", grade="A", industry="C", tag_ids=[t1]),
        "echo": dict(kind="individual", stage="customer", grade="S"),
        "bravo": dict(stage="lost", grade="B", industry="I64"),
        "charlie": dict(stage="intent", industry="F51", tag_ids=[t2]),
    }
    made = {}
    for key, fields in specs.items():  # grades are set by hand by admins only
        made[key] = await create_customer(
            client, users["admin"], owner_id=owner.id, name=f"cat{token}{key}", **fields
        )
    return {
        "owner": owner,
        "made": made,
        "t1": t1,
        "t2": t2,
        "key_of": {c["id"]: key for key, c in made.items()},
    }


async def walk(client, user, params: dict) -> tuple[list[dict], int]:
    """Every page of a list; returns the items in order and the number of pages."""
    items, pages, cursor = [], 0, None
    while True:
        response = await client.get(
            "/customers",
            headers=user.headers,
            params={**params, **({"cursor": cursor} if cursor else {})},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages
        assert pages < 50


class TestKeysetPagination:
    async def test_walks_every_customer_exactly_once(self, client, users, catalog):
        for user in (catalog["owner"], users["admin"]):
            items, pages = await walk(client, user, {"owner_id": catalog["owner"].id, "limit": 2})
            ids = [c["id"] for c in items]
            assert sorted(ids) == sorted(c["id"] for c in catalog["made"].values())
            assert len(ids) == len(set(ids)) == 5 and pages == 3

    async def test_exact_fit_ends_with_null_cursor(self, client, catalog):
        response = await client.get(
            "/customers", headers=catalog["owner"].headers, params={"limit": 5}
        )
        assert len(response.json()["items"]) == 5 and response.json()["next_cursor"] is None

    @pytest.mark.parametrize(
        "sort",
        [
            "name",
            "-name",
            "code",
            "-code",
            "created_at",
            "-created_at",
            "updated_at",
            "-updated_at",
        ],
    )
    async def test_sorts_hold_across_pages(self, client, catalog, sort):
        items, _ = await walk(client, catalog["owner"], {"sort": sort, "limit": 2})
        key = sort.lstrip("-")
        made = list(catalog["made"].values())
        if key == "created_at":
            expected = sorted(made, key=lambda c: c["id"])
        elif key == "updated_at":
            expected = sorted(
                made, key=lambda c: (datetime.fromisoformat(c["updated_at"]), c["id"])
            )
        else:
            expected = sorted(made, key=lambda c: c[key])
        if sort.startswith("-"):
            expected.reverse()
        assert [c["id"] for c in items] == [c["id"] for c in expected]

    async def test_default_is_newest_first(self, client, catalog):
        response = await client.get("/customers", headers=catalog["owner"].headers)
        ids = [c["id"] for c in response.json()["items"]]
        assert ids == sorted(ids, reverse=True)

    async def test_cursor_carries_the_filters_it_was_made_with(self, client, catalog):
        items, pages = await walk(client, catalog["owner"], {"stage": "intent", "limit": 1})
        assert {catalog["key_of"][c["id"]] for c in items} == {"alpha", "charlie"}
        assert pages == 2


FILTERS = [
    ({"stage": ["potential", "intent"]}, {"delta", "alpha", "charlie"}),
    ({"stage": "lost"}, {"bravo"}),
    ({"grade": "S"}, {"delta", "echo"}),
    ({"grade": ["A", "B"]}, {"alpha", "bravo"}),
    ({"kind": "individual"}, {"echo"}),
    ({"kind": "organization"}, {"delta", "alpha", "bravo", "charlie"}),
    ({"industry": "I"}, {"delta", "bravo"}),
    ({"industry": "i65"}, {"delta"}),
    ({"industry": "C"}, {"alpha"}),
    ({"industry": "F51"}, {"charlie"}),
    ({"tag_id": "t1"}, {"delta", "alpha"}),
    ({"tag_id": ["t1", "t2"]}, {"delta"}),
    ({"stage": "intent", "tag_id": "t2"}, {"charlie"}),
    ({"grade": "S", "kind": "organization", "industry": "I"}, {"delta"}),
    ({"stage": "customer", "grade": "A"}, set()),
]


class TestFilters:
    @pytest.mark.parametrize(
        ("params", "expected"), FILTERS, ids=[json.dumps(p, ensure_ascii=False) for p, _ in FILTERS]
    )
    async def test_filter(self, client, catalog, params, expected):
        def resolve(value):
            if isinstance(value, list):
                return [resolve(v) for v in value]
            return catalog[value] if value in ("t1", "t2") else value

        params = {k: resolve(v) for k, v in params.items()}
        response = await client.get(
            "/customers", headers=catalog["owner"].headers, params={**params, "with_total": "true"}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert {catalog["key_of"][c["id"]] for c in body["items"]} == expected
        assert body["total"] == len(expected)

    async def test_filters_combine_with_owner_filter(self, client, users, catalog):
        response = await client.get(
            "/customers",
            headers=users["admin"].headers,
            params={"owner_id": catalog["owner"].id, "grade": "S", "industry": "I"},
        )
        assert [catalog["key_of"][c["id"]] for c in response.json()["items"]] == ["delta"]

    async def test_owner_filter(self, client, users, catalog):
        response = await client.get(
            "/customers",
            headers=users["supervisor"].headers,
            params={"owner_id": catalog["owner"].id, "limit": 200},
        )
        assert {c["id"] for c in response.json()["items"]} == {
            c["id"] for c in catalog["made"].values()
        }

    async def test_total_only_when_asked(self, client, catalog):
        response = await client.get(
            "/customers", headers=catalog["owner"].headers, params={"limit": 2}
        )
        assert response.json()["total"] is None
        response = await client.get(
            "/customers",
            headers=catalog["owner"].headers,
            params={"limit": 2, "with_total": "true"},
        )
        assert response.json()["total"] == 5 and len(response.json()["items"]) == 2
        second = await client.get(
            "/customers",
            headers=catalog["owner"].headers,
            params={"limit": 2, "with_total": "true", "cursor": response.json()["next_cursor"]},
        )
        assert second.json()["total"] == 5
        assert second.json()["total_accuracy"] == "exact"

    async def test_total_past_the_cap_is_estimated_unless_exact_asked(
        self, client, database, catalog, monkeypatch
    ):
        """Counting stops at the cap (10,000; 3 here): past it PostgreSQL's planner estimates,
        SQLite says "at least"; exact_total counts them all."""
        monkeypatch.setattr(pagination, "COUNT_CAP", 3)
        headers = catalog["owner"].headers
        response = await client.get("/customers", headers=headers, params={"with_total": "true"})
        body = response.json()
        if database.backend == "postgresql":
            assert body["total_accuracy"] == "estimate" and body["total"] >= 4
        else:
            assert (body["total_accuracy"], body["total"]) == ("at_least", 3)
        assert len(body["items"]) == 5
        exact = await client.get("/customers", headers=headers, params={"exact_total": "true"})
        assert (exact.json()["total"], exact.json()["total_accuracy"]) == (5, "exact")
        narrow = await client.get(
            "/customers", headers=headers, params={"with_total": "true", "stage": "intent"}
        )
        assert (narrow.json()["total"], narrow.json()["total_accuracy"]) == (2, "exact")


class TestNameFilter:
    async def test_contains_case_insensitively_with_literal_wildcards(self, client, users):
        token = uuid.uuid4().hex[:8]
        names = {
            "percent": f"lit{token}AB%CD",
            "plain": f"lit{token}abxcd",
            "underscore": f"lit{token}ab_cd",
            "other": f"lit{token}zzz",
        }
        ids = {
            key: (await create_customer(client, users["am"], name=name))["id"]
            for key, name in names.items()
        }

        async def search(text: str) -> set[str]:
            response = await client.get(
                "/customers", headers=users["am"].headers, params={"name": text, "limit": 200}
            )
            assert response.status_code == 200, response.text
            found = {c["id"] for c in response.json()["items"]}
            return {key for key, cid in ids.items() if cid in found}

        assert await search(f"LIT{token}") == set(names)
        assert await search(f"{token}ab%c") == {"percent"}
        assert await search(f"{token}ab_c") == {"underscore"}
        assert await search(f"{token}abxC") == {"plain"}
        assert await search(f"{token}_") == set()
        assert await search(f"{token}%") == set()


class TestCreatedDateFilter:
    async def test_days_are_shanghai_days_and_inclusive(self, client, users, clock):
        token = f"day{uuid.uuid4().hex[:8]}"
        made = {}
        for key, at in (
            ("first", "2024-03-09T16:30:00+00:00"),  # 03-10 00:30 in Shanghai
            ("last", "2024-03-10T15:59:00+00:00"),  # 03-10 23:59
            ("next", "2024-03-10T16:00:00+00:00"),
        ):  # 03-11 00:00
            clock.at = datetime.fromisoformat(at)
            made[key] = (await create_customer(client, users["am"], name=f"{token}{key}"))["id"]

        async def between(**params) -> set[str]:
            response = await client.get(
                "/customers", headers=users["am"].headers, params={"name": token, **params}
            )
            assert response.status_code == 200, response.text
            found = {c["id"] for c in response.json()["items"]}
            return {key for key, cid in made.items() if cid in found}

        assert await between(created_from="2024-03-10", created_to="2024-03-10") == {
            "first",
            "last",
        }
        assert await between(created_from="2024-03-11") == {"next"}
        assert await between(created_to="2024-03-09") == set()
        assert await between(created_from="2024-03-09", created_to="2024-03-11") == set(made)


# ---- tags on customers ---------------------------------------------------------------------


class TestCustomerTags:
    async def test_assign_is_idempotent_and_audited(self, client, users, tags):
        customer = await create_customer(client, users["am"])
        url, headers = f"/customers/{customer['id']}/tags", users["am"].headers
        response = await client.post(url, json={"tag_ids": [tags[0]["id"]]}, headers=headers)
        assert response.status_code == 200, response.text
        assert [t["id"] for t in response.json()["tags"]] == [tags[0]["id"]]
        version = response.json()["version"]
        assert version == customer["version"] + 1
        history = await events(client, users, customer["id"])
        assert history[-1]["action"] == "tag"
        assert history[-1]["changes"] == {"tags": [None, [tags[0]["name"]]]}

        again = await client.post(
            url, json={"tag_ids": [tags[0]["id"], tags[0]["id"]]}, headers=headers
        )
        assert again.status_code == 200
        assert [t["id"] for t in again.json()["tags"]] == [tags[0]["id"]]
        assert again.json()["version"] == version
        assert len(await events(client, users, customer["id"])) == len(history)

        both = await client.post(
            url, json={"tag_ids": [tags[0]["id"], tags[1]["id"]]}, headers=headers
        )
        assert {t["id"] for t in both.json()["tags"]} == {tags[0]["id"], tags[1]["id"]}
        assert (await events(client, users, customer["id"]))[-1]["changes"] == {
            "tags": [None, [tags[1]["name"]]]
        }

    async def test_unassign_removes_and_is_audited(self, client, users, tags):
        customer = await create_customer(client, users["am"], tag_ids=[t["id"] for t in tags])
        url = f"/customers/{customer['id']}/tags/{tags[0]['id']}"
        response = await client.delete(url, headers=users["am"].headers)
        assert response.status_code == 200, response.text
        assert [t["id"] for t in response.json()["tags"]] == [tags[1]["id"]]
        last = (await events(client, users, customer["id"]))[-1]
        assert last["action"] == "untag" and last["changes"] == {"tags": [[tags[0]["name"]], None]}
        assert_problem(await client.delete(url, headers=users["am"].headers), 404, "not-found")
        assert [t["id"] for t in (await admin_get(client, users, customer["id"]))["tags"]] == [
            tags[1]["id"]
        ]

    async def test_patch_tag_ids_replaces_the_set(self, client, users, tags):
        customer = await create_customer(client, users["am"], tag_ids=[tags[0]["id"]])
        url, headers = f"/customers/{customer['id']}", users["am"].headers
        response = await client.patch(url, json={"tag_ids": [tags[1]["id"]]}, headers=headers)
        assert response.status_code == 200, response.text
        assert [t["id"] for t in response.json()["tags"]] == [tags[1]["id"]]
        assert response.json()["version"] == customer["version"] + 1
        history = await events(client, users, customer["id"])
        assert history[-1]["changes"] == {"tags": [[tags[0]["name"]], [tags[1]["name"]]]}

        same = await client.patch(url, json={"tag_ids": [tags[1]["id"]]}, headers=headers)
        assert same.json()["version"] == response.json()["version"]
        assert len(await events(client, users, customer["id"])) == len(history)

        cleared = await client.patch(url, json={"tag_ids": []}, headers=headers)
        assert cleared.json()["tags"] == []
        assert (await events(client, users, customer["id"]))[-1]["changes"] == {
            "tags": [[tags[1]["name"]], []]
        }

    async def test_tag_changes_show_in_the_customers_history(self, client, users, tags):
        customer = await create_customer(client, users["am"])
        await client.post(
            f"/customers/{customer['id']}/tags",
            json={"tag_ids": [tags[0]["id"]]},
            headers=users["am"].headers,
        )
        await client.delete(
            f"/customers/{customer['id']}/tags/{tags[0]['id']}", headers=users["am"].headers
        )
        response = await client.get(
            f"/customers/{customer['id']}/history", headers=users["am"].headers
        )
        assert [e["action"] for e in response.json()["items"]] == ["untag", "tag", "create"]


# ---- audit ---------------------------------------------------------------------------------


class TestAuditTrail:
    async def test_create_is_recorded_with_its_values(self, client, users):
        customer = await create_customer(client, users["am"], region="华东")
        [event] = await events(client, users, customer["id"])
        assert event["action"] == "create" and event["actor_id"] == users["am"].id
        assert event["entity_type"] == "customer" and event["entity_id"] == customer["id"]
        changes = event["changes"]
        assert changes["code"] == [None, customer["code"]]
        assert changes["name"] == [None, customer["name"]]
        assert changes["credit_code"] == [None, customer["credit_code"]]
        assert changes["region"] == [None, "华东"]
        assert changes["owner_id"] == [None, users["am"].id]

    async def test_update_records_only_what_changed(self, client, users):
        customer = await create_customer(client, users["am"])
        response = await client.patch(
            f"/customers/{customer['id']}",
            json={"name": customer["name"], "region": "华东", "urgency": "high"},
            headers=users["am"].headers,
        )
        assert response.status_code == 200
        last = (await events(client, users, customer["id"]))[-1]
        assert last["action"] == "update" and last["actor_id"] == users["am"].id
        assert last["changes"] == {"region": [None, "华东"], "urgency": [None, "high"]}

    async def test_patch_that_changes_nothing_writes_nothing(self, client, users):
        customer = await create_customer(client, users["am"], region="华东")
        response = await client.patch(
            f"/customers/{customer['id']}", json={"region": "华东"}, headers=users["am"].headers
        )
        assert response.json()["version"] == customer["version"]
        assert len(await events(client, users, customer["id"])) == 1

    async def test_archive_and_unarchive_are_recorded(self, client, users):
        customer = await create_customer(client, users["am"])
        await client.post(
            f"/customers/{customer['id']}/archive",
            json={"reason": "合作结束"},
            headers=users["am"].headers,
        )
        await client.post(
            f"/customers/{customer['id']}/unarchive",
            json={"reason": "回来了"},
            headers=users["admin"].headers,
        )
        archive, unarchive = (await events(client, users, customer["id"]))[-2:]
        assert archive["action"] == "archive" and archive["actor_id"] == users["am"].id
        assert archive["changes"] == {
            "archived": [False, True],
            "archived_reason": [None, "合作结束"],
        }
        assert unarchive["action"] == "unarchive"
        assert unarchive["changes"] == {
            "archived": [True, False],
            "archived_reason": ["合作结束", "回来了"],
        }

    async def test_delete_is_recorded_and_outlives_the_customer(self, client, users):
        customer = await create_customer(client, users["am"])
        response = await client.delete(
            f"/customers/{customer['id']}", headers=users["admin"].headers
        )
        assert response.status_code == 204
        history = await events(client, users, customer["id"])
        assert [e["action"] for e in history] == ["create", "delete"]
        assert history[-1]["actor_id"] == users["admin"].id
        assert history[-1]["changes"]["name"] == [customer["name"], None]
        assert history[-1]["changes"]["code"] == [customer["code"], None]
        response = await client.get(
            f"/customers/{customer['id']}/history", headers=users["admin"].headers
        )
        assert_problem(response, 404, "not-found")

    @pytest.mark.parametrize(
        ("body", "status"),
        [
            ({"credit_code": "91440300MA5000000X"}, 422),
            ({"industry": "Z99"}, 422),
            ({"name": None}, 422),
            ({"kind": "individual"}, 422),
            ({"version": 9}, 422),
            ({"owner_id": 987654321}, 422),
            ({"region": "华南", "stage": "won"}, 422),
        ],
    )
    async def test_rejected_write_leaves_no_change_and_no_event(self, client, users, body, status):
        customer = await create_customer(client, users["am"])
        before = await admin_get(client, users, customer["id"])
        count = len(await events(client, users, customer["id"]))
        response = await client.patch(
            f"/customers/{customer['id']}", json=body, headers=users["am"].headers
        )
        assert_problem(response, status)
        assert await admin_get(client, users, customer["id"]) == before
        assert len(await events(client, users, customer["id"])) == count


def failing_audit(*args, **kwargs):
    raise RuntimeError("audit store is down")


class TestAuditIsInTheSameTransaction:
    async def test_patch_is_undone_when_its_audit_entry_fails(
        self, client, users, database, monkeypatch
    ):
        customer = await create_customer(client, users["am"])
        before = await admin_get(client, users, customer["id"])
        count = len(await events(client, users, customer["id"]))
        monkeypatch.setattr(SqlAuditRepo, "add", failing_audit)
        response = await client.patch(
            f"/customers/{customer['id']}",
            json={"main_business": "不该保存", "region": "华东"},
            headers=users["am"].headers,
        )
        monkeypatch.undo()
        assert_problem(response, 500, "internal-error")
        assert "audit store is down" not in response.text
        assert await admin_get(client, users, customer["id"]) == before
        row = await stored(database, customer["id"])
        assert row.main_business is None and row.region is None
        assert len(await events(client, users, customer["id"])) == count

    async def test_create_is_undone_and_its_code_is_never_given_again(
        self, client, users, clock, monkeypatch, database
    ):
        clock.at = datetime(2032, 2, 10, 4, 0, tzinfo=UTC)
        first = await create_customer(client, users["am"])
        marker = unique("不该存在")
        monkeypatch.setattr(SqlAuditRepo, "add", failing_audit)
        response = await client.post(
            "/customers", json=organization(name=marker), headers=users["am"].headers
        )
        monkeypatch.undo()
        assert_problem(response, 500, "internal-error")
        assert await named(client, users, marker) == []
        second = await create_customer(client, users["am"])
        # PostgreSQL takes a number outside the create's transaction (creates do not queue on
        # the counter): the failed create's number is a gap. SQLite rolls it back.
        gap = 1 if database.backend == "postgresql" else 0
        assert sequence_of(second["code"])[1] == sequence_of(first["code"])[1] + 1 + gap


class TestListShowsWhatTheRecordShows:
    """The list writes its JSON without the response model (api/views.customer_page); each
    item must still be exactly the record `GET /customers/{id}` shows, for every role."""

    async def test_list_items_equal_the_records(self, client, users):
        marker = unique("列表一致")
        tag = (
            await client.post(
                "/tags", json={"name": unique("区域-")}, headers=users["admin"].headers
            )
        ).json()
        other = (
            await client.post(
                "/tags", json={"name": unique("偏好-")}, headers=users["admin"].headers
            )
        ).json()
        created = [
            await create_customer(
                client, users["am"], name=f"{marker}甲", tag_ids=[other["id"], tag["id"]]
            ),
            await create_customer(
                client,
                users["am"],
                kind="individual",
                name=f"{marker}乙",
                gender=None,
                birthday=None,
            ),
            await create_customer(
                client, users["admin"], name=f"{marker}丙", owner_id=users["am2"].id
            ),
        ]
        contact = {"name": "李四", "mobile": "13812345678", "email": "li@example.com"}
        response = await client.post(
            f"/customers/{created[0]['id']}/contacts", json=contact, headers=users["am"].headers
        )
        assert response.status_code == 201, response.text
        for role in ("admin", "supervisor", "am", "agent", "readonly"):
            headers = users[role].headers
            listed = await client.get(
                "/customers", params={"name": marker, "limit": 10}, headers=headers
            )
            assert listed.status_code == 200, listed.text
            items = listed.json()["items"]
            assert len(items) == (2 if role == "am" else 3)
            for item in items:
                record = await client.get(f"/customers/{item['id']}", headers=headers)
                assert item == record.json(), role
            if role == "admin":
                first = next(i for i in items if i["id"] == created[0]["id"])
                assert [t["name"] for t in first["tags"]] == sorted([tag["name"], other["name"]])
                assert first["warnings"] == []
