"""Contacts, orders, tickets, follow-ups and opportunities by another system's id: find one,
or create-or-update it (upsert), as customer_sync does for customers. The ordinary services
do the work, so their role and row rules hold: a record the caller may not see is a 404,
never taken over."""

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from domain import (
    customer_service,
    follow_up_service,
    opportunity_service,
    order_service,
    ticket_service,
)
from domain.customer_service import readable_child
from domain.errors import Invalid, NotFound
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


async def _holder(uow: UnitOfWork, entity_type: str, system: str, value: str) -> int | None:
    system, value = external_ids.check_system(system), external_ids.check_id(value)
    return await uow.external_ids.holder(entity_type, system, value)


async def _found(uow: UnitOfWork, entity_type: str, system: str, value: str) -> int:
    holder = await _holder(uow, entity_type, system, value)
    if holder is None:
        raise NotFound(entity_type.replace("_", "-"), f"{system}:{value}")
    return holder


def _fixed(record: Any, fields: dict[str, Any], names: tuple[str, ...]) -> None:
    """Fields an update cannot change (they are set on creation): the same value may be
    repeated and is dropped, another one is refused."""
    errors = []
    for name in names:
        if name in fields and fields.pop(name) != getattr(record, name):
            errors.append({"field": name, "message": "cannot change after creation"})
    if errors:
        raise Invalid(errors)


# ---- contacts ----


async def find_contact(uow: UnitOfWork, actor: Actor, system: str, value: str) -> ContactRecord:
    holder = await _found(uow, "contact", system, value)
    contact, _ = await readable_child(
        uow, actor, "contact", holder, await uow.customers.contact(holder)
    )
    return contact


async def upsert_contact(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    system: str,
    value: str,
    fields: Mapping[str, Any],
    *,
    if_match: int | None,
) -> tuple[bool, ContactRecord]:
    """Create the contact with this id on the customer `customer_id`, or update the one that
    has it (fields left out keep their values; its customer cannot change). True: created."""
    fields = external_ids.with_path_id(system, value, fields)
    holder = await _holder(uow, "contact", system, value)
    if holder is None:
        customer_id = fields.pop("customer_id")
        return True, await customer_service.add_contact(uow, clock, actor, customer_id, fields)
    contact = await find_contact(uow, actor, system, value)
    _fixed(contact, fields, ("customer_id",))
    return False, await customer_service.update_contact(
        uow, clock, actor, contact.customer_id, contact.id, fields, if_match=if_match
    )


# ---- orders ----


async def find_order(uow: UnitOfWork, actor: Actor, system: str, value: str) -> OrderRecord:
    order, _ = await order_service.get_readable(
        uow, actor, await _found(uow, "order", system, value)
    )
    return order


async def upsert_order(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    system: str,
    value: str,
    fields: Mapping[str, Any],
    *,
    if_match: int | None,
) -> tuple[bool, OrderRecord]:
    """As upsert_contact, for an order of the customer `customer_id`."""
    fields = external_ids.with_path_id(system, value, fields)
    holder = await _holder(uow, "order", system, value)
    if holder is None:
        customer_id = fields.pop("customer_id")
        return True, await order_service.create(uow, clock, actor, customer_id, fields)
    order = await find_order(uow, actor, system, value)
    _fixed(order, fields, ("customer_id",))
    return False, await order_service.update(uow, clock, actor, order.id, fields, if_match=if_match)


# ---- tickets ----


async def find_ticket(uow: UnitOfWork, actor: Actor, system: str, value: str) -> TicketRecord:
    ticket, _ = await ticket_service.get_readable(
        uow, actor, await _found(uow, "ticket", system, value)
    )
    return ticket


async def upsert_ticket(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    system: str,
    value: str,
    fields: Mapping[str, Any],
    *,
    if_match: int | None,
) -> tuple[bool, TicketRecord]:
    """Open the ticket with this id, or edit the one that has it as PATCH does; its customer,
    type, opening time and assignee (see /assign) are not changed this way."""
    fields = external_ids.with_path_id(system, value, fields)
    if await _holder(uow, "ticket", system, value) is None:
        return True, await ticket_service.create(uow, clock, actor, fields)
    ticket = await find_ticket(uow, actor, system, value)
    _fixed(ticket, fields, ("customer_id", "type", "opened_at", "assignee_id"))
    return False, await ticket_service.update(
        uow, clock, actor, ticket.id, fields, if_match=if_match
    )


# ---- follow-ups ----


async def find_follow_up(uow: UnitOfWork, actor: Actor, system: str, value: str) -> FollowUpRecord:
    follow_up, _ = await follow_up_service.get_readable(
        uow, actor, await _found(uow, "follow_up", system, value)
    )
    return follow_up


async def upsert_follow_up(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    system: str,
    value: str,
    fields: Mapping[str, Any],
    *,
    if_match: int | None,
    zone: ZoneInfo,
) -> tuple[bool, FollowUpRecord]:
    """Record the follow-up with this id, or correct the one that has it as PATCH does; when
    it happened, with whom and whose it is stay."""
    fields = external_ids.with_path_id(system, value, fields)
    if await _holder(uow, "follow_up", system, value) is None:
        return True, await follow_up_service.create(uow, clock, actor, fields, zone=zone)
    follow_up = await find_follow_up(uow, actor, system, value)
    _fixed(follow_up, fields, ("customer_id", "at", "owner_id"))
    return False, await follow_up_service.update(
        uow, clock, actor, follow_up.id, fields, if_match=if_match, zone=zone
    )


# ---- opportunities ----


async def find_opportunity(
    uow: UnitOfWork, actor: Actor, system: str, value: str
) -> OpportunityRecord:
    opportunity, _ = await opportunity_service.get_readable(
        uow, actor, await _found(uow, "opportunity", system, value)
    )
    return opportunity


async def upsert_opportunity(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    system: str,
    value: str,
    fields: Mapping[str, Any],
    *,
    if_match: int | None,
) -> tuple[bool, OpportunityRecord]:
    """Open the opportunity with this id, or edit the one that has it as PATCH does; its
    customer stays and its stage moves only through transitions."""
    fields = external_ids.with_path_id(system, value, fields)
    if await _holder(uow, "opportunity", system, value) is None:
        return True, await opportunity_service.create(uow, clock, actor, fields)
    opportunity = await find_opportunity(uow, actor, system, value)
    _fixed(opportunity, fields, ("customer_id", "stage"))
    return False, await opportunity_service.update(
        uow, clock, actor, opportunity.id, fields, if_match=if_match
    )
