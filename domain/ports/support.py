"""What many services write beside their record: the audit trail, the code counters and the
in-app notifications (persistence/audit_repo.py, customer_repo.py, notification_repo.py)."""

from datetime import datetime
from typing import Any, Protocol


class AuditRepo(Protocol):
    def add(
        self,
        *,
        actor_id: int | None,
        entity_type: str,
        entity_id: int,
        action: str,
        changes: dict[str, Any],
        at: datetime,
        customer_id: int | None = None,
    ) -> None: ...


class CodeCounter(Protocol):
    async def next_value(self, prefix: str) -> int: ...
    async def take(self, prefix: str, count: int) -> int: ...


class NotificationRepo(Protocol):
    def add(
        self,
        user_id: int,
        kind: str,
        title: str,
        *,
        at: datetime,
        body: str | None = None,
        entity_type: str | None = None,
        entity_id: int | None = None,
        params: dict[str, Any] | None = None,
    ) -> None: ...
