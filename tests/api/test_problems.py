"""Every error is RFC 9457 problem+json with a stable `code`; bad input is a 4xx, never a 500."""

import base64
import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import create_customer, credit_code, id_number, organization
from tests.support import assert_problem, uid

KEYS = {"type", "title", "status", "detail", "code", "errors"}


def fields_of(body: dict) -> list[str]:
    return [e["field"] for e in body["errors"]]


def cursor_of(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def as_json(admin) -> dict[str, str]:
    return {**admin.headers, "Content-Type": "application/json"}


class TestRoutingErrors:
    async def test_unknown_route_is_404(self, client, users):
        for path in ("/nope", "/customers/1/nope", "/tags/1/merge/again"):
            assert_problem(await client.get(path, headers=users["admin"].headers), 404, "not-found")

    async def test_wrong_method_is_405(self, client, users):
        for method, path in (
            ("PUT", "/tags"),
            ("DELETE", "/customers"),
            ("PUT", "/custom-fields/1"),
            ("POST", "/audit-events"),
        ):
            response = await client.request(method, path, headers=users["admin"].headers)
            assert_problem(response, 405, "method-not-allowed")
            assert response.headers.get("allow"), path

    async def test_no_token_is_401(self, client):
        response = await client.get("/customers")
        assert_problem(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"] == "Bearer"

    async def test_a_bad_token_is_401(self, client):
        response = await client.get("/customers", headers={"Authorization": "Bearer abc.def.ghi"})
        assert_problem(response, 401, "unauthorized")

    async def test_a_missing_record_is_404(self, client, users):
        assert_problem(
            await client.get("/customers/999999999", headers=users["admin"].headers),
            404,
            "not-found",
        )


class TestMalformedBodies:
    async def test_malformed_json_is_422_validation(self, client, users):
        for raw in (
            b'{"kind": ',
            b"{'kind': 'organization'}",
            b"{,}",
            b'{"name": "x"} trailing',
            b"\xef\xbb\xbf{}",
            b'{"name": NaN',
        ):
            response = await client.post("/customers", content=raw, headers=as_json(users["admin"]))
            body = assert_problem(response, 422, "validation")
            assert body["errors"], raw

    async def test_a_body_that_is_not_an_object_is_422(self, client, users):
        for raw in (
            b"[]",
            b'[{"kind": "organization"}]',
            b'"customer"',
            b"42",
            b"3.5",
            b"true",
            b"null",
        ):
            for path in ("/customers", "/tags", "/custom-fields"):
                response = await client.post(path, content=raw, headers=as_json(users["admin"]))
                assert_problem(response, 422, "validation")

    async def test_an_empty_body_is_422(self, client, users):
        for path in ("/customers", "/tags", "/custom-fields"):
            response = await client.post(path, content=b"", headers=as_json(users["admin"]))
            assert_problem(response, 422, "validation")
            response = await client.post(path, headers=users["admin"].headers)
            assert_problem(response, 422, "validation")

    async def test_non_utf8_bytes_are_a_4xx(self, client, users):
        for raw in (b'{"name": "\xff\xfe"}', b"\xff\xfe\x00\x01", b'{"name": "\xc3\x28"}'):
            response = await client.post("/tags", content=raw, headers=as_json(users["admin"]))
            assert 400 <= response.status_code < 500, response.text
            assert_problem(response, response.status_code)

    async def test_deeply_nested_json_is_a_4xx(self, client, users):
        for depth in (600, 950, 100_000):
            raw = (
                b'{"name": '
                + b"[" * depth
                + b"]" * depth
                + b', "custom_fields": {"k": '
                + b"[" * depth
                + b"]" * depth
                + b"}}"
            )
            for path in ("/tags", "/customers"):
                response = await client.post(path, content=raw, headers=as_json(users["admin"]))
                assert 400 <= response.status_code < 500, (depth, path, response.text)
                assert_problem(response, response.status_code)

    async def test_a_form_body_is_422(self, client, users):
        response = await client.post(
            "/tags",
            content=b"name=x",
            headers={**users["admin"].headers, "Content-Type": "application/x-www-form-urlencoded"},
        )
        assert_problem(response, 422, "validation")

    async def test_unknown_fields_are_422_not_ignored(self, client, users):
        response = await client.post(
            "/customers",
            json=organization(code="C202401000001", version=7),
            headers=users["admin"].headers,
        )
        body = assert_problem(response, 422, "validation")
        assert sorted(fields_of(body)) == ["code", "version"]


class TestFieldValues:
    async def test_invalid_enum_value_is_422_naming_the_field(self, client, users):
        body = organization(stage="bogus", grade="Z")
        response = await client.post("/customers", json=body, headers=users["admin"].headers)
        assert sorted(fields_of(assert_problem(response, 422, "validation"))) == ["grade", "stage"]
        listed = await client.get(
            "/customers", params={"name": body["name"]}, headers=users["admin"].headers
        )
        assert listed.json()["items"] == []

    async def test_invalid_enum_in_a_query_is_422(self, client, users):
        response = await client.get(
            "/customers", params={"stage": "bogus"}, headers=users["admin"].headers
        )
        assert [
            f.split(".")[0] for f in fields_of(assert_problem(response, 422, "validation"))
        ] == ["stage"]

    async def test_over_long_strings_are_422(self, client, users):
        for path, body, field in (
            ("/customers", organization(name="名" * 201), "name"),
            ("/customers", organization(address="址" * 301), "address"),
            ("/customers", organization(main_business="业" * 2001), "main_business"),
            ("/customers", organization(custom_fields={"k" * 41: 1}), "custom_fields.[key]"),
            ("/tags", {"name": "标" * 51}, "name"),
            (
                "/custom-fields",
                {"key": "k" * 41, "label_zh": "x", "label_en": "x", "type": "text"},
                "key",
            ),
            (
                "/custom-fields",
                {"key": "ok", "label_zh": "x" * 201, "label_en": "x", "type": "text"},
                "label_zh",
            ),
        ):
            response = await client.post(path, json=body, headers=users["admin"].headers)
            assert fields_of(assert_problem(response, 422, "validation"))[0].startswith(
                field.split(".")[0]
            ), (path, field)

    async def test_wrong_json_types_are_422(self, client, users):
        response = await client.post(
            "/customers",
            json=organization(name=123, tag_ids="1", custom_fields=[1]),
            headers=users["admin"].headers,
        )
        fields = fields_of(assert_problem(response, 422, "validation"))
        assert {"name", "tag_ids", "custom_fields"} <= set(fields)

    async def test_out_of_range_ids_in_a_body_are_422(self, client, users):
        for tag_ids in ([0], [-1], [2**62 + 1], [99999999999999999999], [1.5]):
            response = await client.post(
                "/customers", json=organization(tag_ids=tag_ids), headers=users["admin"].headers
            )
            assert fields_of(assert_problem(response, 422, "validation"))[0].startswith(
                "tag_ids"
            ), tag_ids

    async def test_unknown_tag_ids_are_422(self, client, users):
        response = await client.post(
            "/customers", json=organization(tag_ids=[2**62]), headers=users["admin"].headers
        )
        assert fields_of(assert_problem(response, 422, "validation")) == ["tag_ids"]

    async def test_a_naive_datetime_is_422(self, client, users):
        for value in ("2024-01-01T00:00:00", "2024-01-01T00:00"):
            response = await client.post(
                "/customers",
                json=organization(first_contact_at=value),
                headers=users["admin"].headers,
            )
            assert fields_of(assert_problem(response, 422, "validation")) == ["first_contact_at"]

    async def test_an_aware_datetime_is_accepted(self, client, users):
        admin = users["admin"]
        customer = await create_customer(
            client, admin, first_contact_at="2024-01-01T08:00:00+08:00"
        )
        again = await client.get(f"/customers/{customer['id']}", headers=admin.headers)
        for body in (customer, again.json()):
            assert datetime.fromisoformat(body["first_contact_at"]) == datetime(
                2024, 1, 1, tzinfo=UTC
            )

    async def test_nul_characters_are_422(self, client, users):
        for field in ("name", "region", "address", "main_business"):
            body = organization(**{field: f"上海\x00{uid()}"})
            response = await client.post("/customers", json=body, headers=users["admin"].headers)
            assert fields_of(assert_problem(response, 422, "validation")) == [field]

    async def test_nul_in_a_patch_is_422_and_changes_nothing(self, client, users):
        admin = users["admin"]
        customer = await create_customer(client, admin)
        response = await client.patch(
            f"/customers/{customer['id']}", json={"name": "a\x00b"}, headers=admin.headers
        )
        assert fields_of(assert_problem(response, 422, "validation")) == ["name"]
        again = await client.get(f"/customers/{customer['id']}", headers=admin.headers)
        assert again.json()["name"] == customer["name"]

    async def test_nul_in_a_query_is_not_a_500(self, client, users):
        for path, params in (
            ("/customers", {"name": "a\x00b"}),
            ("/audit-events", {"entity_type": "a\x00b"}),
            ("/audit-events", {"action": "\x00"}),
        ):
            response = await client.get(path, params=params, headers=users["admin"].headers)
            assert response.status_code < 500, response.text
            if response.status_code >= 400:
                assert_problem(response, response.status_code)


class TestPathIds:
    @pytest.mark.parametrize(
        "template", ["/customers/{}", "/tags/{}", "/customers/{}/history", "/customers/{}/contacts"]
    )
    async def test_bad_ids_are_422(self, client, users, template):
        for raw in (
            "99999999999999999999",
            "9223372036854775808",
            "-1",
            "0",
            "abc",
            "1.5",
            "1e3",
            "%20",
        ):
            response = await client.get(template.format(raw), headers=users["admin"].headers)
            body = assert_problem(response, 422, "validation")
            assert len(body["errors"]) == 1, raw

    async def test_the_largest_id_is_just_not_found(self, client, users):
        for path in ("/customers/9223372036854775807", "/tags/9223372036854775807"):
            assert_problem(await client.get(path, headers=users["admin"].headers), 404, "not-found")

    async def test_bad_ids_in_writes_are_422(self, client, users):
        admin = users["admin"]
        for method, path, body in (
            ("PATCH", "/tags/abc", {"color": None}),
            ("DELETE", "/tags/-1", None),
            ("POST", "/tags/99999999999999999999/merge", {"into_tag_id": 1}),
            ("PATCH", "/custom-fields/0", {"label_en": "x"}),
            ("DELETE", "/customers/1/tags/abc", None),
        ):
            response = await client.request(method, path, json=body, headers=admin.headers)
            assert_problem(response, 422, "validation")


class TestQueryParameters:
    @pytest.mark.parametrize("path", ["/customers", "/audit-events", "/customers/1/history"])
    async def test_bad_limit_is_422(self, client, users, path):
        for limit in ("0", "201", "abc", "-5", "", "1.5"):
            response = await client.get(
                path, params={"limit": limit}, headers=users["admin"].headers
            )
            assert fields_of(assert_problem(response, 422, "validation")) == ["limit"], limit

    @pytest.mark.parametrize("path", ["/customers", "/audit-events"])
    async def test_garbage_cursor_is_a_4xx(self, client, users, path):
        for cursor in ("!!!", "abc", "====", "%%%", "x" * 501):
            response = await client.get(
                path, params={"cursor": cursor}, headers=users["admin"].headers
            )
            body = assert_problem(response, response.status_code)
            assert body["code"] in ("invalid-cursor", "validation"), cursor

    async def test_wrong_shape_cursor_on_audit_is_400(self, client, users):
        for key in (
            {"id": 1},
            [],
            [1, 2, 3],
            ["x"],
            [1.5],
            [None],
            [True],
            [1e300],
            [99999999999999999999],
            [[1]],
            "x",
            7,
        ):
            response = await client.get(
                "/audit-events", params={"cursor": cursor_of(key)}, headers=users["admin"].headers
            )
            assert_problem(response, 400, "invalid-cursor")

    @pytest.mark.parametrize("sort", ["-created_at", "name", "-code", "updated_at"])
    async def test_wrong_shape_cursor_on_customers_is_400(self, client, users, sort):
        for key in (
            [1],
            ["x", "y"],
            [None, None],
            [[1], 2],
            [99999999999999999999, 1],
            [1, 1.5],
            ["x", True],
            [{"a": 1}, 1],
            ["x\u0000", 1],
        ):
            response = await client.get(
                "/customers",
                params={"cursor": cursor_of(key), "sort": sort},
                headers=users["admin"].headers,
            )
            assert_problem(response, 400, "invalid-cursor")

    async def test_a_naive_or_bad_time_in_an_updated_at_cursor_is_400(self, client, users):
        for key in (["2024-01-01T00:00:00", 1], ["yesterday", 1], [1, 1]):
            response = await client.get(
                "/customers",
                params={"cursor": cursor_of(key), "sort": "-updated_at"},
                headers=users["admin"].headers,
            )
            assert_problem(response, 400, "invalid-cursor")

    async def test_a_real_cursor_still_works(self, client, users):
        admin = users["admin"]
        for _ in range(2):
            await create_customer(client, admin)
        for sort in ("-created_at", "name", "code", "-updated_at"):
            first = await client.get(
                "/customers", params={"limit": 1, "sort": sort}, headers=admin.headers
            )
            assert first.status_code == 200 and first.json()["next_cursor"]
            second = await client.get(
                "/customers",
                params={"limit": 1, "sort": sort, "cursor": first.json()["next_cursor"]},
                headers=admin.headers,
            )
            assert second.status_code == 200, second.text
            assert second.json()["items"][0]["id"] != first.json()["items"][0]["id"]

    async def test_invalid_boolean_is_422_and_an_unknown_sort_400(self, client, users):
        admin = users["admin"]
        response = await client.get("/tags", params={"unused": "maybe"}, headers=admin.headers)
        assert fields_of(assert_problem(response, 422, "validation")) == ["unused"]
        response = await client.get(
            "/customers", params={"sort": "password"}, headers=admin.headers
        )
        assert "password" in assert_problem(response, 400, "unknown-sort")["detail"]


class TestIfMatch:
    async def test_garbage_is_422_and_changes_nothing(self, client, users):
        admin = users["admin"]
        tag = (
            await client.post("/tags", json={"name": f"im-{uid()}"}, headers=admin.headers)
        ).json()
        # Latin-1 bytes: "²" passes str.isdigit() but not int().
        for value in (
            "garbage",
            '"abc"',
            "-1",
            '"1.5"',
            '"1", "2"',
            '""',
            b"\xb2",
            b"\xb9\xb2",
            b"\xbd",
            b"\xff",
        ):
            response = await client.patch(
                f"/tags/{tag['id']}",
                json={"color": "#000000"},
                headers={**admin.headers, "If-Match": value},
            )
            assert fields_of(assert_problem(response, 422, "validation")) == ["If-Match"], value
        assert (await client.get(f"/tags/{tag['id']}", headers=admin.headers)).json()[
            "color"
        ] is None

    async def test_star_matches_anything(self, client, users):
        admin = users["admin"]
        tag = (
            await client.post("/tags", json={"name": f"im-{uid()}"}, headers=admin.headers)
        ).json()
        response = await client.patch(
            f"/tags/{tag['id']}",
            json={"color": "#000000"},
            headers={**admin.headers, "If-Match": "*"},
        )
        assert response.status_code == 200


class TestValidationDetails:
    async def test_nested_fields_are_dotted(self, client, users):
        response = await client.post(
            "/customers", json=organization(tag_ids=[1, "x"]), headers=users["admin"].headers
        )
        assert fields_of(assert_problem(response, 422, "validation")) == ["tag_ids.1"]

    async def test_domain_validation_lists_every_field(self, client, users):
        response = await client.post(
            "/customers",
            json=organization(credit_code="91440300MA5XXXXXX1", industry="Z99"),
            headers=users["admin"].headers,
        )
        assert sorted(fields_of(assert_problem(response, 422, "validation"))) == [
            "credit_code",
            "industry",
        ]


# ---- property: random JSON never gets a 5xx ---------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = [
    "kind",
    "name",
    "credit_code",
    "id_number",
    "gender",
    "birthday",
    "industry",
    "size",
    "main_business",
    "region",
    "address",
    "stage",
    "grade",
    "source",
    "urgency",
    "owner_id",
    "tag_ids",
    "custom_fields",
    "first_contact_at",
]
PLAUSIBLE = {
    "kind": st.sampled_from(["organization", "individual"]) | JSON,
    "name": st.text(min_size=1, max_size=40) | JSON,
    "stage": st.sampled_from(["potential", "intent", "customer", "lost"]) | JSON,
    "industry": st.sampled_from(["I", "I65", "C13", "Z"]) | JSON,
    "birthday": st.dates().map(str) | JSON,
    "first_contact_at": st.datetimes().map(lambda d: d.isoformat()) | JSON,
    "tag_ids": st.lists(st.integers(min_value=-2, max_value=2**63), max_size=3) | JSON,
    "custom_fields": st.dictionaries(st.text(max_size=10), JSON, max_size=3) | JSON,
}
BODIES = st.one_of(
    st.dictionaries(st.text(max_size=15), JSON, max_size=5),
    st.fixed_dictionaries(
        {"kind": PLAUSIBLE["kind"]},
        optional={f: PLAUSIBLE.get(f, JSON) for f in FIELDS if f != "kind"},
    ),
)


class TestRandomBodiesNeverFail:
    @settings(
        max_examples=50,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(body=BODIES, valid_ids=st.booleans())
    async def test_post_customers_is_never_5xx(self, client, users, body, valid_ids):
        """Valid identifiers are mixed in so that bodies also get past validation."""
        if valid_ids and body.get("kind") == "organization":
            body = {**body, "credit_code": credit_code()}
        elif valid_ids and body.get("kind") == "individual":
            body = {**body, "id_number": id_number()}
        raw = json.dumps(body, allow_nan=True).encode()
        response = await client.post("/customers", content=raw, headers=as_json(users["admin"]))
        assert response.status_code < 500, (body, response.text)
        if response.status_code >= 400:
            assert_problem(response, response.status_code)
