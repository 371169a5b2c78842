"""Start and stop the CRM server (uvicorn) in a subprocess for a benchmark.

with running_server("postgresql://postgres@127.0.0.1:5432/crm_bench_1m", workers=2) as s:
    token = s.login("bench-admin", "bench-pass")
    ...  # load s.host:s.port
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only: benchmarks never listen on a public interface


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    process: subprocess.Popen

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def login(self, username: str, password: str) -> str:
        """An access token from POST /api/v1/auth/token (OAuth2 password form)."""
        form = urllib.parse.urlencode({"username": username, "password": password}).encode()
        request = urllib.request.Request(f"{self.base_url}/api/v1/auth/token", data=form)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.load(response)["access_token"]
        except urllib.error.HTTPError as exc:
            raise RuntimeError(
                f"login as {username} failed: {exc.code} "
                f"{exc.read()[:300].decode(errors='replace')}"
            ) from None


def _port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) == 0


def _wait_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited with code {server.process.returncode}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/api/v1/health", timeout=2) as r:
                if r.status == 200:
                    return
                last = f"status {r.status}"
        except urllib.error.HTTPError as exc:
            last = f"status {exc.code}"
        except (OSError, urllib.error.URLError) as exc:
            last = type(exc).__name__
        time.sleep(0.2)
    raise RuntimeError(f"the server was not healthy within {timeout:.0f} s ({last})")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the server's own process group (uvicorn's workers too), then SIGKILL."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def running_server(
    database_url: str,
    *,
    port: int = 8765,
    workers: int = 1,
    startup_timeout: float = 60.0,
    extra_env: dict[str, str] | None = None,
    app: str = "api.app:create_app",
) -> Iterator[Server]:
    """Run `uvicorn <app>` (an app factory) against `database_url` until the block ends; the
    server is stopped however the block ends."""
    if _port_in_use(port):  # else the health check could pass against someone else's server
        raise RuntimeError(f"port {port} is already in use")
    env = (
        os.environ
        | {"CRM_DATABASE_URL": database_url, "CRM_JOBS": "off", "CRM_SECRET_KEY": "bench-secret"}
        | (extra_env or {})
    )
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--factory",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    # Own session/process group, so that stopping it also stops uvicorn's worker processes;
    # its output goes to our stderr, keeping our stdout for the JSON result.
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=sys.stderr, start_new_session=True
    )
    server = Server(HOST, port, process)
    try:
        _wait_healthy(server, startup_timeout)
        yield server
    finally:
        _stop(process)
