"""Batches of independent writes: each item in a savepoint of its own, answered on its own."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from domain.errors import DomainError
from domain.ports import UnitOfWork


@dataclass(frozen=True)
class ItemResult:
    index: int
    outcome: Literal["created", "updated", "requested"] | None = None
    record_id: int | None = None
    error: DomainError | None = None


async def create_each(
    uow: UnitOfWork, writes: Sequence[tuple[int, Callable[[], Awaitable[int]]]]
) -> list[ItemResult]:
    """Run each (index, create) in its own savepoint: a failed one undoes only itself and the
    others go on. A create returns the new record's id."""
    results = []
    for index, write in writes:
        try:
            async with uow.savepoint():
                record_id = await write()
        except DomainError as exc:
            results.append(ItemResult(index, error=exc))
            continue
        results.append(ItemResult(index, "created", record_id))
    return results
