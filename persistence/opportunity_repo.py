"""Opportunities (商机): their SQL, and the staleness threshold they are judged by."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Row, Select, and_, func, not_, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from domain.roles import Actor, Role
from domain.sales import OPEN_STAGES, OpportunityStage
from persistence.ids import among
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
    close_month: date | None = None  # the month's first day; expected to close within it
    updated_since: datetime | None = None  # inclusive, as the customers' list


@dataclass(frozen=True, slots=True)
class StageTotal:
    stage: str
    count: int
    amount: Decimal  # CNY: each one's budget_max, else budget_min, else 0


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


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

    async def get_many(self, opportunity_ids: Collection[int]) -> list[Opportunity]:
        """The ones of these ids that exist, in no particular order."""
        if not opportunity_ids:
            return []
        stmt = select(Opportunity).where(among(self.session, Opportunity.id, opportunity_ids))
        return list((await self.session.scalars(stmt)).all())

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

    def _filtered(
        self, actor: Actor, f: OpportunityFilter, cutoff: datetime
    ) -> Select[*tuple[Any, ...]]:
        """The readable opportunities `f` selects; `stale` judged against `cutoff`
        (domain.sales.stale_cutoff)."""
        stmt = self._readable(actor)
        if f.owner_id is not None:
            stmt = stmt.where(Opportunity.owner_id == f.owner_id)
        if f.customer_id is not None:
            stmt = stmt.where(Opportunity.customer_id == f.customer_id)
        if f.stage:
            stmt = stmt.where(Opportunity.stage.in_(f.stage))
        if f.updated_since is not None:
            stmt = stmt.where(Opportunity.updated_at >= f.updated_since)
        if f.stale is not None:
            stale = stale_condition(cutoff)
            stmt = stmt.where(stale if f.stale else not_(stale))
        if f.q:
            from persistence.search.query import text_contains

            stmt = stmt.where(text_contains([Opportunity.title], f.q))
        if f.close_month is not None:
            stmt = stmt.where(
                Opportunity.expected_close_on >= f.close_month,
                Opportunity.expected_close_on < _next_month(f.close_month),
            )
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
        """Newest first."""
        return await _page(self.session, self._filtered(actor, f, cutoff), cursor, limit)

    async def stage_totals(
        self, actor: Actor, f: OpportunityFilter, *, cutoff: datetime
    ) -> list[StageTotal]:
        """Count and amount of what `list_page` would list with `f`, per stage: every stage,
        in stage order, zeros included."""
        # The raw integer fen (Money's column) summed in SQL: exact on both back-ends.
        fen = func.coalesce(
            type_coerce(Opportunity.budget_max, BigInteger),
            type_coerce(Opportunity.budget_min, BigInteger),
            0,
        )
        stmt = self._filtered(actor, f, cutoff).with_only_columns(
            Opportunity.stage, func.count(), type_coerce(func.sum(fen), BigInteger)
        )
        found = {
            stage: StageTotal(stage, int(n), Decimal(int(fen_sum or 0)).scaleb(-2))
            for stage, n, fen_sum in await self.session.execute(stmt.group_by(Opportunity.stage))
        }
        return [
            found.get(s.value, StageTotal(s.value, 0, Decimal("0.00"))) for s in OpportunityStage
        ]

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
