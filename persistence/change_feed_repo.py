"""The change feed's reads of the audit trail, in commit order.

A position is (txid, id). PostgreSQL: txid is the writing transaction's id, and a read takes
only entries of transactions older than its snapshot's xmin, all of which have finished: no
entry can appear below that horizon later, whatever order transactions commit in. The entries
of transactions still running (or committed after one that is) wait for a later read. SQLite:
txid is NULL (read as 0); writers take the write lock up front (BEGIN IMMEDIATE), so ids are
handed out in commit order and the id alone is the position."""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, String, bindparam, case, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.integration.change_feed import CARRIES_VALUES, Event
from persistence.models import AuditEvent, Json, UtcDateTime

Position = tuple[int, int]
# Only a deletion's values are read by the feed (a tombstone's external ids, who could read
# it); leaving the others' before → after out saves decoding most of a page's JSON.
_CARRIED = sorted(CARRIES_VALUES)

# One statement, so that the horizon and the entries come from the same snapshot (reads run
# in autocommit mode on PostgreSQL: each statement has its own).
_POSTGRES_READ = (
    text(
        """
    WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS h)
    SELECT horizon.h, e.txid, e.id, e.entity_type, e.entity_id, e.customer_id, e.action,
           e.changes, e.at
    FROM horizon LEFT JOIN LATERAL (
        SELECT a.txid, a.id, a.entity_type, a.entity_id, a.customer_id, a.action, a.at,
               CASE WHEN a.action IN :carried THEN a.changes END AS changes
        FROM audit_event AS a
        WHERE a.txid < horizon.h AND (a.txid, a.id) > (:txid, :id)
          AND a.entity_type IN :types
        ORDER BY a.txid, a.id
        LIMIT :limit
    ) AS e ON true
    """
    )
    .bindparams(bindparam("types", expanding=True), bindparam("carried", expanding=True))
    .columns(
        h=BigInteger,
        txid=BigInteger,
        id=BigInteger,
        entity_type=String,
        entity_id=BigInteger,
        customer_id=BigInteger,
        action=String,
        changes=Json,
        at=UtcDateTime,
    )
)


@dataclass(frozen=True, slots=True)
class FeedPage:
    events: list[Event]
    after: Position  # where the next read starts
    more: bool  # entries past `after` are already readable


class SqlChangeFeedRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def _postgres(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    async def head(self) -> Position:
        """A position past every entry written so far: `since=now`."""
        if self._postgres:
            horizon = text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            return (int(await self.session.scalar(select(horizon)) or 0), 0)
        return (0, int(await self.session.scalar(select(func.max(AuditEvent.id))) or 0))

    async def read(self, after: Position, types: Collection[str], *, limit: int) -> FeedPage:
        """Up to `limit` entries of these entity types after `after`, in commit order."""
        if self._postgres:
            return await self._read_postgres(after, types, limit)
        changes = case((AuditEvent.action.in_(_CARRIED), AuditEvent.changes)).label("changes")
        stmt = (
            select(
                AuditEvent.id,
                AuditEvent.entity_type,
                AuditEvent.entity_id,
                AuditEvent.customer_id,
                AuditEvent.action,
                changes,
                AuditEvent.at,
            )
            .where(AuditEvent.id > after[1], AuditEvent.entity_type.in_(types))
            .order_by(AuditEvent.id)
            .limit(limit + 1)
        )
        rows = list((await self.session.execute(stmt)).all())
        more, rows = len(rows) > limit, rows[:limit]
        events = [_event(r) for r in rows]
        if more:
            return FeedPage(events, (0, rows[-1].id), True)
        # Drained: past everything this transaction's snapshot holds, other types included.
        high = await self.session.scalar(select(func.max(AuditEvent.id)))
        return FeedPage(events, (0, max(after[1], int(high or 0))), False)

    async def _read_postgres(self, after: Position, types: Collection[str], limit: int) -> FeedPage:
        result = await self.session.execute(
            _POSTGRES_READ,
            {
                "txid": after[0],
                "id": after[1],
                "types": sorted(types),
                "carried": _CARRIED,
                "limit": limit + 1,
            },
        )
        rows = result.all()
        horizon = int(rows[0].h)
        rows = [r for r in rows if r.id is not None]  # the horizon's row alone: nothing new
        more, rows = len(rows) > limit, rows[:limit]
        events = [_event(r) for r in rows]
        if more:
            return FeedPage(events, (rows[-1].txid, rows[-1].id), True)
        # Drained below the horizon: the next read starts at it ((h, 0) < (h, any id)).
        return FeedPage(events, max(after, (horizon, 0)), False)


def _event(row: Any) -> Event:
    # By position, in the order both reads select: a page is 1,000 rows, and a Row's
    # attribute lookups cost more than the rest of the read's Python.
    *_, position, entity_type, entity_id, customer_id, action, changes, at = row
    return Event(position, entity_type, entity_id, customer_id, action, changes or {}, at)
