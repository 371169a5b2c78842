"""API keys: made by admins, shown once, scoped, owned, limited, rotated and revoked."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from persistence.models import AuditEvent
from tests.conftest import create_customer, make_user, organization


async def make_key(client, admin, **fields) -> dict:
    body = {"name": "ERP 同步", "scopes": ["customers:read"], **fields}
    response = await client.post("/api-keys", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    return response.json()


def key_headers(created: dict) -> dict[str, str]:
    return {"X-API-Key": created["secret"]}


class TestManaging:
    async def test_the_secret_is_shown_once_and_stored_as_a_digest(self, client, users, database):
        created = await make_key(client, users["admin"])
        secret, key = created["secret"], created["key"]
        assert secret.startswith("crm_live_") and secret.startswith(key["prefix"] + "_")
        assert key["status"] == "active" and key["rate_limit_per_minute"] == 600
        listed = await client.get("/api-keys", headers=users["admin"].headers)
        assert listed.status_code == 200
        assert secret not in listed.text and key["prefix"] in listed.text
        async with database.session(write=False) as session:
            from persistence.models import ApiKey

            stored = await session.get(ApiKey, key["id"])
            assert secret not in (stored.digest, stored.public_id) and len(stored.digest) == 64

    async def test_only_signed_in_admins_manage_keys(self, client, users):
        for role in ("am", "supervisor", "agent"):
            response = await client.post(
                "/api-keys", json={"name": "x", "scopes": ["customers:read"]},
                headers=users[role].headers,
            )  # fmt: skip
            assert response.status_code == 403, role
        powerful = await make_key(client, users["admin"], scopes=["settings:admin"])
        response = await client.get("/api-keys", headers=key_headers(powerful))
        assert response.status_code == 403
        assert "signed-in admin" in response.json()["detail"]

    async def test_bad_input_is_refused_and_writes_nothing(self, client, users):
        admin = users["admin"].headers
        before = len((await client.get("/api-keys", headers=admin)).json())
        for body, field in (
            ({"name": "x", "scopes": []}, "scopes"),
            ({"name": "x", "scopes": ["customers:fly"]}, "scopes.0"),
            ({"name": " ", "scopes": ["customers:read"]}, "name"),
            ({"name": "x", "scopes": ["customers:read"], "allowed_ips": ["not-an-ip"]},
             "allowed_ips.0"),
            ({"name": "x", "scopes": ["customers:read"], "expires_at": "2001-01-01T00:00:00Z"},
             "expires_at"),
            ({"name": "x", "scopes": ["customers:read"], "rate_limit_per_minute": 0},
             "rate_limit_per_minute"),
            ({"name": "x", "scopes": ["customers:read"], "owner_id": 10**9}, "owner_id"),
            ({"name": "x", "scopes": ["customers:read"], "colour": "red"}, "colour"),
        ):  # fmt: skip
            response = await client.post("/api-keys", json=body, headers=admin)
            assert response.status_code == 422, (body, response.text)
            assert field in {e["field"] for e in response.json()["errors"]}, response.text
        assert len((await client.get("/api-keys", headers=admin)).json()) == before

    async def test_an_owners_key_cannot_have_scopes_beyond_the_owners_role(self, client, users):
        response = await client.post(
            "/api-keys",
            json={"name": "x", "scopes": ["customers:read", "users:admin"],
                  "owner_id": users["am"].id},
            headers=users["admin"].headers,
        )  # fmt: skip
        assert response.status_code == 422
        assert "users:admin" in response.json()["errors"][0]["message"]


class TestUsing:
    async def test_a_key_is_accepted_in_x_api_key_and_as_the_bearer(self, client, users):
        created = await make_key(client, users["admin"])
        for headers in (
            {"X-API-Key": created["secret"]},
            {"Authorization": f"Bearer {created['secret']}"},
        ):
            response = await client.get("/customers", headers=headers)
            assert response.status_code == 200, response.text

    async def test_a_key_without_the_scope_gets_403(self, client, users):
        reader = await make_key(client, users["admin"], scopes=["tickets:read"])
        assert (await client.get("/customers", headers=key_headers(reader))).status_code == 403
        assert (await client.get("/tickets", headers=key_headers(reader))).status_code == 200
        only_read = await make_key(client, users["admin"], scopes=["customers:read"])
        response = await client.post(
            "/customers", json={"kind": "organization", "name": "无写权限"},
            headers=key_headers(only_read),
        )  # fmt: skip
        assert response.status_code == 403 and "customers:write" in response.json()["detail"]

    async def test_an_account_managers_key_sees_only_their_customers(self, client, users, database):
        owner = await make_user(client, database, "account_manager")
        theirs = await create_customer(client, owner)
        others = await create_customer(client, await make_user(client, database, "account_manager"))
        key = await make_key(client, users["admin"], scopes=["customers:read"], owner_id=owner.id)
        headers = key_headers(key)
        assert (await client.get(f"/customers/{theirs['id']}", headers=headers)).status_code == 200
        assert (await client.get(f"/customers/{others['id']}", headers=headers)).status_code == 404
        listed = (await client.get("/customers", headers=headers, params={"limit": 200})).json()
        assert {c["owner_id"] for c in listed["items"]} == {owner.id}

    async def test_writes_are_audited_under_the_key(self, client, users, database):
        am = await make_user(client, database, "account_manager")
        key = await make_key(
            client, users["admin"], name="ERP", scopes=["customers:read", "customers:write"],
            owner_id=am.id,
        )  # fmt: skip
        made = await client.post("/customers", json=organization(), headers=key_headers(key))
        assert made.status_code == 201, made.text
        assert made.json()["owner_id"] == am.id
        async with database.session(write=False) as session:
            event = await session.scalar(
                select(AuditEvent).where(
                    AuditEvent.entity_type == "customer", AuditEvent.entity_id == made.json()["id"]
                )
            )
        assert (event.api_key_id, event.actor_id) == (key["key"]["id"], am.id)
        # A person's next write is theirs alone.
        mine = await create_customer(client, am)
        async with database.session(write=False) as session:
            event = await session.scalar(
                select(AuditEvent).where(
                    AuditEvent.entity_type == "customer", AuditEvent.entity_id == mine["id"]
                )
            )
        assert event.api_key_id is None

    @pytest.mark.parametrize(
        "secret",
        ["crm_live_", "crm_live_nothing", "crm_live_abcdefghijkl_wrong", "Bearer-less", ""],
    )
    async def test_an_unknown_secret_is_401(self, client, secret):
        response = await client.get("/customers", headers={"X-API-Key": secret})
        assert response.status_code == 401

    async def test_a_guessed_secret_for_a_real_key_is_401(self, client, users):
        key = await make_key(client, users["admin"])
        forged = key["key"]["prefix"] + "_" + "A" * 43
        assert (await client.get("/customers", headers={"X-API-Key": forged})).status_code == 401

    async def test_the_allow_list_holds(self, client, users):
        elsewhere = await make_key(client, users["admin"], allowed_ips=["192.0.2.0/24"])
        response = await client.get("/customers", headers=key_headers(elsewhere))
        assert response.status_code == 403
        ours = await make_key(client, users["admin"], allowed_ips=["10.0.0.0/8"])
        assert (await client.get("/customers", headers=key_headers(ours))).status_code == 200


class TestLifetime:
    async def test_revoked_and_expired_keys_are_401(self, client, users, clock):
        revoked = await make_key(client, users["admin"])
        assert (await client.get("/customers", headers=key_headers(revoked))).status_code == 200
        response = await client.post(
            f"/api-keys/{revoked['key']['id']}/revoke", headers=users["admin"].headers
        )
        assert response.json()["status"] == "revoked"
        assert (await client.get("/customers", headers=key_headers(revoked))).status_code == 401

        expiring = await make_key(
            client, users["admin"],
            expires_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat(),
        )  # fmt: skip
        assert (await client.get("/customers", headers=key_headers(expiring))).status_code == 200
        clock.at = datetime.now(UTC) + timedelta(hours=2)
        assert (await client.get("/customers", headers=key_headers(expiring))).status_code == 401
        listed = await client.get("/api-keys", headers=users["admin"].headers)
        status = {k["id"]: k["status"] for k in listed.json()}
        assert status[expiring["key"]["id"]] == "expired"

    async def test_a_rotated_secret_works_until_its_grace_ends(self, client, users, clock):
        key = await make_key(client, users["admin"])
        old = key_headers(key)
        rotated = await client.post(
            f"/api-keys/{key['key']['id']}/rotate", json={"grace_hours": 1},
            headers=users["admin"].headers,
        )  # fmt: skip
        assert rotated.status_code == 200, rotated.text
        new = {"X-API-Key": rotated.json()["secret"]}
        assert new["X-API-Key"] != old["X-API-Key"]
        assert rotated.json()["key"]["prefix"] == key["key"]["prefix"]
        for headers in (old, new):
            assert (await client.get("/customers", headers=headers)).status_code == 200
        clock.at = datetime.now(UTC) + timedelta(hours=2)
        assert (await client.get("/customers", headers=old)).status_code == 401
        assert (await client.get("/customers", headers=new)).status_code == 200

    async def test_rotation_without_grace_ends_the_old_secret_at_once(self, client, users):
        key = await make_key(client, users["admin"])
        rotated = await client.post(
            f"/api-keys/{key['key']['id']}/rotate", json={"grace_hours": 0},
            headers=users["admin"].headers,
        )  # fmt: skip
        assert (await client.get("/customers", headers=key_headers(key))).status_code == 401
        new = {"X-API-Key": rotated.json()["secret"]}
        assert (await client.get("/customers", headers=new)).status_code == 200


class TestRateLimit:
    async def test_the_limit_answers_429_with_its_headers(self, client, users, clock):
        clock.at = datetime(2026, 12, 7, 9, 30, 5, tzinfo=UTC)  # 55 s left in the minute
        key = await make_key(client, users["admin"], rate_limit_per_minute=3)
        headers = key_headers(key)
        remaining = []
        for _ in range(3):
            response = await client.get("/customers", headers=headers)
            assert response.status_code == 200
            assert response.headers["RateLimit-Limit"] == "3"
            remaining.append(response.headers["RateLimit-Remaining"])
        assert remaining == ["2", "1", "0"]
        refused = await client.get("/customers", headers=headers)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "55" and refused.headers["RateLimit-Reset"] == "55"
        assert refused.json()["code"] == "rate-limited"
        # A person's requests are not counted against it, and the next minute starts afresh.
        assert (await client.get("/customers", headers=users["admin"].headers)).status_code == 200
        clock.at = datetime(2026, 12, 7, 9, 31, 0, tzinfo=UTC)
        assert (await client.get("/customers", headers=headers)).status_code == 200
        listed = await client.get(f"/api-keys/{key['key']['id']}", headers=users["admin"].headers)
        assert listed.json()["last_used_at"].startswith("2026-12-07T09:31:00")
