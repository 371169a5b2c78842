"""API keys (persistence/api_key_repo.py)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol


class ApiKeyRecord(Protocol):
    created_at: datetime
    updated_at: datetime
    version: int
    id: int
    name: str
    public_id: str
    digest: str
    previous_digest: str | None
    previous_valid_until: datetime | None
    scopes: list[str]
    owner_id: int | None
    expires_at: datetime | None
    allowed_ips: list[str]
    rate_limit_per_minute: int
    created_by: int | None
    last_used_at: datetime | None
    rotated_at: datetime | None
    revoked_at: datetime | None


class ApiKeyRepo(Protocol):
    async def get(self, key_id: int) -> ApiKeyRecord | None: ...
    async def list_all(self) -> Sequence[ApiKeyRecord]: ...
    async def add(self, **values: object) -> ApiKeyRecord: ...
    async def flush(self) -> None: ...
