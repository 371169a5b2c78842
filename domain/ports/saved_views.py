"""Saved views of the customer list (persistence/search/views.py)."""

from datetime import datetime
from typing import Any, Protocol


class SavedViewRecord(Protocol):
    created_at: datetime
    updated_at: datetime
    version: int
    id: int
    owner_id: int
    department_id: int | None
    name: str
    resource: str
    filters: dict[str, Any]
    sort: str | None
    columns: list[str]
    visibility: str


class SavedViewRepo(Protocol):
    async def get(self, view_id: int) -> SavedViewRecord | None: ...
    async def name_taken(
        self, owner_id: int, resource: str, name: str, except_id: int | None = None
    ) -> bool: ...
    async def add(self, **values: Any) -> SavedViewRecord: ...
    async def delete(self, view: SavedViewRecord) -> None: ...
    async def flush(self) -> None: ...
