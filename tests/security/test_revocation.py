"""Revocation is immediate: deactivation, a role change, a password change and logout end
every access token of the user on its next request (design §4)."""

import pytest

from tests.conftest import PASSWORD, make_user
from tests.support import assert_problem


async def sign_in(client, username: str, password: str = PASSWORD) -> dict:
    response = await client.post("/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def bearer(pair: dict) -> dict:
    return {"Authorization": f"Bearer {pair['access_token']}"}


async def works(client, headers: dict) -> bool:
    response = await client.get("/users/me", headers=headers)
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


class TestEveryTokenEnds:
    @pytest.mark.parametrize(
        "change", [{"is_active": False}, {"role": "readonly"}, {"password": "a-fresh-secret-93"}]
    )
    async def test_an_admins_change_ends_all_the_users_tokens(
        self, client, database, users, change
    ):
        user = await make_user(client, database, "agent")
        second = bearer(await sign_in(client, user.username))  # another device
        assert await works(client, user.headers) and await works(client, second)
        response = await client.patch(
            f"/users/{user.id}", json=change, headers=users["admin"].headers
        )
        assert response.status_code == 200, response.text
        for headers in (user.headers, second):
            assert_problem(await client.get("/users/me", headers=headers), 401, "unauthorized")

    async def test_a_demoted_admin_cannot_create_an_admin_with_the_old_token(
        self, client, database, users
    ):
        admin = await make_user(client, database, "admin")
        response = await client.patch(
            f"/users/{admin.id}", json={"role": "agent"}, headers=users["admin"].headers
        )
        assert response.status_code == 200, response.text
        attempt = await client.post(
            "/users",
            headers=admin.headers,
            json={
                "username": "sneaky-admin",
                "password": "kq8#vz2!mw-x",
                "role": "admin",
                "display_name": "x",
            },
        )
        assert_problem(attempt, 401, "unauthorized")
        everyone = await client.get("/users", headers=users["admin"].headers)
        assert "sneaky-admin" not in [u["username"] for u in everyone.json()]

    async def test_a_deactivated_admins_token_writes_nothing(self, client, database, users):
        admin = await make_user(client, database, "admin")
        assert (
            await client.patch(
                f"/users/{admin.id}", json={"is_active": False}, headers=users["admin"].headers
            )
        ).status_code == 200
        response = await client.post("/tags", json={"name": "区域-不该有"}, headers=admin.headers)
        assert_problem(response, 401, "unauthorized")
        tags = await client.get("/tags", headers=users["admin"].headers)
        assert "区域-不该有" not in [t["name"] for t in tags.json()]

    async def test_a_new_role_applies_after_signing_in_again(self, client, database, users):
        user = await make_user(client, database, "agent")
        await client.patch(
            f"/users/{user.id}", json={"role": "supervisor"}, headers=users["admin"].headers
        )
        fresh = bearer(await sign_in(client, user.username))
        me = await client.get("/users/me", headers=fresh)
        assert me.json()["role"] == "supervisor"

    async def test_logout_ends_the_access_token_and_every_session(self, client, database):
        user = await make_user(client, database, "agent")
        first = await sign_in(client, user.username)
        second = await sign_in(client, user.username)
        response = await client.post("/auth/logout", json={"refresh_token": first["refresh_token"]})
        assert response.status_code == 204
        for pair in (first, second):
            assert not await works(client, bearer(pair))
            refreshed = await client.post(
                "/auth/refresh", json={"refresh_token": pair["refresh_token"]}
            )
            assert_problem(refreshed, 401, "unauthorized")
        assert await works(client, bearer(await sign_in(client, user.username)))

    async def test_own_password_change_ends_the_current_token_too(self, client, database):
        user = await make_user(client, database, "readonly")
        response = await client.patch(
            "/users/me",
            headers=user.headers,
            json={"password": "another-secret-41", "current_password": PASSWORD},
        )
        assert response.status_code == 200, response.text
        assert not await works(client, user.headers)
        assert await works(
            client, bearer(await sign_in(client, user.username, "another-secret-41"))
        )

    async def test_a_display_name_change_keeps_the_tokens(self, client, database):
        user = await make_user(client, database, "agent")
        response = await client.patch(
            "/users/me", json={"display_name": "新名字"}, headers=user.headers
        )
        assert response.status_code == 200, response.text
        assert await works(client, user.headers)

    async def test_other_users_are_not_affected(self, client, database, users):
        user = await make_user(client, database, "agent")
        bystander = await make_user(client, database, "agent")
        await client.patch(
            f"/users/{user.id}", json={"is_active": False}, headers=users["admin"].headers
        )
        assert await works(client, bystander.headers)
