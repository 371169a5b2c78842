"""When the pool takes a customer back: the pool-recycle job's calendar-day rules, per customer."""

from datetime import UTC, date, datetime

from domain.customer_summary import pool_clock

ZONE = "Asia/Shanghai"


def clock(**overrides):
    values = {
        "owner_engaged_at": datetime(2024, 3, 1, 15, 30, tzinfo=UTC),  # 23:30 on 1 March
        "owned_since": None,
        "last_order_on": None,
        "release_days": 30,
        "warning_days": 3,
        "no_order_days": None,
        "today": date(2024, 3, 20),
        "zone": ZONE,
    }
    return pool_clock(**{**values, **overrides})


def test_engaged_on_1_march_local_it_goes_on_31_march_and_is_warned_from_28():
    assert clock().release_on == date(2024, 3, 31)
    assert (clock().days_left, clock().warning) == (11, False)
    assert (clock(today=date(2024, 3, 28)).days_left, clock(today=date(2024, 3, 28)).warning) == (
        3,
        True,
    )
    assert clock(today=date(2024, 4, 2)).days_left == 0  # overdue: the next run takes it


def test_the_no_order_rule_counts_from_the_later_of_ownership_and_last_order():
    c = clock(
        no_order_days=10,
        owned_since=datetime(2024, 3, 1, 1, tzinfo=UTC),
        last_order_on=date(2024, 3, 5),
    )
    assert c.release_on == date(2024, 3, 15)
    c = clock(
        no_order_days=10,
        owned_since=datetime(2024, 3, 9, 1, tzinfo=UTC),
        last_order_on=date(2024, 3, 5),
    )
    assert c.release_on == date(2024, 3, 19)


def test_no_clock_without_engagement():
    assert clock(owner_engaged_at=None) is None
