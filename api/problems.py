"""RFC 9457 problem+json for every error: domain errors, validation, HTTP and the unexpected."""

import itertools
import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errors import (
    BatchFailed,
    Conflict,
    CursorExpired,
    DomainError,
    Forbidden,
    Invalid,
    InvalidCursor,
    NotFound,
    RateLimited,
    TooLarge,
    Unauthorized,
    UnsupportedType,
    VersionMismatch,
)
from domain.integration.idempotency import KeyReused, KeyUnsupported

log = logging.getLogger("crm.api")
MAX_ECHOED_ERRORS = 50  # a problem lists the first 50 field errors and counts them all

STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    Unauthorized: 401,
    Forbidden: 403,
    Conflict: 409,
    VersionMismatch: 412,
    Invalid: 422,
    RateLimited: 429,
    InvalidCursor: 400,
    CursorExpired: 410,
    TooLarge: 413,
    UnsupportedType: 415,
    KeyReused: 422,
    KeyUnsupported: 422,
    BatchFailed: 422,
}


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    errors: list[FieldError] = []


def status_of(error: type[DomainError]) -> int:
    return next((STATUS[c] for c in error.__mro__ if c in STATUS), 400)


def problems(*errors: type[DomainError]) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status it may answer with, as problem+json."""
    statuses = sorted({status_of(e) for e in errors} | {401, 422})
    return {
        status: {
            "model": Problem,
            "content": {"application/problem+json": {}},
            "description": "Problem (RFC 9457)",
        }
        for status in statuses
    }


def problem_body(
    status: int, code: str, detail: str, instance: str | None, **extensions: Any
) -> dict[str, Any]:
    return {
        "type": f"/problems/{code}",
        "title": code.replace("-", " ").capitalize(),
        "status": status,
        "detail": detail,
        "code": code,
        "instance": instance,
        "errors": [],
        **jsonable_encoder(extensions),
    }


def domain_problem(exc: DomainError, instance: str | None) -> dict[str, Any]:
    """The problem a domain error answers with, as the body of a response or of a batch item."""
    return problem_body(status_of(type(exc)), exc.code, exc.detail, instance, **exc.extensions)


def validation_problem(found: list[Any], instance: str | None) -> dict[str, Any]:
    """422 for a payload of the wrong shape: Pydantic's errors, the first 50 of them named."""
    errors = [
        {"field": _field_name(tuple(e.get("loc", ()))), "message": e.get("msg", "")}
        for e in itertools.islice(found, MAX_ECHOED_ERRORS)
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "Invalid request."
    if len(found) > len(errors):
        detail += f"; and {len(found) - len(errors)} more"
    return problem_body(422, "validation", detail, instance, errors=errors, error_count=len(found))


def _response(
    request: Request,
    status: int,
    code: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = problem_body(status, code, detail, request.url.path, **extensions)
    return JSONResponse(body, status, headers=headers, media_type="application/problem+json")


def _field_name(loc: tuple[Any, ...]) -> str:
    # ("body", "custom_fields", "x") -> "custom_fields.x"; query/path/header keep their name.
    parts = (
        [str(p) for p in loc[1:]]
        if loc and loc[0] in ("body", "query", "path", "header", "cookie")
        else list(map(str, loc))
    )
    return ".".join(parts) or str(loc[0] if loc else "")


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        status = status_of(type(exc))
        headers = {}
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(exc.retry_after)
        if isinstance(exc, Unauthorized):
            headers["WWW-Authenticate"] = "Bearer"
        return _response(request, status, exc.code, exc.detail, headers, **exc.extensions)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        body = validation_problem(list(exc.errors()), request.url.path)
        return JSONResponse(body, 422, media_type="application/problem+json")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not-found", 405: "method-not-allowed", 401: "unauthorized"}.get(
            exc.status_code, "http-error"
        )
        return _response(request, exc.status_code, code, str(exc.detail), exc.headers)

    @app.exception_handler(StaleDataError)
    async def stale(request: Request, exc: StaleDataError) -> JSONResponse:
        if "if-match" in request.headers:
            # The version the caller named was current when read, but another write landed
            # before ours: the record is no longer the one they saw, as any stale If-Match.
            return _response(
                request,
                412,
                VersionMismatch.code,
                "The record has changed since you read it; reload and retry.",
            )
        return _response(
            request,
            409,
            "concurrent-update",
            "Someone else changed this record at the same time; reload and retry.",
        )

    @app.exception_handler(IntegrityError)
    async def integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # The pre-checks catch duplicates; this is the race where two requests both passed.
        log.info("integrity error: %s", exc.orig)
        return _response(
            request,
            409,
            "conflict",
            "The change conflicts with another record (a duplicate or a reference "
            "that no longer exists).",
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _response(
            request, 500, "internal-error", "Something went wrong on our side; it has been logged."
        )
