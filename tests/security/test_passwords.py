"""Password changes: the current password is required for your own, and weak new ones are
refused on every path that sets one."""

import pytest

from tests.conftest import PASSWORD, PRODUCTION_PASSWORDS, make_user
from tests.support import assert_problem

WEAK = [
    "short-9",
    "          ",
    " \t\t\t\t\t\t\t\t ",
    "1234567890",
    "password123",
    "qwertyuiop",
    "aaaaaaaaaaaa",
    "ababababab",
]


async def can_sign_in(client, username: str, password: str) -> bool:
    response = await client.post("/auth/token", data={"username": username, "password": password})
    return response.status_code == 200


class TestOwnPassword:
    async def test_without_the_current_password_is_422_and_changes_nothing(self, client, database):
        user = await make_user(client, database, "agent")
        response = await client.patch(
            "/users/me", json={"password": "stolen-token-takeover"}, headers=user.headers
        )
        assert_problem(response, 422, "validation", field="current_password")
        assert await can_sign_in(client, user.username, PASSWORD)
        assert not await can_sign_in(client, user.username, "stolen-token-takeover")

    @pytest.mark.parametrize("wrong", ["", "guess-guess-1", PASSWORD + " "])
    async def test_a_wrong_current_password_is_422(self, client, database, wrong):
        user = await make_user(client, database, "supervisor")
        response = await client.patch(
            "/users/me",
            headers=user.headers,
            json={"password": "stolen-token-takeover", "current_password": wrong},
        )
        assert_problem(response, 422, "validation", field="current_password")
        assert await can_sign_in(client, user.username, PASSWORD)

    async def test_an_admin_needs_it_for_their_own_too(self, client, database):
        admin = await make_user(client, database, "admin")
        response = await client.patch(
            f"/users/{admin.id}", headers=admin.headers, json={"password": "stolen-token-takeover"}
        )
        assert_problem(response, 422, "validation", field="current_password")

    async def test_an_admin_resets_someone_elses_without_it(self, client, database, users):
        user = await make_user(client, database, "agent")
        response = await client.patch(
            f"/users/{user.id}",
            headers=users["admin"].headers,
            json={"password": "reset-by-admin-5"},
        )
        assert response.status_code == 200, response.text
        assert await can_sign_in(client, user.username, "reset-by-admin-5")

    async def test_current_password_for_someone_else_is_refused(self, client, database, users):
        user = await make_user(client, database, "agent")
        response = await client.patch(
            f"/users/{user.id}",
            headers=users["admin"].headers,
            json={"display_name": "x", "current_password": "x"},
        )
        assert_problem(response, 422, "validation", field="current_password")


class TestStrength:
    @pytest.mark.parametrize("weak", WEAK)
    async def test_weak_passwords_are_refused_on_change(self, client, database, weak):
        user = await make_user(client, database, "agent")
        response = await client.patch(
            "/users/me", headers=user.headers, json={"password": weak, "current_password": PASSWORD}
        )
        assert_problem(response, 422, "validation", field="password")
        assert await can_sign_in(client, user.username, PASSWORD)

    @pytest.mark.parametrize("weak", WEAK)
    async def test_weak_passwords_are_refused_on_create(self, client, users, weak):
        response = await client.post(
            "/users",
            headers=users["admin"].headers,
            json={"username": "weakling-1", "password": weak, "role": "agent", "display_name": "w"},
        )
        assert_problem(response, 422, "validation", field="password")

    async def test_the_username_is_refused_as_the_password(self, client, users):
        for password in ("zhang.wei.2026", "ZHANG.WEI.2026"):
            response = await client.post(
                "/users",
                headers=users["admin"].headers,
                json={
                    "username": "zhang.wei.2026",
                    "password": password,
                    "role": "agent",
                    "display_name": "张伟",
                },
            )
            assert_problem(response, 422, "validation", field="password")

    async def test_a_long_uncommon_password_is_accepted(self, client, users):
        response = await client.post(
            "/users",
            headers=users["admin"].headers,
            json={
                "username": "strong-one-1",
                "password": "马到成功 river 42",
                "role": "agent",
                "display_name": "s",
            },
        )
        assert response.status_code == 201, response.text


def test_production_hashes_with_owasps_minimum_for_argon2id():
    """19 MiB of memory, 2 iterations, 1 lane (the tests themselves hash at a lower cost)."""
    stored = PRODUCTION_PASSWORDS.hash("correct-horse-1")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PRODUCTION_PASSWORDS.verify("correct-horse-1", stored)
    assert not PRODUCTION_PASSWORDS.verify("correct-horse-2", stored)
