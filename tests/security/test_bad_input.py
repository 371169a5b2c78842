"""Hostile input is a 4xx that names the problem and changes nothing: forged cursors on every
list, dates outside 1970–2100 in every filter and body field that takes one, oversized and
over-wide bodies."""

import base64
import json
from pathlib import Path

import pytest

from tests.conftest import create_customer
from tests.support import PROBLEM, assert_problem

OPENAPI = json.loads(
    (Path(__file__).resolve().parents[2] / "openapi" / "openapi.json").read_text(encoding="utf-8")
)
PREFIX = "/api/v1"


def _operations():
    for path, item in OPENAPI["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def _concrete(path: str, record_id: int) -> str:
    """The path without its prefix and with every {…_id} parameter filled in."""
    return "/".join(
        str(record_id) if part.startswith("{") and part.endswith("_id}") else part
        for part in path.removeprefix(PREFIX).split("/")
    )


LISTS = sorted(
    path
    for path, method, op in _operations()
    if method == "get" and any(p["name"] == "cursor" for p in op.get("parameters", []))
)


def _b64(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


FORGED = {
    "not base64": "!!!",
    "not json": base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    "an object": _b64({"id": 1}),
    "too short": _b64([]),
    "too long": _b64([1, 2, 3, 4, 5, 6]),
    "floats": _b64([1.5, 2.5]),
    "strings": _b64(["x", "y"]),
    "lone surrogate": base64.urlsafe_b64encode(b'["\\ud800", 1]').decode(),
    "year 1": _b64(["0001-01-01T00:00:00+00:00", 1]),
    "year 9999": _b64(["9999-12-31T23:59:59+00:00", 1]),
    "huge int": _b64([10**30, 10**30]),
    "nested": _b64([[[[1]]], {"a": 1}]),
    "booleans": _b64([True, False]),
    "deep": base64.urlsafe_b64encode(b"[" * 100_000).decode()[:400],
}


@pytest.fixture(scope="module")
async def customer(client, users) -> dict:
    return await create_customer(client, users["am"])


class TestForgedCursors:
    def test_every_list_is_covered(self):
        assert len(LISTS) >= 10, LISTS

    @pytest.mark.parametrize("path", LISTS)
    async def test_a_forged_cursor_is_400_on_every_list(self, client, users, customer, path):
        url = _concrete(path, customer["id"])
        assert url, path
        for name, cursor in FORGED.items():
            response = await client.get(
                url, params={"cursor": cursor}, headers=users["admin"].headers
            )
            if response.status_code == 422:  # the cursor's own length limit
                assert_problem(response, 422, "validation", field="cursor")
                continue
            body = assert_problem(response, 400)
            assert body["code"] == "invalid-cursor", (name, body)


SANE = {"date": "2024-03-01", "date-time": "2024-03-01T09:00:00+08:00"}


def _required_companions(operation: dict) -> dict:
    """Valid values for the operation's other required query parameters."""
    values = {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "query" or not parameter.get("required"):
            continue
        schema = parameter.get("schema", {})
        values[parameter["name"]] = SANE.get(schema.get("format"), 60)
    return values


def _date_parameters():
    for path, method, operation in _operations():
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            formats = {s.get("format") for s in [schema, *schema.get("anyOf", [])]}
            if formats & {"date", "date-time"} and parameter["in"] in ("query", "path"):
                yield (
                    path,
                    method,
                    parameter["name"],
                    parameter["in"],
                    ("date" if "date" in formats else "date-time"),
                )


DATE_PARAMETERS = sorted(_date_parameters())
EXTREMES = {
    "date": ["0001-01-01", "1969-12-31", "2101-01-01", "9999-12-31"],
    "date-time": [
        "0001-01-01T00:00:00+00:00",
        "1969-12-31T23:00:00+00:00",
        "2101-01-02T00:00:00+08:00",
        "9999-12-31T23:59:59+00:00",
    ],
}


class TestDatesOutOfRange:
    def test_the_date_filters_are_found(self):
        names = {name for _, _, name, _, _ in DATE_PARAMETERS}
        assert {"created_from", "created_to", "since", "until"} <= names, names

    @pytest.mark.parametrize("path,method,name,where,kind", DATE_PARAMETERS)
    async def test_extreme_dates_in_parameters_are_422(
        self, client, users, customer, path, method, name, where, kind
    ):
        for value in EXTREMES[kind]:
            url = _concrete(path, customer["id"]).replace("{" + name + "}", value)
            params = (
                {**_required_companions(OPENAPI["paths"][path][method]), name: value}
                if where == "query"
                else {}
            )
            response = await client.request(
                method.upper(),
                url,
                params=params,
                json={"is_workday": True} if method == "put" else None,
                headers=users["admin"].headers,
            )
            problem = assert_problem(response, 422, "validation")
            assert name in [e["field"] for e in problem["errors"]], problem

    @pytest.mark.parametrize("field", ["first_contact_at", "birthday"])
    async def test_extreme_dates_in_a_customer_are_422_and_nothing_is_stored(
        self, client, users, field
    ):
        value = {"first_contact_at": "0001-01-01T00:00:00+00:00", "birthday": "9999-12-31"}[field]
        kind = "individual" if field == "birthday" else "organization"
        from tests.conftest import individual, organization

        body = (individual if kind == "individual" else organization)(**{field: value})
        before = await client.get(
            "/customers", params={"limit": 1, "with_total": "true"}, headers=users["admin"].headers
        )
        response = await client.post("/customers", json=body, headers=users["admin"].headers)
        assert_problem(response, 422, "validation", field=field)
        after = await client.get(
            "/customers", params={"limit": 1, "with_total": "true"}, headers=users["admin"].headers
        )
        assert after.json()["total"] == before.json()["total"]

    @pytest.mark.parametrize(
        "field,value",
        [
            ("opened_at", "0001-01-01T00:00:00+00:00"),
            ("opened_at", "1900-01-01T00:00:00+08:00"),
            ("expected_resolution_at", "9999-12-31T00:00:00+00:00"),
            ("revisit_at", "2101-06-01T00:00:00+00:00"),
        ],
    )
    async def test_extreme_dates_in_a_ticket_are_422(self, client, users, customer, field, value):
        body = {
            "customer_id": customer["id"],
            "type": "complaint",
            "channel": "phone",
            "title": "日期",
            field: value,
        }
        response = await client.post("/tickets", json=body, headers=users["admin"].headers)
        assert_problem(response, 422, "validation", field=field)

    async def test_the_edges_of_the_range_are_accepted_and_lists_still_answer(
        self, client, users, customer
    ):
        body = {
            "customer_id": customer["id"],
            "type": "order_support",
            "channel": "phone",
            "title": "1970 年的工单",
            "opened_at": "1970-01-01T00:00:00+00:00",
        }
        response = await client.post("/tickets", json=body, headers=users["admin"].headers)
        assert response.status_code == 201, response.text
        listed = await client.get(
            "/tickets", params={"customer_id": customer["id"]}, headers=users["admin"].headers
        )
        assert listed.status_code == 200
        assert response.json()["id"] in [t["id"] for t in listed.json()["items"]]


class TestBodies:
    async def test_a_body_over_1_mb_is_413_before_anything_reads_it(self, client):
        body = b'{"refresh_token": "' + b"x" * (1024 * 1024) + b'"}'
        response = await client.post(
            "/auth/refresh", content=body, headers={"content-type": "application/json"}
        )
        body = assert_problem(response, 413, "too-large")
        assert body["limit"] == 1024 * 1024

    async def test_a_chunked_body_over_the_limit_is_413(self, client):
        async def chunks():
            for _ in range(40):
                yield b"x" * 32 * 1024

        response = await client.post(
            "/auth/refresh", content=chunks(), headers={"content-type": "application/json"}
        )
        assert_problem(response, 413, "too-large")

    async def test_a_lying_content_length_cannot_smuggle_more(self, client):
        response = await client.post(
            "/auth/refresh",
            content=b"x" * (2 * 1024 * 1024),
            headers={"content-type": "application/json", "content-length": "10"},
        )
        assert response.status_code in (400, 413)
        assert response.headers["content-type"] == PROBLEM

    @pytest.mark.parametrize("path", ["/auth/refresh", "/customers", "/tags"])
    async def test_hundreds_of_thousands_of_keys_are_one_error(self, client, users, path):
        keys = ",".join(f'"k{i}":0' for i in range(90_000))
        response = await client.post(
            path,
            content=("{" + keys + "}").encode(),
            headers={"content-type": "application/json", **users["admin"].headers},
        )
        body = assert_problem(response, 422, "validation")
        assert len(body["errors"]) <= 50
        assert len(response.content) < 20_000

    async def test_many_field_errors_are_capped_with_a_count(self, client, users):
        body = {
            "kind": "organization",
            "name": "x",
            "custom_fields": {f"f{i}": i for i in range(100)},
            "tag_ids": [0] * 100,
        }
        response = await client.post("/customers", json=body, headers=users["admin"].headers)
        problem = assert_problem(response, 422, "validation")
        assert len(problem["errors"]) <= 50
        assert problem["error_count"] >= len(problem["errors"])

    async def test_deeply_nested_json_is_a_4xx(self, client, users):
        response = await client.post(
            "/customers",
            content=b"[" * 200_000,
            headers={"content-type": "application/json", **users["admin"].headers},
        )
        assert 400 <= response.status_code < 500
        assert response.headers["content-type"] == PROBLEM
