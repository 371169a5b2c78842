"""ASGI middleware that protects every request: a ceiling on body size, and the security
headers of every response.

Pure ASGI rather than `BaseHTTPMiddleware`: the body limit must see the bytes as they arrive,
before anything parses them, and a pure middleware costs less per request."""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

JSON_BODY_LIMIT = 1024 * 1024  # bytes: JSON and form bodies (design §4)
# Multipart uploads are streamed by their routes, which apply their own, smaller limits; this
# only bounds what any of them can be made to read.
UPLOAD_BODY_LIMIT = 64 * 1024 * 1024
# A batch of up to 1,000 records (POST …/bulk) is bounded by its item count; this only stops
# a body far beyond any batch of records.
BULK_BODY_LIMIT = 16 * 1024 * 1024

# The SPA loads its own scripts and styles only; antd writes inline styles, hence 'unsafe-inline'
# for styles (never for scripts).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
_COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
]
# The interactive API docs load their script from a CDN and run an inline one: they get no CSP.
_NO_CSP_PATHS = ("/api/v1/docs",)


class BodyTooLarge(Exception):
    pass


def _problem(status: int, code: str, detail: str, path: str, **extensions: object) -> bytes:
    return json.dumps(
        {
            "type": f"/problems/{code}",
            "title": code.replace("-", " ").capitalize(),
            "status": status,
            "detail": detail,
            "code": code,
            "instance": path,
            "errors": [],
            **extensions,
        }
    ).encode()


async def _send_problem(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *_COMMON_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Answers 413 to a body over its limit, whether Content-Length says so up front or the
    bytes exceed it as they arrive (chunked, or a Content-Length that lies)."""

    def __init__(
        self, app: ASGIApp, json_limit: int = JSON_BODY_LIMIT, upload_limit: int = UPLOAD_BODY_LIMIT
    ) -> None:
        self.app, self.json_limit, self.upload_limit = app, json_limit, upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        multipart = headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data")
        limit = (
            self.upload_limit
            if multipart
            else BULK_BODY_LIMIT
            if scope["path"].endswith("/bulk")
            else self.json_limit
        )
        too_large = _problem(
            413,
            "too-large",
            f"The request body is larger than {limit} bytes.",
            scope["path"],
            limit=limit,
        )
        declared = headers.get(b"content-length")
        if declared is not None:
            if not (declared.isascii() and declared.isdigit()):
                await _send_problem(
                    send,
                    400,
                    _problem(400, "bad-request", "Content-Length is not a number.", scope["path"]),
                )
                return
            if int(declared) > limit:
                await _send_problem(send, 413, too_large)
                return
        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            # The app may turn the aborted read into an answer of its own (FastAPI: 400 "error
            # parsing the body"); the true answer is 413.
            if exceeded:
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await _send_problem(send, 413, too_large)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLarge:
            if not started:
                await _send_problem(send, 413, too_large)


class SecurityHeaders:
    """nosniff, no framing and a referrer policy on everything; a CSP on the app's pages; and
    `Cache-Control: no-store` on API answers, which carry personal data. Also the headers a
    dependency left in `request.state.extra_headers` (an API key's RateLimit-*), which must
    reach error answers too."""

    def __init__(self, app: ASGIApp, api_prefix: str) -> None:
        self.app, self.api_prefix = app, api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        extra = list(_COMMON_HEADERS)
        if path.startswith(self.api_prefix):
            extra.append((b"cache-control", b"no-store"))
        if not path.startswith(_NO_CSP_PATHS):
            extra.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                left = scope.get("state", {}).get("extra_headers", {})
                message["headers"] = [
                    *message.get("headers", []),
                    *(h for h in extra if h[0] not in present),
                    *((k.lower().encode(), v.encode()) for k, v in left.items()
                      if k.lower().encode() not in present),
                ]  # fmt: skip
            await send(message)

        await self.app(scope, receive, send_with_headers)
