"""The in-app inbox."""

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Notification
from persistence.pagination import Page, decode_cursor, encode_cursor


class SqlNotificationRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, user_id: int, kind: str, title: str, *, at: datetime, body: str | None = None,
            entity_type: str | None = None, entity_id: int | None = None) -> None:
        self.session.add(Notification(user_id=user_id, kind=kind, title=title, body=body,
                                      entity_type=entity_type, entity_id=entity_id,
                                      created_at=at))

    async def list_page(self, user_id: int, *, unread_only: bool, cursor: str | None,
                        limit: int) -> Page[Notification]:
        """Unread first, then newest first."""
        unread = Notification.read_at.is_(None)
        stmt = select(Notification).where(Notification.user_id == user_id)
        if unread_only:
            stmt = stmt.where(unread)
        # Keyset on (is read, id): unread before read, newer ids first within each.
        if cursor:
            was_read, last_id = decode_cursor(cursor, length=2)
            if was_read:
                stmt = stmt.where(Notification.read_at.is_not(None), Notification.id < last_id)
            else:
                stmt = stmt.where((Notification.read_at.is_not(None))
                                  | (unread & (Notification.id < last_id)))
        rows = list((await self.session.scalars(
            stmt.order_by(Notification.read_at.is_not(None), Notification.id.desc())
            .limit(limit + 1))).all())
        more, rows = len(rows) > limit, rows[:limit]
        next_cursor = (encode_cursor([rows[-1].read_at is not None, rows[-1].id])
                       if more else None)
        return Page(rows, next_cursor)

    async def unread_count(self, user_id: int) -> int:
        stmt = select(func.count()).where(Notification.user_id == user_id,
                                          Notification.read_at.is_(None))
        return int(await self.session.scalar(stmt) or 0)

    async def mark_read(self, user_id: int, notification_id: int, at: datetime) -> bool:
        result = await self.session.execute(
            update(Notification).where(Notification.id == notification_id,
                                       Notification.user_id == user_id)
            .values(read_at=func.coalesce(Notification.read_at, at)))
        return result.rowcount > 0

    async def mark_all_read(self, user_id: int, at: datetime) -> int:
        result = await self.session.execute(
            update(Notification).where(Notification.user_id == user_id,
                                       Notification.read_at.is_(None)).values(read_at=at))
        return result.rowcount
