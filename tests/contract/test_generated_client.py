"""A Python client generated from openapi/openapi.json works unmodified against a real server,
and so does examples/sync_customers.py, which is built on it (README "Generated clients")."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

# A real `crm serve` answers here; timing of the change feed is that of one server alone.
pytestmark = pytest.mark.serial

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "client-admin-pass-123"
EXAMPLE_CSV = ROOT / "examples" / "customers.csv"


@pytest.fixture(scope="module")
def client_path(tmp_path_factory):
    """The directory holding `crm_client`, generated once; any generator warning (a response,
    parameter or schema it had to leave out or rename) fails here: the contract has a gap."""
    out = tmp_path_factory.mktemp("generated")
    package = out / "crm_client"
    result = subprocess.run(
        [BIN / "openapi-python-client", "generate", "--path", ROOT / "openapi" / "openapi.json",
         "--config", ROOT / "openapi" / "python-client.yaml", "--output-path", package,
         "--meta", "none"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
    )  # fmt: skip
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, output
    # Its whole output when nothing was left out; ruff (the post hooks) found on PATH.
    assert output.splitlines() == [f"Generating {package}"], output
    sys.path.insert(0, str(out))
    yield out
    sys.path.remove(str(out))
    for name in [n for n in sys.modules if n == "crm_client" or n.startswith("crm_client.")]:
        del sys.modules[name]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def booting_server(tmp_path_factory):
    """`crm serve` on a fresh migrated SQLite database with one admin, started in the
    background (the client is generated meanwhile); its process, base URL and log."""
    var = tmp_path_factory.mktemp("server")
    port = _free_port()
    env = {
        **os.environ,
        "CRM_DATABASE_URL": f"sqlite:///{var / 'crm.db'}",
        "CRM_SECRET_KEY": secrets.token_hex(32),
        "CRM_HOST": "127.0.0.1",
        "CRM_PORT": str(port),
        "CRM_VAR_DIR": str(var),
        "CRM_ATTACHMENTS_DIR": str(var / "attachments"),
        "CRM_JOBS": "off",  # only the tests' own writes reach the change feed
    }
    script = '"$0" migrate && "$0" create-user --username admin --password "$1" --role admin' \
        ' && exec "$0" serve'  # fmt: skip
    log = var / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            ["sh", "-c", script, BIN / "crm", PASSWORD],
            env=env, cwd=var, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    yield process, f"http://127.0.0.1:{port}", log
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(booting_server, client_path):
    """The base URL, once the server answers its health check."""
    process, base, log = booting_server
    deadline = time.monotonic() + 90
    while True:  # polling for readiness, not waiting for time to pass
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return base
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, log.read_text(errors="replace")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def api_key(client_path, server):
    """An admin signs in and makes a customers key, all through the generated client."""
    from crm_client import AuthenticatedClient, Client
    from crm_client.api.api_keys import api_keyscreate_api_key
    from crm_client.api.auth import authlogin
    from crm_client.models import ApiKeyCreate, ApiKeySecretOut, BodyAuthlogin, Scope, TokenOut

    with Client(base_url=server) as anonymous:
        token = authlogin.sync(
            client=anonymous, body=BodyAuthlogin(username="admin", password=PASSWORD)
        )
    assert isinstance(token, TokenOut), token
    with AuthenticatedClient(base_url=server, token=token.access_token) as admin:
        created = api_keyscreate_api_key.sync(
            client=admin,
            body=ApiKeyCreate(name="ERP 同步", scopes=[Scope.CUSTOMERSREAD, Scope.CUSTOMERSWRITE]),
        )
    assert isinstance(created, ApiKeySecretOut), created
    return created.secret


@pytest.fixture
def erp(server, api_key):
    from crm_client import AuthenticatedClient

    with AuthenticatedClient(base_url=server, token=api_key) as client:
        yield client


def _follow(client, cursor: str) -> tuple[list, str]:
    from crm_client.api.changes import changeslist_changes
    from crm_client.models import ChangePage

    changes = []
    while True:
        page = changeslist_changes.sync(client=client, since=cursor)
        assert isinstance(page, ChangePage), page
        changes += page.items
        cursor = page.next_cursor
        if not page.has_more:
            return changes, cursor


def test_the_generated_client_creates_finds_upserts_and_follows_the_feed(erp):
    from crm_client.api.changes import changeslist_changes
    from crm_client.api.customers import (
        customerscreate_customer,
        customersget_customer_by_external_id,
        customersupsert_customer_by_external_id,
    )
    from crm_client.models import ChangeOutAction, ChangeOutType, CustomerCreate, CustomerOut

    start = changeslist_changes.sync(client=erp, since="now")
    assert start.items == [] and start.has_more is False

    created = customerscreate_customer.sync(
        client=erp,
        body=CustomerCreate.from_dict(
            {"kind": "organization", "name": "上海生成客户端科技有限公司",
             "credit_code": "91310000MA1GENC1TF", "external_ids": {"erp": "G-1"}}
        ),
    )  # fmt: skip
    assert isinstance(created, CustomerOut), created
    found = customersget_customer_by_external_id.sync("erp", "G-1", client=erp)
    assert isinstance(found, CustomerOut) and found.id == created.id
    assert found.external_ids.to_dict() == {"erp": "G-1"}

    body = {
        "kind": "organization",
        "name": "上海生成客户端贸易有限公司",
        "credit_code": "91310000MA1GENC2TG",
        "stage": "intent",
    }
    first = customersupsert_customer_by_external_id.sync_detailed(
        "erp", "G-2", client=erp, body=CustomerCreate.from_dict(body)
    )
    assert first.status_code == 201 and isinstance(first.parsed, CustomerOut), first.content
    again = customersupsert_customer_by_external_id.sync_detailed(
        "erp", "G-2", client=erp, body=CustomerCreate.from_dict({**body, "stage": "customer"})
    )
    assert again.status_code == 200, again.content
    assert again.parsed.id == first.parsed.id and again.parsed.stage == "customer"

    changes, cursor = _follow(erp, start.next_cursor)
    upserts = {
        c.id: c.body
        for c in changes
        if c.type_ is ChangeOutType.CUSTOMERS and c.action is ChangeOutAction.UPSERT
    }
    assert set(upserts) == {created.id, first.parsed.id}
    assert isinstance(upserts[first.parsed.id], CustomerOut)  # the union parsed to its type
    assert upserts[first.parsed.id].stage == "customer"  # a record's writes: its latest body
    assert _follow(erp, cursor)[0] == []


def _run_example(server: str, api_key: str, client_path: Path, cursor_file: Path) -> list[str]:
    done = subprocess.run(
        [sys.executable, ROOT / "examples" / "sync_customers.py", EXAMPLE_CSV,
         "--cursor-file", cursor_file],
        env={**os.environ, "CRM_BASE_URL": server, "CRM_API_KEY": api_key,
             "CRM_CLIENT_PATH": str(client_path)},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_example_pushes_the_csv_by_erp_id_then_updates_it(
    server, api_key, client_path, erp, tmp_path
):
    from crm_client.api.customers import customersget_customer_by_external_id

    cursor_file = tmp_path / "cursor"
    first = _run_example(server, api_key, client_path, cursor_file)
    pushed = [line for line in first if line.startswith(("created ", "updated "))]
    assert [line.split(":")[0] for line in pushed] == [
        "created erp/C-1001", "created erp/C-1002", "created erp/C-1003"
    ]  # fmt: skip
    ids = {}
    for external_id in ("C-1001", "C-1002", "C-1003"):
        customer = customersget_customer_by_external_id.sync("erp", external_id, client=erp)
        assert customer.external_ids.to_dict() == {"erp": external_id}
        ids[external_id] = customer.id
        # The feed shows each created customer once, with its ERP id.
        assert [line for line in first if line.startswith(f"upsert customers {customer.id} ")] \
            == [f"upsert customers {customer.id} erp/{external_id} {customer.name}"]  # fmt: skip
    assert cursor_file.read_text(encoding="utf-8")

    second = _run_example(server, api_key, client_path, cursor_file)
    assert [line.split(":")[0] for line in second if not line.startswith("upsert ")] == [
        "updated erp/C-1001", "updated erp/C-1002", "updated erp/C-1003"
    ]  # fmt: skip
    for external_id, customer_id in ids.items():
        customer = customersget_customer_by_external_id.sync("erp", external_id, client=erp)
        assert customer.id == customer_id  # updated, not made again
