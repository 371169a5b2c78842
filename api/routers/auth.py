"""Signing in: OAuth2 password flow, refresh-token rotation, logout."""

import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from api import security
from api.deps import ClockDep, DatabaseDep, SettingsDep
from api.problems import problems
from api.schemas import RefreshIn, TokenOut
from api.security import Passwords
from domain import user_service
from domain.errors import RateLimited, Unauthorized
from domain.roles import ROLE_SCOPES, Role
from persistence.uow import SqlUnitOfWork

router = APIRouter(prefix="/auth", tags=["auth"])


class RefreshTokens:
    new = staticmethod(security.new_refresh_token)
    hash = staticmethod(security.hash_refresh_token)


def _token_out(settings, clock, user, refresh_token: str) -> TokenOut:  # noqa: ANN001
    role = Role(user.role)
    claims = security.AccessClaims(
        user_id=user.id,
        username=user.username,
        role=role,
        department_id=user.department_id,
        scopes=frozenset(s.value for s in ROLE_SCOPES[role]),
        token_version=user.token_version,
    )
    lifetime = timedelta(minutes=settings.access_token_minutes)
    access = security.encode_access_token(
        claims, key=settings.signing_key, now=clock.now(), lifetime=lifetime
    )
    return TokenOut(
        access_token=access, refresh_token=refresh_token, expires_in=int(lifetime.total_seconds())
    )


@router.post(
    "/token",
    response_model=TokenOut,
    operation_id="auth:login",
    responses=problems(Unauthorized, RateLimited),
)
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    clock: ClockDep,
    response: Response,
) -> TokenOut:
    """Sign in with username and password (form fields). Returns a 30-minute access token
    and a refresh token. Five failed attempts for one username from one address within 15
    minutes, or 30 for any usernames, make that address wait (429 with `Retry-After`); the
    account itself is never locked."""
    address = request.client.host if request.client else "unknown"
    # Three short transactions: the attempt is committed before it is counted (so concurrent
    # attempts see each other), and no transaction is open while the password is hashed.
    async with database.session(write=True) as session:
        attempt = await user_service.record_login_attempt(
            SqlUnitOfWork(session), clock, form.username, address
        )
    async with database.session(write=True) as session:
        refusal = await user_service.login_refusal(
            SqlUnitOfWork(session), clock, form.username, address, attempt
        )
    if refusal is not None:
        raise refusal
    async with database.session(write=False) as session:
        user = await user_service.authenticate(
            SqlUnitOfWork(session), Passwords, form.username, form.password
        )
    if user is None:
        raise Unauthorized("Wrong username or password.")
    async with database.session(write=True) as session:
        uow = SqlUnitOfWork(session)
        await user_service.login_succeeded(uow, form.username, address)
        refresh = await user_service.start_session(
            uow,
            clock,
            RefreshTokens,
            user,
            timedelta(days=settings.refresh_token_days),
            family=secrets.token_hex(16),
        )
    response.headers["Cache-Control"] = "no-store"  # RFC 6749 §5.1: never cache tokens
    return _token_out(settings, clock, user, refresh)


@router.post(
    "/refresh",
    response_model=TokenOut,
    operation_id="auth:refresh",
    responses=problems(Unauthorized),
)
async def refresh(
    body: RefreshIn,
    database: DatabaseDep,
    settings: SettingsDep,
    clock: ClockDep,
    response: Response,
) -> TokenOut:
    """Trade a refresh token for a new pair. Each refresh token works once; reusing one
    revokes the whole session, except a single retry within 30 seconds while the pair it
    was traded for is still unused (the answer was lost)."""
    async with database.session(write=True) as session:
        new = await user_service.rotate(
            SqlUnitOfWork(session),
            clock,
            RefreshTokens,
            body.refresh_token,
            timedelta(days=settings.refresh_token_days),
        )
    if new is None:
        raise Unauthorized("The refresh token is invalid, expired, revoked or already used.")
    response.headers["Cache-Control"] = "no-store"
    return _token_out(settings, clock, new.user, new.refresh_token)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="auth:logout",
    responses=problems(),
)
async def logout(body: RefreshIn, database: DatabaseDep, clock: ClockDep) -> None:
    """Sign out everywhere: revokes every refresh token of the refresh token's user and ends
    every access token of theirs at once."""
    async with database.session(write=True) as session:
        await user_service.logout(SqlUnitOfWork(session), clock, RefreshTokens, body.refresh_token)
