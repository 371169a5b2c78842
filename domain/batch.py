"""Batches of independent writes: each item in a savepoint of its own, answered on its own."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from domain.errors import DomainError, Invalid
from domain.integration import external_ids
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


MAX_BATCH = 1000  # items in one request


@dataclass(frozen=True)
class BatchItem:
    """One item of a batch: an upsert by `external_id` (system, id), or a plain create."""

    index: int
    fields: dict[str, Any]
    external_id: tuple[str, str] | None = None


def external_id_keys(items: Sequence[BatchItem]) -> list[tuple[str, str] | DomainError | None]:
    """Each item's external id checked, or its problem; None for a plain create. An id
    repeated in the batch is refused after its first item: which should win is not for us
    to guess."""
    keys: list[tuple[str, str] | DomainError | None] = []
    first: dict[tuple[str, str], int] = {}
    for item in items:
        if item.external_id is None:
            keys.append(None)
            continue
        system, value = item.external_id
        try:
            pair = (
                external_ids.check_system(system, "external_id.system"),
                external_ids.check_id(value, "external_id.id"),
            )
        except Invalid as exc:
            keys.append(exc)
            continue
        if pair in first:
            message = f"repeats the external id of item {first[pair]}; send one item per id"
            keys.append(Invalid([{"field": "external_id", "message": message}]))
            continue
        first[pair] = item.index
        keys.append(pair)
    return keys


class KnownIds:
    """The holders of a batch's external ids, {(system, id): record id}, looked up once and
    kept as each item leaves them: later items see the ids as they would one by one."""

    def __init__(self, holders: dict[tuple[str, str], int]) -> None:
        self.holders = holders
        self._held_by: dict[int, set[tuple[str, str]]] = {}
        for pair, holder in holders.items():
            self._held_by.setdefault(holder, set()).add(pair)

    def wrote(self, record_id: int, ids: Mapping[str, str]) -> None:
        """The record now holds exactly `ids` ({system: id})."""
        for gone in self._held_by.pop(record_id, set()):
            self.holders.pop(gone, None)
        self._held_by[record_id] = set(ids.items())
        self.holders.update(dict.fromkeys(ids.items(), record_id))
