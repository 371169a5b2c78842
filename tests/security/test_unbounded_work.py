"""No request does work that grows without bound: business-time arithmetic counts whole days
instead of walking them, and password hashing leaves the event loop."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from domain import calendar as business_calendar
from domain.calendar import BusinessCalendar, official_workday

ZONE = ZoneInfo("Asia/Shanghai")


def walked_minutes(cal: BusinessCalendar, start: datetime, end: datetime) -> float:
    """The old definition, day by day: the reference the counted version must equal."""
    total = timedelta()
    day, last = start.astimezone(cal.zone).date(), end.astimezone(cal.zone).date()
    while day <= last:
        if cal.is_workday(day):
            opens, closes = (
                datetime.combine(day, cal.opens, cal.zone),
                datetime.combine(day, cal.closes, cal.zone),
            )
            begin, finish = max(opens, start), min(closes, end)
            if finish > begin:
                total += finish - begin
        day += timedelta(days=1)
    return total.total_seconds() / 60


instants = st.datetimes(
    min_value=datetime(1998, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(ZONE)
)
overrides = st.dictionaries(
    st.dates(min_value=date(2003, 1, 1), max_value=date(2028, 1, 1)), st.booleans(), max_size=8
)


class TestCountedEqualsWalked:
    @settings(max_examples=300, deadline=None)
    @given(instants, st.integers(min_value=0, max_value=4 * 366 * 24 * 60), overrides)
    def test_any_span_across_holidays_and_make_up_days(self, start, minutes, extra):
        cal = BusinessCalendar(overrides=extra)
        end = start + timedelta(minutes=minutes)
        assert cal.minutes_between(start, end) == walked_minutes(cal, start, end)

    def test_a_span_across_the_spring_festival_of_2024(self):
        cal = BusinessCalendar()
        start = datetime(2024, 2, 8, 17, 0, tzinfo=ZONE)  # Thursday before the holiday
        end = datetime(2024, 2, 19, 10, 0, tzinfo=ZONE)  # Monday after it
        # 8 Feb 17–18 h: 1 h; Friday 9 Feb: 9 h; 10–17 Feb off; Sunday 18 Feb is a make-up
        # working day: 9 h; 19 Feb 9–10 h: 1 h.
        assert cal.minutes_between(start, end) == (1 + 9 + 9 + 1) * 60

    def test_the_whole_accepted_range_is_one_count(self):
        cal = BusinessCalendar()
        start = datetime(1970, 1, 1, tzinfo=UTC)
        end = datetime(2100, 12, 31, tzinfo=UTC)
        assert cal.minutes_between(start, end) == walked_minutes(cal, start, end)


class TestWorkdayCount:
    @settings(max_examples=300, deadline=None)
    @given(
        st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 1, 1)),
        st.integers(min_value=0, max_value=5000),
    )
    def test_counted_workdays_equal_the_walk(self, first, length):
        last = first + timedelta(days=length)
        walked = sum(official_workday(first + timedelta(days=i)) for i in range(length + 1))
        assert business_calendar.official_workdays(first, last) == walked


def test_hashing_runs_off_the_event_loop(monkeypatch):
    """Passwords.verify hands argon2 to a worker thread (the loop's thread never hashes)."""
    import threading

    import anyio

    from api import security

    threads = []
    real = security.verify_password

    def spy(password: str, password_hash: str | None) -> bool:
        threads.append(threading.get_ident())
        return real(password, password_hash)

    monkeypatch.setattr(security, "verify_password", spy)

    async def run() -> int:
        await security.Passwords.verify("x" * 20, None)
        return threading.get_ident()

    loop_thread = anyio.run(run)
    assert threads and threads[0] != loop_thread
