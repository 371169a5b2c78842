"""Customers by another system's id: find one, or create-or-update it (upsert), as a sync does."""

from typing import Any
from zoneinfo import ZoneInfo

from domain import change_request_service, customer_service
from domain.change_request import EditOutcome
from domain.errors import Invalid, NotFound
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
) -> tuple[bool, EditOutcome]:
    """Create the customer with this external id, or update the one that has it with the
    fields given (the others keep their values; key fields of a non-admin become change
    requests, as on PATCH). True when it was created."""
    system, value = external_ids.check_system(system), external_ids.check_id(value)
    fields = dict(fields)
    wanted = dict(fields.pop("external_ids", None) or {})
    if wanted.get(system, value) != value:
        raise Invalid(
            [{"field": f"external_ids.{system}", "message": "differs from the id in the path"}]
        )
    wanted[system] = value
    holder = await uow.external_ids.holder("customer", system, value)
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
