"""API keys: machines' credentials. A key has scopes (the roles' scopes), an optional owner
whose row-level rules it inherits, an optional expiry and IP allow-list, and a per-minute
request limit. Its secret is shown once and kept only as a SHA-256 digest: the secret is 256
random bits, so a fast digest is as safe as a password hash and costs nothing per request.

A secret reads `crm_live_<public id>_<secret part>`: the prefix lets secret scanners (GitHub
and the like) recognise a leaked key, and the public id finds the key's row in one lookup.
"""

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import Invalid
from domain.roles import ROLE_SCOPES, Role, Scope

PREFIX = "crm_live_"
DEFAULT_RATE_LIMIT = 600  # requests per minute
MAX_RATE_LIMIT = 100_000
WINDOW = timedelta(minutes=1)
DEFAULT_GRACE = timedelta(hours=24)  # a rotated key's old secret still works this long
MAX_GRACE = timedelta(days=7)
MAX_ALLOWED_IPS = 50


@dataclass(frozen=True, slots=True)
class NewSecret:
    public_id: str  # stored, shown in lists ("crm_live_Ab3x…")
    secret: str  # shown once
    digest: str  # stored


def new_secret(public_id: str | None = None) -> NewSecret:
    """A new secret; a rotation keeps the key's public id, so the old secret is still found
    during its grace period."""
    public_id = public_id or secrets.token_urlsafe(9).replace("-", "x").replace("_", "y")
    secret = f"{PREFIX}{public_id}_{secrets.token_urlsafe(32)}"
    return NewSecret(public_id, secret, digest_of(secret))


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def public_id_of(secret: str) -> str | None:
    """The public id a presented secret names, or None if it is not shaped as our keys are."""
    if not secret.startswith(PREFIX):
        return None
    public_id, _, rest = secret[len(PREFIX) :].partition("_")
    # Letters and digits only (as new_secret makes them): nothing else reaches the database.
    ok = len(public_id) == 12 and public_id.isascii() and public_id.isalnum() and rest
    return public_id if ok else None


def matches(secret: str, digest: str | None) -> bool:
    return digest is not None and hmac.compare_digest(digest_of(secret), digest)


def check_scopes(scopes: list[str]) -> list[str]:
    """The scopes as stored: known ones only, each once, sorted."""
    known = {s.value for s in Scope}
    unknown = sorted(set(scopes) - known)
    if unknown:
        raise Invalid([{"field": "scopes", "message": f"unknown scope: {', '.join(unknown)}"}])
    if not scopes:
        raise Invalid([{"field": "scopes", "message": "at least one scope"}])
    return sorted(set(scopes))


def check_allowed_ips(entries: list[str]) -> list[str]:
    """Addresses and networks (CIDR), as stored: normalised ("10.0.0.0/8", "2001:db8::1/128")."""
    if len(entries) > MAX_ALLOWED_IPS:
        raise Invalid([{"field": "allowed_ips", "message": f"at most {MAX_ALLOWED_IPS} entries"}])
    out = []
    for i, entry in enumerate(entries):
        try:
            out.append(str(ipaddress.ip_network(entry.strip(), strict=False)))
        except ValueError:
            raise Invalid(
                [{"field": f"allowed_ips.{i}", "message": "not an IP address or network"}]
            ) from None
    return sorted(set(out))


def ip_allowed(allowed: list[str], address: str | None) -> bool:
    """An empty list allows every address; otherwise the caller's must be in one of them."""
    if not allowed:
        return True
    if address is None:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(network) for network in allowed)


def effective_scopes(key_scopes: list[str], owner_role: Role | None) -> frozenset[str]:
    """A key owned by a person never does more than that person's role may."""
    if owner_role is None:
        return frozenset(key_scopes)
    return frozenset(key_scopes) & {s.value for s in ROLE_SCOPES[owner_role]}


def window_start(now: datetime) -> datetime:
    """The minute a request counts towards."""
    return now.replace(second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class Usage:
    limit: int
    count: int  # this request included
    resets_at: datetime

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit

    def seconds_left(self, now: datetime) -> int:
        """Whole seconds until the window resets (at least 1)."""
        return max(1, int((self.resets_at - now).total_seconds() + 0.999))

    def headers(self, now: datetime) -> dict[str, str]:
        """The RateLimit-* headers (IETF draft) and, once exceeded, Retry-After."""
        seconds = self.seconds_left(now)
        out = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(max(0, self.limit - self.count)),
            "RateLimit-Reset": str(seconds),
        }
        if self.exceeded:
            out["Retry-After"] = str(seconds)
        return out


def status(*, revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> str:
    if revoked_at is not None:
        return "revoked"
    if expires_at is not None and expires_at <= now:
        return "expired"
    return "active"
