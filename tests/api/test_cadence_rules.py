"""Cadence rules: the seeded defaults, admin-only changes with audit and If-Match, and what the
rules do to customers' next follow-up dates and the due list. The rules are shared by the
whole session: every test here puts the defaults back."""

import pytest

from tests.api.sales_support import cst, follow_up, get_customer, ok, team
from tests.conftest import create_customer
from tests.support import assert_problem

DEFAULTS = {"potential": 7, "intent": 3, "customer": 30}


@pytest.fixture
async def restore(client, users):
    yield
    admin = users["admin"].headers
    for stage, days in DEFAULTS.items():
        await ok(
            await client.put(f"/cadence-rules/{stage}", json={"interval_days": days}, headers=admin)
        )
    await ok(await client.delete("/cadence-rules/lost", headers=admin), 204)


async def rules(client, user) -> dict[str, int]:
    body = await ok(await client.get("/cadence-rules", headers=user.headers))
    return {r["stage"]: r["interval_days"] for r in body}


class TestReading:
    @pytest.mark.parametrize("role", ["admin", "supervisor", "am", "agent", "readonly"])
    async def test_everyone_reads_the_defaults_in_lifecycle_order(self, client, users, role):
        body = await ok(await client.get("/cadence-rules", headers=users[role].headers))
        assert [(r["stage"], r["interval_days"]) for r in body] == list(DEFAULTS.items())

    async def test_anonymous_is_401(self, client):
        assert_problem(await client.get("/cadence-rules"), 401, "unauthorized")


class TestChanging:
    async def test_admin_sets_a_rule_audited(self, client, users, restore):
        admin = users["admin"]
        got = await ok(
            await client.put(
                "/cadence-rules/intent", json={"interval_days": 5}, headers=admin.headers
            )
        )
        assert (got["stage"], got["interval_days"]) == ("intent", 5)
        assert (await rules(client, users["agent"]))["intent"] == 5
        events = await ok(
            await client.get(
                "/audit-events",
                params={"entity_type": "cadence_rule", "limit": 1},
                headers=admin.headers,
            )
        )
        assert events["items"][0]["changes"] == {"interval_days": [3, 5]}
        assert events["items"][0]["actor_id"] == admin.id

    async def test_a_stage_without_a_rule_gets_one_and_loses_it(self, client, users, restore):
        admin = users["admin"].headers
        await ok(await client.put("/cadence-rules/lost", json={"interval_days": 90}, headers=admin))
        assert (await rules(client, users["am"]))["lost"] == 90
        await ok(await client.delete("/cadence-rules/lost", headers=admin), 204)
        assert "lost" not in await rules(client, users["am"])
        await ok(await client.delete("/cadence-rules/lost", headers=admin), 204)  # no-op
        actions = [
            e["action"]
            for e in (
                await ok(
                    await client.get(
                        "/audit-events",
                        params={"entity_type": "cadence_rule", "limit": 2},
                        headers=admin,
                    )
                )
            )["items"]
        ]
        assert actions == ["delete", "create"]

    async def test_if_match(self, client, users, restore):
        admin = users["admin"].headers
        r = await client.get("/cadence-rules", headers=admin)
        version = next(x["version"] for x in r.json() if x["stage"] == "potential")
        r = await client.put(
            "/cadence-rules/potential",
            json={"interval_days": 9},
            headers={**admin, "If-Match": f'"{version + 5}"'},
        )
        assert_problem(r, 412, "version-mismatch")
        assert (await rules(client, users["admin"]))["potential"] == 7
        r = await client.put(
            "/cadence-rules/potential",
            json={"interval_days": 9},
            headers={**admin, "If-Match": f'"{version}"'},
        )
        assert (await ok(r))["version"] == version + 1

    @pytest.mark.parametrize("days", [0, 366, -1, "3", 3.5, None, True])
    async def test_bad_intervals_are_422(self, client, users, days):
        r = await client.put(
            "/cadence-rules/intent", json={"interval_days": days}, headers=users["admin"].headers
        )
        assert_problem(r, 422, "validation", field="interval_days")
        assert (await rules(client, users["admin"]))["intent"] == 3

    async def test_unknown_stage_is_422(self, client, users):
        r = await client.put(
            "/cadence-rules/whale", json={"interval_days": 3}, headers=users["admin"].headers
        )
        assert_problem(r, 422, "validation", field="stage")

    @pytest.mark.parametrize("role", ["supervisor", "am", "agent", "readonly"])
    async def test_only_admins_change_them(self, client, users, role):
        headers = users[role].headers
        assert_problem(
            await client.put("/cadence-rules/intent", json={"interval_days": 1}, headers=headers),
            403,
        )
        assert_problem(await client.delete("/cadence-rules/intent", headers=headers), 403)
        assert (await rules(client, users["admin"]))["intent"] == 3


class TestEffects:
    async def test_creation_and_stage_changes_use_the_rules(
        self, client, database, users, clock, restore
    ):
        t = await team(client, database)
        clock.at = cst(2025, 4, 1, 9)
        potential = await create_customer(client, t.owner, stage="potential")
        assert potential["next_follow_up_on"] == "2025-04-08"
        lost = await create_customer(client, t.owner, stage="lost")
        assert lost["next_follow_up_on"] is None
        await ok(
            await client.put(
                "/cadence-rules/customer",
                json={"interval_days": 14},
                headers=users["admin"].headers,
            )
        )
        clock.at = cst(2025, 4, 3, 9)
        r = await client.patch(
            f"/customers/{potential['id']}", json={"stage": "customer"}, headers=t.owner.headers
        )
        # no contact yet: counted from the day it was created
        assert (await ok(r))["next_follow_up_on"] == "2025-04-15"
        await follow_up(client, t.owner, potential["id"], at=cst(2025, 4, 2, 9))
        r = await client.patch(
            f"/customers/{potential['id']}", json={"stage": "intent"}, headers=t.owner.headers
        )
        assert (await ok(r))["next_follow_up_on"] == "2025-04-05"  # 3 days after the contact
        r = await client.patch(
            f"/customers/{potential['id']}", json={"stage": "lost"}, headers=t.owner.headers
        )
        assert (await ok(r))["next_follow_up_on"] is None
        r = await client.patch(
            f"/customers/{potential['id']}", json={"region": "华东"}, headers=t.owner.headers
        )
        assert (await ok(r))["next_follow_up_on"] is None  # not a stage change: untouched

    async def test_a_changed_interval_applies_to_the_next_follow_up(
        self, client, database, users, clock, restore
    ):
        t = await team(client, database, stage="intent")
        await ok(
            await client.put(
                "/cadence-rules/intent", json={"interval_days": 10}, headers=users["admin"].headers
            )
        )
        clock.at = cst(2025, 4, 1, 9)
        await follow_up(client, t.owner, t.customer["id"], at=cst(2025, 4, 1, 8))
        assert (await get_customer(client, t.owner, t.customer["id"]))[
            "next_follow_up_on"
        ] == "2025-04-11"

    async def test_a_deleted_rule_stops_that_stages_cadence_reminders(
        self, client, database, users, clock, restore
    ):
        t = await team(client, database, stage="potential")
        clock.at = cst(2025, 4, 1, 9)
        await follow_up(client, t.owner, t.customer["id"], at=cst(2025, 3, 1, 9))  # due 03-08
        due = await ok(await client.get("/follow-ups/due", headers=t.owner.headers))
        assert [(i["customer_id"], i["kind"]) for i in due["items"]] == [
            (t.customer["id"], "cadence")
        ]
        await ok(
            await client.delete("/cadence-rules/potential", headers=users["admin"].headers), 204
        )
        due = await ok(await client.get("/follow-ups/due", headers=t.owner.headers))
        assert due["items"] == []
        await ok(
            await client.put(
                "/cadence-rules/potential",
                json={"interval_days": 7},
                headers=users["admin"].headers,
            )
        )
        due = await ok(await client.get("/follow-ups/due", headers=t.owner.headers))
        assert len(due["items"]) == 1
