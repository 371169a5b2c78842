"""What the domain needs from the outside world, as structural types: the unit of work here,
its repositories and the records they return in one module each."""

from datetime import datetime
from typing import Any, Protocol

from domain.ports.page import Page
from domain.ports.tasks import TaskRecord, TaskRepo

__all__ = ["Clock", "Page", "PasswordHasher", "TaskRecord", "TaskRepo", "UnitOfWork"]


class Clock(Protocol):
    def now(self) -> datetime: ...


class UnitOfWork(Protocol):
    """Repositories sharing one transaction (persistence.uow.SqlUnitOfWork)."""

    customers: Any
    codes: Any
    users: Any
    tags: Any
    custom_fields: Any
    audit: Any
    tickets: Any
    attachments: Any
    notifications: Any
    lifecycle: Any
    pool: Any
    change_requests: Any
    orders: Any
    follow_ups: Any
    opportunities: Any

    @property
    def tasks(self) -> TaskRepo: ...

    values: Any  # customer value (RFM)
    imports: Any  # import records, matching and bulk writes (persistence/imports/repo.py)
    summaries: Any  # a customer page's counts
    search: Any
    saved_views: Any
    api_keys: Any
    external_ids: Any


class PasswordHasher(Protocol):
    """Slow by design: implementations keep the work off the event loop."""

    async def hash(self, password: str) -> str: ...
    async def verify(self, password: str, password_hash: str | None) -> bool: ...
