"""Follow-ups and the stages' cadence rules (persistence/follow_up_repo.py)."""

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any, Protocol


class FollowUpRecord(Protocol):
    created_at: datetime
    updated_at: datetime
    version: int
    id: int
    customer_id: int
    owner_id: int
    external_ids: dict[str, str] | None
    opportunity_id: int | None
    at: datetime
    method: str
    summary: str
    feedback: str | None
    next_action: str | None
    next_action_due_on: date | None
    next_action_done_at: datetime | None
    effective: bool


class CadenceRuleRecord(Protocol):
    created_at: datetime
    updated_at: datetime
    version: int
    id: int
    stage: str
    interval_days: int


class FollowUpRepo(Protocol):
    async def get(self, follow_up_id: int) -> FollowUpRecord | None: ...
    async def get_many(self, follow_up_ids: Collection[int]) -> Sequence[FollowUpRecord]: ...
    async def add(self, **values: Any) -> FollowUpRecord: ...
    async def flush(self) -> None: ...
    async def latest_other(self, customer_id: int, except_id: int) -> FollowUpRecord | None: ...
    async def first_after(
        self, customer_id: int, at: datetime, except_id: int
    ) -> datetime | None: ...
    async def open_next_actions(
        self, customer_id: int, *, up_to: datetime, except_id: int
    ) -> Sequence[FollowUpRecord]: ...
    async def cadence_rules(self) -> Sequence[CadenceRuleRecord]: ...
    async def cadence_rule(self, stage: str) -> CadenceRuleRecord | None: ...
    async def add_cadence_rule(self, stage: str, interval_days: int) -> CadenceRuleRecord: ...
    async def delete_cadence_rule(self, rule: CadenceRuleRecord) -> None: ...
