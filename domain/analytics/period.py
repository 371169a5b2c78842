"""Periods and buckets. Dates are local dates in the configured zone; a bucket is the half-open
interval of instants [start, end) between two local midnights, so a ticket opened at 23:30 on
31 January in Asia/Shanghai (15:30 UTC) falls in January."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.errors import Invalid

MAX_BUCKETS = 400  # a year and a month of days; any range by month or week stays below it
MIN_DAY, MAX_DAY = date(1970, 1, 1), date(2100, 12, 31)


class Granularity(StrEnum):
    DAY = "day"
    WEEK = "week"  # ISO weeks, Monday first
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class Bucket:
    first_day: date  # local, inclusive
    last_day: date  # local, inclusive
    start: datetime  # aware: local midnight of first_day
    end: datetime  # aware: local midnight after last_day


@dataclass(frozen=True, slots=True)
class Period:
    first_day: date
    last_day: date
    granularity: Granularity
    zone: ZoneInfo
    buckets: tuple[Bucket, ...]

    @property
    def start(self) -> datetime:
        return self.buckets[0].start

    @property
    def end(self) -> datetime:
        return self.buckets[-1].end


def midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone)


def _bucket_start(day: date, granularity: Granularity) -> date:
    if granularity is Granularity.WEEK:
        return day - timedelta(days=day.weekday())
    if granularity is Granularity.MONTH:
        return day.replace(day=1)
    return day


def _next_start(day: date, granularity: Granularity) -> date:
    if granularity is Granularity.WEEK:
        return day + timedelta(days=7)
    if granularity is Granularity.MONTH:
        return date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return day + timedelta(days=1)


def period(first_day: date, last_day: date, granularity: Granularity, zone: ZoneInfo) -> Period:
    """The buckets covering [first_day, last_day]; the first and last are cut to the range
    (a range from the 10th by month starts with the 10th–31st)."""
    if last_day < first_day:
        raise Invalid([{"field": "to", "message": "must not be before `from`"}])
    if first_day < MIN_DAY or last_day > MAX_DAY:
        raise Invalid([{"field": "from", "message": "dates run from 1970 to 2100"}])
    buckets: list[Bucket] = []
    day = first_day
    while day <= last_day:
        following = _next_start(_bucket_start(day, granularity), granularity)
        last = min(following - timedelta(days=1), last_day)
        buckets.append(
            Bucket(day, last, midnight(day, zone), midnight(last + timedelta(days=1), zone))
        )
        if len(buckets) > MAX_BUCKETS:
            raise Invalid(
                [
                    {
                        "field": "bucket",
                        "message": f"at most {MAX_BUCKETS} buckets; choose a wider bucket or a "
                        "shorter range",
                    }
                ]
            )
        day = following
    return Period(first_day, last_day, granularity, zone, tuple(buckets))


def bucket_index(p: Period, at: datetime) -> int | None:
    """Which bucket an instant falls in (None outside the period)."""
    for i, b in enumerate(p.buckets):
        if b.start <= at < b.end:
            return i
    return None
