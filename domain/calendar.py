"""Business calendars: when the SLA clock runs.

`business` runs during working hours on working days, which know China's public holidays and
make-up working days (调休) from the `chinese-calendar` package; `24x7` always runs. Dates the
package does not cover yet (next year's schedule is published each November/December) fall back
to Monday–Friday, and admin overrides win over both.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache, cached_property
from zoneinfo import ZoneInfo

import chinese_calendar

MINUTE = timedelta(minutes=1)
ONE_DAY = timedelta(days=1)
NO_TIME = timedelta()


@cache  # the package scans its whole table for every date it checks (min/max of its keys)
def official_workday(day: date) -> bool:
    """China's official schedule where known; Monday–Friday beyond it."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


# The package's exceptions to Monday–Friday, sorted: holidays on weekdays and make-up working
# days (调休) on weekends. Outside the years it covers, Monday–Friday holds, as above.
_WEEKDAY_HOLIDAYS = sorted(d for d in chinese_calendar.holidays if d.weekday() < 5)
_WEEKEND_WORKDAYS = sorted(d for d in chinese_calendar.workdays if d.weekday() >= 5)


# _REST_WEEKDAYS[w][n]: Mondays to Fridays among n consecutive days from weekday w.
_REST_WEEKDAYS = [[sum(1 for i in range(n) if (w + i) % 7 < 5) for n in range(7)] for w in range(7)]


def _weekdays(first: date, last: date) -> int:
    """Mondays to Fridays in [first, last]."""
    if last < first:
        return 0
    full_weeks, rest = divmod((last - first).days + 1, 7)
    return full_weeks * 5 + _REST_WEEKDAYS[first.weekday()][rest]


def _count_in(days: list[date], first: date, last: date) -> int:
    return bisect_right(days, last) - bisect_left(days, first)


def official_workdays(first: date, last: date) -> int:
    """Working days in [first, last] by the official schedule, in constant time: the cost of a
    span must not grow with its length (a ticket back-dated by centuries once froze the
    server)."""
    return (
        _weekdays(first, last)
        - _count_in(_WEEKDAY_HOLIDAYS, first, last)
        + _count_in(_WEEKEND_WORKDAYS, first, last)
    )


class TwentyFourSeven:
    """The clock always runs (P1)."""

    name = "24x7"

    def add(self, start: datetime, minutes: float) -> datetime:
        return start + timedelta(minutes=minutes)

    def minutes_between(self, start: datetime, end: datetime) -> float:
        return max(0.0, (end - start).total_seconds() / 60)


@dataclass(frozen=True)
class BusinessCalendar:
    """Working hours [opens, closes) in `zone` on working days."""

    zone: ZoneInfo = ZoneInfo("Asia/Shanghai")
    opens: time = time(9)
    closes: time = time(18)
    # date -> True (working) / False (day off): admin overrides of the official schedule.
    overrides: Mapping[date, bool] = field(default_factory=dict)
    # date -> its working hours, None on a day off: what one calendar computed (a page of
    # tickets asks about the same few days hundreds of times).
    _days: dict[date, tuple[datetime, datetime] | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    name = "business"

    def is_workday(self, day: date) -> bool:
        override = self.overrides.get(day)
        return official_workday(day) if override is None else override

    def _window(self, day: date) -> tuple[datetime, datetime]:
        return (
            datetime.combine(day, self.opens, self.zone),
            datetime.combine(day, self.closes, self.zone),
        )

    @cached_property
    def _working_day(self) -> timedelta:
        """The length of a working day (wall-clock, as aware datetimes of one zone subtract)."""
        return datetime.combine(date.min, self.closes) - datetime.combine(date.min, self.opens)

    def _hours(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's working hours [opens, closes), None on a day off."""
        try:
            return self._days[day]
        except KeyError:
            hours = self._window(day) if self.is_workday(day) else None
            self._days[day] = hours
            return hours

    def add(self, start: datetime, minutes: float) -> datetime:
        """The instant `minutes` of working time after `start` (in the calendar's zone)."""
        remaining = timedelta(minutes=minutes)
        # In the zone from here on: comparing datetimes of one tzinfo skips their UTC offsets,
        # and a page of tickets makes thousands of these comparisons.
        start = start.astimezone(self.zone)
        day = start.date()
        for _ in range(3660):  # ten years of days: a bound, never reached by real targets
            hours = self._hours(day)
            if hours is not None:
                opens, closes = hours
                begin = start if start > opens else opens
                if begin < closes:
                    available = closes - begin
                    if remaining <= available:
                        # At exactly zero, a start outside hours waits for the next opening.
                        return begin + remaining
                    remaining -= available
            day += ONE_DAY
        raise ValueError("no working time within ten years; check the calendar overrides")

    def workdays(self, first: date, last: date) -> int:
        """Working days in [first, last], overrides included."""
        count = official_workdays(first, last)
        for day, working in self.overrides.items():
            if first <= day <= last and working != official_workday(day):
                count += 1 if working else -1
        return count

    def _minutes_on(self, day: date, start: datetime, end: datetime) -> timedelta:
        hours = self._hours(day)
        if hours is None:
            return NO_TIME
        opens, closes = hours
        begin = start if start > opens else opens
        finish = end if end < closes else closes
        return finish - begin if finish > begin else NO_TIME

    def minutes_between(self, start: datetime, end: datetime) -> float:
        """Working minutes in [start, end): the first and last days by their hours, the whole
        days between counted, not walked."""
        if end <= start:
            return 0.0
        start, end = start.astimezone(self.zone), end.astimezone(self.zone)  # as in add
        first, last = start.date(), end.date()
        total = self._minutes_on(first, start, end)
        if last > first:
            total += self._minutes_on(last, start, end)
            whole_days = self.workdays(first + ONE_DAY, last - ONE_DAY)
            total += whole_days * self._working_day
        return total.total_seconds() / 60
