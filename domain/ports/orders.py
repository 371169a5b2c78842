"""Orders (persistence/order_repo.py)."""

from collections.abc import Collection, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol


class OrderRecord(Protocol):
    created_at: datetime
    updated_at: datetime
    version: int
    id: int
    customer_id: int
    order_no: str
    external_ids: dict[str, str] | None
    contract_no: str | None
    product: str
    amount: Decimal
    ordered_on: date
    status: str
    opportunity_id: int | None
    created_by: int | None


class OrderRepo(Protocol):
    async def get(self, order_id: int) -> OrderRecord | None: ...
    async def get_many(self, order_ids: Collection[int]) -> Sequence[OrderRecord]: ...
    async def add(self, **values: Any) -> OrderRecord: ...
    async def flush(self) -> None: ...
    async def order_no_taken(self, order_no: str, *, except_id: int | None = None) -> bool: ...
    async def totals(self, customer_id: int) -> tuple[Decimal, date | None, date | None]: ...
