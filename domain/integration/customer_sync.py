"""Customers by another system's id: find one, or create-or-update it (upsert), as a sync does."""

from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from domain import batch, change_request_service, customer_batch, customer_service
from domain.batch import ItemResult
from domain.change_request import EditOutcome, key_fields_needing_approval
from domain.errors import Conflict, DomainError, Invalid, NotFound
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


async def upsert_many(
    uow: UnitOfWork, clock: Clock, actor: Actor, items: Sequence[batch.BatchItem], *, zone: ZoneInfo
) -> list[ItemResult]:
    """Each item as its own create or upsert would be (same rules, same audit entries): a
    failed item is answered with its error and writes nothing; the others go on. An external
    id repeated in the batch is refused after its first item (422): which one should win is
    not for us to guess.

    The holders of the batch's ids are looked up in one query. Plain creates and edits of
    plain fields are then checked together and written in a few statements
    (domain/customer_batch.py); the rest go one by one afterwards, in order, each in a
    savepoint: those with a primary contact, edits of the owner, stage, tags, ids or of a key
    field a non-admin's edit sends for approval, and every item if the batch write meets a
    concurrent writer's conflicting row."""
    keys = batch.external_id_keys(items)
    known = batch.KnownIds(
        await uow.external_ids.held("customer", [k for k in keys if isinstance(k, tuple)])
    )
    results: dict[int, ItemResult] = {}
    creates: list[tuple[int, dict[str, Any]]] = []
    edits: list[customer_batch.Edit] = []
    one_by_one: list[tuple[batch.BatchItem, tuple[str, str] | None]] = []
    claimed: set[tuple[str, str] | None] = set()
    for item, key in zip(items, keys, strict=True):
        if isinstance(key, DomainError):
            results[item.index] = ItemResult(item.index, error=key)
            continue
        holder = None if key is None else known.holders.get(key)
        try:
            fields = item.fields if key is None else external_ids.with_path_id(*key, item.fields)
        except DomainError as exc:
            results[item.index] = ItemResult(item.index, error=exc)
            continue
        if (
            "primary_contact" in fields
            or (holder is not None and key_fields_needing_approval(actor, fields))
            or key in claimed  # an upsert of what an earlier item creates: after it
        ):
            one_by_one.append((item, key))
        elif holder is None:
            creates.append((item.index, fields))
            claimed.update(_ids_of((item, key)))
        else:
            edits.append(customer_batch.Edit(item.index, holder, fields))

    by_index: dict[int, tuple[batch.BatchItem, tuple[str, str] | None]] = {
        item.index: (item, key)
        for item, key in zip(items, keys, strict=True)
        if not isinstance(key, DomainError)
    }
    try:
        async with uow.savepoint():
            created = await customer_batch.create_many(uow, clock, actor, creates, zone=zone)
            updated, later = await customer_batch.update_many(uow, clock, actor, edits)
    except Conflict:
        created, updated = [], []
        one_by_one += [by_index[index] for index, _ in creates]
        later = edits
    results |= {r.index: r for r in created + updated}
    for r in created:
        if r.record_id is not None:
            known.wrote(r.record_id, dict(_ids_of(by_index[r.index])))
    one_by_one += [by_index[edit.index] for edit in later]

    for item, key in sorted(one_by_one, key=lambda pair: pair[0].index):
        results[item.index] = await _one(uow, clock, actor, item, key, known, zone)
    return [results[item.index] for item in items]


def _ids_of(entry: tuple[batch.BatchItem, tuple[str, str] | None]) -> list[tuple[str, str]]:
    item, key = entry
    ids = dict(item.fields.get("external_ids") or {})
    if key is not None:
        ids[key[0]] = key[1]
    return [(s, v) for s, v in ids.items() if v is not None]


async def _one(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    item: batch.BatchItem,
    key: tuple[str, str] | None,
    known: batch.KnownIds,
    zone: ZoneInfo,
) -> ItemResult:
    """One item in a savepoint of its own; `known` follows the ids it leaves behind, so the
    later items see them as they would one by one."""
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
                    uow,
                    clock,
                    actor,
                    *key,
                    item.fields,
                    if_match=None,
                    zone=zone,
                    known=known.holders,
                )
            # read inside the savepoint: a later item's rollback may expire the record
            customer_id = outcome.customer.id
            ids = dict(outcome.customer.external_ids or {})
    except DomainError as exc:
        return ItemResult(item.index, error=exc)
    if outcome.requests:
        return ItemResult(item.index, "requested", customer_id)
    known.wrote(customer_id, ids)
    return ItemResult(item.index, "created" if created else "updated", customer_id)
