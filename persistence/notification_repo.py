"""The in-app inbox."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.db import rowcount
from persistence.models import Notification, User
from persistence.pagination import Page, decode_cursor, encode_cursor


@dataclass(frozen=True, slots=True)
class PendingEmail:
    """A notification not yet e-mailed, with what its recipient's account says."""

    id: int
    user_id: int
    username: str
    display_name: str
    user_active: bool
    language: str
    email_muted: list[str]
    kind: str
    title: str
    params: dict[str, Any] | None
    body: str | None
    entity_type: str | None
    entity_id: int | None
    created_at: datetime


class SqlNotificationRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(
        self,
        user_id: int,
        kind: str,
        title: str,
        *,
        at: datetime,
        body: str | None = None,
        entity_type: str | None = None,
        entity_id: int | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.session.add(
            Notification(
                user_id=user_id,
                kind=kind,
                title=title,
                body=body,
                params=params,
                entity_type=entity_type,
                entity_id=entity_id,
                created_at=at,
            )
        )

    async def list_page(
        self, user_id: int, *, unread_only: bool, cursor: str | None, limit: int
    ) -> Page[Notification]:
        """Unread first, then newest first."""
        unread = Notification.read_at.is_(None)
        stmt = select(Notification).where(Notification.user_id == user_id)
        if unread_only:
            stmt = stmt.where(unread)
        # Keyset on (is read, id): unread before read, newer ids first within each.
        if cursor:
            was_read, last_id = decode_cursor(cursor, kinds=(bool, int))
            if was_read:
                stmt = stmt.where(Notification.read_at.is_not(None), Notification.id < last_id)
            else:
                stmt = stmt.where(
                    (Notification.read_at.is_not(None)) | (unread & (Notification.id < last_id))
                )
        rows = list(
            (
                await self.session.scalars(
                    stmt.order_by(Notification.read_at.is_not(None), Notification.id.desc()).limit(
                        limit + 1
                    )
                )
            ).all()
        )
        more, rows = len(rows) > limit, rows[:limit]
        next_cursor = encode_cursor([rows[-1].read_at is not None, rows[-1].id]) if more else None
        return Page(rows, next_cursor)

    async def unread_count(self, user_id: int) -> int:
        stmt = select(func.count()).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
        return int(await self.session.scalar(stmt) or 0)

    async def mark_read(self, user_id: int, notification_id: int, at: datetime) -> bool:
        result = await self.session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.user_id == user_id)
            .values(read_at=func.coalesce(Notification.read_at, at))
        )
        return rowcount(result) > 0

    async def mark_all_read(self, user_id: int, at: datetime) -> int:
        result = await self.session.execute(
            update(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .values(read_at=at)
        )
        return rowcount(result)

    # ---- e-mail outbox ----

    async def pending_emails(self, *, after_id: int, limit: int) -> list[PendingEmail]:
        """Notifications with `emailed_at` unset, oldest first, after `after_id`."""
        stmt = (
            select(
                Notification.id,
                User.id,
                User.username,
                User.display_name,
                User.is_active,
                User.language,
                User.email_muted,
                Notification.kind,
                Notification.title,
                Notification.params,
                Notification.body,
                Notification.entity_type,
                Notification.entity_id,
                Notification.created_at,
            )
            .join(User, User.id == Notification.user_id)
            .where(Notification.emailed_at.is_(None), Notification.id > after_id)
            .order_by(Notification.id)
            .limit(limit)
        )
        return [PendingEmail(*row) for row in (await self.session.execute(stmt)).all()]

    async def mark_emailed(self, notification_ids: Sequence[int], at: datetime) -> int:
        """Done with these (sent, or nothing to send); a second marking changes nothing."""
        if not notification_ids:
            return 0
        result = await self.session.execute(
            update(Notification)
            .where(Notification.id.in_(notification_ids), Notification.emailed_at.is_(None))
            .values(emailed_at=at)
        )
        return rowcount(result)
