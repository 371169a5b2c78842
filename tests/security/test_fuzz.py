"""Every operation of the contract, fuzzed with schemathesis as admin, account manager and
agent, on SQLite and PostgreSQL: no answer may be a 5xx or differ from the contract (status,
content type, body schema).

The app runs in its own event loop (an anyio portal thread) on a database of its own: fuzzing
writes nonsense that other tests must not see. Examples per operation: CRM_FUZZ_EXAMPLES
(default 8, derandomized so CI is repeatable; set CRM_FUZZ_RANDOM=1 to explore, and
CRM_FUZZ_EXAMPLES higher to go deeper: the run grows with every operation, and the whole CI run
has 25 minutes). Schemathesis's coverage phase adds the boundary cases of every parameter
(hundreds for a list with many filters): each of those goes to one role in turn, not to all
three, as what they probe (validation) is the same for every role; the generated examples go
to all three.
"""

import itertools
import os
import uuid
from pathlib import Path

import anyio.from_thread
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.meta import TestPhase
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from api.security import Passwords
from config import Settings
from domain import user_service
from domain.roles import SYSTEM
from persistence.migrate import upgrade
from persistence.models import User
from persistence.uow import SqlUnitOfWork
from tests.conftest import BACKENDS_RUN, MovableClock, fresh_database, organization

OPENAPI = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
EXAMPLES = int(os.environ.get("CRM_FUZZ_EXAMPLES", "8"))
ROLES = ("admin", "account_manager", "agent")
PASSWORD = "fuzz-pass-7QzL"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_path(OPENAPI)
_coverage_roles = itertools.cycle(ROLES)


def _as_file(part: object) -> object:
    if isinstance(part, tuple):
        name, content, *rest = part
        return (name, content if isinstance(content, (bytes, str)) else str(content), *rest)
    return part if isinstance(part, (bytes, str)) else str(part)


class FuzzTarget:
    """The app, its users and an HTTP client, all living in the portal's event loop."""

    def __init__(self, url: str, var_dir: Path) -> None:
        self.app = create_app(
            Settings(
                database_url=url,
                secret_key="fuzz-secret-key-0123456789",
                var_dir=var_dir,
                attachments_dir=var_dir / "attachments",
                frontend_dist=var_dir / "no-frontend",
            )
        )
        self.database = self.app.state.database
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, raise_app_exceptions=False),
            base_url="http://test",
        )
        self.headers: dict[str, dict[str, str]] = {}
        self.user_ids: dict[str, int] = {}

    async def start(self) -> None:
        for role in ROLES:
            async with self.database.session(write=True) as session:
                user = await user_service.create_user(
                    SqlUnitOfWork(session),
                    MovableClock(),
                    Passwords,
                    SYSTEM,
                    {
                        "username": f"fuzz-{role}-{uuid.uuid4().hex[:6]}",
                        "password": PASSWORD,
                        "role": role,
                        "display_name": role,
                        "department_id": None,
                    },
                )
            self.user_ids[role] = user.id
            await self.sign_in(role)
        # Records for the ids the fuzzer tries (small integers) to find.
        for _ in range(3):
            await self.client.post(
                "/api/v1/customers", json=organization(), headers=self.headers["account_manager"]
            )

    async def sign_in(self, role: str) -> None:
        """(Re)sign in `role`'s user, restoring it first: an admin's fuzzed PATCH may have
        deactivated, demoted or re-passworded it."""
        async with self.database.session(write=True) as session:
            user = await session.get(User, self.user_ids[role])
            user.is_active, user.role = True, role
            user.password_hash = await Passwords.hash(PASSWORD)
            name = user.username
        response = await self.client.post(
            "/api/v1/auth/token", data={"username": name, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        self.headers[role] = {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def send(self, case: schemathesis.Case, role: str) -> httpx.Response:
        kwargs = case.as_transport_kwargs(base_url="http://test", headers=self.headers[role])
        headers = dict(kwargs.get("headers") or {})
        if kwargs.get("cookies"):
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in kwargs["cookies"].items())
        data = kwargs.get("data")
        files = kwargs.get("files")
        if files:  # generated file contents may be numbers or null: send them as text
            parts = files.items() if isinstance(files, dict) else files
            files = [(name, _as_file(part)) for name, part in parts]
        request = self.client.build_request(
            kwargs["method"],
            kwargs["url"],
            headers=headers,
            params=kwargs.get("params"),
            json=kwargs.get("json"),
            files=files,
            **({"content": data} if isinstance(data, (bytes, str)) else {"data": data}),
        )
        await request.aread()  # multipart bodies stream; the checks read the request back
        response = await self.client.send(request)
        await response.aread()
        if response.status_code == 401 and case.operation.path != "/api/v1/auth/token":
            await self.sign_in(role)
        return response

    async def stop(self) -> None:
        await self.client.aclose()
        await self.database.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzz_target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    var_dir = tmp_path_factory.mktemp("fuzz")
    with fresh_database(request.param, var_dir) as url:
        upgrade(url)
        BACKENDS_RUN.add(request.param)
        with anyio.from_thread.start_blocking_portal() as portal:
            target = FuzzTarget(url, var_dir)
            portal.call(target.start)
            yield portal, target
            portal.call(target.stop)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=os.environ.get("CRM_FUZZ_RANDOM") != "1",
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_contract(case, fuzz_target):
    portal, target = fuzz_target
    roles = ROLES
    if case.meta is not None and case.meta.phase.name == TestPhase.COVERAGE:
        roles = (next(_coverage_roles),)
    for role in roles:
        response = portal.call(target.send, case, role)
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as failure:
            failure.add_note(f"sent as the fuzz {role}")
            raise
