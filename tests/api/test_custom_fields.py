"""Custom fields (capability 1): admin-defined, typed customer fields; values validated on
every customer write; definitions can't drop what customers hold; every change audited.

Definitions live in the session's shared database, so every key is unique and no test leaves
a `required` field behind (it would break every other test's customer creation)."""

import json

import pytest

from tests.conftest import create_customer, organization
from tests.support import assert_problem, audit, mark_audit_position, uid  # noqa: F401

OTHER_ROLES = ("supervisor", "am", "agent", "readonly")


def fields_of(body: dict) -> list[str]:
    return [e["field"] for e in body["errors"]]


async def define(client, admin, type_: str = "text", **extra) -> dict:
    body = {"key": f"cf_{uid()}", "label_zh": "字段", "label_en": "Field", "type": type_, **extra}
    response = await client.post("/custom-fields", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def stored(client, admin, customer_id: int) -> dict:
    response = await client.get(f"/customers/{customer_id}", headers=admin.headers)
    assert response.status_code == 200, response.text
    return response.json()["custom_fields"]


async def customers_named(client, admin, name: str) -> list[dict]:
    response = await client.get("/customers", params={"name": name}, headers=admin.headers)
    return response.json()["items"]


class TestDefinitionIsForAdminsOnly:
    async def test_other_roles_are_forbidden(self, client, users):
        keys = []
        for role in OTHER_ROLES:
            keys.append(f"cf_{uid()}")
            response = await client.post(
                "/custom-fields",
                json={"key": keys[-1], "label_zh": "字段", "label_en": "Field", "type": "text"},
                headers=users[role].headers,
            )
            assert_problem(response, 403, "forbidden")
        listed = await client.get("/custom-fields", headers=users["admin"].headers)
        assert not set(keys) & {f["key"] for f in listed.json()}

    async def test_other_roles_cannot_change_or_delete(self, client, users):
        field = await define(client, users["admin"])
        for role in OTHER_ROLES:
            patched = await client.patch(
                f"/custom-fields/{field['id']}", json={"label_en": "X"}, headers=users[role].headers
            )
            assert_problem(patched, 403, "forbidden")
            deleted = await client.delete(
                f"/custom-fields/{field['id']}", headers=users[role].headers
            )
            assert_problem(deleted, 403, "forbidden")
        listed = await client.get("/custom-fields", headers=users["admin"].headers)
        assert [f["label_en"] for f in listed.json() if f["id"] == field["id"]] == ["Field"]

    async def test_everyone_reads_the_definitions(self, client, users):
        field = await define(client, users["admin"])
        for role in ("admin", *OTHER_ROLES):
            response = await client.get("/custom-fields", headers=users[role].headers)
            assert response.status_code == 200
            assert field["key"] in [f["key"] for f in response.json()]


class TestDefinitionTypes:
    async def test_plain_types(self, client, users):
        for type_ in ("text", "number", "date", "bool"):
            field = await define(client, users["admin"], type_, required=False, sensitive=True)
            assert field["type"] == type_ and field["options"] == []
            assert field["required"] is False and field["sensitive"] is True
            assert field["version"] >= 1

    async def test_enum_keeps_its_options_in_order(self, client, users):
        field = await define(client, users["admin"], "enum", options=["高", "中", "低"])
        assert field["options"] == ["高", "中", "低"]

    async def test_enum_without_options_is_422(self, client, users):
        for body in ({}, {"options": []}):
            response = await client.post(
                "/custom-fields",
                json={
                    "key": f"cf_{uid()}",
                    "label_zh": "级别",
                    "label_en": "Level",
                    "type": "enum",
                    **body,
                },
                headers=users["admin"].headers,
            )
            assert fields_of(assert_problem(response, 422, "validation")) == ["options"]

    async def test_options_on_a_non_enum_are_422(self, client, users):
        response = await client.post(
            "/custom-fields",
            json={
                "key": f"cf_{uid()}",
                "label_zh": "备注",
                "label_en": "Note",
                "type": "text",
                "options": ["a"],
            },
            headers=users["admin"].headers,
        )
        assert fields_of(assert_problem(response, 422, "validation")) == ["options"]

    async def test_duplicate_options_are_422(self, client, users):
        response = await client.post(
            "/custom-fields",
            json={
                "key": f"cf_{uid()}",
                "label_zh": "级别",
                "label_en": "Level",
                "type": "enum",
                "options": ["a", "a"],
            },
            headers=users["admin"].headers,
        )
        assert fields_of(assert_problem(response, 422, "validation")) == ["options"]

    async def test_unknown_type_is_422(self, client, users):
        response = await client.post(
            "/custom-fields",
            json={"key": f"cf_{uid()}", "label_zh": "x", "label_en": "x", "type": "float"},
            headers=users["admin"].headers,
        )
        assert fields_of(assert_problem(response, 422, "validation")) == ["type"]


class TestKey:
    async def test_bad_key_is_422(self, client, users):
        for key in ("Bad Key", "1abc", "a-b", "Abc", "_abc", "ключ", "a" * 41, "", "ok\n"):
            response = await client.post(
                "/custom-fields",
                json={"key": key, "label_zh": "x", "label_en": "x", "type": "text"},
                headers=users["admin"].headers,
            )
            assert fields_of(assert_problem(response, 422, "validation")) == ["key"], key

    async def test_duplicate_key_is_409(self, client, users):
        field = await define(client, users["admin"])
        response = await client.post(
            "/custom-fields",
            json={"key": field["key"], "label_zh": "y", "label_en": "y", "type": "number"},
            headers=users["admin"].headers,
        )
        body = assert_problem(response, 409, "duplicate")
        assert fields_of(body) == ["key"]

    async def test_key_and_type_never_change(self, client, users):
        field = await define(client, users["admin"])
        for change in ({"key": f"cf_{uid()}"}, {"type": "number"}):
            response = await client.patch(
                f"/custom-fields/{field['id']}", json=change, headers=users["admin"].headers
            )
            assert_problem(response, 422, "validation")
        listed = await client.get("/custom-fields", headers=users["admin"].headers)
        [same] = [f for f in listed.json() if f["id"] == field["id"]]
        assert (same["key"], same["type"]) == (field["key"], "text")


class TestValuesAreStored:
    async def test_each_type_round_trips_on_create(self, client, users):
        admin = users["admin"]
        text, number, day, choice, flag, off = (
            await define(client, admin, "text"),
            await define(client, admin, "number"),
            await define(client, admin, "date"),
            await define(client, admin, "enum", options=["a", "b"]),
            await define(client, admin, "bool"),
            await define(client, admin, "bool"),
        )
        customer = await create_customer(
            client,
            admin,
            custom_fields={
                text["key"]: "你好",
                number["key"]: 42,
                day["key"]: "2024-02-29",
                choice["key"]: "b",
                flag["key"]: True,
                off["key"]: False,
            },
        )
        expected = {
            text["key"]: "你好",
            number["key"]: "42",
            day["key"]: "2024-02-29",
            choice["key"]: "b",
            flag["key"]: True,
            off["key"]: False,
        }
        assert customer["custom_fields"] == expected
        assert await stored(client, admin, customer["id"]) == expected

    async def test_numbers_are_stored_exactly_as_sent(self, client, users):
        """Stored as a decimal string: 0.1 stays "0.1", never 0.1000000000000000055511..."""
        admin = users["admin"]
        key = (await define(client, admin, "number"))["key"]
        for raw, kept in (
            ("0.1", "0.1"),
            ("0.30000000000000004", "0.30000000000000004"),
            ("12345678901234567890123", "12345678901234567890123"),
            ('"19.99"', "19.99"),
            ("-7", "-7"),
            ('"1E+3"', "1E+3"),
            ('"12345678901234567.89"', "12345678901234567.89"),
        ):
            # Raw JSON, so that the literal reaches the server exactly as written here.
            body = json.dumps(organization())[:-1] + f', "custom_fields": {{"{key}": {raw}}}}}'
            response = await client.post(
                "/customers",
                content=body.encode(),
                headers={**admin.headers, "Content-Type": "application/json"},
            )
            assert response.status_code == 201, response.text
            assert response.json()["custom_fields"][key] == kept
            assert (await stored(client, admin, response.json()["id"]))[key] == kept

    async def test_an_account_manager_sets_values_on_a_patch(self, client, users):
        admin, am = users["admin"], users["am"]
        text, number = await define(client, admin, "text"), await define(client, admin, "number")
        customer = await create_customer(client, am)
        assert customer["custom_fields"] == {}
        response = await client.patch(
            f"/customers/{customer['id']}",
            json={"custom_fields": {text["key"]: "备注", number["key"]: 0.1}},
            headers=am.headers,
        )
        assert response.status_code == 200, response.text
        assert await stored(client, admin, customer["id"]) == {
            text["key"]: "备注",
            number["key"]: "0.1",
        }

    async def test_patch_merges_key_by_key(self, client, users):
        admin = users["admin"]
        first, second = await define(client, admin), await define(client, admin)
        customer = await create_customer(client, admin, custom_fields={first["key"]: "one"})
        response = await client.patch(
            f"/customers/{customer['id']}",
            json={"custom_fields": {second["key"]: "two"}},
            headers=admin.headers,
        )
        assert response.status_code == 200
        assert await stored(client, admin, customer["id"]) == {
            first["key"]: "one",
            second["key"]: "two",
        }

    async def test_null_removes_a_key_on_patch(self, client, users):
        admin = users["admin"]
        first, second = await define(client, admin), await define(client, admin, "number")
        customer = await create_customer(
            client, admin, custom_fields={first["key"]: "keep", second["key"]: 5}
        )
        response = await client.patch(
            f"/customers/{customer['id']}",
            json={"custom_fields": {second["key"]: None}},
            headers=admin.headers,
        )
        assert response.status_code == 200, response.text
        assert await stored(client, admin, customer["id"]) == {first["key"]: "keep"}
        history = await client.get(f"/customers/{customer['id']}/history", headers=admin.headers)
        [update] = [e for e in history.json()["items"] if e["action"] == "update"]
        assert update["changes"]["custom_fields"] == [
            {first["key"]: "keep", second["key"]: "5"},
            {first["key"]: "keep"},
        ]

    async def test_null_on_create_stores_nothing(self, client, users):
        admin = users["admin"]
        field = await define(client, admin)
        customer = await create_customer(client, admin, custom_fields={field["key"]: None})
        assert await stored(client, admin, customer["id"]) == {}


# type -> (options, a good value, bad values)
BAD_VALUES = {
    "number": ([], 1, ["abc", True, False, [1], {"v": 1}, "NaN", "Infinity", ""]),
    "date": ([], "2024-01-01", ["2024-13-01", "2023-02-29", 20240101, "yesterday", True]),
    "enum": (["a", "b"], "a", ["c", "A", 1, ["a"]]),
    "bool": ([], True, ["yes", "true", 1, 0]),
    "text": ([], "ok", [123, ["x"], "x" * 2001]),
}


class TestWrongValuesAreRefused:
    @pytest.mark.parametrize("type_", list(BAD_VALUES))
    async def test_on_create_422_and_nothing_created(self, client, users, type_):
        admin = users["admin"]
        options, _, bad_values = BAD_VALUES[type_]
        field = await define(client, admin, type_, options=options)
        names = []
        for value in bad_values:
            body = organization(custom_fields={field["key"]: value})
            names.append(body["name"])
            response = await client.post("/customers", json=body, headers=admin.headers)
            problem = assert_problem(response, 422, "validation")
            assert fields_of(problem) == [f"custom_fields.{field['key']}"], value
        for name in names:
            assert await customers_named(client, admin, name) == []

    @pytest.mark.parametrize("type_", list(BAD_VALUES))
    async def test_on_patch_422_and_unchanged(self, client, users, type_):
        admin = users["admin"]
        options, good, bad_values = BAD_VALUES[type_]
        field = await define(client, admin, type_, options=options)
        customer = await create_customer(client, admin, custom_fields={field["key"]: good})
        before = await stored(client, admin, customer["id"])
        for value in bad_values:
            response = await client.patch(
                f"/customers/{customer['id']}",
                json={"custom_fields": {field["key"]: value}},
                headers=admin.headers,
            )
            problem = assert_problem(response, 422, "validation")
            assert fields_of(problem) == [f"custom_fields.{field['key']}"], value
        assert await stored(client, admin, customer["id"]) == before

    async def test_infinite_number_literal_is_422(self, client, users):
        admin = users["admin"]
        number = await define(client, admin, "number")
        key = number["key"]
        body = json.dumps(organization())[:-1] + f', "custom_fields": {{"{key}": 1e400}}}}'
        response = await client.post(
            "/customers",
            content=body.encode(),
            headers={**admin.headers, "Content-Type": "application/json"},
        )
        problem = assert_problem(response, 422, "validation")
        assert fields_of(problem) == [f"custom_fields.{number['key']}"]

    async def test_unknown_key_is_422(self, client, users):
        admin = users["admin"]
        key = f"cf_{uid()}"
        body = organization(custom_fields={key: "x"})
        response = await client.post("/customers", json=body, headers=admin.headers)
        assert fields_of(assert_problem(response, 422, "validation")) == [f"custom_fields.{key}"]
        assert await customers_named(client, admin, body["name"]) == []

    async def test_all_errors_are_reported_at_once(self, client, users):
        admin = users["admin"]
        number, day = await define(client, admin, "number"), await define(client, admin, "date")
        unknown = f"cf_{uid()}"
        response = await client.post(
            "/customers",
            json=organization(
                custom_fields={number["key"]: "abc", day["key"]: "2024-13-01", unknown: 1}
            ),
            headers=admin.headers,
        )
        problem = assert_problem(response, 422, "validation")
        assert sorted(fields_of(problem)) == sorted(
            f"custom_fields.{k}" for k in (number["key"], day["key"], unknown)
        )

    async def test_a_text_value_with_nul_is_422(self, client, users):
        admin = users["admin"]
        text = await define(client, admin)
        response = await client.post(
            "/customers",
            json=organization(custom_fields={text["key"]: "a\x00b"}),
            headers=admin.headers,
        )
        assert_problem(response, 422, "validation")


class TestRequiredField:
    """A required field is flipped off again in `finally`: the database is shared."""

    async def test_must_be_present_on_create_but_not_on_unrelated_patches(self, client, users):
        admin = users["admin"]
        existing = await create_customer(client, admin)
        field = await define(client, admin)
        flipped = await client.patch(
            f"/custom-fields/{field['id']}", json={"required": True}, headers=admin.headers
        )
        try:
            assert flipped.status_code == 200 and flipped.json()["required"] is True
            body = organization()
            missing = await client.post("/customers", json=body, headers=admin.headers)
            problem = assert_problem(missing, 422, "validation")
            assert fields_of(problem) == [f"custom_fields.{field['key']}"]
            blank = await client.post(
                "/customers",
                json={**body, "custom_fields": {field["key"]: ""}},
                headers=admin.headers,
            )
            assert fields_of(assert_problem(blank, 422, "validation")) == [
                f"custom_fields.{field['key']}"
            ]
            assert await customers_named(client, admin, body["name"]) == []
            given = await client.post(
                "/customers",
                json={**body, "custom_fields": {field["key"]: "有"}},
                headers=admin.headers,
            )
            assert given.status_code == 201, given.text
            cleared = await client.patch(
                f"/customers/{given.json()['id']}",
                json={"custom_fields": {field["key"]: None}},
                headers=admin.headers,
            )
            assert fields_of(assert_problem(cleared, 422, "validation")) == [
                f"custom_fields.{field['key']}"
            ]
            renamed = await client.patch(
                f"/customers/{existing['id']}", json={"region": "华东"}, headers=admin.headers
            )
            assert renamed.status_code == 200, renamed.text
        finally:
            undone = await client.patch(
                f"/custom-fields/{field['id']}", json={"required": False}, headers=admin.headers
            )
            assert undone.status_code == 200, undone.text


class TestEnumOptions:
    async def test_removing_an_option_in_use_is_409(self, client, users):
        admin = users["admin"]
        field = await define(client, admin, "enum", options=["a", "b", "c"])
        await create_customer(client, users["am"], custom_fields={field["key"]: "a"})
        response = await client.patch(
            f"/custom-fields/{field['id']}", json={"options": ["b", "c"]}, headers=admin.headers
        )
        body = assert_problem(response, 409, "conflict")
        assert body["options_in_use"] == ["a"]
        listed = await client.get("/custom-fields", headers=admin.headers)
        [same] = [f for f in listed.json() if f["id"] == field["id"]]
        assert same["options"] == ["a", "b", "c"] and same["version"] == field["version"]
        assert (
            await audit(
                client, admin, entity_type="custom_field", entity_id=field["id"], action="update"
            )
            == []
        )

    async def test_removing_an_unused_option_and_adding_one_is_200(self, client, users):
        admin = users["admin"]
        field = await define(client, admin, "enum", options=["a", "b", "c"])
        await create_customer(client, admin, custom_fields={field["key"]: "a"})
        response = await client.patch(
            f"/custom-fields/{field['id']}",
            json={"options": ["a", "b", "d"]},
            headers=admin.headers,
        )
        assert response.status_code == 200, response.text
        assert response.json()["options"] == ["a", "b", "d"]
        assert response.json()["version"] == field["version"] + 1
        refused = await client.post(
            "/customers",
            json=organization(custom_fields={field["key"]: "c"}),
            headers=admin.headers,
        )
        assert_problem(refused, 422, "validation")
        await create_customer(client, admin, custom_fields={field["key"]: "d"})

    async def test_an_option_freed_by_its_last_customer_can_go(self, client, users):
        admin = users["admin"]
        field = await define(client, admin, "enum", options=["a", "b"])
        customer = await create_customer(client, admin, custom_fields={field["key"]: "a"})
        await client.patch(
            f"/customers/{customer['id']}",
            json={"custom_fields": {field["key"]: "b"}},
            headers=admin.headers,
        )
        response = await client.patch(
            f"/custom-fields/{field['id']}", json={"options": ["b"]}, headers=admin.headers
        )
        assert response.status_code == 200, response.text

    async def test_emptying_the_options_is_422(self, client, users):
        admin = users["admin"]
        field = await define(client, admin, "enum", options=["a"])
        response = await client.patch(
            f"/custom-fields/{field['id']}", json={"options": []}, headers=admin.headers
        )
        assert fields_of(assert_problem(response, 422, "validation")) == ["options"]

    async def test_null_for_a_setting_is_422(self, client, users):
        admin = users["admin"]
        field = await define(client, admin, "enum", options=["a"])
        for name in ("options", "label_zh", "label_en", "required", "sensitive"):
            response = await client.patch(
                f"/custom-fields/{field['id']}", json={name: None}, headers=admin.headers
            )
            assert fields_of(assert_problem(response, 422, "validation")) == [name]
        listed = await client.get("/custom-fields", headers=admin.headers)
        [same] = [f for f in listed.json() if f["id"] == field["id"]]
        assert same == field


class TestDeleteDefinition:
    async def test_with_values_is_409(self, client, users):
        admin = users["admin"]
        field = await define(client, admin, "number")
        await create_customer(client, admin, custom_fields={field["key"]: 3})
        assert_problem(
            await client.delete(f"/custom-fields/{field['id']}", headers=admin.headers),
            409,
            "conflict",
        )
        listed = await client.get("/custom-fields", headers=admin.headers)
        assert field["id"] in [f["id"] for f in listed.json()]

    async def test_a_false_bool_is_a_value_too(self, client, users):
        admin = users["admin"]
        field = await define(client, admin, "bool")
        await create_customer(client, admin, custom_fields={field["key"]: False})
        assert_problem(
            await client.delete(f"/custom-fields/{field['id']}", headers=admin.headers),
            409,
            "conflict",
        )

    async def test_without_values_is_204_and_gone(self, client, users):
        admin = users["admin"]
        field = await define(client, admin, "date")
        customer = await create_customer(client, admin, custom_fields={field["key"]: "2024-01-01"})
        await client.patch(
            f"/customers/{customer['id']}",
            json={"custom_fields": {field["key"]: None}},
            headers=admin.headers,
        )
        etag = f'"{field["version"]}"'
        response = await client.delete(
            f"/custom-fields/{field['id']}", headers={**admin.headers, "If-Match": etag}
        )
        assert response.status_code == 204
        listed = await client.get("/custom-fields", headers=admin.headers)
        assert field["id"] not in [f["id"] for f in listed.json()]
        refused = await client.post(
            "/customers",
            json=organization(custom_fields={field["key"]: "2024-01-01"}),
            headers=admin.headers,
        )
        assert fields_of(assert_problem(refused, 422, "validation")) == [
            f"custom_fields.{field['key']}"
        ]

    async def test_unknown_is_404(self, client, users):
        assert_problem(
            await client.delete("/custom-fields/999999999", headers=users["admin"].headers),
            404,
            "not-found",
        )

    async def test_stale_if_match_is_412(self, client, users):
        admin = users["admin"]
        field = await define(client, admin)
        response = await client.delete(
            f"/custom-fields/{field['id']}", headers={**admin.headers, "If-Match": '"999"'}
        )
        assert_problem(response, 412, "version-mismatch")


class TestIfMatchOnPatch:
    async def test_stale_version_is_412(self, client, users):
        admin = users["admin"]
        field = await define(client, admin)
        first = await client.patch(
            f"/custom-fields/{field['id']}",
            json={"label_en": "One"},
            headers={**admin.headers, "If-Match": f'"{field["version"]}"'},
        )
        assert first.status_code == 200
        stale = await client.patch(
            f"/custom-fields/{field['id']}",
            json={"label_en": "Two"},
            headers={**admin.headers, "If-Match": f'"{field["version"]}"'},
        )
        assert_problem(stale, 412, "version-mismatch")


class TestDefinitionChangesAreAudited:
    async def test_create_update_delete(self, client, users):
        admin = users["admin"]
        field = await define(client, admin, "enum", options=["x", "y"], sensitive=True)
        await client.patch(
            f"/custom-fields/{field['id']}",
            json={"label_zh": "新名", "options": ["x", "y", "z"]},
            headers=admin.headers,
        )
        assert (
            await client.delete(f"/custom-fields/{field['id']}", headers=admin.headers)
        ).status_code == 204
        events = await audit(client, admin, entity_type="custom_field", entity_id=field["id"])
        assert [e["action"] for e in events] == ["delete", "update", "create"]
        assert all(e["actor_id"] == admin.id for e in events)
        delete, update, create = (e["changes"] for e in events)
        assert create["key"] == [None, field["key"]] and create["type"] == [None, "enum"]
        assert create["options"] == [None, ["x", "y"]] and create["sensitive"] == [None, True]
        assert update == {"label_zh": ["字段", "新名"], "options": [["x", "y"], ["x", "y", "z"]]}
        assert delete["key"] == [field["key"], None]
        assert delete["options"] == [["x", "y", "z"], None]

    async def test_a_refused_delete_is_not_audited(self, client, users):
        admin = users["admin"]
        field = await define(client, admin)
        await create_customer(client, admin, custom_fields={field["key"]: "held"})
        await client.delete(f"/custom-fields/{field['id']}", headers=admin.headers)
        events = await audit(client, admin, entity_type="custom_field", entity_id=field["id"])
        assert [e["action"] for e in events] == ["create"]


class TestSensitiveFields:
    async def test_agents_do_not_see_sensitive_values(self, client, users):
        admin = users["admin"]
        secret, plain = (await define(client, admin, sensitive=True), await define(client, admin))
        customer = await create_customer(
            client, admin, custom_fields={secret["key"]: "机密", plain["key"]: "公开"}
        )
        response = await client.get(f"/customers/{customer['id']}", headers=users["agent"].headers)
        assert response.status_code == 200
        assert response.json()["custom_fields"] == {plain["key"]: "公开"}
        assert f"custom_fields.{secret['key']}" in response.json()["masked_fields"]
        supervisor = await client.get(
            f"/customers/{customer['id']}", headers=users["supervisor"].headers
        )
        assert supervisor.json()["custom_fields"][secret["key"]] == "机密"
