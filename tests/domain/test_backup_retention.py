"""Retention: the newest backup of each of the last 7 days, 4 ISO weeks and 12 months."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.backup_retention import backups_to_keep

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_year_of_nightly_backups_keeps_7_daily_4_weekly_12_monthly():
    # nightly at 01:30 Shanghai (17:30 UTC the day before), a whole year up to Sun 2024-12-29
    last = datetime(2024, 12, 28, 17, 30, tzinfo=UTC)
    times = [last - timedelta(days=n) for n in range(366)]
    keep = backups_to_keep(times, SHANGHAI)
    local = sorted(t.astimezone(SHANGHAI).date().isoformat() for t in keep)
    daily = [f"2024-12-{d}" for d in range(23, 30)]
    weekly = ["2024-12-08", "2024-12-15", "2024-12-22", "2024-12-29"]  # Sundays
    monthly = [
        "2024-01-31",
        "2024-02-29",
        "2024-03-31",
        "2024-04-30",
        "2024-05-31",
        "2024-06-30",
        "2024-07-31",
        "2024-08-31",
        "2024-09-30",
        "2024-10-31",
        "2024-11-30",
        "2024-12-29",
    ]
    assert local == sorted(set(daily + weekly + monthly))


def test_two_backups_a_day_keep_the_later_one_and_the_newest_is_always_kept():
    day = datetime(2024, 10, 14, 2, 0, tzinfo=UTC)
    times = [day, day + timedelta(hours=3)]
    assert backups_to_keep(times, SHANGHAI) == {day + timedelta(hours=3)}
    assert backups_to_keep(times, SHANGHAI, daily=0, weekly=0, monthly=0) == {
        day + timedelta(hours=3)
    }
    assert backups_to_keep([], SHANGHAI) == set()
