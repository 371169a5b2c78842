"""A small HTTP/1.1 load generator on raw asyncio streams.

httpx spends more CPU per request than the server under test does, which on a 2-core machine
would measure the client. Here each concurrent worker owns one keep-alive connection, sends
pre-encoded request bytes and parses only the status line and the headers it needs.

    requests = [build_request("GET", "/api/v1/customers?limit=50", host, port,
                              headers={"Authorization": f"Bearer {token}"})]
    result = asyncio.run(run_load(host, port, requests, total=2000, concurrency=16))
    print(result.summary())
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


def build_request(
    method: str,
    path: str,
    host: str,
    port: int,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
) -> bytes:
    """The bytes of one request. `path` must already be percent-encoded (urllib.parse.quote)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class ProtocolError(Exception):
    pass


class Connection:
    """One keep-alive connection; reopened transparently after the server closes it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        """Send one request, return (status, body)."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, _, header_block = head.partition(b"\r\n")
        parts = status_line.split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise ProtocolError(f"bad status line {status_line[:80]!r}")
        status = int(parts[1])
        length, chunked, close = None, False, parts[0] == b"HTTP/1.0"
        for line in header_block.split(b"\r\n"):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                close = value.strip().lower() == b"close"
        if chunked:
            body = await self._read_chunked()
        elif length is not None:
            body = await self.reader.readexactly(length)
        else:  # neither: the body runs to the end of the connection
            body, close = await self.reader.read(), True
        if close:
            await self.close()
        return status, body

    async def _read_chunked(self) -> bytes:
        chunks = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:  # the last chunk; then optional trailers and an empty line
                while (await self.reader.readuntil(b"\r\n")) != b"\r\n":
                    pass
                return b"".join(chunks)
            chunks.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None


@dataclass
class Result:
    concurrency: int
    latencies: list[float] = field(default_factory=list)  # seconds, successful or not
    errors: int = 0
    statuses: Counter = field(default_factory=Counter)  # status code, or exception name
    first_error: str | None = None
    elapsed: float = 0.0
    truncated: bool = False  # stopped at the deadline before `total` requests

    def summary(self) -> dict:
        done = len(self.latencies)
        ordered = sorted(self.latencies)

        def percentile(p: float) -> float | None:  # nearest rank
            return round(ordered[min(done - 1, int(p * done))] * 1000, 2) if done else None

        out = {
            "concurrency": self.concurrency,
            "requests": done,
            "errors": self.errors,
            "p50_ms": percentile(0.50),
            "p95_ms": percentile(0.95),
            "p99_ms": percentile(0.99),
            "rps": round(done / self.elapsed, 1) if self.elapsed else None,
        }
        if self.errors:
            out["statuses"] = {str(k): v for k, v in self.statuses.items()}
            out["first_error"] = self.first_error
        if self.truncated:
            out["truncated"] = True
        return out


async def run_load(
    host: str,
    port: int,
    requests: Sequence[bytes],
    *,
    total: int,
    concurrency: int,
    expect: int = 200,
    timeout: float = 30.0,
    max_seconds: float | None = None,
) -> Result:
    """Send `total` requests (cycling through `requests`) over `concurrency` connections.

    A response whose status is not `expect`, a timeout or a broken connection counts as an
    error (the connection is then reopened). Stops early, marked truncated, once
    `max_seconds` have passed, so a slow server cannot make a run unbounded."""
    result = Result(concurrency)
    next_index = 0
    started = time.perf_counter()
    deadline = started + max_seconds if max_seconds else None

    async def worker(previous_answered: asyncio.Event, answered: asyncio.Event) -> None:
        nonlocal next_index
        connection = Connection(host, port)
        await previous_answered.wait()
        try:
            while next_index < total:
                if deadline is not None and time.perf_counter() > deadline:
                    result.truncated = True
                    return
                raw = requests[next_index % len(requests)]
                next_index += 1
                sent = time.perf_counter()
                try:
                    async with asyncio.timeout(timeout):
                        status, body = await connection.request(raw)
                except (
                    OSError,
                    asyncio.IncompleteReadError,
                    asyncio.LimitOverrunError,
                    ProtocolError,
                    TimeoutError,
                    ValueError,
                ) as exc:
                    status, body = type(exc).__name__, str(exc).encode()
                    await connection.close()
                answered.set()
                result.latencies.append(time.perf_counter() - sent)
                result.statuses[status] += 1
                if status != expect:
                    result.errors += 1
                    if result.first_error is None:
                        result.first_error = f"{status}: {body[:300].decode(errors='replace')}"
        finally:
            answered.set()
            await connection.close()

    # Ramp up: each connection opens once the one before it has had an answer, as clients
    # arrive over time. Opened in one burst, they all land on whichever uvicorn worker
    # process wakes first (it accepts every pending connection at once), and a keep-alive
    # connection stays with the process that accepted it: the run then measures one worker
    # process, not the server.
    events = [asyncio.Event() for _ in range(concurrency + 1)]
    events[0].set()
    await asyncio.gather(*(worker(events[i], events[i + 1]) for i in range(concurrency)))
    result.elapsed = time.perf_counter() - started
    return result
