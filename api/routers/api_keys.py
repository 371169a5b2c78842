"""API keys: admins make them for other systems (create, rotate, revoke)."""

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, status

from api.api_key_schemas import ApiKeyCreate, ApiKeyOut, ApiKeyRotate, ApiKeySecretOut
from api.deps import ClockDep, PathId, ReadUowDep, UowDep, scopes
from api.problems import problems
from domain.errors import Conflict, Forbidden, Invalid, NotFound
from domain.integration import api_key as rules
from domain.integration import api_key_service
from domain.roles import Actor, Scope

router = APIRouter(prefix="/api-keys", tags=["api-keys"])

KeysAdmin = Annotated[Actor, scopes(Scope.SETTINGS_ADMIN)]


def key_out(key: Any, now: Any) -> ApiKeyOut:
    return ApiKeyOut(
        id=key.id,
        name=key.name,
        prefix=f"{rules.PREFIX}{key.public_id}",
        scopes=key.scopes,
        owner_id=key.owner_id,
        expires_at=key.expires_at,
        allowed_ips=key.allowed_ips,
        rate_limit_per_minute=key.rate_limit_per_minute,
        status=rules.status(revoked_at=key.revoked_at, expires_at=key.expires_at, now=now),
        created_by=key.created_by,
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        rotated_at=key.rotated_at,
        previous_valid_until=key.previous_valid_until,
        revoked_at=key.revoked_at,
        version=key.version,
    )


@router.get(
    "",
    response_model=list[ApiKeyOut],
    operation_id="api_keys:list_api_keys",
    responses=problems(Forbidden),
)
async def list_api_keys(actor: KeysAdmin, uow: ReadUowDep, clock: ClockDep) -> list[ApiKeyOut]:
    """Every key, revoked ones last. Secrets are never shown again."""
    now = clock.now()
    return [key_out(k, now) for k in await api_key_service.list_all(uow, actor)]


@router.post(
    "",
    response_model=ApiKeySecretOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="api_keys:create_api_key",
    responses=problems(Forbidden, Invalid),
)
async def create_api_key(
    body: ApiKeyCreate, actor: KeysAdmin, uow: UowDep, clock: ClockDep
) -> ApiKeySecretOut:
    """A key for another system, and its secret, shown this once. An owner's key cannot have
    scopes beyond the owner's role. Admins only, signed in (not with a key)."""
    key, secret = await api_key_service.create(uow, clock, actor, body.model_dump())
    return ApiKeySecretOut(key=key_out(key, clock.now()), secret=secret)


@router.get(
    "/{key_id}",
    response_model=ApiKeyOut,
    operation_id="api_keys:get_api_key",
    responses=problems(Forbidden, NotFound),
)
async def get_api_key(
    key_id: PathId, actor: KeysAdmin, uow: ReadUowDep, clock: ClockDep
) -> ApiKeyOut:
    return key_out(await api_key_service.get(uow, actor, key_id), clock.now())


@router.post(
    "/{key_id}/rotate",
    response_model=ApiKeySecretOut,
    operation_id="api_keys:rotate_api_key",
    responses=problems(Forbidden, NotFound, Conflict, Invalid),
)
async def rotate_api_key(
    key_id: PathId, body: ApiKeyRotate, actor: KeysAdmin, uow: UowDep, clock: ClockDep
) -> ApiKeySecretOut:
    """A new secret for the key, shown this once; the old one keeps working for
    `grace_hours` so the other system can switch without downtime."""
    key, secret = await api_key_service.rotate(
        uow, clock, actor, key_id, timedelta(hours=body.grace_hours)
    )
    return ApiKeySecretOut(key=key_out(key, clock.now()), secret=secret)


@router.post(
    "/{key_id}/revoke",
    response_model=ApiKeyOut,
    operation_id="api_keys:revoke_api_key",
    responses=problems(Forbidden, NotFound),
)
async def revoke_api_key(
    key_id: PathId, actor: KeysAdmin, uow: UowDep, clock: ClockDep
) -> ApiKeyOut:
    """The key stops working at once, the secret of a recent rotation too."""
    return key_out(await api_key_service.revoke(uow, clock, actor, key_id), clock.now())
