"""Shared fixtures. API tests run once per database back-end: SQLite always, PostgreSQL when
it answers at CRM_TEST_POSTGRES_URL (required when CRM_TEST_REQUIRE_POSTGRES=1, as in CI).
Every test database is migrated with Alembic, never create_all."""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from api import security
from api.app import create_app
from api.security import Passwords
from config import Settings
from domain import user_service
from domain.roles import SYSTEM
from jobs import search_grams
from persistence.db import Database
from persistence.migrate import upgrade
from persistence.uow import SqlUnitOfWork

# The tests make and sign in thousands of users: argon2id at production's cost (OWASP's
# minimum, ~35 ms a hash or check) was a fifth of the API tests' CPU. In this process the
# passwords are hashed at argon2id's lowest cost; servers the tests start as processes, and
# tests/security/test_passwords.py (on PRODUCTION_PASSWORDS), keep production's.
PRODUCTION_PASSWORDS = security._passwords
security._passwords = PRODUCTION_PASSWORDS.copy(argon2__memory_cost=8, argon2__time_cost=1)

POSTGRES_URL = os.environ.get(
    "CRM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
PASSWORD = "correct-horse-1"
BACKENDS_RUN: set[str] = set()


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_admin(sql: str) -> None:
    async def run() -> None:
        connection = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL), timeout=5)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(run())


@contextmanager
def fresh_database(backend: str, tmp_dir) -> Iterator[str]:
    """An empty database of `backend`, dropped afterwards; skips (or fails in CI) when
    PostgreSQL is not there."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_dir / f'{uuid.uuid4().hex}.db'}"
        return
    name = f"crm_test_{uuid.uuid4().hex[:12]}"
    try:
        postgres_admin(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
        # Thrown away afterwards: its commits need not wait for the disk (what every
        # transaction sees is the same; only a crash of the server could lose them).
        postgres_admin(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        if os.environ.get("CRM_TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but not reachable at {POSTGRES_URL}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}")
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as url:
        upgrade(url)
        BACKENDS_RUN.add(request.param)
        yield url


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`make test-python` spreads the tests over processes by these groups (xdist's loadgroup):
    a module's tests stay together, in order, as they were written to run; the fuzz module,
    the longest by far, is two groups, one per back-end, so it does not hold up the end."""
    for item in items:
        group = item.nodeid.split("::")[0]
        backend = getattr(item, "callspec", None) and item.callspec.params.get("fuzz_target")
        if backend:
            group = f"{group}[{backend}]"
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_sessionfinish(session: pytest.Session) -> None:
    # An xdist worker hands the back-ends it ran to the controller, which prints the summary.
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["backends_run"] = sorted(BACKENDS_RUN)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    BACKENDS_RUN.update(getattr(node, "workeroutput", {}).get("backends_run", []))


def pytest_terminal_summary(terminalreporter) -> None:
    ran = ", ".join(sorted(BACKENDS_RUN)) or "none"
    terminalreporter.write_line(f"database back-ends exercised: {ran}")


@dataclass
class MovableClock:
    """The app's clock; tests move it to simulate time passing."""

    at: datetime | None = None

    def now(self) -> datetime:
        return self.at or datetime.now(UTC)

    def advance(self, **delta: float) -> None:
        self.at = self.now() + timedelta(**delta)


@pytest.fixture(scope="session")
def session_clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def clock(session_clock: MovableClock) -> Iterator[MovableClock]:
    yield session_clock
    session_clock.at = None


@pytest.fixture(scope="session")
async def app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, session_clock: MovableClock
):
    settings = Settings(
        database_url=database_url,
        secret_key="test-secret-key-0123456789",
        var_dir=tmp_path_factory.mktemp("var"),
        attachments_dir=tmp_path_factory.mktemp("attachments"),
        frontend_dist=tmp_path_factory.mktemp("no-frontend"),
    )
    application = create_app(settings, clock=session_clock)
    yield application
    await search_grams.stop(application.state.database)
    await application.state.database.dispose()


@pytest.fixture(scope="session")
async def database(app) -> Database:
    return app.state.database


class _PerTestAddress(httpx.ASGITransport):
    """Requests come from the current test's own client address: sign-in limits count per
    address, and one test's failed sign-ins must not lock the next test out, as they would
    not lock out a colleague at another desk."""

    address = "10.0.0.1"

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.client = (_PerTestAddress.address, 50000)
        return await super().handle_async_request(request)


_test_number = iter(range(1, 10**9))


@pytest.fixture(autouse=True)
def _own_client_address() -> None:
    n = next(_test_number)
    _PerTestAddress.address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


@pytest.fixture(scope="session")
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = _PerTestAddress(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as c:
        yield c


@dataclass(frozen=True)
class TestUser:
    id: int
    username: str
    role: str
    department_id: int | None
    headers: dict[str, str]


async def make_user(
    client: httpx.AsyncClient,
    database: Database,
    role: str,
    *,
    department_id: int | None = None,
    prefix: str | None = None,
) -> TestUser:
    """A user created straight through the domain service, signed in through the API."""
    username = f"{prefix or role}-{uuid.uuid4().hex[:8]}"
    async with database.session(write=True) as session:
        user = await user_service.create_user(
            SqlUnitOfWork(session),
            MovableClock(),
            Passwords,
            SYSTEM,
            {
                "username": username,
                "password": PASSWORD,
                "role": role,
                "display_name": username,
                "department_id": department_id,
            },
        )
    response = await client.post("/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    return TestUser(user.id, username, role, department_id, headers)


@pytest.fixture(scope="session")
async def users(client: httpx.AsyncClient, database: Database) -> dict[str, TestUser]:
    """One signed-in user per role, plus a second account manager (`am2`)."""
    roles = {
        "admin": "admin",
        "supervisor": "supervisor",
        "am": "account_manager",
        "am2": "account_manager",
        "agent": "agent",
        "readonly": "readonly",
    }
    return {key: await make_user(client, database, role) for key, role in roles.items()}


# ---- factories: keyword-only, valid by default ----

_counter = iter(range(1, 10**9))


def credit_code() -> str:
    """A fresh valid 统一社会信用代码."""
    from stdnum.cn import uscc

    body = f"9144{uuid.uuid4().int % 10**13:013d}"
    return body + uscc.calc_check_digit(body)


def id_number(birthday: str = "19900307", sequence: int | None = None) -> str:
    """A fresh valid resident ID number (region 110101 Beijing Dongcheng)."""
    from stdnum.cn import ric

    body = f"110101{birthday}{(sequence if sequence is not None else next(_counter)) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def organization(**overrides) -> dict:
    return {
        "kind": "organization",
        "name": f"上海测试{uuid.uuid4().hex[:6]}科技有限公司",
        "credit_code": credit_code(),
        "industry": "I65",
        "size": "100-500",
        "stage": "intent",
        **overrides,
    }


def individual(**overrides) -> dict:
    return {"kind": "individual", "name": "王小明", "id_number": id_number(), **overrides}


async def create_customer(client: httpx.AsyncClient, user: TestUser, **fields) -> dict:
    body = (
        organization(**fields)
        if fields.get("kind", "organization") == "organization"
        else individual(**fields)
    )
    response = await client.post("/customers", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()
