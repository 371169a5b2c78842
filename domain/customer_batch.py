"""Customers created and changed a batch at a time (POST /customers/bulk).

The same rules as one by one (customer_service.new_customer and plan_update), but the checks
that read the database run once for the whole batch and the rows are written in a few
statements, not a dozen per customer. A later item that repeats an earlier one's credit
code, ID number or external id is refused, as it would be one by one.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from domain import audit, cadence_service
from domain import customer as rules
from domain.batch import ItemResult
from domain.customer_service import (
    CODE_ZONE,
    UNIQUE_IDS,
    NewCustomer,
    check_owner,
    code_prefix,
    customer_code,
    get_writable,
    missing_tags,
    new_customer,
    new_row,
    plan_update,
    record_created,
)
from domain.errors import DomainError, Duplicate
from domain.ports import Clock, TagRecord, UnitOfWork
from domain.roles import Actor
from domain.sales import local_date


@dataclass(frozen=True)
class Edit:
    index: int
    customer_id: int
    changes: dict[str, Any]


async def create_many(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    items: Sequence[tuple[int, dict[str, Any]]],
    *,
    zone: ZoneInfo,
) -> list[ItemResult]:
    """Create each (index, fields) as customer_service.create would: a refused item is
    answered with its error and not written, the others are written together. Items with a
    `primary_contact` are not for this: create() makes those, one by one."""
    definitions = await uow.custom_fields.definitions()
    results: dict[int, ItemResult] = {}
    prepared: list[tuple[int, NewCustomer]] = []
    for index, fields in items:
        try:
            prepared.append((index, new_customer(actor, fields, definitions)))
        except DomainError as exc:
            results[index] = ItemResult(index, error=exc)

    refused_owners: dict[int, DomainError] = {}
    for owner_id in sorted({new.owner_id for _, new in prepared if new.owner_id is not None}):
        try:
            await check_owner(uow, owner_id)
        except DomainError as exc:
            refused_owners[owner_id] = exc
    taken = {
        column: await uow.customers.ids_taken(
            column, [new.values[column] for _, new in prepared if new.values.get(column)]
        )
        for column, _ in UNIQUE_IDS
    }
    held: dict[tuple[str, str], int | str] = dict(
        await uow.external_ids.held(
            "customer", [pair for _, new in prepared for pair in new.external.items()]
        )
    )
    tags = {
        t.id: t
        for t in await uow.tags.get_many(sorted({t for _, new in prepared for t in new.tag_ids}))
    }

    accepted: list[tuple[int, NewCustomer, list[TagRecord]]] = []
    for index, new in prepared:
        try:
            if new.owner_id in refused_owners:
                raise refused_owners[new.owner_id]
            for column, label in UNIQUE_IDS:
                if new.values.get(column) in taken[column]:
                    raise Duplicate(column, f"Another customer already has this {label}.")
            _refuse_held(new.external, held)
            missing_tags(new.tag_ids, tags)
        except DomainError as exc:
            results[index] = ItemResult(index, error=exc)
            continue
        for column, _ in UNIQUE_IDS:
            if new.values.get(column):
                taken[column].add(new.values[column])
        held.update(dict.fromkeys(new.external.items(), f"item {index}"))
        accepted.append((index, new, [tags[t] for t in new.tag_ids]))

    if accepted:
        now = clock.now()
        local = now.astimezone(CODE_ZONE)
        last = await uow.codes.take(code_prefix(local), len(accepted))
        first = last - len(accepted) + 1
        due: dict[str, Any] = {}
        rows = []
        for n, (_, new, _) in enumerate(accepted):
            stage = rules.Stage(new.values["stage"]).value
            if stage not in due:
                due[stage] = await cadence_service.due_after(uow, stage, local_date(now, zone))
            rows.append(new_row(new, customer_code(local, first + n), now, due[stage]))
        customers = await uow.customers.add_many(rows)
        await uow.customers.add_tags(
            [(c.id, t.id) for c, (_, _, ts) in zip(customers, accepted, strict=True) for t in ts]
        )
        await uow.external_ids.add_many(
            "customer",
            [
                (c.id, system, value)
                for c, (_, new, _) in zip(customers, accepted, strict=True)
                for system, value in new.external.items()
            ],
        )
        for customer, (index, _, customer_tags) in zip(customers, accepted, strict=True):
            record_created(uow, actor, customer, customer_tags, now)
            results[index] = ItemResult(index, "created", customer.id)
    return [results[index] for index, _ in items]


def _refuse_held(ids: Mapping[str, str], held: Mapping[tuple[str, str], int | str]) -> None:
    """Each of a new customer's external ids must be free: not held by a customer, nor taken
    by an earlier item of the batch."""
    holders = {s: held[s, v] for s, v in ids.items() if (s, v) in held}
    if holders:
        system = min(holders)
        holder = holders[system]
        owner = holder if isinstance(holder, str) else f"customer {holder}"
        raise Duplicate(
            f"external_ids.{system}",
            f"The external id {system}:{ids[system]} belongs to {owner}.",
        )


async def update_many(
    uow: UnitOfWork, clock: Clock, actor: Actor, edits: Sequence[Edit]
) -> tuple[list[ItemResult], list[Edit]]:
    """Apply the edits that need no further reads (no new owner, stage, tags, credit code, ID
    number or external id) as customer_service.update would, written together; answered in
    the first list. The second holds the others, in order, for update() one by one. Edits of
    a customer that an earlier edit of the batch changes go one by one too."""
    # held here so that get_writable finds them in the session, not in the database
    locked = await uow.customers.lock_many(sorted({e.customer_id for e in edits}))
    needs_definitions = any("custom_fields" in e.changes for e in edits)
    definitions = await uow.custom_fields.definitions() if needs_definitions else {}
    results: list[ItemResult] = []
    later: list[Edit] = []
    writes: dict[int, tuple[dict[str, Any], dict[str, list[Any]]]] = {}
    for edit in edits:
        if edit.customer_id in writes:
            later.append(edit)
            continue
        try:
            customer = await get_writable(uow, actor, edit.customer_id)
            changes = dict(edit.changes)
            if changes.get("kind") == customer.kind:  # an upsert's body names it; no change
                del changes["kind"]
            plan = plan_update(actor, customer, changes, definitions)
        except DomainError as exc:
            results.append(ItemResult(edit.index, error=exc))
            continue
        values = plan.values
        if (
            plan.tag_ids is not None
            or (plan.external is not None and plan.external != plan.external_before)
            or any(
                audit.jsonable(plan.before.get(name)) != audit.jsonable(values[name])
                for name in _LOOKED_UP
                if name in values
            )
        ):
            later.append(edit)
            continue
        diff = audit.diff(plan.before, {**plan.before, **values})
        if diff:  # what changed, and the fields the trail does not keep
            changed = {
                k: v
                for k, v in values.items()
                if k not in plan.before or audit.jsonable(plan.before[k]) != audit.jsonable(v)
            }
            writes[customer.id] = (changed, diff)
        results.append(ItemResult(edit.index, "updated", customer.id))
    if writes:
        await uow.customers.update_many({cid: values for cid, (values, _) in writes.items()})
        now = clock.now()
        for customer_id, (_, diff) in writes.items():
            audit.record(
                uow, actor, "customer", customer_id, "update", diff, at=now, customer_id=customer_id
            )
    del locked
    return results, later


# An edit of one of these reads the database (the owner's role, the ids' uniqueness, the
# stage's cadence rule): it goes through customer_service.update.
_LOOKED_UP = ("owner_id", "stage", "credit_code", "id_number")
