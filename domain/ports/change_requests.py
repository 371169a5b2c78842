"""Change requests: edits that need an admin's approval (persistence/change_request_repo.py)."""

from datetime import datetime
from typing import Any, Protocol


class ChangeRequestRecord(Protocol):
    created_at: datetime
    updated_at: datetime
    version: int
    id: int
    customer_id: int
    field: str
    old_value: Any
    new_value: Any
    status: str
    requested_by: int
    comment: str | None
    decided_by: int | None
    decided_at: datetime | None
    decision_reason: str | None


class ChangeRequestRepo(Protocol):
    async def get(
        self, request_id: int, *, for_update: bool = False
    ) -> ChangeRequestRecord | None: ...
    async def pending_exists(self, customer_id: int, field: str) -> bool: ...
    async def add(self, **values: Any) -> ChangeRequestRecord | None: ...
    async def flush(self) -> None: ...
