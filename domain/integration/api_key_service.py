"""Use cases on API keys: admins create, rotate and revoke them; a key never manages keys."""

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from domain import audit
from domain.errors import Conflict, Forbidden, Invalid, NotFound
from domain.integration import api_key as rules
from domain.ports import ApiKeyRecord, Clock, UnitOfWork
from domain.roles import Actor, Role

AUDITED = ("name", "scopes", "owner_id", "expires_at", "allowed_ips", "rate_limit_per_minute")


def _check_manager(actor: Actor) -> None:
    if not actor.is_admin or actor.user_id is None:
        raise Forbidden("Only admins manage API keys.")
    if actor.api_key_id is not None:
        raise Forbidden("API keys are managed by a signed-in admin, not with an API key.")


async def _check_owner(uow: UnitOfWork, owner_id: int | None) -> Role | None:
    if owner_id is None:
        return None
    user = await uow.users.get(owner_id)
    if user is None or not user.is_active:
        raise Invalid([{"field": "owner_id", "message": "must be an active user"}])
    return Role(user.role)


async def get(uow: UnitOfWork, actor: Actor, key_id: int) -> ApiKeyRecord:
    _check_manager(actor)
    key = await uow.api_keys.get(key_id)
    if key is None:
        raise NotFound("API key", key_id)
    return key


async def list_all(uow: UnitOfWork, actor: Actor) -> Sequence[ApiKeyRecord]:
    _check_manager(actor)
    return await uow.api_keys.list_all()


async def create(
    uow: UnitOfWork, clock: Clock, actor: Actor, fields: dict[str, Any]
) -> tuple[ApiKeyRecord, str]:
    """A new key and its secret, which is shown this once."""
    _check_manager(actor)
    now = clock.now()
    scopes = rules.check_scopes(fields["scopes"])
    owner_role = await _check_owner(uow, fields.get("owner_id"))
    if owner_role is not None:
        beyond = sorted(set(scopes) - rules.effective_scopes(scopes, owner_role))
        if beyond:
            raise Invalid(
                [{"field": "scopes", "message": f"beyond the owner's role: {', '.join(beyond)}"}]
            )
    expires_at = fields.get("expires_at")
    if expires_at is not None and expires_at <= now:
        raise Invalid([{"field": "expires_at", "message": "must be in the future"}])
    secret = rules.new_secret()
    key = await uow.api_keys.add(
        name=fields["name"],
        public_id=secret.public_id,
        digest=secret.digest,
        scopes=scopes,
        owner_id=fields.get("owner_id"),
        expires_at=expires_at,
        allowed_ips=rules.check_allowed_ips(fields.get("allowed_ips") or []),
        rate_limit_per_minute=fields.get("rate_limit_per_minute") or rules.DEFAULT_RATE_LIMIT,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    changes = audit.created(audit.snapshot(key, AUDITED))
    audit.record(uow, actor, "api_key", key.id, "create", changes, at=now)
    return key, secret.secret


async def rotate(
    uow: UnitOfWork, clock: Clock, actor: Actor, key_id: int, grace: timedelta
) -> tuple[ApiKeyRecord, str]:
    """A new secret; the old one keeps working for `grace` (zero: stops at once)."""
    key = await get(uow, actor, key_id)
    now = clock.now()
    if rules.status(revoked_at=key.revoked_at, expires_at=key.expires_at, now=now) != "active":
        raise Conflict("Only an active key can be rotated.")
    if not timedelta() <= grace <= rules.MAX_GRACE:
        raise Invalid([{"field": "grace_hours", "message": "between 0 and 168 hours"}])
    secret = rules.new_secret(key.public_id)
    key.previous_digest = key.digest if grace else None
    key.previous_valid_until = now + grace if grace else None
    key.digest = secret.digest
    key.rotated_at = now
    key.updated_at = now
    await uow.api_keys.flush()
    changes = {"grace_hours": [None, grace / timedelta(hours=1)]}
    audit.record(uow, actor, "api_key", key.id, "rotate", changes, at=now)
    return key, secret.secret


async def revoke(uow: UnitOfWork, clock: Clock, actor: Actor, key_id: int) -> ApiKeyRecord:
    """The key and any secret of it stop working on their next request."""
    key = await get(uow, actor, key_id)
    if key.revoked_at is not None:
        return key
    now = clock.now()
    key.revoked_at = now
    key.previous_digest = key.previous_valid_until = None
    key.updated_at = now
    await uow.api_keys.flush()
    changes = {"revoked_at": [None, now.isoformat()]}
    audit.record(uow, actor, "api_key", key.id, "revoke", changes, at=now)
    return key
