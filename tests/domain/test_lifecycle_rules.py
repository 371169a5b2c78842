"""Lifecycle rules (domain/lifecycle.py): calendar-day thresholds and status precedence."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from domain.customer import ActivityStatus
from domain.lifecycle import (
    Cuts,
    Thresholds,
    activity_status,
    day_start,
    is_churn_risk,
    is_dormant,
    local_day,
    verification_due_on,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


class TestCuts:
    def test_180_days_back_and_the_instant_after(self):
        cuts = Cuts.of(date(2024, 7, 8), 180, SHANGHAI)
        assert cuts.last_day == date(2024, 1, 10)
        # anything before 2024-01-11 00:00 Shanghai = 2024-01-10 16:00 UTC is 180 days old
        assert cuts.since == datetime(2024, 1, 10, 16, 0, tzinfo=UTC)

    def test_local_days_of_instants(self):
        assert local_day(datetime(2024, 1, 9, 16, 30, tzinfo=UTC), SHANGHAI) == date(2024, 1, 10)
        assert day_start(date(2024, 1, 10), SHANGHAI) == datetime(2024, 1, 9, 16, tzinfo=UTC)


class TestRules:
    def test_dormant_on_the_180th_day(self):
        assert not is_dormant(date(2024, 1, 10), date(2024, 7, 7), 180)
        assert is_dormant(date(2024, 1, 10), date(2024, 7, 8), 180)

    def test_churn_risk_window(self):
        t = Thresholds()
        order, complaint = date(2023, 6, 1), date(2024, 5, 20)
        assert not is_churn_risk(order, complaint, date(2024, 5, 30), t)
        assert is_churn_risk(order, complaint, date(2024, 5, 31), t)
        assert is_churn_risk(order, complaint, date(2024, 8, 17), t)
        assert not is_churn_risk(order, complaint, date(2024, 8, 18), t)
        assert not is_churn_risk(None, complaint, date(2024, 6, 1), t)
        assert not is_churn_risk(order, None, date(2024, 6, 1), t)

    def test_verification_due(self):
        assert verification_due_on(date(2024, 1, 10), 90) == date(2024, 4, 9)
        assert verification_due_on(date(2024, 4, 10), 90) == date(2024, 7, 9)

    def test_churn_risk_wins_over_dormant(self):
        assert activity_status(churn_risk=True, dormant=True) is ActivityStatus.CHURN_RISK
        assert activity_status(churn_risk=False, dormant=True) is ActivityStatus.DORMANT
        assert activity_status(churn_risk=False, dormant=False) is ActivityStatus.ACTIVE
