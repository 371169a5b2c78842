"""Opportunities (商机): their SQL, and the staleness threshold they are judged by."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, and_, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.roles import Actor, Role
from domain.sales import OPEN_STAGES
from persistence.models import Customer, LifecycleSettings, Opportunity
from persistence.pagination import Page, decode_cursor, encode_cursor

DEFAULT_STALE_DAYS = 30  # the migration seeds lifecycle_settings with it


@dataclass(frozen=True, slots=True)
class OpportunityFilter:
    owner_id: int | None = None
    customer_id: int | None = None
    stage: Sequence[str] = ()
    stale: bool | None = None
    q: str | None = None  # normalised; the title contains it


def stale_condition(cutoff: datetime) -> Any:
    """Mirrors domain.sales.is_stale: open, and neither created nor effectively followed up
    since `cutoff`."""
    return and_(
        Opportunity.stage.in_([s.value for s in OPEN_STAGES]),
        Opportunity.created_at < cutoff,
        or_(
            Opportunity.last_effective_follow_up_at.is_(None),
            Opportunity.last_effective_follow_up_at < cutoff,
        ),
    )


class SqlOpportunityRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, opportunity_id: int) -> Opportunity | None:
        return await self.session.get(Opportunity, opportunity_id)

    async def add(self, **values: Any) -> Opportunity:
        opportunity = Opportunity(**values)
        self.session.add(opportunity)
        await self.session.flush()
        return opportunity

    async def flush(self) -> None:
        await self.session.flush()

    async def stale_days(self) -> int:
        days = await self.session.scalar(
            select(LifecycleSettings.stale_opportunity_days).where(LifecycleSettings.id == 1)
        )
        return DEFAULT_STALE_DAYS if days is None else int(days)

    def _readable(self, actor: Actor) -> Select[*tuple[Any, ...]]:
        stmt = (
            select(Opportunity, Customer.name)
            .join(Customer, Customer.id == Opportunity.customer_id)
            .where(Customer.archived.is_(False))
        )
        if actor.role is Role.ACCOUNT_MANAGER:
            stmt = stmt.where(Customer.owner_id == actor.user_id)
        return stmt

    async def list_page(
        self,
        actor: Actor,
        f: OpportunityFilter,
        *,
        cutoff: datetime,
        cursor: str | None,
        limit: int,
    ) -> Page[Row]:
        """Newest first; `stale` judged against `cutoff` (domain.sales.stale_cutoff)."""
        stmt = self._readable(actor)
        if f.owner_id is not None:
            stmt = stmt.where(Opportunity.owner_id == f.owner_id)
        if f.customer_id is not None:
            stmt = stmt.where(Opportunity.customer_id == f.customer_id)
        if f.stage:
            stmt = stmt.where(Opportunity.stage.in_(f.stage))
        if f.stale is not None:
            stale = stale_condition(cutoff)
            stmt = stmt.where(stale if f.stale else not_(stale))
        if f.q:
            from persistence.search.query import text_contains

            stmt = stmt.where(text_contains([Opportunity.title], f.q))
        return await _page(self.session, stmt, cursor, limit)

    async def list_for_customer(
        self, customer_id: int, *, cursor: str | None, limit: int
    ) -> Page[Row]:
        stmt = (
            select(Opportunity, Customer.name)
            .join(Customer, Customer.id == Opportunity.customer_id)
            .where(Opportunity.customer_id == customer_id)
        )
        return await _page(self.session, stmt, cursor, limit)


async def _page(
    session: AsyncSession, stmt: Select[*tuple[Any, ...]], cursor: str | None, limit: int
) -> Page[Row]:
    if cursor:
        stmt = stmt.where(Opportunity.id < decode_cursor(cursor, kinds=(int,))[0])
    rows = list(
        (await session.execute(stmt.order_by(Opportunity.id.desc()).limit(limit + 1))).all()
    )
    more, rows = len(rows) > limit, rows[:limit]
    return Page(rows, encode_cursor([rows[-1][0].id]) if more else None)
