"""The public pool (公海): rules for releasing customers into it and claiming them back.

A customer whose `owner_id` is null is in the pool. Days are calendar days in the configured
zone (CRM_TIMEZONE, default Asia/Shanghai), not multiples of 24 hours: a customer last engaged
on 1 March at 23:00 has been quiet 30 days from 31 March 00:00 local time, whenever on
1 March it was. Thresholds read "at least N days": quiet since day D, it goes on day D + N.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain import validation
from domain.errors import Conflict
from domain.roles import Actor, Role

# Why a customer was released (the `release_reason` of its history event).
NO_FOLLOW_UP = "no_follow_up"
NO_ORDER = "no_order"
BY_HAND = "manual"  # its owner or an admin let it go (POST /customers/{id}/release)
# lifecycle_alert kinds: one warning per owner engagement, one per quiet spell without orders.
WARNING_ALERT = "pool-warning"
ORDER_WARNING_ALERT = "pool-warning-order"
# notification kinds
WARNING_NOTIFICATION = "pool_warning"
RELEASE_NOTIFICATION = "pool_release"


class NotInPool(Conflict):
    code = "not-in-pool"

    def __init__(self, customer_id: int) -> None:
        super().__init__(
            f"Customer {customer_id} is not in the public pool (someone claimed "
            "it, or it is archived)."
        )


class AlreadyInPool(Conflict):
    code = "already-in-pool"

    def __init__(self, customer_id: int) -> None:
        super().__init__(f"Customer {customer_id} is already in the public pool.")


class ClaimLimit(Conflict):
    code = "claim-limit"

    def __init__(self, owned: int, limit: int) -> None:
        super().__init__(
            f"You already own {owned} customers; the limit is {limit}.", owned=owned, limit=limit
        )


class ReclaimCooldown(Conflict):
    code = "reclaim-cooldown"

    def __init__(self, claimable_from: datetime) -> None:
        super().__init__(
            "You released this customer to the pool; you may claim it again from "
            f"{claimable_from.isoformat()}.",
            claimable_from=claimable_from,
        )


def local_today(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def quiet_since_before(now: datetime, days: int, zone: str) -> datetime:
    """The instant a moment must be before to lie `days` or more calendar days back: the start
    of the local day `days - 1` days before today (its local date is then ≤ today − days)."""
    start = local_today(now, zone) - timedelta(days=days - 1)
    return datetime.combine(start, time(), ZoneInfo(zone))


def day_on_or_before(now: datetime, days: int, zone: str) -> date:
    """The latest local date that lies `days` or more calendar days back."""
    return local_today(now, zone) - timedelta(days=days)


@dataclass(frozen=True, slots=True)
class NoOrderCutoffs:
    """The optional "no order" rule: a customer owned since before `owned_before` whose last
    order is on or before `last_order_on` (or that has none) goes to the pool; the `warn_*`
    pair, `pool_warning_days` later, selects the ones to warn."""

    days: int  # pool_no_order_days
    owned_before: datetime
    last_order_on: date
    warn_owned_before: datetime
    warn_last_order_on: date


@dataclass(frozen=True, slots=True)
class RecycleCutoffs:
    """What one `pool-recycle` run compares with. Owned customers engaged before
    `release_before` go to the pool; those engaged in [release_before, warn_before) are
    warned."""

    release_before: datetime
    warn_before: datetime
    no_order: NoOrderCutoffs | None = None


def recycle_cutoffs(settings: Any, now: datetime, zone: str) -> RecycleCutoffs:
    """Release after `pool_release_days` without engagement (an effective follow-up, or taking
    the customer on), with a warning `pool_warning_days` before; optionally also after
    `pool_no_order_days` without an order since the later of the last order and the start of
    the current ownership, with its own warning as many days before."""
    release, warning, no_order = (
        settings.pool_release_days,
        settings.pool_warning_days,
        settings.pool_no_order_days,
    )
    return RecycleCutoffs(
        release_before=quiet_since_before(now, release, zone),
        warn_before=quiet_since_before(now, release - warning, zone),
        no_order=None
        if no_order is None
        else NoOrderCutoffs(
            days=no_order,
            owned_before=quiet_since_before(now, no_order, zone),
            last_order_on=day_on_or_before(now, no_order, zone),
            warn_owned_before=quiet_since_before(now, no_order - warning, zone),
            warn_last_order_on=day_on_or_before(now, no_order - warning, zone),
        ),
    )


def claimable_from(released_at: datetime, cooldown_days: int, zone: str) -> datetime:
    """Whoever released a customer may claim it back from the start of the local day
    `cooldown_days` after the day it was released (0: at once)."""
    day = released_at.astimezone(ZoneInfo(zone)).date() + timedelta(days=cooldown_days)
    return datetime.combine(day, time(), ZoneInfo(zone))


# ---- access ------------------------------------------------------------------------------


def can_list(actor: Actor) -> bool:
    """Sales work the pool; supervisors and readonly users watch it. Agents find pool
    customers through /customers like any other."""
    return actor.role in (Role.ADMIN, Role.SUPERVISOR, Role.ACCOUNT_MANAGER, Role.READONLY)


def can_claim(actor: Actor) -> bool:
    """Only those who may own customers claim them."""
    return actor.role in (Role.ADMIN, Role.ACCOUNT_MANAGER)


def sees_released_by(actor: Actor) -> bool:
    return actor.is_admin


def redact_contact(actor: Actor, values: dict[str, Any]) -> list[str]:
    """Until claimed, contacts show as a supervisor sees them (mobiles and phones masked);
    admins see everything everywhere."""
    if actor.is_admin:
        return []
    touched = []
    for name in ("mobile", "phone"):
        if values.get(name):
            values[name] = validation.mask_phone(values[name])
            touched.append(name)
    return touched
