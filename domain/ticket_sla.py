"""A ticket's three SLA targets (first response, resolution, customer update) as clocks, and
the thresholds stored on the ticket for the set-based scan."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain import sla
from domain.calendar import BusinessCalendar, TwentyFourSeven
from domain.sla import Calendar, Pause, SlaState

TARGETS = ("first_response", "resolution", "update")


@dataclass(frozen=True, slots=True)
class SlaFacts:
    """What the clocks need to know about one ticket."""

    calendar: Calendar
    opened_at: datetime
    first_response_minutes: int
    resolution_minutes: int
    update_minutes: int
    first_response_at: datetime | None
    last_public_reply_at: datetime | None
    finished_at: datetime | None  # resolved, closed or cancelled
    pauses: Sequence[Pause]


def calendar_named(name: str, business: BusinessCalendar) -> Calendar:
    return TwentyFourSeven() if name == "24x7" else business


def clocks(f: SlaFacts, now: datetime) -> dict[str, sla.Clock]:
    first = sla.clock(
        f.calendar,
        f.opened_at,
        f.first_response_minutes,
        f.pauses,
        now,
        stopped_at=f.first_response_at or f.finished_at,
    )
    resolution = sla.clock(
        f.calendar, f.opened_at, f.resolution_minutes, f.pauses, now, stopped_at=f.finished_at
    )
    update_start = f.last_public_reply_at or f.opened_at
    update = sla.clock(
        f.calendar, update_start, f.update_minutes, f.pauses, now, stopped_at=f.finished_at
    )
    if f.finished_at is not None and update.state is SlaState.BREACHED:
        # A finished ticket owes the customer no more updates.
        update = sla.Clock(
            update.due_at, SlaState.MET, update.elapsed_minutes, update.remaining_minutes
        )
    return {"first_response": first, "resolution": resolution, "update": update}


def thresholds(f: SlaFacts, *, paused: bool, now: datetime) -> dict[str, datetime | None]:
    """The ticket columns the scan compares with `now`; None where nothing can fire (target
    fulfilled, ticket finished, or the clock paused)."""
    running = f.finished_at is None and not paused
    values: dict[str, datetime | None] = dict.fromkeys(
        (
            "first_response_due_at",
            "first_response_warn_at",
            "resolution_due_at",
            "resolution_warn_at",
            "update_due_at",
        )
    )
    if not running:
        return values
    if f.first_response_at is None:
        values["first_response_due_at"] = sla.due_at(
            f.calendar, f.opened_at, f.first_response_minutes, f.pauses, now
        )
        values["first_response_warn_at"] = sla.due_at(
            f.calendar, f.opened_at, sla.WARNING_AT * f.first_response_minutes, f.pauses, now
        )
    values["resolution_due_at"] = sla.due_at(
        f.calendar, f.opened_at, f.resolution_minutes, f.pauses, now
    )
    values["resolution_warn_at"] = sla.due_at(
        f.calendar, f.opened_at, sla.WARNING_AT * f.resolution_minutes, f.pauses, now
    )
    update_start = f.last_public_reply_at or f.opened_at
    values["update_due_at"] = sla.due_at(f.calendar, update_start, f.update_minutes, f.pauses, now)
    return values


def fulfilled_minutes(f: SlaFacts, *, resolved_at: datetime | None) -> dict[str, float | None]:
    """Working minutes (pauses left out) from opening to the first response and to the
    resolution, once each happened; None before. What the analytics aggregate."""
    first = resolution = None
    if f.first_response_at is not None:
        first = round(sla.elapsed(f.calendar, f.opened_at, f.pauses, f.first_response_at), 2)
    if resolved_at is not None:
        resolution = round(sla.elapsed(f.calendar, f.opened_at, f.pauses, resolved_at), 2)
    return {"first_response_elapsed_minutes": first, "resolution_elapsed_minutes": resolution}
