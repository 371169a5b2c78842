"""`Idempotency-Key` on POST (domain/integration/idempotency.py): the claim, the replay, and the
middleware that keeps the first answer.

The key is claimed once the caller is known (`claim`, called by api/deps.current_actor) and
before the request's own transaction opens: every write route resolves its actor before its
unit of work, as the API key's request count (a write on SQLite) already needs. The answer is
stored by `IdempotencyAnswers`, pure ASGI, from the bytes the app sends: it sees every answer
(the route's, a problem from a handler, a crash) whatever produced it.

Only authenticated POSTs take part: sign-in, refresh and sign-out (/auth/*) ignore the header,
as a key belongs to a caller and they have none yet; replaying them would hand out tokens that
have since been rotated. Multipart uploads refuse it (`KeyUnsupported`)."""

from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.integration import idempotency
from domain.integration.idempotency import HEADER, KeyInFlight, KeyReused, KeyUnsupported
from domain.roles import Actor
from persistence import idempotency_repo

REPLAYED = "Idempotent-Replayed"
# The headers of an answer that are part of it; the rest (RateLimit-*, security headers, the
# date) are the retry's own.
KEPT_HEADERS = frozenset({"content-type", "location", "etag", "content-disposition"})
_CLAIMED = "idempotency_key_id"  # request.state: the row this request holds
_CHECKED = "idempotency_checked"  # request.state: the header has been dealt with
_HEADER_BYTES = HEADER.lower().encode()


class Replay(Exception):
    """The key has an answer: send it again instead of running the request."""

    def __init__(self, status: int, headers: list[list[str]], body: bytes) -> None:
        super().__init__(status)
        self.status, self.headers, self.body = status, headers, body


async def claim(request: Request, actor: Actor) -> None:
    """Claim the request's `Idempotency-Key` for it, or answer from the key: raises `Replay`
    (done, same request), `KeyInFlight` (still running), `KeyReused` (another request)."""
    value = request.headers.get(HEADER)
    if value is None or request.method != "POST" or getattr(request.state, _CHECKED, False):
        return
    setattr(request.state, _CHECKED, True)  # a route with two actor dependencies claims once
    key = idempotency.check_key(value)
    if request.headers.get("content-type", "").lower().startswith("multipart/"):
        raise KeyUnsupported()
    # FastAPI has read the body to parse it (cached on the request); a body-less route's is
    # read here, bounded by BodyLimit.
    body = await request.body()
    request_hash = idempotency.fingerprint(
        request.method, request.url.path, request.url.query, body
    )
    row = await idempotency_repo.claim(
        request.app.state.database,
        caller=idempotency.caller_of(actor),
        key=key,
        request_hash=request_hash,
        now=request.app.state.clock.now(),
    )
    if row.claimed:
        setattr(request.state, _CLAIMED, row.id)
        return
    if row.request_hash != request_hash:
        raise KeyReused()
    if row.state != idempotency_repo.DONE or row.status is None:
        raise KeyInFlight()
    raise Replay(row.status, row.headers or [], row.body or b"")


async def _replay(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Replay)
    headers = {name: value for name, value in exc.headers} | {REPLAYED: "true"}
    return Response(exc.body, exc.status, headers=headers)


class IdempotencyAnswers:
    """Stores the answer of a request that claimed a key, just before its last byte is sent,
    so that a client holding the whole answer finds it stored.

    A 5xx or a crash releases the key: nothing was written (the request's transaction rolled
    back) or we cannot tell, and a retry must be able to run. A 4xx is stored like a success:
    the request was judged and refused without a write, so the retry gets the same refusal
    instead of possibly succeeding later as a different outcome of "the same" attempt; a
    corrected request is a new attempt with a new key. (401, 429 and the key's own problems
    come before the claim and are never stored.)

    Every POST answer here is one JSON document, so the body is kept whole in memory."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or all(name != _HEADER_BYTES for name, _ in scope["headers"])
        ):
            await self.app(scope, receive, send)
            return
        status, headers, chunks, settled = 500, [], [], False

        def claimed() -> int | None:
            return None if settled else scope.get("state", {}).get(_CLAIMED)

        async def keeping_send(message: Message) -> None:
            nonlocal status, headers, settled
            key_id = claimed()
            if key_id is not None:
                if message["type"] == "http.response.start":
                    status = message["status"]
                    headers = [
                        [name.decode("latin-1"), value.decode("latin-1")]
                        for name, value in message.get("headers", [])
                        if name.lower().decode("latin-1") in KEPT_HEADERS
                    ]
                elif message["type"] == "http.response.body":
                    chunks.append(message.get("body", b""))
                    if not message.get("more_body", False):
                        settled = True
                        await _settle(scope, key_id, status, headers, b"".join(chunks))
            await send(message)

        try:
            await self.app(scope, receive, keeping_send)
        except BaseException:
            key_id = claimed()
            if key_id is not None:
                with anyio.CancelScope(shield=True):
                    await idempotency_repo.release(scope["app"].state.database, key_id)
            raise


async def _settle(
    scope: Scope, key_id: int, status: int, headers: list[list[str]], body: bytes
) -> None:
    database = scope["app"].state.database
    if status >= 500:
        await idempotency_repo.release(database, key_id)
    else:
        await idempotency_repo.finish(database, key_id, status=status, headers=headers, body=body)


def openapi_parameter() -> dict[str, Any]:
    """The header as a reusable OpenAPI parameter (components.parameters)."""
    return {
        "name": HEADER,
        "in": "header",
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_LENGTH},
        "description": (
            f"Names one attempt at this request, for safe retries: for "
            f"{idempotency.LIFETIME_HOURS} hours a retry with the same key and the same body "
            f"gets the first answer again (status, body, `Location`, `ETag`) with `{REPLAYED}: "
            f"true`, and writes nothing. 1–{idempotency.MAX_LENGTH} printable ASCII characters "
            f"(else 422 `validation`), per user or API key. The same key with another request: "
            f"422 `{KeyReused.code}`; while the first is running: 409 `{KeyInFlight.code}`. "
            f"4xx answers are kept too; a 5xx is not, and the key can be used again."
        ),
    }


def install(app: FastAPI) -> None:
    """The replay handler and the middleware; call before the other middleware is added, so
    that it sits innermost and keeps the answer as the route made it."""
    app.add_exception_handler(Replay, _replay)
    app.add_middleware(IdempotencyAnswers)
