"""Tasks: a user's to-do list (persistence/task_repo.py)."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from domain.ports.page import Page


class TaskRecord(Protocol):
    id: int
    owner_id: int
    customer_id: int | None
    kind: str
    title: str
    due_on: date | None
    done_at: datetime | None
    updated_at: datetime
    version: int


class TaskRepo(Protocol):
    async def get(self, task_id: int) -> TaskRecord | None: ...
    async def add(
        self,
        *,
        owner_id: int,
        customer_id: int | None,
        kind: str,
        title: str,
        due_on: date | None,
        now: datetime,
    ) -> TaskRecord: ...
    async def flush(self) -> None: ...
    async def list_page(
        self,
        owner_id: int | None,
        *,
        customer_id: int | None = None,
        done: bool | None,
        cursor: str | None,
        limit: int,
        updated_since: datetime | None = None,
    ) -> Page[TaskRecord]: ...
    async def complete_open(
        self, customer_id: int, kinds: Sequence[str], at: datetime
    ) -> list[int]: ...
