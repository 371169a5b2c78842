"""Other systems' ids of our records (persistence/external_id_repo.py)."""

from collections.abc import Collection, Mapping, Sequence
from typing import Protocol


class ExternalIdRepo(Protocol):
    async def holder(self, entity_type: str, system: str, value: str) -> int | None: ...
    async def holders(self, entity_type: str, ids: Mapping[str, str]) -> dict[str, int]: ...
    async def release_customer(self, customer_id: int) -> None: ...
    async def held(
        self, entity_type: str, pairs: Collection[tuple[str, str]]
    ) -> dict[tuple[str, str], int]: ...
    async def add_many(self, entity_type: str, ids: Sequence[tuple[int, str, str]]) -> None: ...
    async def replace(
        self,
        entity_type: str,
        entity_id: int,
        before: Mapping[str, str],
        after: Mapping[str, str],
    ) -> None: ...
