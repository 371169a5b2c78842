"""Dependencies: settings, database transaction, the acting user, the clock, If-Match.

All are `async def`: FastAPI runs a plain `def` dependency in a worker thread, which costs
more than anything these do."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request, Security
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer, SecurityScopes

from api import idempotency, observability
from api.security import decode_access_token
from config import Settings
from domain.errors import Forbidden, Invalid, RateLimited, Unauthorized
from domain.integration import api_key
from domain.roles import Actor, Role, Scope
from persistence.api_key_repo import count_request, key_state
from persistence.audit_repo import REQUEST_API_KEY
from persistence.db import Database
from persistence.uow import SqlUnitOfWork
from persistence.user_repo import access_state

oauth2 = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/token",
    auto_error=False,
    scopes={s.value: s.name.replace("_", " ").lower() for s in Scope},
)
# Machines: an API key in X-API-Key (or as the bearer token).
api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="An API key (`crm_live_…`); also accepted as `Authorization: Bearer`.",
)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_database(request: Request) -> Database:
    return request.app.state.database


async def get_clock(request: Request) -> SystemClock:
    return request.app.state.clock


# The unit-of-work dependencies read the database off the request themselves: one dependency
# fewer to resolve on every request.
async def write_uow(request: Request) -> AsyncIterator[SqlUnitOfWork]:
    """One transaction per request, committed before the response is sent."""
    async with request.app.state.database.session(write=True) as session:
        yield SqlUnitOfWork(session)


async def read_uow(request: Request) -> AsyncIterator[SqlUnitOfWork]:
    async with request.app.state.database.session(write=False) as session:
        yield SqlUnitOfWork(session)


async def current_actor(
    security_scopes: SecurityScopes,
    request: Request,
    token: Annotated[str | None, Depends(oauth2)],
    x_api_key: Annotated[str | None, Depends(api_key_header)],
) -> Actor:
    """The authenticated caller; a POST's `Idempotency-Key` is claimed (or answered) as soon
    as the caller is known, before the route's transaction opens."""
    actor = await authenticate(security_scopes, request, token, x_api_key)
    await idempotency.claim(request, actor)
    return actor


async def authenticate(
    security_scopes: SecurityScopes, request: Request, token: str | None, x_api_key: str | None
) -> Actor:
    secret = x_api_key or (token if token and token.startswith(api_key.PREFIX) else None)
    REQUEST_API_KEY.set(None)
    if secret is not None:
        return await key_actor(request, secret, security_scopes)
    if token is None:
        raise Unauthorized("Sign in first: send `Authorization: Bearer <access token>`.")
    claims = decode_access_token(token, key=request.app.state.settings.signing_key)
    if claims is None:
        raise Unauthorized("The access token is invalid or expired.")
    # Revocation is immediate: the token must still match the user as stored now (active, same
    # token version), and the role and department are the stored ones, not the token's.
    state = await access_state(request.app.state.database, claims.user_id)
    if state is None or not state.is_active or state.token_version != claims.token_version:
        raise Unauthorized("The access token has been revoked; sign in again.")
    missing = sorted(set(security_scopes.scopes) - claims.scopes)
    if missing:
        raise Forbidden(f"This needs the scopes: {', '.join(missing)}.")
    request.state.scopes = claims.scopes  # what the route may check beyond its own (granted())
    try:
        role = Role(state.role)
    except ValueError:
        raise Unauthorized("The access token is invalid or expired.") from None
    return Actor(user_id=claims.user_id, role=role, department_id=state.department_id)


async def key_actor(request: Request, secret: str, security_scopes: SecurityScopes) -> Actor:
    """The actor of a request made with an API key: its owner (row-level rules and all) or,
    without one, the admin who created it; either way limited to the key's scopes. Counted
    against the key's limit."""
    invalid = Unauthorized("The API key is invalid, expired or revoked.")
    public_id = api_key.public_id_of(secret)
    state = None if public_id is None else await key_state(request.app.state.database, public_id)
    if state is None:
        raise invalid
    now = request.app.state.clock.now()
    current = api_key.matches(secret, state.digest) or (
        state.previous_valid_until is not None
        and state.previous_valid_until > now
        and api_key.matches(secret, state.previous_digest)
    )
    status = api_key.status(revoked_at=state.revoked_at, expires_at=state.expires_at, now=now)
    if not current or status != "active" or state.owner_active is False:
        raise invalid
    if not api_key.ip_allowed(state.allowed_ips, request.client.host if request.client else None):
        raise Forbidden("This API key may not be used from this address.")
    usage = api_key.Usage(
        limit=state.rate_limit_per_minute,
        count=await count_request(
            request.app.state.database, state.id, api_key.window_start(now), now
        ),
        resets_at=api_key.window_start(now) + api_key.WINDOW,
    )
    request.state.extra_headers = usage.headers(now)
    if usage.exceeded:
        raise RateLimited(
            f"This API key may make {usage.limit} requests a minute.",
            retry_after=usage.seconds_left(now),
        )
    owner_role = None if state.owner_role is None else Role(state.owner_role)
    scopes = api_key.effective_scopes(state.scopes, owner_role)
    missing = sorted(set(security_scopes.scopes) - scopes)
    if missing:
        raise Forbidden(f"This API key lacks the scopes: {', '.join(missing)}.")
    request.state.scopes = frozenset(scopes)
    REQUEST_API_KEY.set(state.id)
    user_id = state.owner_id if state.owner_id is not None else state.created_by
    observability.user_id.set(user_id)  # the request's log line names whom the key acts as
    return Actor(
        user_id=user_id,
        role=owner_role or Role.ADMIN,
        department_id=state.owner_department_id,
        api_key_id=state.id,
    )


async def if_match_version(
    if_match: Annotated[
        str | None,
        Header(description="The `ETag` you read; the write fails with 412 if the record changed."),
    ] = None,
) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit()):  # "²".isdigit() holds, int("²") fails
        raise Invalid([{"field": "If-Match", "message": 'must be an ETag such as "3"'}])
    return int(value)


def etag(version: int) -> str:
    return f'"{version}"'


def granted(request: Request) -> frozenset[str]:
    """The scopes of the request's token or API key (after its actor dependency ran)."""
    return frozenset(getattr(request.state, "scopes", ()))


def scopes(*required: Scope):  # noqa: ANN201
    return Security(current_actor, scopes=[s.value for s in required])


UowDep = Annotated[SqlUnitOfWork, Depends(write_uow, scope="function")]
ReadUowDep = Annotated[SqlUnitOfWork, Depends(read_uow, scope="function")]
ClockDep = Annotated[SystemClock, Depends(get_clock)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
IfMatchDep = Annotated[int | None, Depends(if_match_version)]
ReaderDep = Annotated[Actor, scopes(Scope.CUSTOMERS_READ)]
CustomerWriterDep = Annotated[Actor, scopes(Scope.CUSTOMERS_WRITE)]
TicketReaderDep = Annotated[Actor, scopes(Scope.TICKETS_READ)]
TicketWriterDep = Annotated[Actor, scopes(Scope.TICKETS_WRITE)]
AdminSettingsDep = Annotated[Actor, scopes(Scope.SETTINGS_ADMIN)]
AnyUserDep = Annotated[Actor, scopes()]

# Ids are BIGINT: anything larger is a 422, not a database overflow.
MAX_ID = 2**63 - 1
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int, Query(ge=1, le=MAX_ID)]
