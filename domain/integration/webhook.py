"""Outgoing webhooks: which audited writes are events, how a body is signed, when a failed
delivery is tried again, and which addresses a subscription may not point at (SSRF).

A body is signed as Stripe signs its webhooks: `X-CRM-Signature: t=<unix seconds>,v1=<hex
HMAC-SHA256(secret, f"{t}.{body}")>`; a receiver recomputes it and refuses old timestamps.
Delivery is at least once: receivers drop repeats by `X-CRM-Event-Id`.
"""

import asyncio
import hashlib
import hmac
import ipaddress
import secrets
import socket
from datetime import datetime, timedelta
from typing import Final
from urllib.parse import urlsplit

from domain.errors import Invalid

SECRET_PREFIX = "whsec_"
TIMEOUT = 10.0  # seconds per POST
FIRST_RETRY = timedelta(minutes=1)  # then doubled after each failure
RETRY_FOR = timedelta(hours=24)  # a delivery still failing after this is given up
PING = "ping"

# (entity_type, action) of an audit entry → the event it is. Every other action on a customer
# (archive, tag, claim, verify…) is an update of it.
EVENTS: Final[dict[tuple[str, str], str]] = {
    ("customer", "create"): "customer.created",
    ("customer", "delete"): "customer.deleted",
    ("ticket", "transition"): "ticket.status_changed",
    ("follow_up", "create"): "follow_up.created",
    ("opportunity", "transition"): "opportunity.stage_changed",
    ("order", "create"): "order.created",
}
SLA_BREACHED: Final = "ticket.sla_breached"  # raised by the sla-scan job, not an audit entry
EVENT_TYPES: Final[tuple[str, ...]] = (
    "customer.created",
    "customer.updated",
    "customer.deleted",
    "ticket.status_changed",
    SLA_BREACHED,
    "follow_up.created",
    "opportunity.stage_changed",
    "order.created",
)


def event_type(entity_type: str, action: str) -> str | None:
    """The webhook event an audit entry is, or None."""
    found = EVENTS.get((entity_type, action))
    if found is None and entity_type == "customer":
        return "customer.updated"
    return found


def new_secret() -> str:
    return f"{SECRET_PREFIX}{secrets.token_urlsafe(32)}"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def next_attempt(attempts: int, now: datetime) -> datetime:
    """After the n-th failed attempt: 1, 2, 4, 8 … minutes."""
    return now + FIRST_RETRY * 2 ** max(0, attempts - 1)


def refused_address(address: str) -> bool:
    """Private, loopback, link-local, multicast, reserved or unspecified: not the Internet."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_url_shape(url: str) -> tuple[str, int]:
    """http(s) with a host: the host and port to resolve."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid([{"field": "url", "message": "must be an http(s) URL with a host"}])
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Invalid([{"field": "url", "message": "bad port"}]) from None
    return parts.hostname, port


async def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (OSError: none)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def checked_addresses(host: str, port: int, *, allow_private: bool) -> list[str]:
    """The addresses to connect to for `host`, from one resolution, every one of them checked:
    a host with any address inside our network (SSRF) is refused, unless
    CRM_WEBHOOKS_ALLOW_PRIVATE allows it."""
    try:
        addresses = await resolve(host, port)
    except OSError:
        raise Invalid([{"field": "url", "message": "the host does not resolve"}]) from None
    if not addresses:
        raise Invalid([{"field": "url", "message": "the host does not resolve"}])
    if not allow_private and any(refused_address(a) for a in addresses):
        raise Invalid([{"field": "url", "message": "resolves to a private or reserved address"}])
    return addresses


async def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse a URL whose host resolves to an address inside our network (SSRF), unless
    CRM_WEBHOOKS_ALLOW_PRIVATE allows it. Checked on save and again before each delivery;
    a delivery then connects only to an address its own resolution checked (jobs/webhooks.py),
    so a DNS answer that changes in between (rebinding) cannot reach our network."""
    host, port = check_url_shape(url)
    if not allow_private:
        await checked_addresses(host, port, allow_private=False)
