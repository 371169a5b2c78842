"""GET/PATCH /lifecycle-settings: who reads and changes them, validation of the whole row,
If-Match, and the audit trail. The row is shared: every test puts the defaults back."""

import pytest

from tests.support import assert_problem, audit, mark_audit_position  # noqa: F401

DEFAULTS = {
    "pool_release_days": 30,
    "pool_warning_days": 3,
    "pool_no_order_days": None,
    "pool_claim_limit": 200,
    "pool_reclaim_cooldown_days": 7,
    "stale_opportunity_days": 30,
    "dormancy_days": 180,
    "churn_no_order_days": 365,
    "churn_complaint_days": 90,
    "verification_days": 90,
}


async def current(client, users) -> dict:
    response = await client.get("/lifecycle-settings", headers=users["admin"].headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(autouse=True)
async def defaults_back(client, users):
    yield
    response = await client.patch(
        "/lifecycle-settings", json=DEFAULTS, headers=users["admin"].headers
    )
    assert response.status_code == 200, response.text


class TestReading:
    @pytest.mark.parametrize("role", ["admin", "supervisor", "readonly"])
    async def test_admins_supervisors_and_readonly_read_the_seeded_row(self, client, users, role):
        response = await client.get("/lifecycle-settings", headers=users[role].headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert {k: body[k] for k in DEFAULTS} == DEFAULTS
        assert response.headers["ETag"] == f'"{body["version"]}"'

    @pytest.mark.parametrize("role", ["am", "agent"])
    async def test_others_are_403(self, client, users, role):
        response = await client.get("/lifecycle-settings", headers=users[role].headers)
        assert_problem(response, 403, "forbidden")


class TestChanging:
    async def test_admin_changes_some_and_it_is_audited(self, client, users):
        before = await current(client, users)
        response = await client.patch(
            "/lifecycle-settings",
            headers={**users["admin"].headers, "If-Match": f'"{before["version"]}"'},
            json={"pool_release_days": 45, "pool_no_order_days": 90, "dormancy_days": 200},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["pool_release_days"] == 45 and body["pool_no_order_days"] == 90
        assert body["dormancy_days"] == 200 and body["pool_warning_days"] == 3
        assert body["version"] == before["version"] + 1
        assert response.headers["ETag"] == f'"{body["version"]}"'
        assert await current(client, users) == body
        [event] = await audit(client, users["admin"], entity_type="lifecycle_settings")
        assert event["action"] == "update" and event["actor_id"] == users["admin"].id
        assert event["entity_id"] == 1
        assert event["changes"] == {
            "pool_release_days": [30, 45],
            "pool_no_order_days": [None, 90],
            "dormancy_days": [180, 200],
        }

    async def test_null_turns_the_no_order_rule_off(self, client, users):
        await client.patch(
            "/lifecycle-settings", json={"pool_no_order_days": 60}, headers=users["admin"].headers
        )
        response = await client.patch(
            "/lifecycle-settings", json={"pool_no_order_days": None}, headers=users["admin"].headers
        )
        assert response.status_code == 200 and response.json()["pool_no_order_days"] is None

    async def test_a_patch_that_changes_nothing_writes_nothing(self, client, users):
        before = await current(client, users)
        response = await client.patch(
            "/lifecycle-settings", json={"pool_release_days": 30}, headers=users["admin"].headers
        )
        assert response.status_code == 200 and response.json()["version"] == before["version"]
        assert await audit(client, users["admin"], entity_type="lifecycle_settings") == []

    async def test_stale_if_match_is_412(self, client, users):
        before = await current(client, users)
        response = await client.patch(
            "/lifecycle-settings",
            json={"dormancy_days": 100},
            headers={**users["admin"].headers, "If-Match": f'"{before["version"] - 1}"'},
        )
        body = assert_problem(response, 412, "version-mismatch")
        assert body["current_version"] == before["version"]
        assert await current(client, users) == before

    @pytest.mark.parametrize("role", ["supervisor", "am", "agent", "readonly"])
    async def test_only_admins_change_them(self, client, users, role):
        before = await current(client, users)
        response = await client.patch(
            "/lifecycle-settings", json={"pool_release_days": 10}, headers=users[role].headers
        )
        assert_problem(response, 403, "forbidden")
        assert await current(client, users) == before


class TestValidation:
    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"pool_release_days": 0}, "pool_release_days"),
            ({"pool_release_days": -5}, "pool_release_days"),
            ({"pool_warning_days": 30}, "pool_warning_days"),  # not before the release
            ({"pool_release_days": 3}, "pool_warning_days"),  # the other way round
            ({"pool_no_order_days": 2}, "pool_warning_days"),
            ({"pool_no_order_days": 0}, "pool_no_order_days"),
            ({"pool_claim_limit": 0}, "pool_claim_limit"),
            ({"pool_reclaim_cooldown_days": -1}, "pool_reclaim_cooldown_days"),
            ({"verification_days": 4000}, "verification_days"),
            ({"dormancy_days": "180"}, "dormancy_days"),  # strict: a number
            ({"dormancy_days": 180.5}, "dormancy_days"),
            ({"churn_complaint_days": True}, "churn_complaint_days"),
            ({"pool_release_days": None}, "pool_release_days"),  # only the rule can be null
            ({"version": 9}, "version"),
            ({"id": 2}, "id"),
        ],
    )
    async def test_bad_values_are_422_and_change_nothing(self, client, users, body, field):
        before = await current(client, users)
        response = await client.patch(
            "/lifecycle-settings", json=body, headers=users["admin"].headers
        )
        assert_problem(response, 422, "validation", field=field)
        assert await current(client, users) == before
        assert await audit(client, users["admin"], entity_type="lifecycle_settings") == []

    async def test_every_broken_field_is_listed(self, client, users):
        response = await client.patch(
            "/lifecycle-settings",
            headers=users["admin"].headers,
            json={"dormancy_days": 0, "pool_claim_limit": -1},
        )
        body = assert_problem(response, 422, "validation")
        assert sorted(e["field"] for e in body["errors"]) == ["dormancy_days", "pool_claim_limit"]
