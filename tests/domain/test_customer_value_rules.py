"""RFM scoring and the level/grade rules (domain/customer_value.py): pure, hand-checked."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.customer import Grade
from domain.customer_value import (
    GRADE_RULES,
    Raw,
    ValueLevel,
    classify,
    explanation,
    quintile,
    scores,
)


class TestQuintile:
    def test_ten_distinct_values_two_per_score(self):
        assert [quintile(rank, 1, 10) for rank in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]

    def test_a_tie_group_is_scored_by_its_middle(self):
        # ranks 2-3 of 10: middle 2.5 → 1 + floor(5 · 2 / 10) = 2
        assert quintile(2, 2, 10) == 2
        # ranks 1-2: middle 1.5 → 1 + floor(5 · 1 / 10) = 1
        assert quintile(1, 2, 10) == 1
        # everyone equal, and a lone customer: the middle score
        assert quintile(1, 10, 10) == 3 and quintile(1, 1, 1) == 3

    def test_five_customers_one_per_score(self):
        assert [quintile(rank, 1, 5) for rank in range(1, 6)] == [1, 2, 3, 4, 5]

    @pytest.mark.parametrize("rank, ties, n", [(0, 1, 5), (5, 2, 5), (1, 0, 5)])
    def test_ranks_outside_the_population_are_refused(self, rank, ties, n):
        with pytest.raises(ValueError):
            quintile(rank, ties, n)


class TestScores:
    def test_hand_checked_with_ties(self):
        # frequency of the jobs test's example: C, J = 1; F, I = 2; G, H = 3; D 4; E 5; B 6; A 8
        assert scores([8, 6, 1, 4, 5, 2, 3, 3, 2, 1]) == [5, 5, 1, 4, 4, 2, 3, 3, 2, 1]
        money = [Decimal("800.00"), Decimal("20000.00"), Decimal("20000.00"), Decimal("5")]
        assert scores(money) == [2, 4, 4, 1]

    @given(st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=60))
    def test_deterministic_monotone_and_in_range(self, values):
        result = scores(values)
        assert all(1 <= s <= 5 for s in result)
        by_value = dict(zip(values, result, strict=True))
        assert all(by_value[v] == s for v, s in zip(values, result, strict=True))  # ties: one score
        assert scores(list(reversed(values))) == list(reversed(result))  # order-free
        ordered = sorted(by_value)
        assert all(by_value[a] <= by_value[b] for a, b in zip(ordered, ordered[1:], strict=False))

    @given(st.integers(min_value=1, max_value=40))
    def test_distinct_values_fill_the_quintiles_evenly(self, k):
        result = scores(list(range(5 * k)))
        assert [result.count(s) for s in range(1, 6)] == [k] * 5


class TestClassify:
    @pytest.mark.parametrize(
        "r, f, m, grade, level",
        [
            (5, 5, 5, Grade.S, ValueLevel.HIGH),
            (5, 4, 4, Grade.S, ValueLevel.HIGH),
            (4, 4, 4, Grade.A, ValueLevel.MEDIUM),
            (5, 1, 4, Grade.A, ValueLevel.MEDIUM),
            (3, 3, 3, Grade.B, ValueLevel.MEDIUM),
            (1, 1, 5, Grade.B, ValueLevel.MEDIUM),
            (2, 2, 2, Grade.C, ValueLevel.LOW),
            (1, 1, 1, Grade.C, ValueLevel.LOW),
        ],
    )
    def test_boundaries_of_the_totals(self, r, f, m, grade, level):
        rule = classify(r, f, m)
        assert (rule.grade, rule.level) == (grade, level)

    def test_every_total_has_exactly_one_rule(self):
        for total in range(3, 16):
            matching = [rule for rule in GRADE_RULES if total >= rule.min_total]
            assert matching, total
        assert [r.min_total for r in GRADE_RULES] == sorted(
            (r.min_total for r in GRADE_RULES), reverse=True
        )

    @pytest.mark.parametrize("scores_", [(0, 3, 3), (3, 6, 3), (3, 3, -1)])
    def test_scores_outside_1_to_5_are_refused(self, scores_):
        with pytest.raises(ValueError):
            classify(*scores_)


def customer(**values) -> SimpleNamespace:
    base = {
        "id": 7,
        "rfm_recency": None,
        "rfm_frequency": None,
        "rfm_monetary": None,
        "value_level": None,
        "grade": None,
        "grade_locked": False,
        "value_computed_at": None,
    }
    return SimpleNamespace(**{**base, **values})


RUN = {
    "as_of": "2024-12-31",
    "computed_at": "2024-12-31T02:45:00+08:00",
    "scored": 10,
    "thresholds": {"recency_days": [], "frequency": [], "monetary": []},
}


class TestExplanation:
    def test_scored_customer(self):
        c = customer(
            rfm_recency=3,
            rfm_frequency=4,
            rfm_monetary=3,
            value_level="medium",
            grade="A",
            value_computed_at="x",
        )
        out = explanation(c, Raw(date(2024, 6, 14), 4, Decimal("8000.00")), RUN)
        assert out["recency_days"] == 200
        assert out["scores"] == {"recency": 3, "frequency": 4, "monetary": 3, "total": 10}
        assert out["rule"] == "R+F+M = 10 ≥ 10 → A (medium)"
        assert out["run"]["as_of"] == date(2024, 12, 31)

    def test_locked_grade_is_said(self):
        c = customer(
            rfm_recency=5,
            rfm_frequency=5,
            rfm_monetary=5,
            grade="B",
            grade_locked=True,
            value_computed_at="x",
        )
        out = explanation(c, Raw(date(2024, 12, 30), 9, Decimal("1")), RUN)
        assert out["rule"] == "R+F+M = 15 ≥ 13 → S (high); grade fixed by an admin: B"

    def test_without_orders_and_before_any_run(self):
        out = explanation(customer(), Raw(None, 0, Decimal("0.00")), RUN)
        assert out["rule"] == "no orders: no scores, value level or computed grade"
        assert out["recency_days"] is None
        # orders placed after the last run: not scored yet
        later = explanation(customer(), Raw(date(2025, 1, 2), 1, Decimal("5.00")), RUN)
        assert later["rule"] == "not computed yet" and later["recency_days"] is None
