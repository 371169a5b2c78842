"""Opportunities (persistence/opportunity_repo.py)."""

from collections.abc import Collection, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol


class OpportunityRecord(Protocol):
    created_at: datetime
    updated_at: datetime
    version: int
    id: int
    customer_id: int
    owner_id: int
    external_ids: dict[str, str] | None
    title: str
    budget_min: Decimal | None
    budget_max: Decimal | None
    stage: str
    lost_reason: str | None
    expected_close_on: date | None
    closed_at: datetime | None
    last_effective_follow_up_at: datetime | None


class OpportunityRepo(Protocol):
    async def get(self, opportunity_id: int) -> OpportunityRecord | None: ...
    async def get_many(self, opportunity_ids: Collection[int]) -> Sequence[OpportunityRecord]: ...
    async def add(self, **values: Any) -> OpportunityRecord: ...
    async def flush(self) -> None: ...
    async def stale_days(self) -> int: ...
