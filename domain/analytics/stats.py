"""Small statistics with one stated rule each, shared by both database back-ends."""

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The discrete percentile: the smallest value with at least `fraction` of the values at
    or below it (PostgreSQL's percentile_disc). The median of 1, 2, 3, 4 is 2; p90 of ten
    values is the 9th smallest."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def ratio(part: int, whole: int) -> float | None:
    """part / whole rounded to 4 places; None when there is nothing to divide."""
    return None if whole == 0 else round(part / whole, 4)
