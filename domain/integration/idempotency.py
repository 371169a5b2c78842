"""Idempotency keys: a client names one attempt at a POST with an `Idempotency-Key`, and every
retry of it under that key gets the first attempt's answer instead of a second write.

A key belongs to its caller (a user, or an API key: two callers may pick the same key) and
lives 24 hours from its first use; after that it is as good as new. A key is tied to the
request it was first used with by a digest of method, path, query and body, so the same key on
another request is refused rather than answered with an unrelated reply.
"""

import hashlib
from typing import Final

from domain.errors import Conflict, DomainError, Invalid
from domain.roles import Actor

HEADER: Final = "Idempotency-Key"
LIFETIME_HOURS: Final = 24
MAX_LENGTH: Final = 255


class KeyReused(DomainError):
    """The key was first used with another request (422)."""

    code = "idempotency-key-reused"

    def __init__(self) -> None:
        super().__init__(
            f"This {HEADER} was used with a different request (method, path or body) in the "
            f"last {LIFETIME_HOURS} hours; use a new key for a new request."
        )


class KeyInFlight(Conflict):
    """The first request with this key has not finished yet (409)."""

    code = "idempotency-key-in-flight"

    def __init__(self) -> None:
        super().__init__(
            f"A request with this {HEADER} is still running; retry once it has answered."
        )


class KeyUnsupported(DomainError):
    """A key on a request whose body cannot be fingerprinted before it runs (422)."""

    code = "idempotency-key-unsupported"

    def __init__(self) -> None:
        super().__init__(
            f"{HEADER} is not supported on file uploads (multipart/form-data): the file is "
            f"streamed to storage as it arrives, and multipart boundaries change between retries."
            " Send the upload without the header."
        )


def check_key(value: str) -> str:
    """1 to 255 printable ASCII characters (space to `~`), as sent: nothing is trimmed."""
    if not 1 <= len(value) <= MAX_LENGTH or not all(" " <= c <= "~" for c in value):
        raise Invalid(
            [{"field": HEADER, "message": f"must be 1 to {MAX_LENGTH} printable ASCII characters"}]
        )
    return value


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """SHA-256 (hex) of the request a key was used with."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), query.encode()):
        digest.update(part + b"\n")
    digest.update(body)
    return digest.hexdigest()


def caller_of(actor: Actor) -> tuple[str, int]:
    """Whose keys these are: the API key a request was made with, else the signed-in user.
    A key's requests act as its owner, but the owner's own keys are a separate namespace."""
    if actor.api_key_id is not None:
        return "api_key", actor.api_key_id
    if actor.user_id is None:
        raise ValueError("an idempotency key needs an authenticated caller")
    return "user", actor.user_id
