"""Contacts, orders, tickets, follow-ups and opportunities by another system's id: find one,
create-or-update it (upsert), or many at once, as customer_sync does for customers. The
ordinary services do the work, so their role and row rules and their audit entries hold: a
record the caller may not see is a 404, never taken over."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo

from domain import (
    batch,
    customer_service,
    follow_up_service,
    opportunity_service,
    order_service,
    ticket_service,
)
from domain.batch import ItemResult
from domain.customer_service import readable_child
from domain.errors import DomainError, Invalid, NotFound
from domain.integration import external_ids
from domain.ports import (
    Clock,
    ContactRecord,
    FollowUpRecord,
    OpportunityRecord,
    OrderRecord,
    TicketRecord,
    UnitOfWork,
)
from domain.roles import Actor


class Synced(Protocol):
    id: int
    version: int
    customer_id: int
    external_ids: dict[str, str] | None


R = TypeVar("R", bound=Synced)


@dataclass(frozen=True)
class Kind(Generic[R]):
    """One kind of record as the sync sees it: the services that read, create and update it,
    and the fields set on creation that an update may repeat but not change."""

    entity_type: str
    readable: Callable[[UnitOfWork, Actor, int], Awaitable[R]]
    create: Callable[[UnitOfWork, Clock, Actor, dict[str, Any], ZoneInfo], Awaitable[R]]
    update: Callable[
        [UnitOfWork, Clock, Actor, R, dict[str, Any], int | None, ZoneInfo], Awaitable[R]
    ]
    fixed: tuple[str, ...]

    @property
    def noun(self) -> str:
        return self.entity_type.replace("_", "-")


async def _holder(uow: UnitOfWork, entity_type: str, system: str, value: str) -> int | None:
    system, value = external_ids.check_system(system), external_ids.check_id(value)
    return await uow.external_ids.holder(entity_type, system, value)


def _fixed(record: Any, fields: dict[str, Any], names: tuple[str, ...]) -> None:
    """Fields an update cannot change (they are set on creation): the same value may be
    repeated and is dropped, another one is refused."""
    errors = []
    for name in names:
        if name in fields and fields.pop(name) != getattr(record, name):
            errors.append({"field": name, "message": "cannot change after creation"})
    if errors:
        raise Invalid(errors)


async def find(uow: UnitOfWork, actor: Actor, kind: Kind[R], system: str, value: str) -> R:
    """The record of this kind holding `system:value`, if the actor may see it; else 404."""
    holder = await _holder(uow, kind.entity_type, system, value)
    if holder is None:
        raise NotFound(kind.noun, f"{system}:{value}")
    return await kind.readable(uow, actor, holder)


async def upsert(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    kind: Kind[R],
    system: str,
    value: str,
    fields: Mapping[str, Any],
    *,
    if_match: int | None,
    zone: ZoneInfo,
    known: Mapping[tuple[str, str], int] | None = None,
) -> tuple[bool, R]:
    """Create the record with this id (of the customer `customer_id`), or update the one that
    has it as PATCH does: fields left out keep their values, `kind.fixed` ones cannot change.
    True: created. `known`: the holders of a batch's ids, looked up at once, in place of a
    lookup of this one."""
    fields = external_ids.with_path_id(system, value, fields)
    holder = (
        known.get((system, value))
        if known is not None
        else await _holder(uow, kind.entity_type, system, value)
    )
    if holder is None:
        return True, await kind.create(uow, clock, actor, fields, zone)
    record = await kind.readable(uow, actor, holder)
    _fixed(record, fields, kind.fixed)
    return False, await kind.update(uow, clock, actor, record, fields, if_match, zone)


# ---- the kinds: each service called as its own route calls it ----


async def _contact(uow: UnitOfWork, actor: Actor, contact_id: int) -> ContactRecord:
    contact, _ = await readable_child(
        uow, actor, "contact", contact_id, await uow.customers.contact(contact_id)
    )
    return contact


async def _order(uow: UnitOfWork, actor: Actor, order_id: int) -> OrderRecord:
    return (await order_service.get_readable(uow, actor, order_id))[0]


async def _ticket(uow: UnitOfWork, actor: Actor, ticket_id: int) -> TicketRecord:
    return (await ticket_service.get_readable(uow, actor, ticket_id))[0]


async def _follow_up(uow: UnitOfWork, actor: Actor, follow_up_id: int) -> FollowUpRecord:
    return (await follow_up_service.get_readable(uow, actor, follow_up_id))[0]


async def _opportunity(uow: UnitOfWork, actor: Actor, opportunity_id: int) -> OpportunityRecord:
    return (await opportunity_service.get_readable(uow, actor, opportunity_id))[0]


def _under_customer(
    add: Callable[[UnitOfWork, Clock, Actor, int, dict[str, Any]], Awaitable[R]],
) -> Callable[[UnitOfWork, Clock, Actor, dict[str, Any], ZoneInfo], Awaitable[R]]:
    """A create whose service takes the customer apart from the fields (contacts, orders)."""

    async def create(
        uow: UnitOfWork, clock: Clock, actor: Actor, fields: dict[str, Any], zone: ZoneInfo
    ) -> R:
        fields = dict(fields)
        return await add(uow, clock, actor, fields.pop("customer_id"), fields)

    return create


CONTACT: Kind[ContactRecord] = Kind(
    "contact",
    _contact,
    _under_customer(customer_service.add_contact),
    lambda uow, clock, actor, contact, fields, if_match, zone: customer_service.update_contact(
        uow, clock, actor, contact.customer_id, contact.id, fields, if_match=if_match
    ),
    ("customer_id",),
)
ORDER: Kind[OrderRecord] = Kind(
    "order",
    _order,
    _under_customer(order_service.create),
    lambda uow, clock, actor, order, fields, if_match, zone: order_service.update(
        uow, clock, actor, order.id, fields, if_match=if_match
    ),
    ("customer_id",),
)
TICKET: Kind[TicketRecord] = Kind(
    "ticket",
    _ticket,
    lambda uow, clock, actor, fields, zone: ticket_service.create(uow, clock, actor, fields),
    lambda uow, clock, actor, ticket, fields, if_match, zone: ticket_service.update(
        uow, clock, actor, ticket.id, fields, if_match=if_match
    ),
    # the assignee moves through /assign
    ("customer_id", "type", "opened_at", "assignee_id"),
)
FOLLOW_UP: Kind[FollowUpRecord] = Kind(
    "follow_up",
    _follow_up,
    lambda uow, clock, actor, fields, zone: follow_up_service.create(
        uow, clock, actor, fields, zone=zone
    ),
    lambda uow, clock, actor, follow_up, fields, if_match, zone: follow_up_service.update(
        uow, clock, actor, follow_up.id, fields, if_match=if_match, zone=zone
    ),
    ("customer_id", "at", "owner_id"),
)
OPPORTUNITY: Kind[OpportunityRecord] = Kind(
    "opportunity",
    _opportunity,
    lambda uow, clock, actor, fields, zone: opportunity_service.create(uow, clock, actor, fields),
    lambda uow, clock, actor, opportunity, fields, if_match, zone: opportunity_service.update(
        uow, clock, actor, opportunity.id, fields, if_match=if_match
    ),
    # the stage moves through transitions
    ("customer_id", "stage"),
)


# ---- batches ----


async def upsert_many(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    kind: Kind[R],
    items: Sequence[batch.BatchItem],
    *,
    zone: ZoneInfo,
) -> list[ItemResult]:
    """Each item as its own upsert (with `external_id`) or create (without) would be: same
    rules, same audit entries, in a savepoint of its own, so that a failed item undoes only
    itself and the others go on. The holders of the batch's ids are looked up in one query."""
    keys = batch.external_id_keys(items)
    known = batch.KnownIds(
        await uow.external_ids.held(kind.entity_type, [k for k in keys if isinstance(k, tuple)])
    )

    results = []
    for item, key in zip(items, keys, strict=True):
        if isinstance(key, DomainError):
            results.append(ItemResult(item.index, error=key))
            continue
        try:
            async with uow.savepoint():
                if key is None:
                    created = True
                    record = await kind.create(uow, clock, actor, dict(item.fields), zone)
                else:
                    created, record = await upsert(
                        uow, clock, actor, kind, *key, item.fields,
                        if_match=None, zone=zone, known=known.holders,
                    )  # fmt: skip
                # read inside the savepoint: a later item's rollback may expire the record
                record_id, ids = record.id, dict(record.external_ids or {})
        except DomainError as exc:
            results.append(ItemResult(item.index, error=exc))
            continue
        known.wrote(record_id, ids)
        results.append(ItemResult(item.index, "created" if created else "updated", record_id))
    return results
