"""Trend-alert rules (pure): a ticket type surging against its recent average, overall
satisfaction falling three weeks in a row, a week's first-response on-time rate below target.
Days are local dates; weeks ISO weeks (Monday first)."""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class Thresholds:
    surge_factor: float = 2.0  # last 7 days ≥ factor × weekly average of the 4 weeks before
    surge_min: int = 5  # … and at least this many tickets
    first_response_rate: float = 0.9


@dataclass(frozen=True, slots=True)
class Windows:
    recent: tuple[date, date]  # the last 7 days, inclusive
    baseline: tuple[date, date]  # the 28 days before them
    weeks: tuple[tuple[date, date], ...]  # the last 4 complete ISO weeks, oldest first


def windows(today: date) -> Windows:
    """The spans a run on `today` looks at (today itself is not complete, so left out)."""
    recent = (today - timedelta(days=7), today - timedelta(days=1))
    baseline = (today - timedelta(days=35), today - timedelta(days=8))
    this_monday = today - timedelta(days=today.weekday())
    weeks = tuple(
        (this_monday - timedelta(weeks=n), this_monday - timedelta(weeks=n, days=-6))
        for n in range(4, 0, -1)
    )
    return Windows(recent, baseline, weeks)


def surging(recent: int, baseline: int, t: Thresholds) -> bool:
    """`recent`: tickets of a type in the last 7 days; `baseline`: in the 28 days before."""
    return recent >= t.surge_min and recent >= t.surge_factor * baseline / 4


def falling(weekly_means: list[float | None]) -> bool:
    """Three declines in a row over four weeks (a week without scores breaks the run)."""
    if len(weekly_means) < 4 or any(m is None for m in weekly_means[-4:]):
        return False
    w = weekly_means[-4:]
    return w[0] > w[1] > w[2] > w[3]  # type: ignore[operator]


def below(answered: int, on_time: int, t: Thresholds) -> bool:
    return answered > 0 and on_time / answered < t.first_response_rate


def evidence(kind: str, subject: str, first: date, last: date) -> dict[str, str]:
    """Where an alert's numbers can be seen: the web app's ticket list and dashboard."""
    chart = f"/?from={(first - timedelta(days=28)).isoformat()}&to={last.isoformat()}&bucket=week"
    span = f"created_from={first.isoformat()}&created_to={last.isoformat()}"
    if kind == "ticket_type_surge":
        return {"list": f"/tickets?type={subject}&{span}", "chart": chart}
    return {"list": f"/tickets?{span}", "chart": chart}
