"""Sales rules without a database: the opportunity stage machine, staleness in calendar days,
cadence dates, money checks and who sees money."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import product
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import Forbidden, Invalid
from domain.roles import Actor, Role
from domain.sales import (
    ALLOWED,
    OPEN_STAGES,
    budget_errors,
    cadence_due,
    can_edit_follow_up,
    check_amount,
    check_sees_money,
    is_stale,
    local_date,
    may_list_for,
    overdue_days,
    stale_cutoff,
)
from domain.sales import OpportunityStage as S

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Written out from the issue, independently of domain.sales.ALLOWED: intent → quote →
# contract → won, lost from any open stage, won and lost final.
EXPECTED_MOVES = {
    ("intent", "quote"),
    ("quote", "contract"),
    ("contract", "won"),
    ("intent", "lost"),
    ("quote", "lost"),
    ("contract", "lost"),
}


class TestStageMachine:
    @pytest.mark.parametrize(("current", "target"), list(product(S, S)))
    def test_every_pair(self, current, target):
        assert (target in ALLOWED[current]) == ((current.value, target.value) in EXPECTED_MOVES)

    def test_won_and_lost_are_final_and_not_open(self):
        assert ALLOWED[S.WON] == ALLOWED[S.LOST] == frozenset()
        assert OPEN_STAGES == {S.INTENT, S.QUOTE, S.CONTRACT}


class TestStale:
    OPENED = datetime(2025, 3, 3, 10, tzinfo=SHANGHAI)

    @pytest.mark.parametrize(
        ("today", "stale"),
        [
            (date(2025, 4, 1), False),  # 29 calendar days
            (date(2025, 4, 2), True),  # 30
            (date(2025, 5, 1), True),
        ],
    )
    def test_thirty_calendar_days(self, today, stale):
        cutoff = stale_cutoff(today, 30, SHANGHAI)
        assert is_stale("intent", self.OPENED, None, cutoff) is stale

    def test_the_cutoff_is_local_midnight(self):
        assert stale_cutoff(date(2025, 4, 2), 30, SHANGHAI) == datetime(2025, 3, 4, tzinfo=SHANGHAI)

    def test_an_effective_follow_up_restarts_the_spell(self):
        cutoff = stale_cutoff(date(2025, 4, 2), 30, SHANGHAI)
        recent = datetime(2025, 3, 20, 9, tzinfo=SHANGHAI)
        assert is_stale("quote", self.OPENED, recent, cutoff) is False
        # one logged long before the opportunity existed does not make it any fresher
        ancient = datetime(2024, 1, 1, tzinfo=SHANGHAI)
        assert is_stale("quote", self.OPENED, ancient, cutoff) is True

    @pytest.mark.parametrize("stage", ["won", "lost"])
    def test_closed_is_never_stale(self, stage):
        assert (
            is_stale(stage, self.OPENED, None, stale_cutoff(date(2030, 1, 1), 30, SHANGHAI))
            is False
        )

    @given(
        st.datetimes(
            min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
        ),
        st.integers(min_value=1, max_value=400),
        st.integers(min_value=0, max_value=800),
    )
    def test_stale_means_n_local_calendar_days_quiet(self, last, days, later):
        """The instant comparison agrees with counting days on Shanghai's calendar."""
        today = local_date(last, SHANGHAI) + timedelta(days=later)
        quiet_days = (today - local_date(last, SHANGHAI)).days
        assert is_stale("contract", last, None, stale_cutoff(today, days, SHANGHAI)) is (
            quiet_days >= days
        )


class TestCalendarDays:
    def test_local_date_is_shanghais(self):
        assert local_date(datetime(2025, 3, 3, 16, 30, tzinfo=UTC), SHANGHAI) == date(2025, 3, 4)
        assert local_date(datetime(2025, 3, 3, 15, 59, tzinfo=UTC), SHANGHAI) == date(2025, 3, 3)

    def test_cadence(self):
        assert cadence_due(date(2025, 2, 26), 3) == date(2025, 3, 1)  # across month end
        assert cadence_due(date(2024, 2, 27), 3) == date(2024, 3, 1)  # leap year
        assert cadence_due(date(2025, 3, 1), None) is None

    def test_overdue_days(self):
        assert overdue_days(date(2025, 3, 4), date(2025, 3, 10)) == 6
        assert overdue_days(date(2025, 3, 10), date(2025, 3, 10)) == 0
        assert overdue_days(date(2025, 3, 12), date(2025, 3, 10)) == 0


class TestMoney:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (Decimal("1"), Decimal("1.00")),
            (Decimal("0.01"), Decimal("0.01")),
            (Decimal("12800.5"), Decimal("12800.50")),
            (Decimal("1E+2"), Decimal("100.00")),
            (Decimal("999999999999.99"), Decimal("999999999999.99")),
        ],
    )
    def test_good_amounts_come_back_to_the_cent(self, value, expected):
        got = check_amount(value)
        assert got == expected and got.as_tuple().exponent == -2

    @pytest.mark.parametrize(
        "value", ["0", "-0.01", "0.001", "1000000000000", "NaN", "Infinity", "1E+30"]
    )
    def test_bad_amounts(self, value):
        with pytest.raises(Invalid) as error:
            check_amount(Decimal(value))
        assert error.value.extensions["errors"][0]["field"] == "amount"

    def test_budgets(self):
        assert budget_errors(None, None) == []
        assert budget_errors(Decimal("0"), Decimal("0")) == []
        assert budget_errors(Decimal("10"), Decimal("9.99"))[0]["field"] == "budget_max"
        assert budget_errors(Decimal("-1"), None)[0]["field"] == "budget_min"
        assert budget_errors(None, Decimal("1.001"))[0]["field"] == "budget_max"


class TestWhoSees:
    @pytest.mark.parametrize("role", list(Role))
    def test_only_agents_see_no_money(self, role):
        if role is Role.AGENT:
            with pytest.raises(Forbidden):
                check_sees_money(Actor(1, role))
        else:
            check_sees_money(Actor(1, role))

    def test_a_follow_up_is_its_authors(self):
        assert can_edit_follow_up(Actor(1, Role.ACCOUNT_MANAGER), 1)
        assert not can_edit_follow_up(Actor(2, Role.ACCOUNT_MANAGER), 1)
        assert can_edit_follow_up(Actor(2, Role.ADMIN), 1)

    @pytest.mark.parametrize(
        ("role", "others"),
        [
            (Role.ADMIN, True),
            (Role.SUPERVISOR, True),
            (Role.READONLY, True),
            (Role.ACCOUNT_MANAGER, False),
            (Role.AGENT, False),
        ],
    )
    def test_whose_due_list(self, role, others):
        assert may_list_for(Actor(1, role), 1)
        assert may_list_for(Actor(1, role), 2) is others
