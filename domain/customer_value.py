"""Customer value (客户价值) from RFM over orders: recency, frequency, monetary.

Who is scored: every customer that is not archived and has at least one order that is not
cancelled. R is the number of days from the last order to the run's reference date (the local
date of `--now`), F the number of orders, M their total amount.

Scores: 1-5 per dimension, by quintile of rank among the scored customers. Customers are
ranked in ascending order of "better" (older last order first for R, fewer orders first for
F, less money first for M); a group of equal values takes the middle of the ranks it spans
(mid-rank), and `score = 1 + floor(5 * (mid_rank - 1/2) / n)`. In SQL, with RANK() (the
group's first rank) and the group's size `ties`, that is the integer expression
`1 + 5 * (2 * rank + ties - 2) / (2 * n)`. So ties get the same score whatever the row order,
a group is scored by its middle (all customers equal: 3 each, a lone customer 3, not the
lowest), and with n = 10 distinct values the ranks 1-2 score 1, 3-4 score 2, … 9-10 score 5.

Level and grade from the total R + F + M (3-15), by `GRADE_RULES`: 13-15 S (high value),
10-12 A (medium), 7-9 B (medium), 3-6 C (low). Value is measured from orders: a customer
without any (a prospect, or one whose orders were all cancelled) has no scores, no value level
and no computed grade (all null), rather than a "low"/C that would mix prospects with real
low-value buyers in every grade filter. The job writes `grade` only when an admin has not
fixed it by hand (`grade_locked`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from domain.customer import Grade

if TYPE_CHECKING:  # domain.ports imports Raw from here
    from domain.ports import CustomerRecord

JOB: Final = "customer-value"  # the job's name: its runs in job_run carry the thresholds
QUINTILES: Final = 5
CANCELLED: Final = "cancelled"  # orders in this status do not count


class ValueLevel(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True, slots=True)
class GradeRule:
    min_total: int  # R + F + M at least this
    grade: Grade
    level: ValueLevel


# Highest first; the first rule whose minimum the total reaches applies.
GRADE_RULES: Final = (
    GradeRule(13, Grade.S, ValueLevel.HIGH),
    GradeRule(10, Grade.A, ValueLevel.MEDIUM),
    GradeRule(7, Grade.B, ValueLevel.MEDIUM),
    GradeRule(3, Grade.C, ValueLevel.LOW),
)


def quintile(rank: int, ties: int, n: int) -> int:
    """The score of a group of `ties` equal values whose first rank (1-based) is `rank`."""
    if not (1 <= rank and ties >= 1 and rank + ties - 1 <= n):
        raise ValueError(f"ranks {rank}..{rank + ties - 1} outside 1..{n}")
    return 1 + QUINTILES * (2 * rank + ties - 2) // (2 * n)


def scores(values: Sequence[Any]) -> list[int]:
    """Scores of `values` (higher is better), as the job computes them in SQL."""
    ordered = sorted(values)
    first_rank: dict[Any, int] = {}
    for position, value in enumerate(ordered, start=1):
        first_rank.setdefault(value, position)
    return [quintile(first_rank[v], ordered.count(v), len(values)) for v in values]


def classify(recency: int, frequency: int, monetary: int) -> GradeRule:
    """The grade and value level for three scores."""
    for score in (recency, frequency, monetary):
        if not 1 <= score <= QUINTILES:
            raise ValueError(f"score {score} outside 1..{QUINTILES}")
    total = recency + frequency + monetary
    return next(rule for rule in GRADE_RULES if total >= rule.min_total)


@dataclass(frozen=True, slots=True)
class Raw:
    """A customer's orders as RFM sees them."""

    last_order_on: date | None
    orders: int
    amount: Decimal


def explanation(customer: "CustomerRecord", raw: Raw, run: dict[str, Any] | None) -> dict[str, Any]:
    """Why a customer has its value: its raw R/F/M, its scores and the rule that turned them
    into a level and a grade, and the score boundaries of the last run (`run`: that run's
    result as the job returned it, or None before the first run)."""
    as_of = date.fromisoformat(run["as_of"]) if run else None
    recency_days = None  # as of the run; an order placed since is not scored yet
    if as_of and raw.last_order_on and raw.last_order_on <= as_of:
        recency_days = (as_of - raw.last_order_on).days
    recency, frequency, monetary = (
        customer.rfm_recency,
        customer.rfm_frequency,
        customer.rfm_monetary,
    )
    total = (
        recency + frequency + monetary
        if recency is not None and frequency is not None and monetary is not None
        else None
    )
    if total is not None:
        rule = next(r for r in GRADE_RULES if total >= r.min_total)
        why = f"R+F+M = {total} ≥ {rule.min_total} → {rule.grade} ({rule.level})"
    elif raw.orders == 0:
        why = "no orders: no scores, value level or computed grade"
    else:
        why = "not computed yet"
    if customer.grade_locked:
        why += f"; grade fixed by an admin: {customer.grade}"
    return {
        "customer_id": customer.id,
        "recency_days": recency_days,
        "last_order_on": raw.last_order_on,
        "frequency": raw.orders,
        "monetary": raw.amount,
        "scores": {
            "recency": customer.rfm_recency,
            "frequency": customer.rfm_frequency,
            "monetary": customer.rfm_monetary,
            "total": total,
        },
        "value_level": customer.value_level,
        "grade": customer.grade,
        "grade_locked": customer.grade_locked,
        "computed_at": customer.value_computed_at,
        "rule": why,
        "rules": [
            {"min_total": r.min_total, "grade": r.grade, "value_level": r.level}
            for r in GRADE_RULES
        ],
        "run": None
        if run is None
        else {
            "as_of": as_of,
            "computed_at": run["computed_at"],
            "scored": run["scored"],
            "thresholds": run["thresholds"],
        },
    }
