"""Service settings (capabilities 5 and 6): SLA policies, routing rules and the business
calendar. Everyone who reads tickets reads them; only admins change them; every change is
audited. The database is shared by the whole session, so every test puts back what it changed
(in `finally`, so a failing assertion does not leak into other tests)."""

from datetime import datetime, timedelta

import pytest

from domain.ticket import DEFAULT_ROUTES, TicketType
from persistence.models import Ticket
from tests.conftest import create_customer, make_user
from tests.support import assert_problem, uid

NON_ADMINS = ["supervisor", "am", "agent", "readonly"]
EVERYONE = ["admin", *NON_ADMINS]


def fields_of(problem: dict) -> list[str]:
    return [e["field"] for e in problem["errors"]]


async def audit(client, admin, **filters) -> list[dict]:
    response = await client.get(
        "/audit-events", params={"limit": 200, **filters}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def policies(client, user) -> list[dict]:
    response = await client.get("/sla-policies", headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def base_policy(client, user, priority: str) -> dict:
    return next(
        p
        for p in await policies(client, user)
        if p["priority"] == priority and p["ticket_type"] is None
    )


def policy_body(**overrides) -> dict:
    return {
        "priority": "P3",
        "ticket_type": "training",
        "first_response_minutes": 90,
        "resolution_minutes": 900,
        "update_minutes": 600,
        "calendar": "business",
        **overrides,
    }


async def drop_policy(client, admin, policy_id: int) -> None:
    response = await client.delete(f"/sla-policies/{policy_id}", headers=admin.headers)
    assert response.status_code in (204, 404), response.text


async def cancel(client, admin, ticket_id: int) -> None:
    """Tickets opened in the past would breach in any later SLA scan of the shared database."""
    response = await client.post(
        f"/tickets/{ticket_id}/transitions", json={"to": "cancelled"}, headers=admin.headers
    )
    assert response.status_code == 200, response.text


async def preview(
    client,
    user,
    start: str,
    minutes: int,
    calendar: str = "business",
) -> str:
    response = await client.get(
        "/business-calendar/preview",
        headers=user.headers,
        params={"start": start, "minutes": minutes, "calendar": calendar},
    )
    assert response.status_code == 200, response.text
    return response.json()["due_at"]


# ---- SLA policies ----------------------------------------------------------------------------


class TestReadingPolicies:
    @pytest.mark.parametrize("role", EVERYONE)
    async def test_everyone_reads_the_seeded_targets(self, client, users, role):
        items = await policies(client, users[role])
        p1 = next(p for p in items if p["priority"] == "P1" and p["ticket_type"] is None)
        assert (
            p1["first_response_minutes"],
            p1["resolution_minutes"],
            p1["update_minutes"],
            p1["calendar"],
        ) == (30, 240, 120, "24x7")
        p3_complaint = next(
            p for p in items if p["priority"] == "P3" and p["ticket_type"] == "complaint"
        )
        assert p3_complaint["first_response_minutes"] == 120
        assert p3_complaint["calendar"] == "business"
        # Base policy of each priority first, then its type-specific ones.
        keys = [(p["priority"], p["ticket_type"] is not None) for p in items]
        assert keys == sorted(keys)
        assert {p["priority"] for p in items if p["ticket_type"] is None} == {
            "P1",
            "P2",
            "P3",
            "P4",
        }

    async def test_one_policy_has_an_etag(self, client, users):
        p2 = await base_policy(client, users["admin"], "P2")
        response = await client.get(f"/sla-policies/{p2['id']}", headers=users["agent"].headers)
        assert response.status_code == 200
        assert response.headers["ETag"] == f'"{p2["version"]}"'
        assert response.json() == p2

    async def test_an_unknown_policy_is_404(self, client, users):
        response = await client.get(f"/sla-policies/{2**62}", headers=users["admin"].headers)
        assert_problem(response, 404, "not-found")


class TestPolicyLifecycle:
    async def test_create_patch_delete_with_if_match_and_audit(self, client, users):
        admin = users["admin"]
        response = await client.post("/sla-policies", json=policy_body(), headers=admin.headers)
        assert response.status_code == 201, response.text
        created = response.json()
        try:
            assert {k: created[k] for k in policy_body()} == policy_body()
            assert response.headers["ETag"] == f'"{created["version"]}"'
            assert created in await policies(client, users["readonly"])

            patch = {"first_response_minutes": 45, "calendar": "24x7"}
            stale = await client.patch(
                f"/sla-policies/{created['id']}",
                json=patch,
                headers={**admin.headers, "If-Match": f'"{created["version"] + 7}"'},
            )
            assert_problem(stale, 412, "version-mismatch")
            unchanged = (
                await client.get(f"/sla-policies/{created['id']}", headers=admin.headers)
            ).json()
            assert unchanged == created

            response = await client.patch(
                f"/sla-policies/{created['id']}",
                json=patch,
                headers={**admin.headers, "If-Match": f'"{created["version"]}"'},
            )
            assert response.status_code == 200, response.text
            updated = response.json()
            assert updated["first_response_minutes"] == 45 and updated["calendar"] == "24x7"
            assert updated["resolution_minutes"] == 900
            assert updated["version"] == created["version"] + 1
            assert response.headers["ETag"] == f'"{updated["version"]}"'

            stale = await client.delete(
                f"/sla-policies/{created['id']}",
                headers={**admin.headers, "If-Match": f'"{created["version"]}"'},
            )
            assert_problem(stale, 412, "version-mismatch")
            response = await client.delete(
                f"/sla-policies/{created['id']}",
                headers={**admin.headers, "If-Match": f'"{updated["version"]}"'},
            )
            assert response.status_code == 204, response.text
            gone = await client.get(f"/sla-policies/{created['id']}", headers=admin.headers)
            assert_problem(gone, 404, "not-found")
        finally:
            await drop_policy(client, admin, created["id"])

        events = await audit(client, admin, entity_type="sla_policy", entity_id=created["id"])
        assert [e["action"] for e in events] == ["delete", "update", "create"]
        assert all(e["actor_id"] == admin.id for e in events)
        delete, update, create = events
        assert update["changes"] == {
            "first_response_minutes": [90, 45],
            "calendar": ["business", "24x7"],
        }
        assert create["changes"]["ticket_type"] == [None, "training"]
        assert create["changes"]["resolution_minutes"] == [None, 900]
        assert delete["changes"]["first_response_minutes"] == [45, None]

    async def test_a_patch_that_changes_nothing_is_not_audited(self, client, users):
        admin = users["admin"]
        p4 = await base_policy(client, admin, "P4")
        before = await audit(client, admin, entity_type="sla_policy", entity_id=p4["id"])
        response = await client.patch(
            f"/sla-policies/{p4['id']}",
            json={"update_minutes": p4["update_minutes"]},
            headers=admin.headers,
        )
        assert response.status_code == 200 and response.json()["version"] == p4["version"]
        assert await audit(client, admin, entity_type="sla_policy", entity_id=p4["id"]) == before

    async def test_a_new_ticket_takes_the_type_policy(self, client, users):
        admin = users["admin"]
        body = policy_body(
            priority="P4",
            first_response_minutes=77,
            resolution_minutes=777,
            update_minutes=70,
            calendar="24x7",
        )
        response = await client.post("/sla-policies", json=body, headers=admin.headers)
        assert response.status_code == 201, response.text
        policy = response.json()
        try:
            customer = await create_customer(client, admin)
            opened_at = "2024-03-04T10:00:00+08:00"
            response = await client.post(
                "/tickets",
                headers=admin.headers,
                json={
                    "customer_id": customer["id"],
                    "type": "training",
                    "channel": "phone",
                    "title": "系统培训",
                    "opened_at": opened_at,
                },
            )
            assert response.status_code == 201, response.text
            ticket = response.json()
            assert ticket["priority"] == "P4" and ticket["sla"]["calendar"] == "24x7"
            due = datetime.fromisoformat(ticket["sla"]["first_response"]["due_at"])
            assert due == datetime.fromisoformat(opened_at) + timedelta(minutes=77)
            await cancel(client, admin, ticket["id"])
        finally:
            await drop_policy(client, admin, policy["id"])


class TestPolicyConflicts:
    async def test_a_second_policy_for_the_same_pair_is_409(self, client, users):
        admin = users["admin"]
        before = await policies(client, admin)
        duplicate = await client.post(
            "/sla-policies",
            headers=admin.headers,
            json=policy_body(priority="P2", ticket_type="complaint"),
        )
        assert_problem(duplicate, 409, "duplicate")
        base = await client.post(
            "/sla-policies",
            headers=admin.headers,
            json=policy_body(priority="P1", ticket_type=None),
        )
        assert_problem(base, 409, "duplicate")
        assert await policies(client, admin) == before

    @pytest.mark.parametrize("priority", ["P1", "P2", "P3", "P4"])
    async def test_a_base_policy_cannot_be_deleted(self, client, users, priority):
        admin = users["admin"]
        policy = await base_policy(client, admin, priority)
        response = await client.delete(f"/sla-policies/{policy['id']}", headers=admin.headers)
        assert_problem(response, 409, "conflict")
        assert await base_policy(client, admin, priority) == policy

    async def test_deleting_an_unknown_policy_is_404(self, client, users):
        response = await client.delete(f"/sla-policies/{2**62}", headers=users["admin"].headers)
        assert_problem(response, 404, "not-found")


class TestPolicyValidation:
    @pytest.mark.parametrize(
        "change, field",
        [
            ({"first_response_minutes": 0}, "first_response_minutes"),
            ({"resolution_minutes": -30}, "resolution_minutes"),
            ({"update_minutes": 60 * 24 * 60 + 1}, "update_minutes"),
            ({"first_response_minutes": 1.5}, "first_response_minutes"),
            ({"first_response_minutes": "30"}, "first_response_minutes"),
            ({"resolution_minutes": True}, "resolution_minutes"),
            ({"resolution_minutes": None}, "resolution_minutes"),
            ({"calendar": "weekdays"}, "calendar"),
            ({"priority": "P5"}, "priority"),
            ({"ticket_type": "gossip"}, "ticket_type"),
            ({"version": 3}, "version"),
        ],
    )
    async def test_bad_bodies_are_422_and_create_nothing(self, client, users, change, field):
        admin = users["admin"]
        before = await policies(client, admin)
        response = await client.post(
            "/sla-policies", json=policy_body(**change), headers=admin.headers
        )
        assert field in fields_of(assert_problem(response, 422, "validation"))
        assert await policies(client, admin) == before

    async def test_a_missing_target_is_422(self, client, users):
        body = policy_body()
        del body["update_minutes"]
        response = await client.post("/sla-policies", json=body, headers=users["admin"].headers)
        assert fields_of(assert_problem(response, 422, "validation")) == ["update_minutes"]

    async def test_sixty_days_is_the_longest_target(self, client, users):
        admin = users["admin"]
        response = await client.post(
            "/sla-policies",
            headers=admin.headers,
            json=policy_body(ticket_type="customization", resolution_minutes=60 * 24 * 60),
        )
        assert response.status_code == 201, response.text
        await drop_policy(client, admin, response.json()["id"])

    @pytest.mark.parametrize(
        "patch, field",
        [
            ({"first_response_minutes": 0}, "first_response_minutes"),
            ({"update_minutes": None}, "update_minutes"),
            ({"calendar": None}, "calendar"),
            ({"priority": "P1"}, "priority"),
            ({"ticket_type": "complaint"}, "ticket_type"),
        ],
    )
    async def test_bad_patches_are_422_and_change_nothing(self, client, users, patch, field):
        admin = users["admin"]
        policy = await base_policy(client, admin, "P3")
        response = await client.patch(
            f"/sla-policies/{policy['id']}", json=patch, headers=admin.headers
        )
        assert field in fields_of(assert_problem(response, 422, "validation"))
        assert await base_policy(client, admin, "P3") == policy


class TestOnlyAdminsChangePolicies:
    @pytest.mark.parametrize("role", NON_ADMINS)
    async def test_writes_are_403_and_change_nothing(self, client, users, role):
        admin, user = users["admin"], users[role]
        before = await policies(client, admin)
        p3 = await base_policy(client, admin, "P3")
        complaint = next(
            p for p in before if p["priority"] == "P4" and p["ticket_type"] == "complaint"
        )
        assert_problem(
            await client.post("/sla-policies", json=policy_body(), headers=user.headers),
            403,
            "forbidden",
        )
        assert_problem(
            await client.patch(
                f"/sla-policies/{p3['id']}",
                json={"first_response_minutes": 1},
                headers=user.headers,
            ),
            403,
            "forbidden",
        )
        assert_problem(
            await client.delete(f"/sla-policies/{complaint['id']}", headers=user.headers),
            403,
            "forbidden",
        )
        assert await policies(client, admin) == before

    async def test_anonymous_is_401(self, client):
        assert_problem(await client.get("/sla-policies"), 401, "unauthorized")


# ---- routing rules ---------------------------------------------------------------------------


async def routes(client, user) -> dict[str, dict]:
    response = await client.get("/routing-rules", headers=user.headers)
    assert response.status_code == 200, response.text
    return {r["ticket_type"]: r for r in response.json()}


async def new_department(client, admin) -> dict:
    key = f"d{uid()}"
    response = await client.post(
        "/departments", json={"key": key, "name": f"培训部{key}"}, headers=admin.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def open_ticket(client, user, customer_id: int, ticket_type: str) -> dict:
    response = await client.post(
        "/tickets",
        headers=user.headers,
        json={
            "customer_id": customer_id,
            "type": ticket_type,
            "channel": "web_form",
            "title": f"培训需求 {uid()}",
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


class TestReadingRoutes:
    @pytest.mark.parametrize("role", EVERYONE)
    async def test_every_type_with_its_default_department(self, client, users, role):
        response = await client.get("/routing-rules", headers=users[role].headers)
        assert response.status_code == 200, response.text
        items = response.json()
        assert [r["ticket_type"] for r in items] == [t.value for t in TicketType]
        departments = {
            d["key"]: d
            for d in (await client.get("/departments", headers=users["admin"].headers)).json()
        }
        defaults = [r for r in items if r["is_default"]]
        assert defaults  # tests that set a rule take it away again
        for route in defaults:
            default = departments.get(DEFAULT_ROUTES[TicketType(route["ticket_type"])])
            assert route["department_id"] == (default["id"] if default else None)
            assert route["department_key"] == (default["key"] if default else None)
            assert route["department_name"] == (default["name"] if default else None)


class TestRoutingRules:
    async def test_a_rule_routes_new_tickets_to_the_department_and_its_agent(
        self, client, database, users
    ):
        admin = users["admin"]
        department = await new_department(client, admin)
        agent = await make_user(client, database, "agent", department_id=department["id"])
        customer = await create_customer(client, admin)
        response = await client.put(
            "/routing-rules/training",
            headers=admin.headers,
            json={"department_id": department["id"]},
        )
        assert response.status_code == 200, response.text
        try:
            assert response.json() == {
                "ticket_type": "training",
                "department_id": department["id"],
                "department_key": department["key"],
                "department_name": department["name"],
                "is_default": False,
            }
            assert (await routes(client, users["agent"]))["training"] == response.json()

            ticket = await open_ticket(client, admin, customer["id"], "training")
            assert ticket["department_id"] == department["id"]
            assert ticket["assignee_id"] == agent.id and ticket["status"] == "assigned"
            # Other types are untouched.
            other = await open_ticket(client, admin, customer["id"], "technical_consult")
            assert other["department_id"] != department["id"]
        finally:
            response = await client.delete("/routing-rules/training", headers=admin.headers)
            assert response.status_code == 204, response.text

        restored = (await routes(client, admin))["training"]
        assert restored["is_default"] is True and restored["department_id"] != department["id"]
        after = await open_ticket(client, admin, customer["id"], "training")
        assert after["department_id"] == restored["department_id"]
        assert after["assignee_id"] != agent.id

        events = await audit(client, admin, entity_type="routing_rule")
        mine = [e for e in events if department["id"] in (e["changes"].get("department_id") or [])]
        assert [(e["action"], e["changes"]["department_id"]) for e in mine] == [
            ("delete", [department["id"], None]),
            ("create", [None, department["id"]]),
        ]
        assert mine[1]["changes"]["ticket_type"] == [None, "training"]

    async def test_moving_a_rule_is_one_audited_update(self, client, users):
        admin = users["admin"]
        # Another test may have routed this type already: start from the built-in routing.
        await client.delete("/routing-rules/customization", headers=admin.headers)
        first, second = await new_department(client, admin), await new_department(client, admin)
        try:
            for department in (first, second, second):
                response = await client.put(
                    "/routing-rules/customization",
                    headers=admin.headers,
                    json={"department_id": department["id"]},
                )
                assert response.status_code == 200, response.text
            assert (await routes(client, admin))["customization"]["department_id"] == second["id"]
        finally:
            assert (
                await client.delete("/routing-rules/customization", headers=admin.headers)
            ).status_code == 204
        events = [
            e
            for e in await audit(client, admin, entity_type="routing_rule")
            if {first["id"], second["id"]} & set(e["changes"]["department_id"])
        ]
        assert [(e["action"], e["changes"]["department_id"]) for e in events] == [
            ("delete", [second["id"], None]),
            ("update", [first["id"], second["id"]]),
            ("create", [None, first["id"]]),
        ]

    async def test_resetting_a_type_without_a_rule_is_a_no_op(self, client, users):
        admin = users["admin"]
        before = await audit(client, admin, entity_type="routing_rule")
        response = await client.delete("/routing-rules/order_support", headers=admin.headers)
        assert response.status_code == 204
        assert await audit(client, admin, entity_type="routing_rule") == before

    @pytest.mark.parametrize(
        "path, body, field",
        [
            ("/routing-rules/training", {"department_id": 2**61}, "department_id"),
            ("/routing-rules/training", {"department_id": 0}, "department_id"),
            ("/routing-rules/training", {"department_id": "tech"}, "department_id"),
            ("/routing-rules/training", {}, "department_id"),
            ("/routing-rules/training", {"department_id": 1, "priority": "P1"}, "priority"),
            ("/routing-rules/gossip", {"department_id": 1}, "ticket_type"),
        ],
    )
    async def test_bad_rules_are_422(self, client, users, path, body, field):
        admin = users["admin"]
        before = await routes(client, admin)
        response = await client.put(path, json=body, headers=admin.headers)
        assert field in fields_of(assert_problem(response, 422, "validation"))
        assert await routes(client, admin) == before

    @pytest.mark.parametrize("role", NON_ADMINS)
    async def test_only_admins_set_and_reset_rules(self, client, users, role):
        admin, user = users["admin"], users[role]
        department = await new_department(client, admin)
        before = await routes(client, admin)
        assert_problem(
            await client.put(
                "/routing-rules/training",
                headers=user.headers,
                json={"department_id": department["id"]},
            ),
            403,
            "forbidden",
        )
        assert_problem(
            await client.delete("/routing-rules/training", headers=user.headers), 403, "forbidden"
        )
        assert await routes(client, admin) == before


# ---- the business calendar -------------------------------------------------------------------

HOLIDAY_START = "2024-09-30T17:30:00+08:00"  # Monday evening before the National Day week


async def calendar(client, user) -> dict:
    response = await client.get("/business-calendar", headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


class TestReadingTheCalendar:
    @pytest.mark.parametrize("role", EVERYONE)
    async def test_everyone_reads_the_default_hours(self, client, users, role):
        response = await client.get("/business-calendar", headers=users[role].headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["timezone"], body["opens"], body["closes"]) == (
            "Asia/Shanghai",
            "09:00:00",
            "18:00:00",
        )
        assert all(o["day"] != "2024-10-08" for o in body["overrides"])  # tests tidy up
        assert response.headers["ETag"] == f'"{body["version"]}"'


class TestPreview:
    async def test_the_national_day_week_is_skipped(self, client, users):
        # 30 minutes on Monday 09-30, 10-01..10-07 are holidays, 90 minutes on Tuesday 10-08.
        due = await preview(client, users["agent"], HOLIDAY_START, 120)
        assert due == "2024-10-08T10:30:00+08:00"

    async def test_a_company_day_off_moves_the_due_time(self, client, users):
        admin = users["admin"]
        response = await client.put(
            "/business-calendar/overrides/2024-10-08",
            json={"is_workday": False, "note": "公司团建"},
            headers=admin.headers,
        )
        assert response.status_code == 200, response.text
        try:
            assert response.json() == {"day": "2024-10-08", "is_workday": False, "note": "公司团建"}
            assert {"day": "2024-10-08", "is_workday": False, "note": "公司团建"} in (
                await calendar(client, users["readonly"])
            )["overrides"]
            due = await preview(client, users["supervisor"], HOLIDAY_START, 120)
            assert due == "2024-10-09T10:30:00+08:00"
        finally:
            response = await client.delete(
                "/business-calendar/overrides/2024-10-08", headers=admin.headers
            )
            assert response.status_code == 204, response.text
        assert all(o["day"] != "2024-10-08" for o in (await calendar(client, admin))["overrides"])
        assert await preview(client, admin, HOLIDAY_START, 120) == "2024-10-08T10:30:00+08:00"

        events = await audit(client, admin, entity_type="calendar_override", entity_id=20241008)
        assert [(e["action"], e["changes"]) for e in events[:2]] == [
            (
                "delete",
                {
                    "day": ["2024-10-08", None],
                    "is_workday": [False, None],
                    "note": ["公司团建", None],
                },
            ),
            (
                "create",
                {
                    "day": [None, "2024-10-08"],
                    "is_workday": [None, False],
                    "note": [None, "公司团建"],
                },
            ),
        ]

    async def test_a_company_working_day_counts(self, client, users):
        admin = users["admin"]
        start = "2024-10-03T12:00:00+08:00"  # inside the holiday week
        assert await preview(client, admin, start, 60) == "2024-10-08T10:00:00+08:00"
        response = await client.put(
            "/business-calendar/overrides/2024-10-05",
            json={"is_workday": True},
            headers=admin.headers,
        )
        assert response.status_code == 200, response.text
        try:
            assert response.json()["note"] is None
            assert await preview(client, admin, start, 60) == "2024-10-05T10:00:00+08:00"
            # Changing it is an update of the same override.
            response = await client.put(
                "/business-calendar/overrides/2024-10-05",
                json={"is_workday": True, "note": "加班"},
                headers=admin.headers,
            )
            assert response.status_code == 200, response.text
        finally:
            assert (
                await client.delete(
                    "/business-calendar/overrides/2024-10-05", headers=admin.headers
                )
            ).status_code == 204
        events = await audit(client, admin, entity_type="calendar_override", entity_id=20241005)
        assert [e["action"] for e in events[:3]] == ["delete", "update", "create"]
        assert events[1]["changes"] == {"note": [None, "加班"]}

    async def test_24x7_counts_every_minute(self, client, users):
        due = await preview(client, users["am"], HOLIDAY_START, 120, calendar="24x7")
        assert due == "2024-09-30T19:30:00+08:00"

    async def test_the_answer_is_in_the_calendar_zone(self, client, users):
        due = await preview(client, users["admin"], "2024-09-30T01:00:00Z", 30)
        assert due == "2024-09-30T09:30:00+08:00"

    async def test_removing_a_missing_override_is_a_no_op(self, client, users):
        admin = users["admin"]
        before = await audit(client, admin, entity_type="calendar_override")
        response = await client.delete(
            "/business-calendar/overrides/2031-01-02", headers=admin.headers
        )
        assert response.status_code == 204
        assert await audit(client, admin, entity_type="calendar_override") == before

    @pytest.mark.parametrize(
        "params, field",
        [
            ({"start": "2024-09-30T17:30:00", "minutes": 60}, "start"),
            ({"start": "yesterday", "minutes": 60}, "start"),
            ({"minutes": 60}, "start"),
            ({"start": HOLIDAY_START, "minutes": -1}, "minutes"),
            ({"start": HOLIDAY_START, "minutes": 60 * 24 * 60 + 1}, "minutes"),
            ({"start": HOLIDAY_START}, "minutes"),
            ({"start": HOLIDAY_START, "minutes": 60, "calendar": "weekdays"}, "calendar"),
        ],
    )
    async def test_bad_questions_are_422(self, client, users, params, field):
        response = await client.get(
            "/business-calendar/preview", params=params, headers=users["agent"].headers
        )
        assert field in fields_of(assert_problem(response, 422, "validation"))


class TestBusinessHours:
    async def test_admin_changes_zone_and_hours_with_if_match(self, client, users):
        admin = users["admin"]
        original = await calendar(client, admin)
        new_hours = {"timezone": "Asia/Urumqi", "opens": "10:00", "closes": "19:30"}
        stale = await client.put(
            "/business-calendar",
            json=new_hours,
            headers={**admin.headers, "If-Match": f'"{original["version"] + 5}"'},
        )
        assert_problem(stale, 412, "version-mismatch")
        assert await calendar(client, admin) == original
        response = await client.put(
            "/business-calendar",
            json=new_hours,
            headers={**admin.headers, "If-Match": f'"{original["version"]}"'},
        )
        assert response.status_code == 200, response.text
        try:
            body = response.json()
            assert (body["timezone"], body["opens"], body["closes"]) == (
                "Asia/Urumqi",
                "10:00:00",
                "19:30:00",
            )
            assert body["version"] == original["version"] + 1
            assert response.headers["ETag"] == f'"{body["version"]}"'
            assert await calendar(client, users["agent"]) == body
            # Urumqi is UTC+6: Monday 09:00 there waits for the 10:00 opening.
            due = await preview(client, admin, "2024-09-23T09:00:00+06:00", 60)
            assert due == "2024-09-23T11:00:00+06:00"
        finally:
            response = await client.put(
                "/business-calendar",
                headers=admin.headers,
                json={
                    "timezone": original["timezone"],
                    "opens": original["opens"],
                    "closes": original["closes"],
                },
            )
            assert response.status_code == 200, response.text
        events = await audit(client, admin, entity_type="business_hours", entity_id=1)
        assert events[0]["changes"] == {
            "timezone": ["Asia/Urumqi", "Asia/Shanghai"],
            "opens": ["10:00:00", "09:00:00"],
            "closes": ["19:30:00", "18:00:00"],
        }
        assert events[1]["changes"]["timezone"] == ["Asia/Shanghai", "Asia/Urumqi"]
        assert events[0]["actor_id"] == admin.id

    @pytest.mark.parametrize(
        "change, field",
        [
            ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
            ({"timezone": "../../etc/passwd"}, "timezone"),
            ({"timezone": ""}, "timezone"),
            ({"opens": "18:00", "closes": "09:00"}, "closes"),
            ({"opens": "09:00", "closes": "09:00"}, "closes"),
            ({"opens": "25:00"}, "opens"),
            ({"opens": "09:00+08:00"}, "opens"),
            ({"closes": None}, "closes"),
            ({"weekend": "sunday"}, "weekend"),
        ],
    )
    async def test_bad_hours_are_422_and_change_nothing(self, client, users, change, field):
        admin = users["admin"]
        before = await calendar(client, admin)
        body = {"timezone": "Asia/Shanghai", "opens": "09:00", "closes": "18:00", **change}
        response = await client.put("/business-calendar", json=body, headers=admin.headers)
        assert field in fields_of(assert_problem(response, 422, "validation"))
        assert await calendar(client, admin) == before

    @pytest.mark.parametrize(
        "day, body, field",
        [
            ("2024-02-30", {"is_workday": True}, "day"),
            ("tomorrow", {"is_workday": True}, "day"),
            ("2024-10-08", {}, "is_workday"),
            ("2024-10-08", {"is_workday": "maybe"}, "is_workday"),
            ("2024-10-08", {"is_workday": False, "note": "长" * 201}, "note"),
        ],
    )
    async def test_bad_overrides_are_422(self, client, users, day, body, field):
        admin = users["admin"]
        before = await calendar(client, admin)
        response = await client.put(
            f"/business-calendar/overrides/{day}", json=body, headers=admin.headers
        )
        assert field in fields_of(assert_problem(response, 422, "validation"))
        assert await calendar(client, admin) == before

    @pytest.mark.parametrize("role", NON_ADMINS)
    async def test_only_admins_change_the_calendar(self, client, users, role):
        user = users[role]
        before = await calendar(client, users["admin"])
        assert_problem(
            await client.put(
                "/business-calendar",
                headers=user.headers,
                json={"timezone": "UTC", "opens": "08:00", "closes": "17:00"},
            ),
            403,
            "forbidden",
        )
        assert_problem(
            await client.put(
                "/business-calendar/overrides/2024-10-08",
                json={"is_workday": False},
                headers=user.headers,
            ),
            403,
            "forbidden",
        )
        assert_problem(
            await client.delete("/business-calendar/overrides/2024-10-08", headers=user.headers),
            403,
            "forbidden",
        )
        assert await calendar(client, users["admin"]) == before


class TestRunningTicketsFollowTheCalendar:
    """The SLA scan compares stored due times with the clock: a calendar change moves them."""

    async def stored_due(self, database, ticket_id: int) -> datetime:
        async with database.session(write=False) as session:
            return (await session.get(Ticket, ticket_id)).first_response_due_at

    async def test_overrides_and_hours_move_the_stored_due_times(self, client, database, users):
        admin = users["admin"]
        customer = await create_customer(client, admin)
        response = await client.post(
            "/tickets",
            headers=admin.headers,
            json={
                "customer_id": customer["id"],
                "type": "after_sales_repair",
                "channel": "phone",
                "title": "节前报修",
                "urgent": True,
                "opened_at": HOLIDAY_START,
            },
        )  # P3: 2 h
        assert response.status_code == 201, response.text
        ticket = response.json()
        original = await calendar(client, admin)
        at = datetime.fromisoformat
        try:
            assert ticket["priority"] == "P3"
            assert await self.stored_due(database, ticket["id"]) == at("2024-10-08T10:30:00+08:00")
            response = await client.put(
                "/business-calendar/overrides/2024-10-08",
                json={"is_workday": False},
                headers=admin.headers,
            )
            assert response.status_code == 200, response.text
            assert await self.stored_due(database, ticket["id"]) == at("2024-10-09T10:30:00+08:00")
            response = await client.delete(
                "/business-calendar/overrides/2024-10-08", headers=admin.headers
            )
            assert response.status_code == 204, response.text
            assert await self.stored_due(database, ticket["id"]) == at("2024-10-08T10:30:00+08:00")

            response = await client.put(
                "/business-calendar",
                headers=admin.headers,
                json={"timezone": "Asia/Shanghai", "opens": "10:00", "closes": "18:00"},
            )
            assert response.status_code == 200, response.text
            assert await self.stored_due(database, ticket["id"]) == at("2024-10-08T11:30:00+08:00")
            # Derived data, not an edit: the ticket's version (its ETag) stays.
            fetched = await client.get(f"/tickets/{ticket['id']}", headers=admin.headers)
            assert fetched.json()["version"] == ticket["version"]
        finally:
            await client.delete("/business-calendar/overrides/2024-10-08", headers=admin.headers)
            response = await client.put(
                "/business-calendar",
                headers=admin.headers,
                json={
                    "timezone": original["timezone"],
                    "opens": original["opens"],
                    "closes": original["closes"],
                },
            )
            assert response.status_code == 200, response.text
            await cancel(client, admin, ticket["id"])
