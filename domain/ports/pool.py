"""The public pool's claims (persistence/pool_repo.py)."""

from datetime import datetime
from typing import Protocol

from domain.ports.customers import CustomerRecord


class PoolRepo(Protocol):
    async def lock_claimer(self, user_id: int) -> None: ...
    async def owned_count(self, user_id: int) -> int: ...
    async def take(self, customer: CustomerRecord, user_id: int, now: datetime) -> bool: ...
