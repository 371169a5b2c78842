"""Use cases on webhooks: admins subscribe URLs to events, read the delivery log, redeliver
and ping. Signed-in admins only, as for API keys."""

import uuid
from collections.abc import Sequence
from typing import Any

from domain import audit
from domain.errors import Forbidden, Invalid, NotFound
from domain.integration import webhook as rules
from domain.ports import (
    Clock,
    Page,
    UnitOfWork,
    WebhookDeliveryRecord,
    WebhookSubscriptionRecord,
)
from domain.roles import Actor

AUDITED = ("url", "event_types", "active")


def _check_manager(actor: Actor) -> None:
    if not actor.is_admin or actor.user_id is None:
        raise Forbidden("Only admins manage webhooks.")
    if actor.api_key_id is not None:
        raise Forbidden("Webhooks are managed by a signed-in admin, not with an API key.")


def _check_types(event_types: list[str]) -> list[str]:
    unknown = sorted(set(event_types) - set(rules.EVENT_TYPES))
    if unknown:
        raise Invalid([{"field": "event_types", "message": f"unknown: {', '.join(unknown)}"}])
    if not event_types:
        raise Invalid([{"field": "event_types", "message": "at least one event type"}])
    return sorted(set(event_types))


async def get(uow: UnitOfWork, actor: Actor, subscription_id: int) -> WebhookSubscriptionRecord:
    _check_manager(actor)
    subscription = await uow.webhooks.get(subscription_id)
    if subscription is None:
        raise NotFound("webhook", subscription_id)
    return subscription


async def list_all(uow: UnitOfWork, actor: Actor) -> Sequence[WebhookSubscriptionRecord]:
    _check_manager(actor)
    return await uow.webhooks.list_all()


async def create(
    uow: UnitOfWork, clock: Clock, actor: Actor, fields: dict[str, Any], *, allow_private: bool
) -> tuple[WebhookSubscriptionRecord, str]:
    """A subscription and its signing secret (generated unless given), shown this once."""
    _check_manager(actor)
    await rules.check_url(fields["url"], allow_private=allow_private)
    now = clock.now()
    secret = fields.get("secret") or rules.new_secret()
    subscription = await uow.webhooks.add(
        url=fields["url"],
        event_types=_check_types(fields["event_types"]),
        secret=secret,
        active=fields.get("active", True),
        status="ok",
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    changes = audit.created(audit.snapshot(subscription, AUDITED))
    audit.record(uow, actor, "webhook_subscription", subscription.id, "create", changes, at=now)
    return subscription, secret


async def update(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    subscription_id: int,
    fields: dict[str, Any],
    *,
    allow_private: bool,
) -> WebhookSubscriptionRecord:
    subscription = await get(uow, actor, subscription_id)
    if "url" in fields:
        await rules.check_url(fields["url"], allow_private=allow_private)
    if "event_types" in fields:
        fields["event_types"] = _check_types(fields["event_types"])
    secret = fields.pop("secret", None)
    change = audit.edit(subscription, AUDITED, fields)
    changes = change.changes
    if secret is not None:
        subscription.secret = secret
        changes["secret"] = [None, "(changed)"]
    if not changes:
        return subscription
    now = clock.now()
    audit.apply(subscription, fields)
    subscription.updated_at = now
    await uow.webhooks.flush()
    audit.record(uow, actor, "webhook_subscription", subscription.id, "update", changes, at=now)
    return subscription


async def delete(uow: UnitOfWork, clock: Clock, actor: Actor, subscription_id: int) -> None:
    """The subscription and its delivery log; pending deliveries are not sent."""
    subscription = await get(uow, actor, subscription_id)
    changes = audit.deleted(audit.snapshot(subscription, AUDITED))
    await uow.webhooks.delete(subscription)
    audit.record(
        uow, actor, "webhook_subscription", subscription_id, "delete", changes, at=clock.now()
    )


async def deliveries(
    uow: UnitOfWork, actor: Actor, subscription_id: int, *, cursor: str | None, limit: int
) -> Page[WebhookDeliveryRecord]:
    # The page first: a forged cursor is a 400 whether or not the subscription exists.
    page = await uow.webhooks.list_deliveries(subscription_id, cursor=cursor, limit=limit)
    await get(uow, actor, subscription_id)
    return page


async def redeliver(
    uow: UnitOfWork, clock: Clock, actor: Actor, delivery_id: int
) -> WebhookDeliveryRecord:
    """The same event (same event id) once more, at the next run of the job, with a new day of
    retries; a pending delivery is brought forward."""
    _check_manager(actor)
    delivery = await uow.webhooks.get_delivery(delivery_id)
    if delivery is None:
        raise NotFound("webhook delivery", delivery_id)
    now = clock.now()
    delivery.state = "pending"
    delivery.next_attempt_at = now
    delivery.expires_at = now + rules.RETRY_FOR
    await uow.webhooks.flush()
    return delivery


async def ping(
    uow: UnitOfWork, clock: Clock, actor: Actor, subscription_id: int
) -> WebhookDeliveryRecord:
    """A `ping` event for this subscription only, sent at the next run of the job."""
    subscription = await get(uow, actor, subscription_id)
    now = clock.now()
    event_id = str(uuid.uuid4())
    body = {
        "id": event_id,
        "type": rules.PING,
        "created_at": now.isoformat(),
        "data": {"type": "webhook_subscription", "id": subscription.id},
    }
    return await uow.webhooks.add_delivery(
        subscription_id=subscription.id,
        event_id=event_id,
        event_type=rules.PING,
        payload=body,
        state="pending",
        attempts=0,
        next_attempt_at=now,
        expires_at=now + rules.RETRY_FOR,
        created_at=now,
    )
