"""Users and departments: who may create and change them, validation, If-Match, the last
admin, and the audit trail."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
from jose import jwt
from sqlalchemy import text

from api.app import create_app
from api.security import Passwords
from config import Settings
from domain import user_service
from domain.errors import Conflict
from domain.roles import Actor, Role
from persistence.db import Database, backend_name
from persistence.migrate import upgrade
from persistence.uow import SqlUnitOfWork
from tests import conftest
from tests.conftest import PASSWORD, MovableClock, fresh_database, make_user
from tests.support import assert_problem

NON_ADMINS = ["supervisor", "am", "agent", "readonly"]
ALL_ROLES = ["admin", *NON_ADMINS]


def error_fields(body: dict) -> list[str]:
    return [e["field"] for e in body["errors"]]


def new_user_body(**overrides) -> dict:
    name = f"u-{uuid.uuid4().hex[:8]}"
    return {
        "username": name,
        "password": "long-enough-1",
        "role": "agent",
        "display_name": f"用户 {name}",
        **overrides,
    }


async def login(client, username: str, password: str = PASSWORD):
    return await client.post("/auth/token", data={"username": username, "password": password})


async def stored_user(client, admin: conftest.TestUser, user_id: int) -> dict:
    response = await client.get(f"/users/{user_id}", headers=admin.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def audit_events(
    client,
    admin: conftest.TestUser,
    entity_type: str,
    entity_id: int,
) -> list[dict]:
    response = await client.get(
        "/audit-events",
        params={"entity_type": entity_type, "entity_id": entity_id},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


class TestCreateUser:
    async def test_admin_creates_a_user_who_can_sign_in(self, client, users):
        body = new_user_body(role="supervisor")
        response = await client.post("/users", json=body, headers=users["admin"].headers)
        assert response.status_code == 201, response.text
        created = response.json()
        assert created["username"] == body["username"]
        assert created["display_name"] == body["display_name"]
        assert created["role"] == "supervisor"
        assert created["department_id"] is None
        assert created["is_active"] is True
        assert created["version"] == 1
        assert "password" not in created and "password_hash" not in created
        signed_in = await login(client, body["username"], body["password"])
        assert signed_in.status_code == 200
        assert jwt.get_unverified_claims(signed_in.json()["access_token"])["role"] == "supervisor"

    async def test_admin_creates_a_user_in_a_department(self, client, users):
        department = await create_department(client, users["admin"])
        body = new_user_body(department_id=department["id"])
        response = await client.post("/users", json=body, headers=users["admin"].headers)
        assert response.status_code == 201, response.text
        assert response.json()["department_id"] == department["id"]

    @pytest.mark.parametrize("role", NON_ADMINS)
    async def test_other_roles_are_403_and_nothing_is_created(self, client, users, role):
        body = new_user_body()
        response = await client.post("/users", json=body, headers=users[role].headers)
        assert_problem(response, 403, "forbidden")
        assert_problem(await login(client, body["username"], body["password"]), 401, "unauthorized")
        listed = await client.get("/users", headers=users["admin"].headers)
        assert body["username"] not in [u["username"] for u in listed.json()]

    async def test_anonymous_is_401(self, client):
        response = await client.post("/users", json=new_user_body())
        assert_problem(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"

    async def test_duplicate_username_is_409(self, client, users):
        body = new_user_body()
        assert (
            await client.post("/users", json=body, headers=users["admin"].headers)
        ).status_code == 201
        again = await client.post(
            "/users", json={**body, "display_name": "另一个"}, headers=users["admin"].headers
        )
        problem = assert_problem(again, 409, "duplicate")
        assert error_fields(problem) == ["username"]

    @pytest.mark.parametrize("password", ["", "1234567", "short"])
    async def test_short_password_is_422(self, client, users, password):
        body = new_user_body(password=password)
        response = await client.post("/users", json=body, headers=users["admin"].headers)
        problem = assert_problem(response, 422, "validation")
        assert "password" in error_fields(problem)
        assert_problem(await login(client, body["username"], password or "x"), 401, "unauthorized")

    async def test_ten_characters_is_enough(self, client, users):
        response = await client.post(
            "/users", json=new_user_body(password="kq8#vz2!mw"), headers=users["admin"].headers
        )
        assert response.status_code == 201, response.text

    @pytest.mark.parametrize("role", ["superuser", "Admin", "", None])
    async def test_unknown_role_is_422(self, client, users, role):
        response = await client.post(
            "/users", json=new_user_body(role=role), headers=users["admin"].headers
        )
        problem = assert_problem(response, 422, "validation")
        assert "role" in error_fields(problem)

    @pytest.mark.parametrize(
        "extra",
        [
            {"id": 1},
            {"version": 7},
            {"is_admin": True},
            {"password_hash": "x"},
            {"is_active": False},
        ],
    )
    async def test_unknown_fields_are_422(self, client, users, extra):
        body = new_user_body(**extra)
        response = await client.post("/users", json=body, headers=users["admin"].headers)
        problem = assert_problem(response, 422, "validation")
        assert list(extra) == error_fields(problem)

    async def test_unknown_department_is_422(self, client, users):
        body = new_user_body(department_id=987654321)
        response = await client.post("/users", json=body, headers=users["admin"].headers)
        problem = assert_problem(response, 422, "validation")
        assert error_fields(problem) == ["department_id"]
        assert_problem(await login(client, body["username"], body["password"]), 401, "unauthorized")

    @pytest.mark.parametrize("username", ["ab", "has space", "中文名字", "x" * 65])
    async def test_bad_username_is_422(self, client, users, username):
        response = await client.post(
            "/users", json=new_user_body(username=username), headers=users["admin"].headers
        )
        problem = assert_problem(response, 422, "validation")
        assert "username" in error_fields(problem)

    async def test_missing_display_name_is_422(self, client, users):
        body = new_user_body()
        del body["display_name"]
        response = await client.post("/users", json=body, headers=users["admin"].headers)
        assert "display_name" in error_fields(assert_problem(response, 422, "validation"))


class TestReadUsers:
    @pytest.mark.parametrize("role", ALL_ROLES)
    async def test_me_is_the_signed_in_user(self, client, users, role):
        response = await client.get("/users/me", headers=users[role].headers)
        assert response.status_code == 200
        me = response.json()
        assert me["id"] == users[role].id
        assert me["username"] == users[role].username
        assert me["role"] == users[role].role

    async def test_me_carries_an_etag_for_if_match(self, client, database):
        user = await make_user(client, database, "agent")
        read = await client.get("/users/me", headers=user.headers)
        assert read.headers["etag"] == '"1"'
        response = await client.patch(
            "/users/me",
            json={"display_name": "改过"},
            headers={**user.headers, "If-Match": read.headers["etag"]},
        )
        assert response.status_code == 200, response.text
        assert (await client.get("/users/me", headers=user.headers)).headers["etag"] == '"2"'

    async def test_anyone_sets_their_own_language_and_only_a_known_one(self, client, database):
        user = await make_user(client, database, "readonly")
        assert (await client.get("/users/me", headers=user.headers)).json()["language"] == "zh-CN"
        response = await client.patch("/users/me", json={"language": "en"}, headers=user.headers)
        assert response.status_code == 200, response.text
        assert response.json()["language"] == "en"
        for wrong in ("fr", None, "EN"):
            assert_problem(
                await client.patch("/users/me", json={"language": wrong}, headers=user.headers),
                422,
            )
        assert (await client.get("/users/me", headers=user.headers)).json()["language"] == "en"

    async def test_anyone_mutes_e_mail_topics_of_their_own(self, client, database):
        user = await make_user(client, database, "agent")
        assert (await client.get("/users/me", headers=user.headers)).json()["email_muted"] == []
        response = await client.patch(
            "/users/me", json={"email_muted": ["sla", "reports", "sla"]}, headers=user.headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["email_muted"] == ["reports", "sla"]
        for wrong in (["backups"], None, "sla"):
            assert_problem(
                await client.patch("/users/me", json={"email_muted": wrong}, headers=user.headers),
                422,
            )
        assert (await client.get("/users/me", headers=user.headers)).json()["email_muted"] == [
            "reports",
            "sla",
        ]

    async def test_me_needs_a_token(self, client):
        assert_problem(await client.get("/users/me"), 401, "unauthorized")

    @pytest.mark.parametrize("role", ALL_ROLES)
    async def test_everyone_lists_users_for_pickers(self, client, users, role):
        response = await client.get("/users", headers=users[role].headers)
        assert response.status_code == 200
        ids = {u["id"] for u in response.json()}
        assert {u.id for u in users.values()} <= ids
        assert all("password_hash" not in u for u in response.json())

    async def test_one_user_carries_an_etag(self, client, users):
        response = await client.get(f"/users/{users['agent'].id}", headers=users["am"].headers)
        assert response.status_code == 200
        assert response.headers["etag"] == f'"{response.json()["version"]}"'

    async def test_unknown_user_is_404(self, client, users):
        assert_problem(
            await client.get("/users/987654321", headers=users["admin"].headers), 404, "not-found"
        )


class TestUpdateMe:
    async def test_change_display_name(self, client, database):
        user = await make_user(client, database, "agent")
        response = await client.patch(
            "/users/me", json={"display_name": "张三"}, headers=user.headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["display_name"] == "张三"
        assert response.json()["version"] == 2
        assert (await client.get("/users/me", headers=user.headers)).json()[
            "display_name"
        ] == "张三"

    async def test_change_password_then_sign_in_with_it(self, client, database):
        user = await make_user(client, database, "agent")
        response = await client.patch(
            "/users/me",
            json={"password": "brand-new-secret", "current_password": PASSWORD},
            headers=user.headers,
        )
        assert response.status_code == 200, response.text
        assert (await login(client, user.username, "brand-new-secret")).status_code == 200
        assert_problem(await login(client, user.username, PASSWORD), 401, "unauthorized")

    async def test_short_new_password_is_422_and_the_old_one_still_works(self, client, database):
        user = await make_user(client, database, "agent")
        response = await client.patch(
            "/users/me",
            json={"password": "short", "current_password": PASSWORD},
            headers=user.headers,
        )
        assert error_fields(assert_problem(response, 422, "validation")) == ["password"]
        assert (await login(client, user.username, PASSWORD)).status_code == 200

    @pytest.mark.parametrize("role", ["agent", "readonly", "supervisor", "account_manager"])
    async def test_cannot_make_yourself_admin(self, client, database, role):
        user = await make_user(client, database, role)
        response = await client.patch("/users/me", json={"role": "admin"}, headers=user.headers)
        problem = assert_problem(response, 403, "fields-forbidden")
        assert error_fields(problem) == ["role"]
        me = await client.get("/users/me", headers=user.headers)
        assert me.json()["role"] == role
        assert me.json()["version"] == 1
        # A fresh sign-in still carries the old role and scopes.
        signed_in = await login(client, user.username)
        assert signed_in.status_code == 200
        token_claims = jwt.get_unverified_claims(signed_in.json()["access_token"])
        assert token_claims["role"] == role
        assert "users:admin" not in token_claims["scope"].split()

    async def test_forbidden_fields_refuse_the_whole_patch(self, client, database):
        user = await make_user(client, database, "agent")
        response = await client.patch(
            "/users/me",
            json={
                "display_name": "偷偷改名",
                "role": "admin",
                "is_active": True,
                "department_id": None,
            },
            headers=user.headers,
        )
        problem = assert_problem(response, 403, "fields-forbidden")
        assert error_fields(problem) == ["department_id", "is_active", "role"]
        me = (await client.get("/users/me", headers=user.headers)).json()
        assert me["display_name"] == user.username
        assert me["role"] == "agent"

    async def test_unknown_fields_are_422(self, client, database):
        user = await make_user(client, database, "agent")
        response = await client.patch("/users/me", json={"is_admin": True}, headers=user.headers)
        assert error_fields(assert_problem(response, 422, "validation")) == ["is_admin"]

    async def test_stale_if_match_is_412(self, client, database):
        user = await make_user(client, database, "agent")
        response = await client.patch(
            "/users/me",
            json={"display_name": "新名字"},
            headers={**user.headers, "If-Match": '"7"'},
        )
        problem = assert_problem(response, 412, "version-mismatch")
        assert problem["current_version"] == 1
        assert (await client.get("/users/me", headers=user.headers)).json()[
            "display_name"
        ] == user.username


class TestUpdateOtherUser:
    @pytest.mark.parametrize("role", NON_ADMINS)
    async def test_non_admin_cannot_patch_someone_else(self, client, database, users, role):
        # 403, not 404: GET /users shows every user to every role, so there is nothing to hide.
        target = await make_user(client, database, "agent")
        for body in (
            {"display_name": "被改了"},
            {"role": "admin"},
            {"is_active": False},
            {"password": "hijacked-password"},
        ):
            response = await client.patch(
                f"/users/{target.id}", json=body, headers=users[role].headers
            )
            assert_problem(response, 403, "forbidden")
        after = await stored_user(client, users["admin"], target.id)
        assert (after["display_name"], after["role"], after["is_active"], after["version"]) == (
            target.username,
            "agent",
            True,
            1,
        )
        assert (await login(client, target.username)).status_code == 200

    async def test_non_admin_gets_403_for_a_missing_user_too(self, client, users):
        response = await client.patch(
            "/users/987654321", json={"display_name": "x"}, headers=users["agent"].headers
        )
        assert_problem(response, 403, "forbidden")

    async def test_non_admin_cannot_use_the_admin_route_on_themselves(self, client, database):
        user = await make_user(client, database, "agent")
        response = await client.patch(
            f"/users/{user.id}", json={"role": "admin"}, headers=user.headers
        )
        assert_problem(response, 403, "forbidden")
        assert (await client.get("/users/me", headers=user.headers)).json()["role"] == "agent"

    async def test_admin_changes_role(self, client, database, users):
        target = await make_user(client, database, "agent")
        response = await client.patch(
            f"/users/{target.id}", json={"role": "supervisor"}, headers=users["admin"].headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["role"] == "supervisor"
        assert response.json()["version"] == 2
        signed_in = await login(client, target.username)
        assert jwt.get_unverified_claims(signed_in.json()["access_token"])["role"] == "supervisor"

    async def test_admin_changes_department_and_name(self, client, database, users):
        department = await create_department(client, users["admin"])
        target = await make_user(client, database, "agent")
        response = await client.patch(
            f"/users/{target.id}",
            json={"department_id": department["id"], "display_name": "李四"},
            headers=users["admin"].headers,
        )
        assert response.status_code == 200, response.text
        assert (response.json()["department_id"], response.json()["display_name"]) == (
            department["id"],
            "李四",
        )

    async def test_admin_sets_an_unknown_department_is_422(self, client, database, users):
        target = await make_user(client, database, "agent")
        response = await client.patch(
            f"/users/{target.id}", json={"department_id": 987654321}, headers=users["admin"].headers
        )
        assert error_fields(assert_problem(response, 422, "validation")) == ["department_id"]
        assert (await stored_user(client, users["admin"], target.id))["version"] == 1

    @pytest.mark.parametrize("field", ["display_name", "password", "role", "is_active"])
    async def test_null_for_a_required_field_is_422(self, client, database, users, field):
        target = await make_user(client, database, "agent")
        response = await client.patch(
            f"/users/{target.id}", json={field: None}, headers=users["admin"].headers
        )
        assert error_fields(assert_problem(response, 422, "validation")) == [field]
        assert (await stored_user(client, users["admin"], target.id))["version"] == 1

    async def test_admin_patches_an_unknown_user_is_404(self, client, users):
        response = await client.patch(
            "/users/987654321", json={"display_name": "x"}, headers=users["admin"].headers
        )
        assert_problem(response, 404, "not-found")

    async def test_admin_sets_a_password(self, client, database, users):
        target = await make_user(client, database, "agent")
        response = await client.patch(
            f"/users/{target.id}",
            json={"password": "reset-by-admin"},
            headers=users["admin"].headers,
        )
        assert response.status_code == 200, response.text
        assert (await login(client, target.username, "reset-by-admin")).status_code == 200


class TestIfMatch:
    async def test_stale_version_is_412_and_changes_nothing(self, client, database, users):
        admin = users["admin"]
        target = await make_user(client, database, "agent")
        read = await client.get(f"/users/{target.id}", headers=admin.headers)
        seen = read.headers["etag"]
        first = await client.patch(
            f"/users/{target.id}",
            json={"display_name": "第一"},
            headers={**admin.headers, "If-Match": seen},
        )
        assert first.status_code == 200, first.text
        assert first.json()["version"] == 2
        second = await client.patch(
            f"/users/{target.id}",
            json={"role": "supervisor"},
            headers={**admin.headers, "If-Match": seen},
        )
        problem = assert_problem(second, 412, "version-mismatch")
        assert problem["current_version"] == 2
        after = await stored_user(client, admin, target.id)
        assert (after["role"], after["display_name"], after["version"]) == ("agent", "第一", 2)

    async def test_current_version_and_star_are_accepted(self, client, database, users):
        admin = users["admin"]
        target = await make_user(client, database, "agent")
        for if_match, name in (('"1"', "一"), ('W/"2"', "二"), ("*", "三")):
            response = await client.patch(
                f"/users/{target.id}",
                json={"display_name": name},
                headers={**admin.headers, "If-Match": if_match},
            )
            assert response.status_code == 200, response.text
        assert (await stored_user(client, admin, target.id))["version"] == 4

    async def test_malformed_if_match_is_422(self, client, database, users):
        target = await make_user(client, database, "agent")
        response = await client.patch(
            f"/users/{target.id}",
            json={"display_name": "x"},
            headers={**users["admin"].headers, "If-Match": "abc"},
        )
        assert error_fields(assert_problem(response, 422, "validation")) == ["If-Match"]


@pytest.fixture(scope="class")
def lonely_database_url(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, migrated database of the same back-end as the shared one (sync: creating a
    PostgreSQL database runs its own event loop)."""
    with fresh_database(backend_name(database_url), tmp_path_factory.mktemp("lonely")) as url:
        upgrade(url)
        yield url


@dataclass(frozen=True)
class LonelyAdmin:
    client: httpx.AsyncClient
    admin: conftest.TestUser
    database: Database


@pytest.fixture(scope="class")
async def lonely_admin(
    lonely_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LonelyAdmin]:
    """An app on its own database whose only user is one admin: the shared test database
    has admins from every other test, so "the last admin" cannot be staged there."""
    settings = Settings(
        database_url=lonely_database_url,
        secret_key="test-secret-key-0123456789",
        var_dir=tmp_path_factory.mktemp("var"),
        frontend_dist=tmp_path_factory.mktemp("no-frontend"),
    )
    app = create_app(settings, clock=MovableClock())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as client:
            database = app.state.database
            yield LonelyAdmin(client, await make_user(client, database, "admin"), database)
    finally:
        await app.state.database.dispose()


class TestLastActiveAdmin:
    """The last active admin can neither demote nor deactivate themselves (409). The tests
    run in order on one fresh database and leave exactly one active admin behind."""

    async def _assert_still_admin(self, client, admin: conftest.TestUser) -> None:
        me = (await client.get("/users/me", headers=admin.headers)).json()
        assert (me["role"], me["is_active"]) == ("admin", True)

    async def test_last_admin_cannot_demote_themselves(self, lonely_admin):
        client, admin = lonely_admin.client, lonely_admin.admin
        response = await client.patch(
            "/users/me", json={"role": "supervisor"}, headers=admin.headers
        )
        assert_problem(response, 409, "conflict")
        response = await client.patch(
            f"/users/{admin.id}",
            json={"role": "agent", "display_name": "改名"},
            headers=admin.headers,
        )
        assert_problem(response, 409, "conflict")
        await self._assert_still_admin(client, admin)
        assert (await client.get("/users/me", headers=admin.headers)).json()[
            "display_name"
        ] == admin.username

    async def test_last_admin_cannot_deactivate_themselves(self, lonely_admin):
        client, admin = lonely_admin.client, lonely_admin.admin
        response = await client.patch(
            f"/users/{admin.id}", json={"is_active": False}, headers=admin.headers
        )
        assert_problem(response, 409, "conflict")
        await self._assert_still_admin(client, admin)
        assert (await login(client, admin.username)).status_code == 200

    async def test_an_inactive_admin_does_not_count(self, lonely_admin):
        client, admin = lonely_admin.client, lonely_admin.admin
        response = await client.post(
            "/users", json=new_user_body(role="admin"), headers=admin.headers
        )
        assert response.status_code == 201, response.text
        other = response.json()
        assert (
            await client.patch(
                f"/users/{other['id']}", json={"is_active": False}, headers=admin.headers
            )
        ).status_code == 200
        assert_problem(
            await client.patch("/users/me", json={"role": "agent"}, headers=admin.headers),
            409,
            "conflict",
        )
        await self._assert_still_admin(client, admin)

    async def test_with_a_second_active_admin_one_may_step_down(self, lonely_admin):
        client, admin = lonely_admin.client, lonely_admin.admin
        body = new_user_body(role="admin")
        assert (await client.post("/users", json=body, headers=admin.headers)).status_code == 201
        second_token = (await login(client, body["username"], body["password"])).json()
        second = {"Authorization": f"Bearer {second_token['access_token']}"}
        response = await client.patch("/users/me", json={"role": "supervisor"}, headers=second)
        assert response.status_code == 200, response.text
        assert response.json()["role"] == "supervisor"
        # Now `admin` is the last one again.
        assert_problem(
            await client.patch(
                f"/users/{admin.id}", json={"is_active": False}, headers=admin.headers
            ),
            409,
            "conflict",
        )
        await self._assert_still_admin(client, admin)

    async def test_two_admins_stepping_down_at_once_leave_one(self, lonely_admin):
        """Without locking, each transaction counts two active admins and both step down."""
        client, admin, database = lonely_admin.client, lonely_admin.admin, lonely_admin.database
        created = await client.post(
            "/users", json=new_user_body(role="admin"), headers=admin.headers
        )
        other = Actor(user_id=created.json()["id"], role=Role.ADMIN)
        me = Actor(user_id=admin.id, role=Role.ADMIN)
        async with database.session(write=True) as first:
            await step_down(SqlUnitOfWork(first), other)
            # Still uncommitted: the second transaction must wait for it, not count around it.
            second = asyncio.create_task(step_down_alone(database, me))
            await until_blocked(database, second)
        with pytest.raises(Conflict):
            await second
        await self._assert_still_admin(client, admin)
        assert (await client.get(f"/users/{other.user_id}", headers=admin.headers)).json()[
            "role"
        ] == "supervisor"


async def step_down(uow: SqlUnitOfWork, actor: Actor) -> None:
    await user_service.update_user(
        uow,
        MovableClock(),
        Passwords,
        actor,
        actor.user_id,
        {"role": Role.SUPERVISOR},
        if_match=None,
    )


async def step_down_alone(database: Database, actor: Actor) -> None:
    async with database.session(write=True) as session:
        await step_down(SqlUnitOfWork(session), actor)


async def until_blocked(database: Database, task: asyncio.Task) -> None:
    """Return once `task` waits for a row lock (PostgreSQL) or has finished. On SQLite the
    second writer cannot even begin before the first commits, so there is nothing to see."""
    if database.backend != "postgresql":
        return
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(1000):  # each round trip yields to the task; bounded, never a sleep
        if task.done():
            return
        async with database.session(write=False) as session:
            if await session.scalar(waiting):
                return


class TestUserAudit:
    async def test_creating_a_user_is_audited_without_the_password(self, client, users):
        admin = users["admin"]
        body = new_user_body(role="agent", password="secret-in-clear-1")
        created = (await client.post("/users", json=body, headers=admin.headers)).json()
        events = await audit_events(client, admin, "user", created["id"])
        assert [e["action"] for e in events] == ["create"]
        event = events[0]
        assert event["actor_id"] == admin.id
        assert event["entity_type"] == "user" and event["entity_id"] == created["id"]
        assert event["changes"]["username"] == [None, body["username"]]
        assert event["changes"]["role"] == [None, "agent"]
        assert event["changes"]["display_name"] == [None, body["display_name"]]
        assert event["changes"].get("password", ["***", "***"]) in (["***", "***"], [None, "***"])
        assert "secret-in-clear-1" not in str(events)
        assert "argon2" not in str(events)  # nor its hash

    async def test_updating_a_user_records_before_and_after(self, client, database, users):
        admin = users["admin"]
        target = await make_user(client, database, "agent")
        response = await client.patch(
            f"/users/{target.id}",
            json={"role": "supervisor", "display_name": "王五", "password": "changed-secret-9"},
            headers=admin.headers,
        )
        assert response.status_code == 200, response.text
        events = await audit_events(client, admin, "user", target.id)
        assert [e["action"] for e in events] == ["update", "create"]  # newest first
        changes = events[0]["changes"]
        assert changes == {
            "role": ["agent", "supervisor"],
            "display_name": [target.username, "王五"],
            "password": ["***", "***"],
        }
        assert events[0]["actor_id"] == admin.id
        assert "changed-secret-9" not in str(events)
        assert PASSWORD not in str(events)

    async def test_own_password_change_is_audited_masked(self, client, database, users):
        user = await make_user(client, database, "agent")
        assert (
            await client.patch(
                "/users/me",
                json={"password": "my-new-secret-7", "current_password": PASSWORD},
                headers=user.headers,
            )
        ).status_code == 200
        events = await audit_events(client, users["admin"], "user", user.id)
        assert events[0]["action"] == "update"
        assert events[0]["actor_id"] == user.id
        assert events[0]["changes"] == {"password": ["***", "***"]}
        assert "my-new-secret-7" not in str(events)

    async def test_refused_changes_are_not_audited(self, client, database, users):
        user = await make_user(client, database, "agent")
        await client.patch("/users/me", json={"role": "admin"}, headers=user.headers)
        events = await audit_events(client, users["admin"], "user", user.id)
        assert [e["action"] for e in events] == ["create"]

    @pytest.mark.parametrize("role", NON_ADMINS)
    async def test_only_admins_read_the_audit_trail(self, client, users, role):
        response = await client.get(
            "/audit-events", params={"entity_type": "user"}, headers=users[role].headers
        )
        assert_problem(response, 403, "forbidden")


async def create_department(client, admin: conftest.TestUser, **overrides) -> dict:
    suffix = uuid.uuid4().hex[:8]
    body = {"key": f"dept_{suffix}", "name": f"客服{suffix}部", **overrides}
    response = await client.post("/departments", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    return response.json()


class TestDepartments:
    @pytest.mark.parametrize("role", ALL_ROLES)
    async def test_every_signed_in_user_lists_departments(self, client, users, role):
        department = await create_department(client, users["admin"])
        response = await client.get("/departments", headers=users[role].headers)
        assert response.status_code == 200
        assert department in response.json()

    async def test_listing_needs_a_token(self, client):
        assert_problem(await client.get("/departments"), 401, "unauthorized")

    async def test_admin_creates_a_department(self, client, users):
        key = f"dept_x_{uuid.uuid4().hex[:6]}"
        department = await create_department(
            client, users["admin"], key=key, supervisor_id=users["supervisor"].id
        )
        assert department["supervisor_id"] == users["supervisor"].id
        assert department["version"] == 1
        assert department["key"] == key

    @pytest.mark.parametrize("role", NON_ADMINS)
    async def test_only_admins_create(self, client, users, role):
        key = f"dept_{uuid.uuid4().hex[:8]}"
        response = await client.post(
            "/departments", json={"key": key, "name": key}, headers=users[role].headers
        )
        assert_problem(response, 403, "forbidden")
        listed = (await client.get("/departments", headers=users["admin"].headers)).json()
        assert key not in [d["key"] for d in listed]

    @pytest.mark.parametrize("role", NON_ADMINS)
    async def test_only_admins_update(self, client, users, role):
        department = await create_department(client, users["admin"])
        response = await client.patch(
            f"/departments/{department['id']}", json={"name": "被改了"}, headers=users[role].headers
        )
        assert_problem(response, 403, "forbidden")
        listed = (await client.get("/departments", headers=users["admin"].headers)).json()
        assert department in listed

    async def test_duplicate_key_is_409(self, client, users):
        department = await create_department(client, users["admin"])
        response = await client.post(
            "/departments",
            json={"key": department["key"], "name": "别的名字" + uuid.uuid4().hex[:6]},
            headers=users["admin"].headers,
        )
        assert error_fields(assert_problem(response, 409, "duplicate")) == ["key"]

    async def test_duplicate_name_is_409(self, client, users):
        department = await create_department(client, users["admin"])
        response = await client.post(
            "/departments",
            json={"key": f"dept_{uuid.uuid4().hex[:8]}", "name": department["name"]},
            headers=users["admin"].headers,
        )
        assert error_fields(assert_problem(response, 409, "duplicate")) == ["name"]

    async def test_renaming_onto_another_key_is_409(self, client, users):
        first = await create_department(client, users["admin"])
        second = await create_department(client, users["admin"])
        response = await client.patch(
            f"/departments/{second['id']}",
            json={"key": first["key"]},
            headers=users["admin"].headers,
        )
        assert error_fields(assert_problem(response, 409, "duplicate")) == ["key"]
        listed = (await client.get("/departments", headers=users["admin"].headers)).json()
        assert second in listed

    async def test_admin_renames_and_sets_a_supervisor(self, client, users):
        department = await create_department(client, users["admin"])
        response = await client.patch(
            f"/departments/{department['id']}",
            json={
                "name": f"售后{uuid.uuid4().hex[:6]}",
                "supervisor_id": users["supervisor"].id,
                "key": department["key"],
            },  # its own key is not a duplicate
            headers={**users["admin"].headers, "If-Match": '"1"'},
        )
        assert response.status_code == 200, response.text
        assert response.json()["supervisor_id"] == users["supervisor"].id
        assert response.json()["version"] == 2
        events = await audit_events(client, users["admin"], "department", department["id"])
        assert [e["action"] for e in events] == ["update", "create"]
        assert events[0]["changes"]["supervisor_id"] == [None, users["supervisor"].id]

    async def test_stale_if_match_is_412(self, client, users):
        department = await create_department(client, users["admin"])
        response = await client.patch(
            f"/departments/{department['id']}",
            json={"name": "x"},
            headers={**users["admin"].headers, "If-Match": '"9"'},
        )
        assert assert_problem(response, 412, "version-mismatch")["current_version"] == 1

    @pytest.mark.parametrize("key", ["Sales", "1st", "has-dash", "", "a" * 41])
    async def test_bad_key_is_422(self, client, users, key):
        response = await client.post(
            "/departments", json={"key": key, "name": "名字"}, headers=users["admin"].headers
        )
        assert error_fields(assert_problem(response, 422, "validation")) == ["key"]

    async def test_unknown_supervisor_is_422(self, client, users):
        key = f"dept_{uuid.uuid4().hex[:8]}"
        created = await client.post(
            "/departments",
            json={"key": key, "name": key, "supervisor_id": 987654321},
            headers=users["admin"].headers,
        )
        assert error_fields(assert_problem(created, 422, "validation")) == ["supervisor_id"]
        department = await create_department(client, users["admin"])
        updated = await client.patch(
            f"/departments/{department['id']}",
            json={"supervisor_id": 987654321},
            headers=users["admin"].headers,
        )
        assert error_fields(assert_problem(updated, 422, "validation")) == ["supervisor_id"]

    @pytest.mark.parametrize("field", ["key", "name"])
    async def test_null_key_or_name_is_422(self, client, users, field):
        department = await create_department(client, users["admin"])
        response = await client.patch(
            f"/departments/{department['id']}", json={field: None}, headers=users["admin"].headers
        )
        assert error_fields(assert_problem(response, 422, "validation")) == [field]
        listed = (await client.get("/departments", headers=users["admin"].headers)).json()
        assert department in listed

    async def test_unknown_department_is_404(self, client, users):
        response = await client.patch(
            "/departments/987654321", json={"name": "x"}, headers=users["admin"].headers
        )
        assert_problem(response, 404, "not-found")
