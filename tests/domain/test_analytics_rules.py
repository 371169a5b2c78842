"""Pure analytics rules: buckets in the configured zone, the percentile rule, role scoping."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.analytics.period import Granularity, bucket_index, period
from domain.analytics.scope import Filters, Section, scoped
from domain.analytics.stats import percentile, ratio
from domain.errors import Forbidden, Invalid
from domain.roles import Actor, Role

SHANGHAI = ZoneInfo("Asia/Shanghai")


class TestBuckets:
    def test_month_end_in_shanghai(self) -> None:
        p = period(date(2025, 1, 1), date(2025, 2, 28), Granularity.MONTH, SHANGHAI)
        # 31 Jan 23:30 in Shanghai is 15:30 UTC: January. 16:00 UTC is 1 Feb 00:00 local.
        assert bucket_index(p, datetime(2025, 1, 31, 15, 30, tzinfo=UTC)) == 0
        assert bucket_index(p, datetime(2025, 1, 31, 16, 0, tzinfo=UTC)) == 1
        assert bucket_index(p, datetime(2024, 12, 31, 15, 59, tzinfo=UTC)) is None

    def test_iso_weeks_cut_to_the_range(self) -> None:
        p = period(date(2025, 1, 1), date(2025, 1, 20), Granularity.WEEK, SHANGHAI)
        assert [(b.first_day.isoformat(), b.last_day.isoformat()) for b in p.buckets] == [
            ("2025-01-01", "2025-01-05"),
            ("2025-01-06", "2025-01-12"),
            ("2025-01-13", "2025-01-19"),
            ("2025-01-20", "2025-01-20"),
        ]

    def test_december_rolls_into_january(self) -> None:
        p = period(date(2024, 11, 15), date(2025, 1, 10), Granularity.MONTH, SHANGHAI)
        assert [b.first_day for b in p.buckets] == [
            date(2024, 11, 15),
            date(2024, 12, 1),
            date(2025, 1, 1),
        ]

    def test_daylight_saving_zone_has_23_hour_day(self) -> None:
        p = period(
            date(2025, 3, 9), date(2025, 3, 9), Granularity.DAY, ZoneInfo("America/New_York")
        )
        assert (p.end.astimezone(UTC) - p.start.astimezone(UTC)).total_seconds() == 23 * 3600

    def test_limits(self) -> None:
        with pytest.raises(Invalid):
            period(date(2025, 2, 1), date(2025, 1, 1), Granularity.DAY, SHANGHAI)
        with pytest.raises(Invalid):
            period(date(2020, 1, 1), date(2025, 1, 1), Granularity.DAY, SHANGHAI)


class TestStats:
    def test_discrete_percentile(self) -> None:
        assert percentile([4, 1, 3, 2], 0.5) == 2
        assert percentile(list(range(1, 11)), 0.9) == 9
        assert percentile([7], 0.9) == 7
        assert percentile([], 0.5) is None

    def test_ratio(self) -> None:
        assert ratio(2, 3) == 0.6667 and ratio(0, 0) is None


class TestScope:
    def test_account_manager_is_held_to_their_customers(self) -> None:
        am = Actor(7, Role.ACCOUNT_MANAGER)
        assert scoped(am, Section.SERVICE, Filters()).owner_id == 7
        with pytest.raises(Forbidden):
            scoped(am, Section.CUSTOMERS, Filters(owner_id=8))

    def test_agent_is_held_to_their_department(self) -> None:
        agent = Actor(5, Role.AGENT, department_id=3)
        assert scoped(agent, Section.SERVICE, Filters()).department_id == 3
        with pytest.raises(Forbidden):
            scoped(agent, Section.SERVICE, Filters(department_id=4))
        with pytest.raises(Forbidden):
            scoped(agent, Section.SALES, Filters())
        assert scoped(Actor(5, Role.AGENT), Section.SERVICE, Filters()).assignee_id == 5

    def test_supervisors_admins_readonly_get_what_they_ask(self) -> None:
        asked = Filters(owner_id=9, department_id=2)
        for role in (Role.ADMIN, Role.SUPERVISOR, Role.READONLY):
            assert scoped(Actor(1, role), Section.CUSTOMERS, asked) == asked


class TestReportDays:
    def test_defaults_are_the_last_complete_period(self) -> None:
        from domain.analytics.report import ReportKind, report_days

        today = date(2025, 3, 1)  # a Saturday
        assert report_days(ReportKind.DAILY, None, today) == (date(2025, 2, 28),) * 2
        assert report_days(ReportKind.WEEKLY, None, today) == (date(2025, 2, 17), date(2025, 2, 23))
        assert report_days(ReportKind.MONTHLY, None, today) == (date(2025, 2, 1), date(2025, 2, 28))

    def test_a_start_day_picks_its_period(self) -> None:
        from domain.analytics.report import ReportKind, report_days

        assert report_days(ReportKind.WEEKLY, date(2024, 12, 31), date(2025, 6, 1)) == (
            date(2024, 12, 30),
            date(2025, 1, 5),
        )
        assert report_days(ReportKind.MONTHLY, date(2024, 12, 15), date(2025, 6, 1)) == (
            date(2024, 12, 1),
            date(2024, 12, 31),
        )


class TestTrendRules:
    def test_surge_needs_both_the_factor_and_the_minimum(self) -> None:
        from domain.analytics.trends import Thresholds, surging

        t = Thresholds()
        assert surging(5, 4, t)  # 5 ≥ 2 × 1 and ≥ 5
        assert not surging(4, 0, t)  # under the minimum
        assert not surging(7, 16, t)  # weekly average 4: 7 < 8
        assert surging(8, 16, t)

    def test_falling_three_weeks_in_a_row(self) -> None:
        from domain.analytics.trends import falling

        assert falling([5, 4, 3, 2])
        assert not falling([5, 4, 4, 2])  # a flat week breaks the run
        assert not falling([5, None, 3, 2])

    def test_windows(self) -> None:
        from domain.analytics.trends import windows

        w = windows(date(2025, 6, 9))
        assert w.recent == (date(2025, 6, 2), date(2025, 6, 8))
        assert w.baseline == (date(2025, 5, 5), date(2025, 6, 1))
        assert w.weeks[0] == (date(2025, 5, 12), date(2025, 5, 18))
        assert w.weeks[-1] == (date(2025, 6, 2), date(2025, 6, 8))
