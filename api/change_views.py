"""Change-feed entries → bodies: each record as its own GET endpoint shows it to the caller,
through the same services and views (a record the caller may not read is left out)."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
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
from domain.errors import Forbidden
from domain.integration.change_feed import Change
from domain.roles import Actor
from domain.sales import local_date
from persistence.uow import SqlUnitOfWork

Body = dict[str, Any]


async def change_items(
    uow: SqlUnitOfWork, actor: Actor, changes: Sequence[Change], *, now: datetime, zone: str
) -> list[Body]:
    """The page's entries in order: an upsert with the record's current body, or a tombstone.
    A bounded number of reads for any page: each type's records, their customers and what
    their bodies need are read for the whole page at once, by the lists' own body builders."""
    bodies = await _bodies(uow, actor, [c for c in changes if c.deleted is None], now, zone)
    deleted = [c for c in changes if c.deleted is not None]
    readable = await customer_service.get_readable_many(
        uow, actor, {c.customer_id for c in deleted if c.type != "customers" and c.customer_id}
    )
    items = []
    for change in changes:
        if change.deleted is not None:
            if _could_read_deleted(actor, change, readable):
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


def _could_read_deleted(actor: Actor, change: Change, readable: Mapping[int, object]) -> bool:
    """A tombstone goes to whoever could read the record: a customer by the values its
    deletion recorded, anything else by its customer (`readable`: the page's customers the
    actor may read; one gone too has its own tombstone, which says so)."""
    if change.type == "customers":
        before = {k: v[0] for k, v in (change.deleted or {}).items()}
        return customer_rules.can_read(
            actor, owner_id=before.get("owner_id"), archived=bool(before.get("archived"))
        )
    return change.customer_id is not None and change.customer_id in readable


async def _bodies(
    uow: SqlUnitOfWork, actor: Actor, changes: Sequence[Change], now: datetime, zone: str
) -> dict[tuple[str, int], Body]:
    """(type, id) → body of the records the actor may read, one batch per type."""
    wanted: dict[str, list[Change]] = {}
    for change in changes:
        wanted.setdefault(change.type, []).append(change)
    found: dict[tuple[str, int], Body] = {}
    for name, of_type in wanted.items():
        try:
            bodies = await _MANY[name](uow, actor, of_type, now, zone)
        except Forbidden:  # the whole type (agents and money): as each GET would answer
            continue
        found.update(((name, body["id"]), body) for body in bodies)
    return found


async def _customers(
    uow: SqlUnitOfWork, actor: Actor, changes: Sequence[Change], now: datetime, zone: str
) -> list[Body]:
    rows = [
        row
        for row in await uow.customers.view_rows([c.id for c in changes])
        if customer_rules.can_read(actor, owner_id=row.owner_id, archived=row.archived)
    ]
    return await views.customer_bodies(uow, actor, rows, now=now, zone=zone)


async def _contacts(
    uow: SqlUnitOfWork, actor: Actor, changes: Sequence[Change], now: datetime, zone: str
) -> list[Body]:
    # Under the customer its entry names, as GET /customers/{id}/contacts/{id} finds it.
    pairs = [(c.customer_id, c.id) for c in changes if c.customer_id is not None]
    return [
        views.contact_out(actor, customer.owner_id, contact).model_dump(mode="json")
        for customer, contact in await customer_service.get_contacts(uow, actor, pairs)
    ]


async def _orders(
    uow: SqlUnitOfWork, actor: Actor, changes: Sequence[Change], now: datetime, zone: str
) -> list[Body]:
    found = await order_service.get_readable_many(uow, actor, [c.id for c in changes])
    return [order_out(order).model_dump(mode="json") for order, _ in found]


async def _follow_ups(
    uow: SqlUnitOfWork, actor: Actor, changes: Sequence[Change], now: datetime, zone: str
) -> list[Body]:
    found = await follow_up_service.get_readable_many(uow, actor, [c.id for c in changes])
    return [follow_up_out(f, customer.name).model_dump(mode="json") for f, customer in found]


async def _tickets(
    uow: SqlUnitOfWork, actor: Actor, changes: Sequence[Change], now: datetime, zone: str
) -> list[Body]:
    tickets = await ticket_service.get_readable_many(uow, actor, [c.id for c in changes])
    return await ticket_views.ticket_bodies(uow, actor, tickets, now)


async def _opportunities(
    uow: SqlUnitOfWork, actor: Actor, changes: Sequence[Change], now: datetime, zone: str
) -> list[Body]:
    found = await opportunity_service.get_readable_many(uow, actor, [c.id for c in changes])
    if not found:
        return []
    tz = ZoneInfo(zone)
    cutoff = await opportunity_service.cutoff(uow, local_date(now, tz), tz)
    return [
        opportunity_out(o, customer.name, cutoff).model_dump(mode="json") for o, customer in found
    ]


_MANY: dict[
    str,
    Callable[[SqlUnitOfWork, Actor, Sequence[Change], datetime, str], Awaitable[list[Body]]],
] = {
    "customers": _customers,
    "contacts": _contacts,
    "orders": _orders,
    "follow_ups": _follow_ups,
    "tickets": _tickets,
    "opportunities": _opportunities,
}
