"""Sales records (跟进与商机): orders, follow-ups, opportunities and cadence rules. The
enums, the opportunity stage machine, who may see and write what, and the calendar-day
arithmetic behind reminders and staleness (days are local calendar days, Asia/Shanghai by
default)."""

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from domain.errors import Forbidden, Invalid
from domain.roles import Actor, Role

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")


class OrderStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Method(StrEnum):
    PHONE = "phone"
    VISIT = "visit"
    EMAIL = "email"
    WECHAT = "wechat"
    MEETING = "meeting"
    SMS = "sms"


class OpportunityStage(StrEnum):
    INTENT = "intent"
    QUOTE = "quote"
    CONTRACT = "contract"
    WON = "won"
    LOST = "lost"


OPEN_STAGES: Final = frozenset(
    {OpportunityStage.INTENT, OpportunityStage.QUOTE, OpportunityStage.CONTRACT}
)
ALLOWED: Final[Mapping[OpportunityStage, frozenset[OpportunityStage]]] = {
    OpportunityStage.INTENT: frozenset({OpportunityStage.QUOTE, OpportunityStage.LOST}),
    OpportunityStage.QUOTE: frozenset({OpportunityStage.CONTRACT, OpportunityStage.LOST}),
    OpportunityStage.CONTRACT: frozenset({OpportunityStage.WON, OpportunityStage.LOST}),
    OpportunityStage.WON: frozenset(),
    OpportunityStage.LOST: frozenset(),
}

# A follow-up may be logged up to a day ahead (a call across midnight, a clock off by hours),
# never further: it records what happened.
MAX_AHEAD: Final = timedelta(days=1)
MAX_AMOUNT: Final = Decimal("999999999999.99")  # CNY; fen must fit a BIGINT with room to add
CENT: Final = Decimal("0.01")


# ---- access ---------------------------------------------------------------------------------


def check_sees_money(actor: Actor) -> None:
    """Orders and opportunities carry amounts; agents see no money (DESIGN §1), so the whole
    resource is refused by role (403) before any record is looked up."""
    if actor.role is Role.AGENT:
        raise Forbidden("Agents do not see orders, opportunities or amounts.")


def can_edit_follow_up(actor: Actor, follow_up_owner_id: int) -> bool:
    """A follow-up is its author's record: only they (or an admin) change it."""
    return actor.is_admin or follow_up_owner_id == actor.user_id


def may_list_for(actor: Actor, owner_id: int | None) -> bool:
    """Whose due list the actor may read: their own; anyone's for roles that read all."""
    return owner_id == actor.user_id or actor.role in (Role.ADMIN, Role.SUPERVISOR, Role.READONLY)


# ---- opportunities --------------------------------------------------------------------------


def allowed_targets(stage: OpportunityStage) -> frozenset[OpportunityStage]:
    return ALLOWED[stage]


def is_stale(
    stage: str, created_at: datetime, last_effective_follow_up_at: datetime | None, cutoff: datetime
) -> bool:
    """Open and quiet since before `cutoff` (see stale_cutoff): neither created nor followed
    up effectively since then."""
    return (
        stage in OPEN_STAGES
        and created_at < cutoff
        and (last_effective_follow_up_at is None or last_effective_follow_up_at < cutoff)
    )


def stale_cutoff(today: date, days: int, zone: ZoneInfo) -> datetime:
    """Quiet for `days` calendar days: the last sign of life was on `today - days` or earlier,
    that is before the first instant of `today - days + 1`."""
    return start_of(today - timedelta(days=days - 1), zone)


def budget_errors(budget_min: Decimal | None, budget_max: Decimal | None) -> list[dict[str, str]]:
    errors = [
        e
        for name, value in (("budget_min", budget_min), ("budget_max", budget_max))
        for e in _money_errors(name, value, allow_zero=True)
    ]
    if not errors and budget_min is not None and budget_max is not None and budget_min > budget_max:
        errors.append({"field": "budget_max", "message": "must not be below budget_min"})
    return errors


# ---- money ----------------------------------------------------------------------------------


def _money_errors(field: str, value: Decimal | None, *, allow_zero: bool) -> list[dict[str, str]]:
    if value is None:
        return []
    if not value.is_finite() or abs(value) > MAX_AMOUNT:
        return [{"field": field, "message": f"CNY up to {MAX_AMOUNT}"}]
    if value != value.quantize(CENT):
        return [{"field": field, "message": "CNY with at most 2 decimals"}]
    if value < 0 or (value == 0 and not allow_zero):
        return [
            {
                "field": field,
                "message": "must not be negative" if allow_zero else "must be greater than 0",
            }
        ]
    return []


def check_amount(value: Decimal, field: str = "amount") -> Decimal:
    """An order amount: CNY above 0 with at most 2 decimals, returned to the cent."""
    errors = _money_errors(field, value, allow_zero=False)
    if errors:
        raise Invalid(errors)
    return value.quantize(CENT)


def cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT)


# ---- calendar days --------------------------------------------------------------------------


def local_date(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone)


def cadence_due(base: date, interval_days: int | None) -> date | None:
    """The next follow-up by the cadence: `interval_days` after `base`; none without a rule."""
    return None if interval_days is None else base + timedelta(days=interval_days)


def overdue_days(due_on: date, today: date) -> int:
    return max(0, (today - due_on).days)
