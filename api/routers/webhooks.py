"""Webhooks: admins subscribe URLs to events; the `webhooks` job POSTs them, signed."""

from typing import Annotated

from fastapi import APIRouter, status

from api.deps import ClockDep, PathId, ReadUowDep, SettingsDep, UowDep, scopes
from api.problems import problems
from api.query import Cursor, Limit
from api.schemas import Page
from api.webhook_schemas import (
    WebhookCreate,
    WebhookDeliveryOut,
    WebhookOut,
    WebhookPatch,
    WebhookSecretOut,
)
from domain.errors import Forbidden, Invalid, InvalidCursor, NotFound
from domain.integration import webhook_service
from domain.roles import Actor, Scope

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

HooksAdmin = Annotated[Actor, scopes(Scope.SETTINGS_ADMIN)]


@router.get(
    "",
    response_model=list[WebhookOut],
    operation_id="webhooks:list_webhooks",
    responses=problems(Forbidden),
)
async def list_webhooks(actor: HooksAdmin, uow: ReadUowDep) -> list[WebhookOut]:
    """Every subscription. Secrets are never shown again."""
    rows = await webhook_service.list_all(uow, actor)
    return [WebhookOut.model_validate(r) for r in rows]


@router.post(
    "",
    response_model=WebhookSecretOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="webhooks:create_webhook",
    responses=problems(Forbidden, Invalid),
)
async def create_webhook(
    body: WebhookCreate, actor: HooksAdmin, uow: UowDep, clock: ClockDep, settings: SettingsDep
) -> WebhookSecretOut:
    """Subscribe a URL to events, and get the signing secret, shown this once. A URL whose host
    resolves to a private, loopback, link-local or reserved address is refused (422) unless
    CRM_WEBHOOKS_ALLOW_PRIVATE is set. Admins only, signed in (not with a key)."""
    row, secret = await webhook_service.create(
        uow, clock, actor, body.model_dump(), allow_private=settings.webhooks_allow_private
    )
    return WebhookSecretOut(webhook=WebhookOut.model_validate(row), secret=secret)


@router.get(
    "/{webhook_id}",
    response_model=WebhookOut,
    operation_id="webhooks:get_webhook",
    responses=problems(Forbidden, NotFound),
)
async def get_webhook(webhook_id: PathId, actor: HooksAdmin, uow: ReadUowDep) -> WebhookOut:
    return WebhookOut.model_validate(await webhook_service.get(uow, actor, webhook_id))


@router.patch(
    "/{webhook_id}",
    response_model=WebhookOut,
    operation_id="webhooks:update_webhook",
    responses=problems(Forbidden, NotFound, Invalid),
)
async def update_webhook(
    webhook_id: PathId,
    body: WebhookPatch,
    actor: HooksAdmin,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> WebhookOut:
    """Change the URL (checked as on create), the events, the secret, or pause it
    (`active: false`: no deliveries are written for it meanwhile)."""
    fields = body.model_dump(exclude_unset=True)
    for name in ("url", "event_types", "active"):
        if name in fields and fields[name] is None:
            del fields[name]
    row = await webhook_service.update(
        uow, clock, actor, webhook_id, fields, allow_private=settings.webhooks_allow_private
    )
    return WebhookOut.model_validate(row)


@router.delete(
    "/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="webhooks:delete_webhook",
    responses=problems(Forbidden, NotFound),
)
async def delete_webhook(
    webhook_id: PathId, actor: HooksAdmin, uow: UowDep, clock: ClockDep
) -> None:
    """The subscription and its delivery log; what was not delivered yet is not sent."""
    await webhook_service.delete(uow, clock, actor, webhook_id)


@router.get(
    "/{webhook_id}/deliveries",
    response_model=Page[WebhookDeliveryOut],
    operation_id="webhooks:list_deliveries",
    responses=problems(Forbidden, NotFound, InvalidCursor),
)
async def list_deliveries(
    webhook_id: PathId,
    actor: HooksAdmin,
    uow: ReadUowDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[WebhookDeliveryOut]:
    """The subscription's delivery log, newest first: state, attempts, the receiver's last
    status code or error."""
    page = await webhook_service.deliveries(uow, actor, webhook_id, cursor=cursor, limit=limit)
    return Page(
        items=[WebhookDeliveryOut.model_validate(d) for d in page.items],
        next_cursor=page.next_cursor,
    )


@router.post(
    "/deliveries/{delivery_id}/redeliver",
    response_model=WebhookDeliveryOut,
    operation_id="webhooks:redeliver",
    responses=problems(Forbidden, NotFound),
)
async def redeliver(
    delivery_id: PathId, actor: HooksAdmin, uow: UowDep, clock: ClockDep
) -> WebhookDeliveryOut:
    """Send the event again (the same event id) at the job's next run, with a new 24 hours of
    retries."""
    return WebhookDeliveryOut.model_validate(
        await webhook_service.redeliver(uow, clock, actor, delivery_id)
    )


@router.post(
    "/{webhook_id}/test",
    response_model=WebhookDeliveryOut,
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="webhooks:test_webhook",
    responses=problems(Forbidden, NotFound),
)
async def test_webhook(
    webhook_id: PathId, actor: HooksAdmin, uow: UowDep, clock: ClockDep
) -> WebhookDeliveryOut:
    """A `ping` event to this subscription, sent at the job's next run (within a minute); its
    outcome is in the delivery log."""
    return WebhookDeliveryOut.model_validate(
        await webhook_service.ping(uow, clock, actor, webhook_id)
    )
