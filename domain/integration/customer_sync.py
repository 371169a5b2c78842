"""Customers by another system's id: find one, or create-or-update it (upsert), as a sync does."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from domain import change_request_service, customer_service
from domain.batch import ItemResult
from domain.change_request import EditOutcome
from domain.errors import DomainError, Invalid, NotFound
from domain.integration import external_ids
from domain.ports import Clock, CustomerRecord, UnitOfWork
from domain.roles import Actor


async def find(uow: UnitOfWork, actor: Actor, system: str, value: str) -> CustomerRecord:
    """The customer holding `system:value`, if the actor may see it; otherwise 404."""
    system, value = external_ids.check_system(system), external_ids.check_id(value)
    holder = await uow.external_ids.holder("customer", system, value)
    if holder is None:
        raise NotFound("customer", f"{system}:{value}")
    return await customer_service.get_readable(uow, actor, holder)


async def upsert(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    system: str,
    value: str,
    fields: dict[str, Any],
    *,
    if_match: int | None,
    zone: ZoneInfo,
    known: Mapping[tuple[str, str], int] | None = None,
) -> tuple[bool, EditOutcome]:
    """Create the customer with this external id, or update the one that has it with the
    fields given (the others keep their values; key fields of a non-admin become change
    requests, as on PATCH). True when it was created. `known`: the holders of a batch's ids,
    looked up at once, in place of a lookup of this one."""
    system, value = external_ids.check_system(system), external_ids.check_id(value)
    fields = dict(fields)
    wanted = dict(fields.pop("external_ids", None) or {})
    if wanted.get(system, value) != value:
        raise Invalid(
            [{"field": f"external_ids.{system}", "message": "differs from the id in the path"}]
        )
    wanted[system] = value
    holder = (
        known.get((system, value))
        if known is not None
        else await uow.external_ids.holder("customer", system, value)
    )
    if holder is None:
        created = await customer_service.create(
            uow, clock, actor, {**fields, "external_ids": wanted}, zone=zone
        )
        return True, EditOutcome(created)
    customer = await customer_service.get_readable(uow, actor, holder)
    if fields.pop("kind") != customer.kind:
        raise Invalid([{"field": "kind", "message": "cannot change after creation"}])
    outcome = await change_request_service.edit_customer(
        uow, clock, actor, holder, {**fields, "external_ids": wanted}, if_match=if_match, zone=zone
    )
    return False, outcome


MAX_BATCH = 1000


@dataclass(frozen=True)
class BatchItem:
    """One item of a batch: an upsert by `external_id` (system, id), or a plain create."""

    index: int
    fields: dict[str, Any]
    external_id: tuple[str, str] | None = None


async def upsert_many(
    uow: UnitOfWork, clock: Clock, actor: Actor, items: Sequence[BatchItem], *, zone: ZoneInfo
) -> list[ItemResult]:
    """Each item as its own create or upsert would be (same rules, same audit entries), in a
    savepoint of its own: a failed item undoes only itself and the others go on. An external
    id repeated in the batch is refused after its first item (422): which one should win is
    not for us to guess. The holders of the batch's ids are looked up in one query."""
    keys: list[tuple[str, str] | DomainError | None] = []
    first: dict[tuple[str, str], int] = {}
    for item in items:
        if item.external_id is None:
            keys.append(None)
            continue
        try:
            system, value = item.external_id
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
    known = await uow.external_ids.held("customer", list(first))
    held_by: dict[int, set[tuple[str, str]]] = {}
    for held, holder in known.items():
        held_by.setdefault(holder, set()).add(held)

    results = []
    for item, key in zip(items, keys, strict=True):
        if isinstance(key, DomainError):
            results.append(ItemResult(item.index, error=key))
            continue
        try:
            async with uow.savepoint():
                if key is None:
                    created, outcome = (
                        True,
                        EditOutcome(
                            await customer_service.create(uow, clock, actor, item.fields, zone=zone)
                        ),
                    )
                else:
                    created, outcome = await upsert(
                        uow, clock, actor, *key, item.fields, if_match=None, zone=zone,
                        known=known,
                    )  # fmt: skip
                # read inside the savepoint: a later item's rollback may expire the record
                customer_id = outcome.customer.id
                ids = dict(outcome.customer.external_ids or {})
        except DomainError as exc:
            results.append(ItemResult(item.index, error=exc))
            continue
        if outcome.requests:
            results.append(ItemResult(item.index, "requested", customer_id))
            continue
        # The later items see the ids as this one left them, as they would one by one.
        for gone in held_by.pop(customer_id, set()):
            known.pop(gone, None)
        held_by[customer_id] = set(ids.items())
        known.update(dict.fromkeys(ids.items(), customer_id))
        results.append(ItemResult(item.index, "created" if created else "updated", customer_id))
    return results
