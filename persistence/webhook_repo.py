"""Webhooks: subscriptions, the delivery outbox, and the reads and marks of the `webhooks` job.

The outbox is filled in the transaction of the change: the audit repository queues each entry
that is a webhook event (`queue_event`), and the session's next flush, the one of the commit at
the latest, inserts a delivery per active subscription to its type beside the audit rows. The
subscriptions are read once per session, and only when a queued event needs them.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from domain.integration import webhook as rules
from domain.roles import Role
from persistence.db import rowcount
from persistence.models import Customer, Notification, User, WebhookDelivery, WebhookSubscription
from persistence.pagination import Page, decode_cursor, encode_cursor

_QUEUED = "webhook_events"  # session.info: events written since the last flush
_SUBSCRIPTIONS = "webhook_subscriptions"  # session.info: (id, event types) of active ones


@dataclass(frozen=True, slots=True)
class Event:
    type: str
    entity_type: str
    entity_id: int
    changes: dict[str, Any]
    at: datetime


def queue_event(session: Session, item: Event) -> None:
    session.info.setdefault(_QUEUED, []).append(item)


def payload(event_id: str, item: Event, external_ids: dict[str, str] | None) -> dict[str, Any]:
    data: dict[str, Any] = {"type": item.entity_type, "id": item.entity_id}
    if external_ids:
        data["external_ids"] = external_ids
    data["changes"] = item.changes
    return {"id": event_id, "type": item.type, "created_at": item.at.isoformat(), "data": data}


def _subscriptions(session: Session) -> list[tuple[int, list[str]]]:
    found = session.info.get(_SUBSCRIPTIONS)
    if found is None:
        stmt = select(WebhookSubscription.id, WebhookSubscription.event_types).where(
            WebhookSubscription.active.is_(True)
        )
        found = [(row[0], list(row[1])) for row in session.execute(stmt)]
        session.info[_SUBSCRIPTIONS] = found
    return found


def _deliveries(session: Session, events: Iterable[Event]) -> list[WebhookDelivery]:
    subscriptions = _subscriptions(session)
    rows = []
    for item in events:
        targets = [sid for sid, types in subscriptions if item.type in types]
        if not targets:
            continue
        external_ids = None
        if item.entity_type == "customer":  # in the session already: no query
            customer = session.identity_map.get(session.identity_key(Customer, item.entity_id))
            external_ids = getattr(customer, "external_ids", None)
        event_id = str(uuid.uuid4())  # one event, the same id at every subscriber
        for subscription_id in targets:
            rows.append(
                WebhookDelivery(
                    subscription_id=subscription_id,
                    event_id=event_id,
                    event_type=item.type,
                    payload=payload(event_id, item, external_ids),
                    state="pending",
                    attempts=0,
                    next_attempt_at=item.at,
                    expires_at=item.at + rules.RETRY_FOR,
                    created_at=item.at,
                )
            )
    return rows


@event.listens_for(Session, "before_flush")
def _fill_outbox(session: Session, flush_context: Any, instances: Any) -> None:
    queued = session.info.pop(_QUEUED, None)
    if queued:
        session.add_all(_deliveries(session, queued))


@event.listens_for(Session, "after_soft_rollback")
def _drop_queued(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_QUEUED, None)
    session.info.pop(_SUBSCRIPTIONS, None)


async def enqueue(session: AsyncSession, events: Sequence[Event]) -> int:
    """Deliveries for events written without the audit trail (set-based jobs): now."""
    rows = await session.run_sync(lambda s: _deliveries(s, events))
    session.add_all(rows)
    await session.flush()
    return len(rows)


class SqlWebhookRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, subscription_id: int) -> WebhookSubscription | None:
        return await self.session.get(WebhookSubscription, subscription_id)

    async def list_all(self) -> list[WebhookSubscription]:
        stmt = select(WebhookSubscription).order_by(WebhookSubscription.id)
        return list((await self.session.scalars(stmt)).all())

    async def add(self, **values: object) -> WebhookSubscription:
        row = WebhookSubscription(**values)
        self.session.add(row)
        await self.session.flush()
        self.session.info.pop(_SUBSCRIPTIONS, None)
        return row

    async def delete(self, subscription: Any) -> None:
        await self.session.delete(subscription)
        await self.session.flush()
        self.session.info.pop(_SUBSCRIPTIONS, None)

    async def flush(self) -> None:
        await self.session.flush()
        self.session.info.pop(_SUBSCRIPTIONS, None)

    async def get_delivery(self, delivery_id: int) -> WebhookDelivery | None:
        return await self.session.get(WebhookDelivery, delivery_id)

    async def add_delivery(self, **values: object) -> WebhookDelivery:
        row = WebhookDelivery(**values)
        self.session.add(row)
        await self.session.flush()
        return row

    async def list_deliveries(
        self, subscription_id: int, *, cursor: str | None, limit: int
    ) -> Page[WebhookDelivery]:
        """Newest first."""
        stmt = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
        if cursor:
            stmt = stmt.where(WebhookDelivery.id < decode_cursor(cursor, kinds=(int,))[0])
        stmt = stmt.order_by(WebhookDelivery.id.desc()).limit(limit + 1)
        rows = list((await self.session.scalars(stmt)).all())
        more, rows = len(rows) > limit, rows[:limit]
        return Page(rows, encode_cursor([rows[-1].id]) if more else None)


# ---- the job ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Due:
    id: int
    subscription_id: int
    event_id: str
    payload: dict[str, Any]
    attempts: int
    expires_at: datetime
    url: str
    secret: str


async def claim_due(
    session: AsyncSession, now: datetime, lease_until: datetime, limit: int
) -> list[Due]:
    """Pending deliveries due at `now`, leased until `lease_until`: another run does not take
    them before then, and a run that dies before marking them leaves them to the next one."""
    stmt = (
        select(WebhookDelivery.id)
        .where(WebhookDelivery.state == "pending", WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":  # SQLite: one writer anyway
        stmt = stmt.with_for_update(skip_locked=True)
    ids = list((await session.scalars(stmt)).all())
    if not ids:
        return []
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(ids))
        .values(next_attempt_at=lease_until)
    )
    rows = await session.execute(
        select(
            WebhookDelivery.id,
            WebhookDelivery.subscription_id,
            WebhookDelivery.event_id,
            WebhookDelivery.payload,
            WebhookDelivery.attempts,
            WebhookDelivery.expires_at,
            WebhookSubscription.url,
            WebhookSubscription.secret,
        )
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(WebhookDelivery.id.in_(ids))
        .order_by(WebhookDelivery.id)
    )
    return [Due(*row) for row in rows]


async def mark_delivered(session: AsyncSession, due: Due, status_code: int, now: datetime) -> None:
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == due.id)
        .values(
            state="delivered",
            attempts=due.attempts + 1,
            last_status_code=status_code,
            last_error=None,
            last_attempt_at=now,
            delivered_at=now,
        )
    )
    await session.execute(
        update(WebhookSubscription)
        .where(WebhookSubscription.id == due.subscription_id, WebhookSubscription.status != "ok")
        .values(status="ok")
    )


async def mark_failed_attempt(
    session: AsyncSession, due: Due, status_code: int | None, error: str, now: datetime
) -> bool:
    """One more failed attempt: tried again later, or given up once past `expires_at`, the
    subscription then `failing` and the active admins told. Whether it was given up."""
    attempts = due.attempts + 1
    retry_at = rules.next_attempt(attempts, now)
    given_up = retry_at > due.expires_at
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == due.id)
        .values(
            state="failed" if given_up else "pending",
            attempts=attempts,
            next_attempt_at=now if given_up else retry_at,
            last_status_code=status_code,
            last_error=error[:500],
            last_attempt_at=now,
        )
    )
    if not given_up:
        return False
    result = await session.execute(
        update(WebhookSubscription)
        .where(WebhookSubscription.id == due.subscription_id, WebhookSubscription.status == "ok")
        .values(status="failing")
    )
    if rowcount(result):  # told once when it starts failing, not for every lost delivery
        admins = await session.scalars(
            select(User.id).where(User.role == Role.ADMIN.value, User.is_active.is_(True))
        )
        params = {"url": due.url, "event_type": str(due.payload.get("type"))}
        for admin_id in admins:
            session.add(
                Notification(
                    user_id=admin_id,
                    kind="webhook_failing",
                    title=f"Webhook 投递持续失败（已重试 24 小时）：{due.url}"[:200],
                    params=params,
                    entity_type="webhook_subscription",
                    entity_id=due.subscription_id,
                    created_at=now,
                )
            )
    return True
