"""Password hashing (argon2id) and JWT access tokens (HS256)."""

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from anyio import CapacityLimiter, to_thread
from jose import JWTError, jwt
from passlib.context import CryptContext

# OWASP's minimum for argon2id: 19 MiB of memory, 2 iterations, 1 lane.
_passwords = CryptContext(
    schemes=["argon2"],
    argon2__type="ID",
    argon2__memory_cost=19456,
    argon2__time_cost=2,
    argon2__parallelism=1,
)
# Verified against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = _passwords.hash(secrets.token_urlsafe(16))

ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _passwords.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _passwords.verify(password, _DUMMY_HASH)
        return False
    return _passwords.verify(password, password_hash)


# Hashing costs ~50 ms of CPU and 19 MiB: it runs in worker threads (argon2 releases the GIL),
# never on the event loop, and at most two at a time so a flood of logins cannot take every
# worker thread or much memory.
_hashing = CapacityLimiter(2)


class Passwords:
    """The domain's PasswordHasher: argon2id off the event loop."""

    @staticmethod
    async def hash(password: str) -> str:
        return await to_thread.run_sync(hash_password, password, limiter=_hashing)

    @staticmethod
    async def verify(password: str, password_hash: str | None) -> bool:
        return await to_thread.run_sync(verify_password, password, password_hash, limiter=_hashing)


def new_refresh_token() -> tuple[str, str]:
    """A random opaque token and the sha256 we keep of it (the token itself is never stored)."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: int
    username: str
    role: str
    department_id: int | None
    scopes: frozenset[str]
    token_version: int = 0  # the user's token_version when the token was made


def encode_access_token(
    claims: AccessClaims, *, key: str, now: datetime, lifetime: timedelta
) -> str:
    payload = {
        "sub": str(claims.user_id),
        "name": claims.username,
        "role": claims.role,
        "dept": claims.department_id,
        "scope": " ".join(sorted(claims.scopes)),
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "typ": "access",
        "ver": claims.token_version,
    }
    return jwt.encode(payload, key, algorithm=ALGORITHM)


def decode_access_token(token: str, *, key: str) -> AccessClaims | None:
    """The claims of a valid token, or None (bad signature, expired, `alg: none`, malformed).

    A token is verified once; later requests with the same string only check its expiry
    (the string is what was verified: any edit makes it another, unverified token)."""
    verified = _verified.get((key, token))
    if verified is None:
        verified = _verify(token, key)
        if verified is None:
            return None
        if len(_verified) >= _VERIFIED_MAX:
            _verified.clear()
        _verified[(key, token)] = verified
    claims, expires = verified
    return claims if expires >= int(time.time()) else None  # as jose: expired once past exp


_VERIFIED_MAX = 10_000
_verified: dict[tuple[str, str], tuple[AccessClaims, int]] = {}


def _verify(token: str, key: str) -> tuple[AccessClaims, int] | None:
    try:
        # An explicit algorithm list: a token that names another algorithm is refused.
        payload = jwt.decode(
            token, key, algorithms=[ALGORITHM], options={"require_exp": True, "require_sub": True}
        )
        if payload.get("typ") != "access":
            return None
        return AccessClaims(
            user_id=int(payload["sub"]),
            username=str(payload["name"]),
            role=str(payload["role"]),
            department_id=payload.get("dept"),
            scopes=frozenset(str(payload["scope"]).split()),
            token_version=int(payload["ver"]),
        ), int(payload["exp"])
    except (JWTError, KeyError, ValueError, TypeError):
        return None


def utcnow() -> datetime:
    return datetime.now(UTC)
