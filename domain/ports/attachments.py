"""A ticket's attached files (persistence/attachment_repo.py)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol


class AttachmentRecord(Protocol):
    id: int
    ticket_id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    storage_key: str
    uploaded_by: int | None
    created_at: datetime


class AttachmentRepo(Protocol):
    async def add(self, **values: Any) -> AttachmentRecord: ...
    async def get(self, ticket_id: int, attachment_id: int) -> AttachmentRecord | None: ...
    async def list_for_ticket(self, ticket_id: int) -> Sequence[AttachmentRecord]: ...
