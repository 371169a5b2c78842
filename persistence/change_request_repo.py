"""Change requests: their SQL."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import ChangeRequest, Customer
from persistence.pagination import Page, decode_cursor, encode_cursor


@dataclass(frozen=True, slots=True)
class ChangeRequestFilter:
    status: str | None = None
    customer_id: int | None = None
    requested_by: int | None = None  # None: everyone's (admins)


class SqlChangeRequestRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, request_id: int, *, for_update: bool = False) -> ChangeRequest | None:
        if not for_update:
            return await self.session.get(ChangeRequest, request_id)
        # Two admins deciding at once: the second waits, then sees the first one's decision.
        return await self.session.get(
            ChangeRequest, request_id, with_for_update=True, populate_existing=True
        )

    async def pending_exists(self, customer_id: int, field: str) -> bool:
        stmt = select(ChangeRequest.id).where(
            ChangeRequest.customer_id == customer_id,
            ChangeRequest.field == field,
            ChangeRequest.status == "pending",
        )
        return (await self.session.scalar(stmt.limit(1))) is not None

    async def add(self, **values: Any) -> ChangeRequest | None:
        """The new request, or None when uq_change_request_pending refuses it (a concurrent
        request for the same customer and field got there first)."""
        request = ChangeRequest(**values)
        try:
            async with self.session.begin_nested():
                self.session.add(request)
                await self.session.flush()
        except IntegrityError:
            return None
        return request

    async def flush(self) -> None:
        await self.session.flush()

    async def list_page(
        self, f: ChangeRequestFilter, *, cursor: str | None, limit: int
    ) -> Page[Row]:
        """Newest first; each row is (ChangeRequest, the customer's owner_id, code, name)."""
        stmt = select(ChangeRequest, Customer.owner_id, Customer.code, Customer.name).join(
            Customer, Customer.id == ChangeRequest.customer_id
        )
        if f.status:
            stmt = stmt.where(ChangeRequest.status == f.status)
        if f.customer_id is not None:
            stmt = stmt.where(ChangeRequest.customer_id == f.customer_id)
        if f.requested_by is not None:
            stmt = stmt.where(ChangeRequest.requested_by == f.requested_by)
        if cursor:
            stmt = stmt.where(ChangeRequest.id < decode_cursor(cursor, kinds=(int,))[0])
        rows = list(
            (
                await self.session.execute(stmt.order_by(ChangeRequest.id.desc()).limit(limit + 1))
            ).all()
        )
        more, rows = len(rows) > limit, rows[:limit]
        return Page(rows, encode_cursor([rows[-1][0].id]) if more else None)

    async def customer_of(self, request: ChangeRequest) -> Row:
        """(owner_id, code, name) of the request's customer."""
        return (
            await self.session.execute(
                select(Customer.owner_id, Customer.code, Customer.name).where(
                    Customer.id == request.customer_id
                )
            )
        ).one()
