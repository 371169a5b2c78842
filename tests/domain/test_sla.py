"""SLA clock on China's business calendar: hand-checked cases and properties."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import BusinessCalendar, TwentyFourSeven, official_workday
from domain.sla import Pause, SlaState, clock, due_at, elapsed

SHANGHAI = ZoneInfo("Asia/Shanghai")
BUSINESS = BusinessCalendar()
P3_FIRST_RESPONSE = 120  # minutes


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


class TestBusinessCalendarHandChecked:
    def test_national_day_holiday_is_skipped(self):
        # Mon 2024-09-30 17:30: 30 min that day, Oct 1-7 off, so 90 min on Tue Oct 8.
        assert BUSINESS.add(at(2024, 9, 30, 17, 30), P3_FIRST_RESPONSE) == at(2024, 10, 8, 10, 30)

    def test_make_up_saturday_is_a_working_day(self):
        assert BUSINESS.add(at(2024, 10, 12, 10), P3_FIRST_RESPONSE) == at(2024, 10, 12, 12)

    def test_friday_evening_rolls_over_the_weekend(self):
        assert BUSINESS.add(at(2024, 10, 18, 17), P3_FIRST_RESPONSE) == at(2024, 10, 21, 10)

    def test_start_before_opening_waits_for_it(self):
        assert BUSINESS.add(at(2024, 10, 21, 7, 15), 30) == at(2024, 10, 21, 9, 30)

    def test_ordinary_weekend_is_off_and_spring_festival_too(self):
        assert not official_workday(date(2024, 10, 19))  # Saturday
        assert not official_workday(date(2025, 1, 29))  # 春节
        assert official_workday(date(2025, 1, 26))  # make-up Sunday before 春节

    def test_years_without_official_data_fall_back_to_weekdays(self):
        assert official_workday(date(2031, 1, 6))  # a Monday
        assert not official_workday(date(2031, 1, 5))  # a Sunday

    def test_admin_override_wins(self):
        company_day_off = BusinessCalendar(overrides={date(2024, 10, 21): False})
        assert company_day_off.add(at(2024, 10, 18, 17), 120) == at(2024, 10, 22, 10)

    def test_working_minutes_between(self):
        assert BUSINESS.minutes_between(at(2024, 9, 30, 17), at(2024, 10, 8, 10)) == 120
        assert BUSINESS.minutes_between(at(2024, 10, 8, 10), at(2024, 9, 30, 17)) == 0


class TestTwentyFourSeven:
    def test_p1_ignores_the_calendar(self):
        clock_24x7 = TwentyFourSeven()
        assert clock_24x7.add(at(2024, 10, 1, 23, 50), 30) == at(2024, 10, 2, 0, 20)
        assert clock_24x7.minutes_between(at(2024, 10, 1, 0), at(2024, 10, 2, 0)) == 1440


class TestPauses:
    def test_three_business_hours_paused_move_the_due_time_three_business_hours(self):
        start = at(2024, 10, 14, 9)
        pause = Pause(at(2024, 10, 14, 9, 30), at(2024, 10, 14, 12, 30))
        now = at(2024, 10, 14, 13)
        assert due_at(BUSINESS, start, 120, [], now) == at(2024, 10, 14, 11)
        assert due_at(BUSINESS, start, 120, [pause], now) == at(2024, 10, 14, 14)

    def test_a_pause_over_closing_time_counts_only_working_time(self):
        start = at(2024, 10, 18, 16)  # Friday
        pause = Pause(at(2024, 10, 18, 17), at(2024, 10, 21, 10))  # 1 h Fri + 1 h Mon
        assert elapsed(BUSINESS, start, [pause], at(2024, 10, 21, 11)) == 120

    def test_open_pause_shows_paused_and_freezes_remaining(self):
        start = at(2024, 10, 14, 9)
        pause = Pause(at(2024, 10, 14, 10), None)
        later = clock(BUSINESS, start, 240, [pause], at(2024, 10, 14, 17))
        assert later.state is SlaState.PAUSED
        assert later.remaining_minutes == 180

    def test_states_ok_warning_breached_met(self):
        start = at(2024, 10, 14, 9)
        assert clock(BUSINESS, start, 100, [], at(2024, 10, 14, 10)).state is SlaState.OK
        assert clock(BUSINESS, start, 100, [], at(2024, 10, 14, 10, 20)).state is SlaState.WARNING
        assert clock(BUSINESS, start, 100, [], at(2024, 10, 14, 10, 40)).state is SlaState.BREACHED
        met = clock(
            BUSINESS, start, 100, [], at(2024, 10, 15, 10), stopped_at=at(2024, 10, 14, 9, 50)
        )
        assert (met.state, met.elapsed_minutes) == (SlaState.MET, 50)
        late = clock(
            BUSINESS, start, 100, [], at(2024, 10, 15, 10), stopped_at=at(2024, 10, 14, 11)
        )
        assert late.state is SlaState.BREACHED


instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(SHANGHAI)
)
durations = st.integers(min_value=0, max_value=60 * 24 * 5)


class TestProperties:
    @settings(max_examples=200, deadline=None)
    @given(start=instants, minutes=durations)
    def test_adding_then_measuring_returns_the_duration(self, start, minutes):
        for calendar in (BUSINESS, TwentyFourSeven()):
            end = calendar.add(start, minutes)
            assert abs(calendar.minutes_between(start, end) - minutes) < 1e-6

    @settings(max_examples=200, deadline=None)
    @given(start=instants, target=durations, offset=durations, length=durations, look=durations)
    def test_a_pause_never_reduces_the_remaining_time(self, start, target, offset, length, look):
        pause = Pause(start + timedelta(minutes=offset), start + timedelta(minutes=offset + length))
        now = start + timedelta(minutes=look)
        without = clock(BUSINESS, start, target, [], now)
        with_pause = clock(BUSINESS, start, target, [pause], now)
        assert with_pause.remaining_minutes >= without.remaining_minutes
        assert with_pause.due_at >= without.due_at
