"""Business calendars: when the SLA clock runs.

`business` runs during working hours on working days, which know China's public holidays and
make-up working days (调休) from the `chinese-calendar` package; `24x7` always runs. Dates the
package does not cover yet (next year's schedule is published each November/December) fall back
to Monday–Friday, and admin overrides win over both.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

MINUTE = timedelta(minutes=1)


def official_workday(day: date) -> bool:
    """China's official schedule where known; Monday–Friday beyond it."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


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

    name = "business"

    def is_workday(self, day: date) -> bool:
        override = self.overrides.get(day)
        return official_workday(day) if override is None else override

    def _window(self, day: date) -> tuple[datetime, datetime]:
        return (datetime.combine(day, self.opens, self.zone),
                datetime.combine(day, self.closes, self.zone))

    def add(self, start: datetime, minutes: float) -> datetime:
        """The instant `minutes` of working time after `start`."""
        remaining = timedelta(minutes=minutes)
        day = start.astimezone(self.zone).date()
        for _ in range(3660):  # ten years of days: a bound, never reached by real targets
            if self.is_workday(day):
                opens, closes = self._window(day)
                begin = max(opens, start)
                if begin < closes:
                    available = closes - begin
                    if remaining <= available:
                        # At exactly zero, a start outside hours waits for the next opening.
                        return begin + remaining
                    remaining -= available
            day += timedelta(days=1)
        raise ValueError("no working time within ten years; check the calendar overrides")

    def minutes_between(self, start: datetime, end: datetime) -> float:
        """Working minutes in [start, end)."""
        if end <= start:
            return 0.0
        total = timedelta()
        day, last = start.astimezone(self.zone).date(), end.astimezone(self.zone).date()
        while day <= last:
            if self.is_workday(day):
                opens, closes = self._window(day)
                begin, finish = max(opens, start), min(closes, end)
                if finish > begin:
                    total += finish - begin
            day += timedelta(days=1)
        return total.total_seconds() / 60
