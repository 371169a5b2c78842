"""Users, departments, and signing in (password, refresh-token rotation, throttling)."""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain import audit
from domain import password as passwords_rules
from domain.errors import (
    Conflict,
    Duplicate,
    FieldsForbidden,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    VersionMismatch,
)
from domain.ports import Clock, DepartmentRecord, PasswordHasher, UnitOfWork, UserRecord
from domain.roles import Actor, Role

USER_FIELDS = (
    "username",
    "display_name",
    "role",
    "department_id",
    "is_active",
    "language",
    "email_muted",
)
DEPARTMENT_FIELDS = ("key", "name", "supervisor_id")
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")
MIN_PASSWORD = 10

# Failed sign-ins allowed within FAILURE_WINDOW: per (address, username), and per address over
# all usernames (password spraying). Past them that address waits; the account is not locked.
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 30
FAILURE_WINDOW = timedelta(minutes=15)


def _password_errors(password: str, username: str) -> list[dict[str, str]]:
    problem = passwords_rules.weakness(password, username, min_length=MIN_PASSWORD)
    return [{"field": "password", "message": problem}] if problem else []


async def _check_department(uow: UnitOfWork, department_id: int | None) -> None:
    if department_id is not None and await uow.users.get_department(department_id) is None:
        raise Invalid([{"field": "department_id", "message": "unknown department"}])


async def get_user(uow: UnitOfWork, user_id: int) -> UserRecord:
    user = await uow.users.get(user_id)
    if user is None:
        raise NotFound("user", user_id)
    return user


async def create_user(
    uow: UnitOfWork, clock: Clock, passwords: PasswordHasher, actor: Actor, fields: dict[str, Any]
) -> UserRecord:
    if not actor.is_admin:
        raise Forbidden("Only an admin creates users.")
    errors = _password_errors(fields["password"], fields["username"])
    if not USERNAME.fullmatch(fields["username"]):
        errors.append({"field": "username", "message": "3–64 letters, digits or . _ @ -"})
    if errors:
        raise Invalid(errors)
    if await uow.users.get_by_username(fields["username"]) is not None:
        raise Duplicate("username", "This username is taken.")
    await _check_department(uow, fields.get("department_id"))
    values = {k: v for k, v in fields.items() if k != "password"}
    user = await uow.users.add(password_hash=await passwords.hash(fields["password"]), **values)
    changes = audit.created(audit.snapshot(user, USER_FIELDS))
    audit.record(uow, actor, "user", user.id, "create", changes, at=clock.now())
    return user


async def update_user(
    uow: UnitOfWork,
    clock: Clock,
    passwords: PasswordHasher,
    actor: Actor,
    user_id: int,
    changes: dict[str, Any],
    *,
    if_match: int | None,
) -> UserRecord:
    """Admins change anyone; users change their own name, language, e-mail topics and
    password, never their role.

    Changing one's own password takes the current one (`current_password`): a stolen access
    token alone must not become the account. Deactivation, a role change and a password change
    end every token of the user at once."""
    is_self = actor.user_id == user_id
    changes = dict(changes)
    current_password = changes.pop("current_password", None)
    if current_password is not None and not is_self:
        raise Invalid([{"field": "current_password", "message": "only for your own password"}])
    if not actor.is_admin:
        if not is_self:
            raise NotFound("user", user_id)
        refused = sorted(set(changes) - {"display_name", "password", "language", "email_muted"})
        if refused:
            raise FieldsForbidden(refused)
    user = await get_user(uow, user_id)
    if if_match is not None and if_match != user.version:
        raise VersionMismatch(user.version)
    password = changes.pop("password", None)
    if password is not None:
        if is_self and not (
            current_password is not None
            and await passwords.verify(current_password, user.password_hash)
        ):
            message = "wrong password" if current_password else "required to set a new password"
            raise Invalid([{"field": "current_password", "message": message}])
        errors = _password_errors(password, user.username)
        if errors:
            raise Invalid(errors)
    if "department_id" in changes:
        await _check_department(uow, changes["department_id"])
    if "email_muted" in changes:
        changes["email_muted"] = sorted(set(changes["email_muted"]))
    losing_admin = (
        user.role == Role.ADMIN
        and user.is_active
        and (changes.get("role", Role.ADMIN) != Role.ADMIN or changes.get("is_active") is False)
    )
    if losing_admin and await uow.users.count_active_admins() <= 1:
        raise Conflict("This is the last active admin.")
    diff = audit.edit(user, USER_FIELDS, changes).changes
    ends_tokens = (
        changes.get("is_active") is False
        or password is not None
        or changes.get("role", user.role) != user.role
    )
    audit.apply(user, changes)
    if password is not None:
        user.password_hash = await passwords.hash(password)
        diff["password"] = ["***", "***"]
    if changes.get("is_active") is False or password is not None:
        await uow.users.revoke_all_of(user.id, clock.now())
    if ends_tokens:
        await uow.users.bump_token_version(user.id)
    if diff:
        await uow.users.flush()
        audit.record(uow, actor, "user", user.id, "update", diff, at=clock.now())
    return user


async def create_department(
    uow: UnitOfWork, clock: Clock, actor: Actor, fields: dict[str, Any]
) -> DepartmentRecord:
    if not actor.is_admin:
        raise Forbidden("Only an admin manages departments.")
    for column in ("key", "name"):
        if await uow.users.department_taken(column, fields[column], None):
            raise Duplicate(column, f"A department with this {column} exists.")
    if (
        fields.get("supervisor_id") is not None
        and await uow.users.get(fields["supervisor_id"]) is None
    ):
        raise Invalid([{"field": "supervisor_id", "message": "unknown user"}])
    department = await uow.users.add_department(**fields)
    changes = audit.created(audit.snapshot(department, DEPARTMENT_FIELDS))
    audit.record(uow, actor, "department", department.id, "create", changes, at=clock.now())
    return department


async def update_department(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    department_id: int,
    changes: dict[str, Any],
    *,
    if_match: int | None,
) -> DepartmentRecord:
    if not actor.is_admin:
        raise Forbidden("Only an admin manages departments.")
    department = await uow.users.get_department(department_id)
    if department is None:
        raise NotFound("department", department_id)
    if if_match is not None and if_match != department.version:
        raise VersionMismatch(department.version)
    for column in ("key", "name"):
        if column in changes and await uow.users.department_taken(
            column, changes[column], department.id
        ):
            raise Duplicate(column, f"A department with this {column} exists.")
    if (
        changes.get("supervisor_id") is not None
        and await uow.users.get(changes["supervisor_id"]) is None
    ):
        raise Invalid([{"field": "supervisor_id", "message": "unknown user"}])
    change = audit.edit(department, DEPARTMENT_FIELDS, changes)
    diff = change.changes
    if not diff:
        return department
    audit.apply(department, changes)
    await uow.users.flush()
    audit.record(uow, actor, "department", department.id, "update", diff, at=clock.now())
    return department


# ---- signing in --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Session:
    user: UserRecord
    refresh_token: str


def login_wait(
    pair_attempts: Sequence[datetime], address_attempts: Sequence[datetime], now: datetime
) -> int | None:
    """Seconds until this attempt may be made, or None when it may go ahead.

    The attempts are those of the last FAILURE_WINDOW, this one included, oldest first: at most
    MAX_FAILURES_PER_USER of them for one (address, username), MAX_FAILURES_PER_ADDRESS for one
    address. The lock is on the address, never on the account: its owner signs in from
    elsewhere while someone guesses their password."""
    waits = []
    for attempts, limit in (
        (pair_attempts, MAX_FAILURES_PER_USER),
        (address_attempts, MAX_FAILURES_PER_ADDRESS),
    ):
        recent = [at for at in attempts if at > now - FAILURE_WINDOW]
        if len(recent) > limit:
            waits.append(math.ceil((recent[-limit - 1] + FAILURE_WINDOW - now).total_seconds()))
    return max(1, *waits) if waits else None


def login_key(username: str) -> str:
    """The username an attempt is counted under; "" for one no user can have."""
    return username if USERNAME.fullmatch(username) else ""


async def record_login_attempt(uow: UnitOfWork, clock: Clock, username: str, address: str) -> int:
    """Counted before anything is checked, and committed by the caller on its own: concurrent
    attempts then see each other, so a burst cannot slip past the limit."""
    now = clock.now()
    await uow.users.forget_login_attempts_before(now - FAILURE_WINDOW)
    return await uow.users.add_login_attempt(login_key(username), address[:64], now)


async def login_refusal(
    uow: UnitOfWork, clock: Clock, username: str, address: str, attempt_id: int
) -> RateLimited | None:
    """The error to answer when the attempt is over a limit, else None. A refused attempt no
    longer counts, so hammering a locked address does not extend its lock; the caller commits
    that before raising."""
    now = clock.now()
    pair, by_address = await uow.users.login_attempts(
        login_key(username), address[:64], since=now - FAILURE_WINDOW
    )
    wait = login_wait(pair, by_address, now)
    if wait is None:
        return None
    await uow.users.forget_login_attempt(attempt_id)
    return RateLimited(
        "Too many failed sign-ins from your address; try again later.", retry_after=wait
    )


async def authenticate(
    uow: UnitOfWork, passwords: PasswordHasher, username: str, password: str
) -> UserRecord | None:
    """The active user with this password, or None. Hashing runs while no transaction is open:
    the caller passes a read-only unit of work."""
    if not USERNAME.fullmatch(username):
        # Malformed (a NUL, a newline, 500 characters): no such user; the same time is spent.
        await passwords.verify(password, None)
        return None
    user = await uow.users.get_by_username(username)
    ok = await passwords.verify(password, user.password_hash if user else None)
    if not ok or user is None or not user.is_active:
        return None
    return user


async def login_succeeded(uow: UnitOfWork, username: str, address: str) -> None:
    """A right password wipes the address's failures for that username."""
    await uow.users.forget_login_attempts_of(username, address[:64])


async def start_session(
    uow: UnitOfWork, clock: Clock, tokens: Any, user: UserRecord, lifetime: timedelta, family: str
) -> str:
    token, token_hash = tokens.new()
    now = clock.now()
    await uow.users.add_refresh_token(
        user_id=user.id,
        token_hash=token_hash,
        family=family,
        created_at=now,
        expires_at=now + lifetime,
    )
    return token


# How long a refresh token whose answer was lost may be retried (see rotate).
REFRESH_RETRY_GRACE = timedelta(seconds=30)


async def rotate(
    uow: UnitOfWork, clock: Clock, tokens: Any, refresh_token: str, lifetime: timedelta
) -> Session | None:
    """Trade a refresh token for a new one, or None when refused. A token used twice revokes
    its whole family (somebody holds a stolen copy); that revocation must be committed, so
    this returns rather than raises.

    Except a retry: a token used again within REFRESH_RETRY_GRACE, while the token it was
    traded for has never been used, is a client that never got the answer (a page reloaded or
    a connection dropped mid-refresh). It gets a new pair and the unused one dies; ending the
    session there would sign out a user who did nothing wrong."""
    now = clock.now()
    stored = await uow.users.get_refresh_token(tokens.hash(refresh_token))
    if stored is None or stored.revoked_at is not None or stored.expires_at <= now:
        return None
    if stored.used_at is not None:
        retry = now - stored.used_at <= REFRESH_RETRY_GRACE and not (
            await uow.users.family_used_after(stored.family, stored.id)
        )
        await uow.users.revoke_family(stored.family, now)
        if not retry:
            return None
    user = await uow.users.get(stored.user_id)
    if user is None or not user.is_active:
        return None
    stored.used_at = stored.used_at or now  # a retried token keeps the time of its first use
    token = await start_session(uow, clock, tokens, user, lifetime, stored.family)
    return Session(user=user, refresh_token=token)


async def logout(uow: UnitOfWork, clock: Clock, tokens: Any, refresh_token: str) -> None:
    """Signs the user out everywhere: every refresh token revoked, every access token ended."""
    stored = await uow.users.get_refresh_token(tokens.hash(refresh_token))
    if stored is not None:
        await uow.users.revoke_all_of(stored.user_id, clock.now())
        await uow.users.bump_token_version(stored.user_id)
