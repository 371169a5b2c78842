"""SLA clocks: due times, elapsed and remaining working minutes, and their state.

Pure functions of (start, target, calendar, pauses, now). A pause (the ticket waits for the
customer) stops the clock; the due time moves by the working time spent paused.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

WARNING_AT = 0.8  # a target is in warning at 80 % of its time, breached at 100 %


class Calendar(Protocol):
    name: str

    def add(self, start: datetime, minutes: float) -> datetime: ...
    def minutes_between(self, start: datetime, end: datetime) -> float: ...


class SlaState(StrEnum):
    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"
    MET = "met"
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class Pause:
    start: datetime
    end: datetime | None  # None: still paused


@dataclass(frozen=True, slots=True)
class Clock:
    due_at: datetime
    state: SlaState
    elapsed_minutes: float
    remaining_minutes: float


def paused_minutes(
    calendar: Calendar, pauses: Sequence[Pause], start: datetime, until: datetime
) -> float:
    """Working minutes spent paused in [start, until) (an open pause counts up to `until`)."""
    return sum(
        calendar.minutes_between(max(p.start, start), min(p.end or until, until))
        for p in pauses
        if p.start < until
    )


def elapsed(calendar: Calendar, start: datetime, pauses: Sequence[Pause], until: datetime) -> float:
    """Working minutes the clock ran from `start` to `until`, pauses excluded."""
    return max(
        0.0, calendar.minutes_between(start, until) - paused_minutes(calendar, pauses, start, until)
    )


def due_at(
    calendar: Calendar,
    start: datetime,
    target_minutes: float,
    pauses: Sequence[Pause],
    now: datetime,
) -> datetime:
    """When the target runs out, counting pauses so far (an open pause as if it ended now)."""
    due = calendar.add(start, target_minutes)
    for pause in sorted(pauses, key=lambda p: p.start):
        if pause.start >= due:
            break
        paused = calendar.minutes_between(max(pause.start, start), pause.end or now)
        if paused > 0:
            due = calendar.add(due, paused)
    return due


def clock(
    calendar: Calendar,
    start: datetime,
    target_minutes: float,
    pauses: Sequence[Pause],
    now: datetime,
    *,
    stopped_at: datetime | None = None,
) -> Clock:
    """The state of one target. `stopped_at`: when it was fulfilled (first reply, resolution)."""
    until = min(stopped_at, now) if stopped_at else now
    spent = elapsed(calendar, start, pauses, until)
    due = due_at(calendar, start, target_minutes, pauses, until)
    remaining = target_minutes - spent
    if stopped_at is not None and stopped_at <= now:
        state = SlaState.MET if spent <= target_minutes else SlaState.BREACHED
    elif spent >= target_minutes:
        state = SlaState.BREACHED
    elif any(p.end is None and p.start <= now for p in pauses):
        state = SlaState.PAUSED
    elif spent >= WARNING_AT * target_minutes:
        state = SlaState.WARNING
    else:
        state = SlaState.OK
    return Clock(
        due_at=due,
        state=state,
        elapsed_minutes=round(spent, 2),
        remaining_minutes=round(remaining, 2),
    )
