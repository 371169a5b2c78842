"""Orders and contracts (订单/合同) of a customer. Every write recomputes, in the same
transaction, what the customer derives from its orders: cumulative amount, first cooperation
and last order date (over orders not cancelled); an order is an interaction, so the customer
is active again."""

from collections.abc import Collection
from datetime import datetime
from typing import Any

from domain import audit
from domain.customer_service import get_readable as get_readable_customer
from domain.customer_service import get_writable, readable_child, readable_children
from domain.errors import Duplicate, Invalid, VersionMismatch
from domain.integration import external_ids
from domain.ports import Clock, CustomerRecord, OrderRecord, UnitOfWork
from domain.ports.customers import CustomerAccess
from domain.roles import Actor
from domain.sales import SHANGHAI, OrderStatus, check_amount, check_sees_money

AUDITED = (
    "order_no",
    "contract_no",
    "product",
    "amount",
    "ordered_on",
    "status",
    "opportunity_id",
    "external_ids",
)
EDITABLE = (
    "order_no",
    "contract_no",
    "product",
    "amount",
    "ordered_on",
    "status",
    "opportunity_id",
)
CODE_ZONE = SHANGHAI  # the yyyymm of an order number is China's month, as for customers


async def get_readable(
    uow: UnitOfWork, actor: Actor, order_id: int
) -> tuple[OrderRecord, CustomerRecord]:
    """The order and its customer if the actor may see them; otherwise 404."""
    check_sees_money(actor)
    order = await uow.orders.get(order_id)
    return await readable_child(uow, actor, "order", order_id, order)


async def get_readable_many(
    uow: UnitOfWork, actor: Actor, order_ids: Collection[int]
) -> list[tuple[OrderRecord, CustomerAccess]]:
    """get_readable for many in two reads: those the actor may see, each with its customer
    (the others are left out, as get_readable's 404 leaves them out). Agents are refused (403)
    as by get_readable."""
    check_sees_money(actor)
    return await readable_children(uow, actor, await uow.orders.get_many(order_ids))


async def readable_customer(uow: UnitOfWork, actor: Actor, customer_id: int) -> CustomerRecord:
    """The customer whose orders the actor wants to list."""
    check_sees_money(actor)
    return await get_readable_customer(uow, actor, customer_id)


def _normalize(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    errors = []
    for name in ("order_no", "contract_no", "product"):
        if isinstance(out.get(name), str):
            out[name] = out[name].strip() or None
    for name in ("order_no", "product", "amount", "ordered_on", "status"):
        if name in out and out[name] is None:
            errors.append({"field": name, "message": "cannot be empty"})
    if errors:
        raise Invalid(errors)
    if "amount" in out:
        out["amount"] = check_amount(out["amount"])
    if "status" in out:
        out["status"] = OrderStatus(out["status"]).value
    return out


async def _check_opportunity(uow: UnitOfWork, customer_id: int, opportunity_id: int) -> None:
    opportunity = await uow.opportunities.get(opportunity_id)
    if opportunity is None or opportunity.customer_id != customer_id:
        raise Invalid(
            [{"field": "opportunity_id", "message": "not an opportunity of this customer"}]
        )


async def _order_no(uow: UnitOfWork, clock: Clock) -> str:
    """O + yyyymm + 6 digits from the counter, skipping numbers someone typed in by hand."""
    local = clock.now().astimezone(CODE_ZONE)
    prefix = f"O{local:%Y%m}"
    while True:
        candidate = f"{prefix}{await uow.codes.next_value(prefix):06d}"
        if not await uow.orders.order_no_taken(candidate):
            return candidate


async def refresh_customer(uow: UnitOfWork, customer: CustomerRecord, now: datetime) -> None:
    """The customer's derived order figures, from the orders as they now stand; the
    customer's version stays (see write_derived)."""
    total, first, last = await uow.orders.totals(customer.id)
    await uow.customers.write_derived(
        customer,
        now,
        values={
            "cumulative_amount": total,
            "first_cooperation_on": first,
            "last_order_on": last,
            "activity_status": "active",
        },
    )


async def add(
    uow: UnitOfWork, clock: Clock, actor: Actor, customer: CustomerRecord, fields: dict[str, Any]
) -> OrderRecord:
    """An order for a customer the caller may write (checked by the caller)."""
    fields = dict(fields)
    external = await external_ids.claim(
        uow.external_ids, "order", {}, fields.pop("external_ids", None)
    )
    values = _normalize({"status": OrderStatus.CONFIRMED.value, **fields})
    for name in ("product", "amount", "ordered_on"):
        if name not in values:
            raise Invalid([{"field": name, "message": "required"}])
    if values.get("opportunity_id") is not None:
        await _check_opportunity(uow, customer.id, values["opportunity_id"])
    if values.get("order_no"):
        if await uow.orders.order_no_taken(values["order_no"]):
            raise Duplicate("order_no", "Another order already has this order number.")
    else:
        values["order_no"] = await _order_no(uow, clock)
    now = clock.now()
    order = await uow.orders.add(
        customer_id=customer.id,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
        external_ids=external or None,
        **values,
    )
    await uow.external_ids.replace("order", order.id, {}, external)
    await refresh_customer(uow, customer, now)
    changes = audit.created(audit.snapshot(order, AUDITED))
    audit.record(uow, actor, "order", order.id, "create", changes, at=now, customer_id=customer.id)
    await uow.orders.flush()
    return order


async def create(
    uow: UnitOfWork, clock: Clock, actor: Actor, customer_id: int, fields: dict[str, Any]
) -> OrderRecord:
    """Record an order (admins, and account managers on their own customers). Without
    `order_no` the server numbers it O + yyyymm + 6 digits."""
    check_sees_money(actor)
    customer = await get_writable(uow, actor, customer_id)
    return await add(uow, clock, actor, customer, fields)


async def update(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    order_id: int,
    changes: dict[str, Any],
    *,
    if_match: int | None,
) -> OrderRecord:
    """Change an order; cancelling it takes it out of the customer's totals."""
    order, _ = await get_readable(uow, actor, order_id)
    customer = await get_writable(uow, actor, order.customer_id)
    if if_match is not None and if_match != order.version:
        raise VersionMismatch(order.version)
    values = _normalize({k: v for k, v in changes.items() if k in EDITABLE})
    if values.get("opportunity_id") is not None:
        await _check_opportunity(uow, customer.id, values["opportunity_id"])
    if (
        values.get("order_no")
        and values["order_no"] != order.order_no
        and await uow.orders.order_no_taken(values["order_no"], except_id=order.id)
    ):
        raise Duplicate("order_no", "Another order already has this order number.")
    external_before = dict(order.external_ids or {})
    if changes.get("external_ids") is not None:
        external = await external_ids.claim(
            uow.external_ids, "order", external_before, changes["external_ids"], except_id=order.id
        )
        if external != external_before:
            values["external_ids"] = external or None
    change = audit.edit(order, AUDITED, values)
    diff = change.changes
    if not diff:
        return order
    now = clock.now()
    audit.apply(order, values)
    order.updated_at = now
    await refresh_customer(uow, customer, now)
    audit.record(uow, actor, "order", order.id, "update", diff, at=now, customer_id=customer.id)
    await uow.orders.flush()
    if "external_ids" in values:
        await uow.external_ids.replace(
            "order", order.id, external_before, values["external_ids"] or {}
        )
    return order
