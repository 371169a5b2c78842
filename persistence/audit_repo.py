"""The audit trail: every write's entry, and the history pages read from it."""

from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.integration import webhook
from persistence import webhook_repo
from persistence.models import AuditEvent
from persistence.pagination import Page, decode_cursor, encode_cursor

# The API key the current request was made with (api/deps.py sets it for every request it
# authenticates): each audit event the request writes names it, whatever wrote the event.
REQUEST_API_KEY: ContextVar[int | None] = ContextVar("request_api_key", default=None)


class SqlAuditRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(
        self,
        *,
        actor_id: int | None,
        entity_type: str,
        entity_id: int,
        action: str,
        changes: dict[str, Any],
        at: datetime,
        customer_id: int | None = None,
    ) -> None:
        self.session.add(
            AuditEvent(
                actor_id=actor_id,
                entity_type=entity_type,
                entity_id=entity_id,
                customer_id=customer_id,
                action=action,
                changes=changes,
                at=at,
                api_key_id=REQUEST_API_KEY.get(),
            )
        )
        event_type = webhook.event_type(entity_type, action)
        if event_type is not None:  # its deliveries go in with this entry (the outbox)
            webhook_repo.queue_event(
                self.session.sync_session,
                webhook_repo.Event(event_type, entity_type, entity_id, changes, at),
            )

    async def list_page(
        self,
        *,
        entity_type: str | None = None,
        entity_id: int | None = None,
        customer_id: int | None = None,
        actor_id: int | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        cursor: str | None,
        limit: int,
    ) -> Page[AuditEvent]:
        stmt = select(AuditEvent)
        if entity_type:
            stmt = stmt.where(AuditEvent.entity_type == entity_type)
        if entity_id is not None:
            stmt = stmt.where(AuditEvent.entity_id == entity_id)
        if customer_id is not None:
            stmt = stmt.where(AuditEvent.customer_id == customer_id)
        if actor_id is not None:
            stmt = stmt.where(AuditEvent.actor_id == actor_id)
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        if since:
            stmt = stmt.where(AuditEvent.at >= since)
        if until:
            stmt = stmt.where(AuditEvent.at < until)
        if cursor:
            stmt = stmt.where(AuditEvent.id < decode_cursor(cursor, kinds=(int,))[0])
        rows = list(
            (await self.session.scalars(stmt.order_by(AuditEvent.id.desc()).limit(limit + 1))).all()
        )
        more, rows = len(rows) > limit, rows[:limit]
        return Page(rows, encode_cursor([rows[-1].id]) if more else None)
