"""Change-feed entries → bodies: each record as its own GET endpoint shows it to the caller,
through the same services and views (a record the caller may not read is left out)."""

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from api import ticket_views, views
from api.sales_views import follow_up_out, opportunity_out, order_out
from domain import customer as customer_rules
from domain import (
    customer_service,
    follow_up_service,
    opportunity_service,
    order_service,
    ticket_service,
)
from domain.errors import Forbidden, NotFound
from domain.integration.change_feed import Change
from domain.roles import Actor
from domain.sales import local_date
from persistence.uow import SqlUnitOfWork

Body = dict[str, Any]


async def change_items(
    uow: SqlUnitOfWork, actor: Actor, changes: Sequence[Change], *, now: datetime, zone: str
) -> list[Body]:
    """The page's entries in order: an upsert with the record's current body, or a tombstone."""
    bodies = await _bodies(uow, actor, [c for c in changes if c.deleted is None], now, zone)
    items = []
    for change in changes:
        if change.deleted is not None:
            if await _could_read_deleted(uow, actor, change):
                items.append(_entry(change, "delete", None, change.external_ids, change.at))
        elif (body := bodies.get((change.type, change.id))) is not None:
            items.append(_entry(change, "upsert", body, None, None))
        # else: not readable, or deleted after this page's entries (its tombstone comes later)
    return items


def _entry(
    change: Change,
    action: str,
    body: Body | None,
    external_ids: dict[str, str] | None,
    deleted_at: datetime | None,
) -> Body:
    return {
        "type": change.type,
        "id": change.id,
        "customer_id": change.customer_id,
        "action": action,
        "position": change.position,
        "changed_at": change.at,
        "body": body,
        "external_ids": external_ids,
        "deleted_at": deleted_at,
    }


async def _could_read_deleted(uow: SqlUnitOfWork, actor: Actor, change: Change) -> bool:
    """A tombstone goes to whoever could read the record: a customer by the values its
    deletion recorded, anything else by its customer (gone too: the customer's own tombstone
    says so)."""
    if change.type == "customers":
        before = {k: v[0] for k, v in (change.deleted or {}).items()}
        return customer_rules.can_read(
            actor, owner_id=before.get("owner_id"), archived=bool(before.get("archived"))
        )
    if change.customer_id is None:
        return False
    try:
        await customer_service.get_readable(uow, actor, change.customer_id)
    except (NotFound, Forbidden):
        return False
    return True


async def _bodies(
    uow: SqlUnitOfWork, actor: Actor, changes: Sequence[Change], now: datetime, zone: str
) -> dict[tuple[str, int], Body]:
    found: dict[tuple[str, int], Body] = {}
    customer_ids = [c.id for c in changes if c.type == "customers"]
    if customer_ids:
        rows = [
            row
            for row in await uow.customers.view_rows(customer_ids)
            if customer_rules.can_read(actor, owner_id=row.owner_id, archived=row.archived)
        ]
        for body in await views.customer_bodies(uow, actor, rows, now=now, zone=zone):
            found[("customers", body["id"])] = body
    cutoff: list[datetime] = []  # the opportunities' stale cutoff, read once if needed
    for change in changes:
        if change.type == "customers":
            continue
        one = _ONE[change.type]
        try:
            body = await one(uow, actor, change, now, zone, cutoff)
        except (NotFound, Forbidden):
            continue
        found[(change.type, change.id)] = body
    return found


async def _contact(
    uow: SqlUnitOfWork,
    actor: Actor,
    change: Change,
    now: datetime,
    zone: str,
    cutoff: list[datetime],
) -> Body:
    if change.customer_id is None:
        raise NotFound("contact", change.id)
    customer, contact = await customer_service.get_contact(
        uow, actor, change.customer_id, change.id
    )
    return views.contact_out(actor, customer.owner_id, contact).model_dump(mode="json")


async def _order(
    uow: SqlUnitOfWork,
    actor: Actor,
    change: Change,
    now: datetime,
    zone: str,
    cutoff: list[datetime],
) -> Body:
    order, _ = await order_service.get_readable(uow, actor, change.id)
    return order_out(order).model_dump(mode="json")


async def _follow_up(
    uow: SqlUnitOfWork,
    actor: Actor,
    change: Change,
    now: datetime,
    zone: str,
    cutoff: list[datetime],
) -> Body:
    follow_up, customer = await follow_up_service.get_readable(uow, actor, change.id)
    return follow_up_out(follow_up, customer.name).model_dump(mode="json")


async def _ticket(
    uow: SqlUnitOfWork,
    actor: Actor,
    change: Change,
    now: datetime,
    zone: str,
    cutoff: list[datetime],
) -> Body:
    ticket, _ = await ticket_service.get_readable(uow, actor, change.id)
    return (await ticket_views.ticket_out(uow, actor, ticket, now)).model_dump(mode="json")


async def _opportunity(
    uow: SqlUnitOfWork,
    actor: Actor,
    change: Change,
    now: datetime,
    zone: str,
    cutoff: list[datetime],
) -> Body:
    opportunity, customer = await opportunity_service.get_readable(uow, actor, change.id)
    if not cutoff:
        tz = ZoneInfo(zone)
        cutoff.append(await opportunity_service.cutoff(uow, local_date(now, tz), tz))
    return opportunity_out(opportunity, customer.name, cutoff[0]).model_dump(mode="json")


_ONE: dict[str, Callable[..., Awaitable[Body]]] = {
    "contacts": _contact,
    "orders": _order,
    "follow_ups": _follow_up,
    "tickets": _ticket,
    "opportunities": _opportunity,
}
