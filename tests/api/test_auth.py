"""Signing in: login, the login throttle, access-token checks, refresh rotation, logout."""

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from jose import jwt

from tests.conftest import PASSWORD, make_user
from tests.support import PROBLEM, assert_problem

SIGNING_KEY = "test-secret-key-0123456789"  # the key the test app is built with (conftest)


def assert_unauthorized(response) -> dict:
    body = assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"
    return body


async def login(client, username: str, password: str = PASSWORD):
    return await client.post("/auth/token", data={"username": username, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value: dict) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def claims(*, user_id: int, role: str, scope: str, **overrides) -> dict:
    """A complete access-token payload like the app issues, valid for 30 minutes."""
    now = datetime.now(UTC)
    return {
        "sub": str(user_id),
        "name": f"u{user_id}",
        "role": role,
        "dept": None,
        "scope": scope,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=30)).timestamp()),
        "typ": "access",
        "ver": 0,
        **overrides,
    }


READER_SCOPE = "customers:read users:read"


class TestLogin:
    async def test_right_password_returns_a_bearer_token_pair(self, client, database):
        user = await make_user(client, database, "agent")
        response = await login(client, user.username)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == 1800
        assert body["refresh_token"] and body["refresh_token"] != body["access_token"]
        assert response.headers["cache-control"] == "no-store"
        payload = jwt.get_unverified_claims(body["access_token"])
        assert payload["sub"] == str(user.id)
        assert payload["role"] == "agent"
        assert payload["exp"] - payload["iat"] == 1800
        me = await client.get("/users/me", headers=bearer(body["access_token"]))
        assert me.status_code == 200
        assert me.json()["id"] == user.id

    async def test_wrong_password_is_401(self, client, database):
        user = await make_user(client, database, "agent")
        response = await login(client, user.username, "not-the-password")
        body = assert_unauthorized(response)
        assert "access_token" not in body

    async def test_unknown_user_is_401_and_looks_like_a_wrong_password(self, client, database):
        user = await make_user(client, database, "agent")
        unknown = assert_unauthorized(await login(client, f"nobody-{uuid.uuid4().hex[:8]}"))
        wrong = assert_unauthorized(await login(client, user.username, "not-the-password"))
        assert unknown["detail"] == wrong["detail"]

    async def test_inactive_user_is_401_even_with_the_right_password(self, client, database, users):
        user = await make_user(client, database, "agent")
        deactivated = await client.patch(
            f"/users/{user.id}", json={"is_active": False}, headers=users["admin"].headers
        )
        assert deactivated.status_code == 200, deactivated.text
        assert_unauthorized(await login(client, user.username))

    async def test_missing_password_field_is_422(self, client):
        response = await client.post("/auth/token", data={"username": "someone"})
        body = assert_problem(response, 422, "validation")
        assert "password" in [e["field"] for e in body["errors"]]


class TestLoginThrottle:
    """Five failures for one username within 15 minutes lock it until the oldest expires."""

    async def _fail(self, client, username: str, times: int) -> None:
        for _ in range(times):
            assert_unauthorized(await login(client, username, "wrong-password"))

    async def test_sixth_attempt_is_429_even_with_the_right_password(self, client, database, clock):
        user = await make_user(client, database, "agent")
        clock.at = datetime.now(UTC)
        await self._fail(client, user.username, 5)
        response = await login(client, user.username)
        body = assert_problem(response, 429, "rate-limited")
        assert "access_token" not in body
        retry_after = int(response.headers["retry-after"])
        assert 0 < retry_after <= 900
        # The clock stood still: the oldest failure leaves the window in exactly 15 minutes.
        assert retry_after == 900

    async def test_retry_after_counts_down_with_the_clock(self, client, database, clock):
        user = await make_user(client, database, "agent")
        clock.at = datetime.now(UTC)
        await self._fail(client, user.username, 5)
        clock.advance(minutes=10)
        response = await login(client, user.username)
        assert_problem(response, 429, "rate-limited")
        assert int(response.headers["retry-after"]) == 300

    async def test_other_usernames_are_not_affected(self, client, database, clock):
        locked = await make_user(client, database, "agent")
        other = await make_user(client, database, "agent")
        clock.at = datetime.now(UTC)
        await self._fail(client, locked.username, 5)
        assert_problem(await login(client, locked.username), 429, "rate-limited")
        assert (await login(client, other.username)).status_code == 200

    async def test_unknown_usernames_are_throttled_too(self, client, clock):
        username = f"ghost-{uuid.uuid4().hex[:8]}"
        clock.at = datetime.now(UTC)
        await self._fail(client, username, 5)
        assert_problem(await login(client, username), 429, "rate-limited")

    async def test_login_works_again_once_the_window_has_passed(self, client, database, clock):
        user = await make_user(client, database, "agent")
        clock.at = datetime.now(UTC)
        await self._fail(client, user.username, 5)
        assert_problem(await login(client, user.username), 429, "rate-limited")
        clock.advance(minutes=16)
        response = await login(client, user.username)
        assert response.status_code == 200, response.text
        assert response.json()["token_type"] == "bearer"

    async def test_failures_outside_the_window_do_not_count(self, client, database, clock):
        user = await make_user(client, database, "agent")
        clock.at = datetime.now(UTC)
        await self._fail(client, user.username, 4)
        clock.advance(minutes=16)
        await self._fail(client, user.username, 4)  # 8 in all, but only 4 within 15 minutes
        assert (await login(client, user.username)).status_code == 200

    async def test_a_successful_login_clears_the_failures(self, client, database, clock):
        user = await make_user(client, database, "agent")
        clock.at = datetime.now(UTC)
        await self._fail(client, user.username, 4)
        assert (await login(client, user.username)).status_code == 200
        # Without the reset the second of these would already be refused with 429.
        await self._fail(client, user.username, 5)
        assert_problem(await login(client, user.username), 429, "rate-limited")


class TestAccessTokenChecks:
    """A protected endpoint refuses every token the app did not issue unchanged."""

    async def test_the_issued_token_works(self, client, users):
        assert (
            await client.get("/customers", headers=users["readonly"].headers)
        ).status_code == 200

    async def test_missing_authorization_header_is_401(self, client):
        assert_unauthorized(await client.get("/customers"))

    @pytest.mark.parametrize("token", ["garbage", "a.b.c", "", "Bearer", "e30.e30."])
    async def test_garbage_token_is_401(self, client, token):
        assert_unauthorized(await client.get("/customers", headers=bearer(token)))

    async def test_alg_none_token_is_401(self, client, users):
        admin = users["admin"]
        payload = claims(
            user_id=admin.id, role="admin", scope="customers:read customers:write users:admin"
        )
        for alg in ("none", "None", "NONE"):
            token = f"{b64url_json({'alg': alg, 'typ': 'JWT'})}.{b64url_json(payload)}."
            assert_unauthorized(await client.get("/customers", headers=bearer(token)))

    async def test_token_signed_with_another_key_is_401(self, client, users):
        payload = claims(user_id=users["admin"].id, role="admin", scope=READER_SCOPE)
        token = jwt.encode(payload, "some-other-key-0123456789", algorithm="HS256")
        assert_unauthorized(await client.get("/customers", headers=bearer(token)))

    async def test_token_with_another_algorithm_is_401(self, client, users):
        payload = claims(user_id=users["admin"].id, role="admin", scope=READER_SCOPE)
        token = jwt.encode(payload, SIGNING_KEY, algorithm="HS512")
        assert_unauthorized(await client.get("/customers", headers=bearer(token)))

    async def test_hand_signed_complete_token_is_accepted(self, client, users):
        # The control for the tests below: the key and the claim set are right.
        payload = claims(user_id=users["readonly"].id, role="readonly", scope=READER_SCOPE)
        token = jwt.encode(payload, SIGNING_KEY, algorithm="HS256")
        assert (await client.get("/customers", headers=bearer(token))).status_code == 200

    async def test_expired_token_is_401(self, client, users):
        past = datetime.now(UTC) - timedelta(hours=1)
        payload = claims(
            user_id=users["readonly"].id,
            role="readonly",
            scope=READER_SCOPE,
            iat=int((past - timedelta(minutes=30)).timestamp()),
            exp=int(past.timestamp()),
        )
        token = jwt.encode(payload, SIGNING_KEY, algorithm="HS256")
        assert_unauthorized(await client.get("/customers", headers=bearer(token)))

    @pytest.mark.parametrize("claim", ["sub", "exp", "typ", "role", "scope", "name"])
    async def test_correctly_signed_token_missing_a_required_claim_is_401(
        self, client, users, claim
    ):
        payload = claims(user_id=users["readonly"].id, role="readonly", scope=READER_SCOPE)
        del payload[claim]
        token = jwt.encode(payload, SIGNING_KEY, algorithm="HS256")
        assert_unauthorized(await client.get("/customers", headers=bearer(token)))

    @pytest.mark.parametrize(
        "overrides", [{"typ": "refresh"}, {"sub": "not-a-number"}, {"ver": "x"}, {"ver": 1}]
    )
    async def test_correctly_signed_token_with_bad_claims_is_401(self, client, users, overrides):
        payload = {
            **claims(user_id=users["readonly"].id, role="readonly", scope=READER_SCOPE),
            **overrides,
        }
        token = jwt.encode(payload, SIGNING_KEY, algorithm="HS256")
        assert_unauthorized(await client.get("/customers", headers=bearer(token)))

    async def test_payload_edited_without_resigning_is_401(self, client, users):
        token = users["readonly"].headers["Authorization"].removeprefix("Bearer ")
        header, payload, signature = token.split(".")
        original = json.loads(b64url_decode(payload))
        for edit in (
            {"scope": original["scope"] + " customers:write users:admin"},
            {"role": "admin"},
            {
                "role": "admin",
                "scope": "customers:read customers:write users:admin "
                "users:read settings:admin audit:read",
            },
        ):
            forged = f"{header}.{b64url_json({**original, **edit})}.{signature}"
            assert_unauthorized(await client.get("/customers", headers=bearer(forged)))
            assert_unauthorized(
                await client.post(
                    "/customers", json={"kind": "individual", "name": "x"}, headers=bearer(forged)
                )
            )

    async def test_token_without_the_needed_scope_is_403(self, client, users):
        payload = claims(user_id=users["readonly"].id, role="readonly", scope=READER_SCOPE)
        token = jwt.encode(payload, SIGNING_KEY, algorithm="HS256")
        response = await client.post(
            "/customers", json={"kind": "individual", "name": "王五"}, headers=bearer(token)
        )
        body = assert_problem(response, 403, "forbidden")
        assert "customers:write" in body["detail"]

    async def test_issued_readonly_token_cannot_create_customers(self, client, users):
        response = await client.post(
            "/customers",
            json={"kind": "individual", "name": "王五"},
            headers=users["readonly"].headers,
        )
        assert_problem(response, 403, "forbidden")


class TestRefresh:
    async def _pair(self, client, username: str) -> dict:
        response = await login(client, username)
        assert response.status_code == 200, response.text
        return response.json()

    async def _refresh(self, client, token: str):
        return await client.post("/auth/refresh", json={"refresh_token": token})

    async def test_refresh_returns_a_new_working_pair(self, client, database):
        user = await make_user(client, database, "agent")
        first = await self._pair(client, user.username)
        response = await self._refresh(client, first["refresh_token"])
        assert response.status_code == 200, response.text
        second = response.json()
        assert second["token_type"] == "bearer" and second["expires_in"] == 1800
        assert second["refresh_token"] != first["refresh_token"]
        assert response.headers["cache-control"] == "no-store"
        me = await client.get("/users/me", headers=bearer(second["access_token"]))
        assert me.status_code == 200
        assert me.json()["id"] == user.id
        assert jwt.get_unverified_claims(second["access_token"])["role"] == "agent"
        # The new refresh token rotates too.
        assert (await self._refresh(client, second["refresh_token"])).status_code == 200

    async def test_reusing_a_refresh_token_revokes_the_whole_family(self, client, database, clock):
        user = await make_user(client, database, "agent")
        first = await self._pair(client, user.username)
        second = (await self._refresh(client, first["refresh_token"])).json()
        clock.advance(seconds=31)  # past the grace a lost answer's retry gets
        assert_unauthorized(await self._refresh(client, first["refresh_token"]))
        # The thief or the owner: one of them holds `second`, and it is dead too.
        assert_unauthorized(await self._refresh(client, second["refresh_token"]))

    async def test_reuse_after_the_new_token_was_used_revokes_at_once(self, client, database):
        user = await make_user(client, database, "agent")
        first = await self._pair(client, user.username)
        second = (await self._refresh(client, first["refresh_token"])).json()
        third = (await self._refresh(client, second["refresh_token"])).json()
        # Within the grace, but the session has moved on: this is not a lost answer.
        assert_unauthorized(await self._refresh(client, first["refresh_token"]))
        assert_unauthorized(await self._refresh(client, third["refresh_token"]))

    async def test_a_retry_whose_answer_was_lost_gets_a_new_pair(self, client, database, clock):
        user = await make_user(client, database, "agent")
        first = await self._pair(client, user.username)
        lost = (await self._refresh(client, first["refresh_token"])).json()
        clock.advance(seconds=29)
        retried = await self._refresh(client, first["refresh_token"])
        assert retried.status_code == 200, retried.text
        kept = retried.json()
        assert kept["refresh_token"] not in (first["refresh_token"], lost["refresh_token"])
        me = await client.get("/users/me", headers=bearer(kept["access_token"]))
        assert me.json()["id"] == user.id
        # Only the answer the client got lives on.
        assert_unauthorized(await self._refresh(client, lost["refresh_token"]))
        assert_unauthorized(await self._refresh(client, first["refresh_token"]))
        assert (await self._refresh(client, kept["refresh_token"])).status_code == 200

    async def test_a_token_is_retried_once(self, client, database, clock):
        user = await make_user(client, database, "agent")
        first = await self._pair(client, user.username)
        await self._refresh(client, first["refresh_token"])
        retried = (await self._refresh(client, first["refresh_token"])).json()
        # The retry spent `first` for good: a third try is refused, and the session stays.
        assert_unauthorized(await self._refresh(client, first["refresh_token"]))
        assert (await self._refresh(client, retried["refresh_token"])).status_code == 200

    async def test_reuse_leaves_other_sessions_alone(self, client, database, clock):
        user = await make_user(client, database, "agent")
        stolen = await self._pair(client, user.username)
        other = await self._pair(client, user.username)
        await self._refresh(client, stolen["refresh_token"])
        clock.advance(minutes=1)
        assert_unauthorized(await self._refresh(client, stolen["refresh_token"]))
        assert (await self._refresh(client, other["refresh_token"])).status_code == 200

    @pytest.mark.parametrize("token", ["garbage", "x" * 200])
    async def test_garbage_refresh_token_is_401(self, client, token):
        assert_unauthorized(await self._refresh(client, token))

    async def test_access_token_is_not_a_refresh_token(self, client, database):
        user = await make_user(client, database, "agent")
        pair = await self._pair(client, user.username)
        response = await client.post("/auth/refresh", json={"refresh_token": pair["access_token"]})
        assert response.status_code in (401, 422)
        assert response.headers["content-type"] == PROBLEM

    async def test_empty_or_extra_body_is_422(self, client):
        assert_problem(
            await client.post("/auth/refresh", json={"refresh_token": ""}), 422, "validation"
        )
        body = assert_problem(
            await client.post("/auth/refresh", json={"refresh_token": "a", "user_id": 1}),
            422,
            "validation",
        )
        assert "user_id" in [e["field"] for e in body["errors"]]

    async def test_expired_refresh_token_is_401(self, client, database, clock):
        user = await make_user(client, database, "agent")
        pair = await self._pair(client, user.username)
        clock.advance(days=15)  # refresh tokens live 14 days
        assert_unauthorized(await self._refresh(client, pair["refresh_token"]))

    async def test_logout_revokes_the_refresh_token(self, client, database):
        user = await make_user(client, database, "agent")
        pair = await self._pair(client, user.username)
        response = await client.post("/auth/logout", json={"refresh_token": pair["refresh_token"]})
        assert response.status_code == 204
        assert response.content == b""
        assert_unauthorized(await self._refresh(client, pair["refresh_token"]))

    async def test_logout_revokes_the_rotated_tokens_of_that_session(self, client, database):
        user = await make_user(client, database, "agent")
        first = await self._pair(client, user.username)
        second = (await self._refresh(client, first["refresh_token"])).json()
        assert (
            await client.post("/auth/logout", json={"refresh_token": first["refresh_token"]})
        ).status_code == 204
        assert_unauthorized(await self._refresh(client, second["refresh_token"]))

    async def test_logout_with_an_unknown_token_is_204(self, client):
        response = await client.post("/auth/logout", json={"refresh_token": "never-issued"})
        assert response.status_code == 204

    async def test_deactivating_a_user_ends_their_refresh(self, client, database, users):
        user = await make_user(client, database, "agent")
        pair = await self._pair(client, user.username)
        response = await client.patch(
            f"/users/{user.id}", json={"is_active": False}, headers=users["admin"].headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["is_active"] is False
        assert_unauthorized(await self._refresh(client, pair["refresh_token"]))
        # Reactivating does not bring the old session back.
        assert (
            await client.patch(
                f"/users/{user.id}", json={"is_active": True}, headers=users["admin"].headers
            )
        ).status_code == 200
        assert_unauthorized(await self._refresh(client, pair["refresh_token"]))

    async def test_changing_the_password_ends_refresh(self, client, database):
        user = await make_user(client, database, "agent")
        pair = await self._pair(client, user.username)
        response = await client.patch(
            "/users/me",
            json={"password": "a-new-password-2", "current_password": PASSWORD},
            headers=user.headers,
        )
        assert response.status_code == 200, response.text
        assert_unauthorized(await self._refresh(client, pair["refresh_token"]))


class TestVerifiedTokensStillExpire:
    """decode_access_token remembers tokens it verified; the memory must not outlive `exp`
    nor accept an edited copy."""

    def test_a_remembered_token_expires_and_edits_are_refused(self, monkeypatch):
        from api import security

        claims = security.AccessClaims(
            user_id=7,
            username="u7",
            role="agent",
            department_id=None,
            scopes=frozenset({"customers:read"}),
        )
        now = datetime.now(UTC)
        token = security.encode_access_token(
            claims, key="k" * 32, now=now, lifetime=timedelta(minutes=30)
        )
        assert security.decode_access_token(token, key="k" * 32) == claims
        assert security.decode_access_token(token, key="other" * 8) is None
        exp = int((now + timedelta(minutes=30)).timestamp())
        monkeypatch.setattr(security.time, "time", lambda: exp + 0.5)
        assert security.decode_access_token(token, key="k" * 32) == claims  # as jose: exp is in
        monkeypatch.setattr(security.time, "time", lambda: exp + 1.0)
        assert security.decode_access_token(token, key="k" * 32) is None
        head, body, signature = token.split(".")
        payload = json.loads(base64.urlsafe_b64decode(body + "=="))
        payload["scope"] = "admin"
        forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
        monkeypatch.setattr(security.time, "time", lambda: exp - 60.0)
        assert security.decode_access_token(f"{head}.{forged}.{signature}", key="k" * 32) is None
