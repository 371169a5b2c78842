"""Job `webhooks` (every minute): POST the outbox's due deliveries, signed.

At least once: a delivery is leased (its next attempt moved LEASE ahead) and committed before
it is sent, and marked only after the receiver answered. A run that dies in between leaves it
to a run after the lease, which sends it again with the same event id; receivers drop repeats
by X-CRM-Event-Id. A 2xx is delivered; anything else is tried again after 1, 2, 4 … minutes
until 24 hours have passed, then the delivery has failed, its subscription is `failing` and the
admins are told.
"""

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import httpcore
import httpx

from domain.errors import Invalid
from domain.integration import webhook as rules
from domain.ports import Clock
from persistence import webhook_repo
from persistence.db import Database
from persistence.webhook_repo import Due

log = logging.getLogger("crm.jobs.webhooks")
BATCH = 50  # sent concurrently: a batch takes at most one TIMEOUT
LEASE = timedelta(minutes=1)  # longer than a batch takes; the next minute's run resends
MAX_BATCHES = 20  # per run: the rest waits for the next minute


class CheckedBackend(httpcore.AsyncNetworkBackend):
    """Connects to an address of the host that was checked in the same resolution, never to
    one a second lookup returns: checking a name and then letting the HTTP client resolve it
    again would let a DNS answer that changes in between (rebinding) reach a private address.
    Only the TCP connection goes to the address: httpcore still sends the URL's host in the
    Host header and verifies TLS (SNI and the certificate) for it."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await rules.checked_addresses(host, port, allow_private=self.allow_private)
        except Invalid as refused:
            raise httpcore.ConnectError(f"{host}: {refused.detail}") from None
        return await self.inner.connect_tcp(
            addresses[0],
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("webhooks go over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def checked_transport(*, allow_private: bool) -> httpx.AsyncHTTPTransport:
    """httpx's own transport, its connection pool built on CheckedBackend (httpx takes no
    network backend of its own; the pool's other settings are httpx's defaults)."""
    transport = httpx.AsyncHTTPTransport()
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=100,
        max_keepalive_connections=20,
        keepalive_expiry=5.0,
        network_backend=CheckedBackend(allow_private=allow_private),
    )
    return transport


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


async def _send(
    client: httpx.AsyncClient, due: Due, now: datetime, allow_private: bool
) -> tuple[int | None, str | None]:
    """The receiver's status code, or an error of ours (no answer)."""
    try:
        await rules.check_url(due.url, allow_private=allow_private)
    except Invalid as refused:
        return None, refused.detail
    body = body_of(due.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "crm-webhooks/1",
        "X-CRM-Event-Id": due.event_id,
        "X-CRM-Signature": rules.signature(due.secret, int(now.timestamp()), body),
    }
    try:
        response = await client.post(due.url, content=body, headers=headers)
    except httpx.HTTPError as error:
        return None, f"{type(error).__name__}: {error}"[:500]
    return response.status_code, None


async def mark(
    database: Database, outcomes: list[tuple[Due, int | None, str | None]], now: datetime
) -> Counter[str]:
    counts: Counter[str] = Counter()
    async with database.session(write=True) as session:
        for due, status_code, error in outcomes:
            if status_code is not None and 200 <= status_code < 300:
                await webhook_repo.mark_delivered(session, due, status_code, now)
                counts["delivered"] += 1
                continue
            reason = error or f"HTTP {status_code}"
            if await webhook_repo.mark_failed_attempt(session, due, status_code, reason, now):
                counts["failed"] += 1
            else:
                counts["retrying"] += 1
    return counts


async def run_webhooks(
    database: Database,
    clock: Clock,
    *,
    allow_private: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, int]:
    now = clock.now()
    counts: Counter[str] = Counter()
    async with httpx.AsyncClient(
        timeout=rules.TIMEOUT,
        follow_redirects=False,
        transport=transport or checked_transport(allow_private=allow_private),
    ) as client:
        for _ in range(MAX_BATCHES):
            async with database.session(write=True) as session:
                batch = await webhook_repo.claim_due(session, now, now + LEASE, BATCH)
            if not batch:
                break
            answers = await asyncio.gather(*(_send(client, d, now, allow_private) for d in batch))
            counts.update(
                await mark(database, [(d, *a) for d, a in zip(batch, answers, strict=True)], now)
            )
            if len(batch) < BATCH:
                break
    return dict(sorted(counts.items()))
