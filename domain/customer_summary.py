"""The customer page's summary: tab counts, open work, and when the public pool takes it back."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from domain import customer as rules
from domain import customer_service
from domain.ports import UnitOfWork
from domain.roles import Actor


@dataclass(frozen=True, slots=True)
class PoolClock:
    release_on: date  # local date (CRM_TIMEZONE) from whose 00:00 the pool-recycle job releases it
    warning: bool  # within pool_warning_days of that
    days_left: int


def pool_clock(
    *,
    owner_engaged_at: datetime | None,
    owned_since: datetime | None,
    last_order_on: date | None,
    release_days: int,
    warning_days: int,
    no_order_days: int | None,
    today: date,
    zone: str,
) -> PoolClock | None:
    """When an owned customer goes back to the pool, by the same calendar-day rules as the
    job: engaged on day D, released on D + release_days; with the no-order rule, also on the
    later of the ownership start and the last order + no_order_days; the earlier wins."""
    local = ZoneInfo(zone)
    candidates = []
    if owner_engaged_at is not None:
        candidates.append(owner_engaged_at.astimezone(local).date() + timedelta(days=release_days))
    if no_order_days is not None and owned_since is not None:
        start = owned_since.astimezone(local).date()
        if last_order_on is not None and last_order_on > start:
            start = last_order_on
        candidates.append(start + timedelta(days=no_order_days))
    if not candidates:
        return None
    release_on = min(candidates)
    days_left = (release_on - today).days
    return PoolClock(release_on, days_left <= warning_days, max(days_left, 0))


def customer_pool_clock(
    customer: Any, settings: Any, *, today: date, zone: str
) -> PoolClock | None:
    """`pool_clock` of an owned customer (a record or a row of the list) under the lifecycle
    settings' release rules."""
    return pool_clock(
        owner_engaged_at=customer.owner_engaged_at,
        owned_since=customer.owned_since,
        last_order_on=customer.last_order_on,
        release_days=settings.pool_release_days,
        warning_days=settings.pool_warning_days,
        no_order_days=settings.pool_no_order_days,
        today=today,
        zone=zone,
    )


async def summary(
    uow: UnitOfWork, actor: Actor, customer_id: int, *, now: datetime, zone: str
) -> dict[str, Any]:
    customer = await customer_service.get_readable(uow, actor, customer_id)
    counts = await uow.summaries.counts(actor, customer.id)
    clock = None
    if customer.owner_id is not None and not customer.archived:
        settings = await uow.lifecycle.settings()
        today = now.astimezone(ZoneInfo(zone)).date()
        clock = customer_pool_clock(customer, settings, today=today, zone=zone)
    money = rules.sees_amounts(actor)
    return {
        "customer_id": customer.id,
        "contacts": counts.contacts,
        "follow_ups": counts.follow_ups,
        "orders": counts.orders if money else None,
        "opportunities": counts.opportunities if money else None,
        "open_opportunities": counts.open_opportunities if money else None,
        "open_opportunity_amount": (
            Decimal(counts.open_opportunity_fen).scaleb(-2) if money else None
        ),
        "tickets": counts.tickets,
        "open_tickets": counts.open_tickets,
        "open_tasks": counts.open_tasks,
        "pool_release_on": clock.release_on if clock else None,
        "pool_days_left": clock.days_left if clock else None,
        "pool_warning": bool(clock and clock.warning),
    }
