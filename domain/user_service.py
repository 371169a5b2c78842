"""Users, departments, and signing in (password, refresh-token rotation, throttling)."""

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain import audit
from domain.customer_service import snapshot
from domain.errors import (Conflict, Duplicate, FieldsForbidden, Forbidden, Invalid, NotFound,
                           RateLimited, VersionMismatch)
from domain.ports import Clock, PasswordHasher, UnitOfWork
from domain.roles import Actor, Role

USER_FIELDS = ("username", "display_name", "role", "department_id", "is_active")
DEPARTMENT_FIELDS = ("key", "name", "supervisor_id")
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")
MIN_PASSWORD = 8

# Five failed logins for one username within 15 minutes lock it until the oldest expires.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)


def _password_errors(password: str) -> list[dict[str, str]]:
    if len(password) < MIN_PASSWORD:
        return [{"field": "password", "message": f"at least {MIN_PASSWORD} characters"}]
    return []


async def _check_department(uow: UnitOfWork, department_id: int | None) -> None:
    if department_id is not None and await uow.users.get_department(department_id) is None:
        raise Invalid([{"field": "department_id", "message": "unknown department"}])


async def get_user(uow: UnitOfWork, user_id: int) -> Any:
    user = await uow.users.get(user_id)
    if user is None:
        raise NotFound("user", user_id)
    return user


async def create_user(uow: UnitOfWork, clock: Clock, passwords: PasswordHasher, actor: Actor,
                      fields: dict[str, Any]) -> Any:
    if not actor.is_admin:
        raise Forbidden("Only an admin creates users.")
    errors = _password_errors(fields["password"])
    if not USERNAME.fullmatch(fields["username"]):
        errors.append({"field": "username",
                       "message": "3–64 letters, digits or . _ @ -"})
    if errors:
        raise Invalid(errors)
    if await uow.users.get_by_username(fields["username"]) is not None:
        raise Duplicate("username", "This username is taken.")
    await _check_department(uow, fields.get("department_id"))
    values = {k: v for k, v in fields.items() if k != "password"}
    user = await uow.users.add(password_hash=passwords.hash(fields["password"]), **values)
    uow.audit.add(actor_id=actor.user_id, entity_type="user", entity_id=user.id,
                  action="create", changes=audit.created(snapshot(user, USER_FIELDS)),
                  at=clock.now())
    return user


async def update_user(uow: UnitOfWork, clock: Clock, passwords: PasswordHasher, actor: Actor,
                      user_id: int, changes: dict[str, Any], *, if_match: int | None) -> Any:
    """Admins change anyone; users change their own name and password, never their role."""
    is_self = actor.user_id == user_id
    if not actor.is_admin:
        if not is_self:
            raise NotFound("user", user_id)
        refused = sorted(set(changes) - {"display_name", "password"})
        if refused:
            raise FieldsForbidden(refused)
    user = await get_user(uow, user_id)
    if if_match is not None and if_match != user.version:
        raise VersionMismatch(user.version)
    changes = dict(changes)
    password = changes.pop("password", None)
    if password is not None and _password_errors(password):
        raise Invalid(_password_errors(password))
    if "department_id" in changes:
        await _check_department(uow, changes["department_id"])
    losing_admin = user.role == Role.ADMIN and user.is_active and (
        changes.get("role", Role.ADMIN) != Role.ADMIN or changes.get("is_active") is False)
    if losing_admin and await uow.users.count_active_admins() <= 1:
        raise Conflict("This is the last active admin.")
    before = snapshot(user, USER_FIELDS)
    diff = audit.diff(before, {**before, **changes})
    for name, value in changes.items():
        setattr(user, name, value)
    if password is not None:
        user.password_hash = passwords.hash(password)
        diff["password"] = ["***", "***"]
    if changes.get("is_active") is False or password is not None:
        await uow.users.revoke_all_of(user.id, clock.now())
    if diff:
        await uow.users.flush()
        uow.audit.add(actor_id=actor.user_id, entity_type="user", entity_id=user.id,
                      action="update", changes=diff, at=clock.now())
    return user


async def create_department(uow: UnitOfWork, clock: Clock, actor: Actor,
                            fields: dict[str, Any]) -> Any:
    if not actor.is_admin:
        raise Forbidden("Only an admin manages departments.")
    for column in ("key", "name"):
        if await uow.users.department_taken(column, fields[column], None):
            raise Duplicate(column, f"A department with this {column} exists.")
    if fields.get("supervisor_id") is not None and await uow.users.get(
            fields["supervisor_id"]) is None:
        raise Invalid([{"field": "supervisor_id", "message": "unknown user"}])
    department = await uow.users.add_department(**fields)
    uow.audit.add(actor_id=actor.user_id, entity_type="department", entity_id=department.id,
                  action="create", changes=audit.created(snapshot(department, DEPARTMENT_FIELDS)),
                  at=clock.now())
    return department


async def update_department(uow: UnitOfWork, clock: Clock, actor: Actor, department_id: int,
                            changes: dict[str, Any], *, if_match: int | None) -> Any:
    if not actor.is_admin:
        raise Forbidden("Only an admin manages departments.")
    department = await uow.users.get_department(department_id)
    if department is None:
        raise NotFound("department", department_id)
    if if_match is not None and if_match != department.version:
        raise VersionMismatch(department.version)
    for column in ("key", "name"):
        if column in changes and await uow.users.department_taken(column, changes[column],
                                                                  department.id):
            raise Duplicate(column, f"A department with this {column} exists.")
    if changes.get("supervisor_id") is not None and await uow.users.get(
            changes["supervisor_id"]) is None:
        raise Invalid([{"field": "supervisor_id", "message": "unknown user"}])
    before = snapshot(department, DEPARTMENT_FIELDS)
    diff = audit.diff(before, {**before, **changes})
    if diff:
        for name, value in changes.items():
            setattr(department, name, value)
        await uow.users.flush()
        uow.audit.add(actor_id=actor.user_id, entity_type="department", entity_id=department.id,
                      action="update", changes=diff, at=clock.now())
    return department


# ---- signing in --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Session:
    user: Any
    refresh_token: str


def retry_after(failures: list[datetime], now: datetime) -> int | None:
    """Seconds until the user may try again, or None when not locked."""
    recent = [at for at in failures if at > now - FAILURE_WINDOW]
    if len(recent) < MAX_FAILURES:
        return None
    unlock = recent[-MAX_FAILURES] + FAILURE_WINDOW
    return max(1, math.ceil((unlock - now).total_seconds()))


async def check_login_allowed(uow: UnitOfWork, clock: Clock, username: str) -> None:
    if not USERNAME.fullmatch(username):
        return  # no such user can exist; authenticate() refuses it without a lookup
    now = clock.now()
    wait = retry_after(list(await uow.users.recent_failures(username, now - FAILURE_WINDOW)), now)
    if wait is not None:
        raise RateLimited("Too many failed logins; try again later.", retry_after=wait)


async def authenticate(uow: UnitOfWork, clock: Clock, passwords: PasswordHasher,
                       username: str, password: str) -> Any | None:
    """The user, or None after recording a failure (the caller commits that failure)."""
    if not USERNAME.fullmatch(username):
        # Malformed (a NUL, a newline, 500 characters): no such user, nothing worth recording.
        passwords.verify(password, None)
        return None
    user = await uow.users.get_by_username(username)
    ok = passwords.verify(password, user.password_hash if user else None)
    if not ok or user is None or not user.is_active:
        await uow.users.add_failure(username, clock.now())
        return None
    await uow.users.clear_failures(username)
    return user


async def start_session(uow: UnitOfWork, clock: Clock, tokens: Any, user: Any,
                        lifetime: timedelta, family: str) -> str:
    token, token_hash = tokens.new()
    now = clock.now()
    await uow.users.add_refresh_token(user_id=user.id, token_hash=token_hash, family=family,
                                      created_at=now, expires_at=now + lifetime)
    return token


async def rotate(uow: UnitOfWork, clock: Clock, tokens: Any, refresh_token: str,
                 lifetime: timedelta) -> Session | None:
    """Trade a refresh token for a new one, or None when refused. A token used twice revokes
    its whole family (somebody holds a stolen copy); that revocation must be committed, so
    this returns rather than raises."""
    now = clock.now()
    stored = await uow.users.get_refresh_token(tokens.hash(refresh_token))
    if stored is None or stored.revoked_at is not None or stored.expires_at <= now:
        return None
    if stored.used_at is not None:
        await uow.users.revoke_family(stored.family, now)
        return None
    user = await uow.users.get(stored.user_id)
    if user is None or not user.is_active:
        return None
    stored.used_at = now
    token = await start_session(uow, clock, tokens, user, lifetime, stored.family)
    return Session(user=user, refresh_token=token)


async def logout(uow: UnitOfWork, clock: Clock, tokens: Any, refresh_token: str) -> None:
    stored = await uow.users.get_refresh_token(tokens.hash(refresh_token))
    if stored is not None:
        await uow.users.revoke_family(stored.family, clock.now())
