"""Orders and contracts of customers: their SQL."""

from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, and_, func, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from domain.sales import OrderStatus
from persistence.ids import among
from persistence.models import Customer, CustomerOrder
from persistence.pagination import Page, decode_cursor, encode_cursor


class SqlOrderRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, order_id: int) -> CustomerOrder | None:
        return await self.session.get(CustomerOrder, order_id)

    async def get_many(self, order_ids: Collection[int]) -> list[CustomerOrder]:
        """The ones of these ids that exist, in no particular order."""
        if not order_ids:
            return []
        stmt = select(CustomerOrder).where(among(self.session, CustomerOrder.id, order_ids))
        return list((await self.session.scalars(stmt)).all())

    async def add(self, **values: Any) -> CustomerOrder:
        order = CustomerOrder(**values)
        self.session.add(order)
        await self.session.flush()
        return order

    async def flush(self) -> None:
        await self.session.flush()

    async def order_no_taken(self, order_no: str, *, except_id: int | None = None) -> bool:
        stmt = select(CustomerOrder.id).where(CustomerOrder.order_no == order_no)
        if except_id is not None:
            stmt = stmt.where(CustomerOrder.id != except_id)
        return (await self.session.scalar(stmt.limit(1))) is not None

    async def totals(self, customer_id: int) -> tuple[Decimal, date | None, date | None]:
        """Sum of amounts, first and last order date over the customer's orders that are not
        cancelled. Locks the customer's row first, so two orders written at once are summed
        one after the other (each sum then sees the other's order). FOR NO KEY UPDATE, not
        FOR UPDATE: each order's insert already holds the row's FOR KEY SHARE (its foreign
        key), which FOR UPDATE would wait for, and two orders at once would deadlock."""
        await self.session.flush()
        await self.session.execute(
            select(Customer.id).where(Customer.id == customer_id).with_for_update(key_share=True)
        )
        # The raw sum in fen (PostgreSQL's sum of a BIGINT is NUMERIC): exact either way.
        stmt = select(
            type_coerce(func.sum(CustomerOrder.amount), BigInteger),
            func.min(CustomerOrder.ordered_on),
            func.max(CustomerOrder.ordered_on),
        ).where(
            CustomerOrder.customer_id == customer_id,
            CustomerOrder.status != OrderStatus.CANCELLED.value,
        )
        total, first, last = (await self.session.execute(stmt)).one()
        return Decimal(int(total or 0)).scaleb(-2), _day(first), _day(last)

    async def list_page(
        self,
        customer_id: int,
        *,
        status: list[str],
        cursor: str | None,
        limit: int,
        updated_since: datetime | None = None,
    ) -> Page[CustomerOrder]:
        """Newest order date first, then newest id."""
        stmt = select(CustomerOrder).where(CustomerOrder.customer_id == customer_id)
        if status:
            stmt = stmt.where(CustomerOrder.status.in_(status))
        if updated_since is not None:
            stmt = stmt.where(CustomerOrder.updated_at >= updated_since)
        if cursor:
            day, last_id = decode_cursor(cursor, kinds=(date, int))
            stmt = stmt.where(
                or_(
                    CustomerOrder.ordered_on < day,
                    and_(CustomerOrder.ordered_on == day, CustomerOrder.id < last_id),
                )
            )
        rows = list(
            (
                await self.session.scalars(
                    stmt.order_by(CustomerOrder.ordered_on.desc(), CustomerOrder.id.desc()).limit(
                        limit + 1
                    )
                )
            ).all()
        )
        more, rows = len(rows) > limit, rows[:limit]
        cursor_out = encode_cursor([rows[-1].ordered_on.isoformat(), rows[-1].id]) if more else None
        return Page(rows, cursor_out)


def _day(value: Any) -> date | None:
    # Aggregates of a Date column come back as text on SQLite.
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
