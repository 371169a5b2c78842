"""The figures: ask the repository for the aggregates, shape them into series, and attach to
every count the list (path and query) that shows the records it counts."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from domain.analytics.figures import FIGURES, Figure
from domain.analytics.period import Period
from domain.analytics.scope import Filters, scoped
from domain.analytics.stats import percentile, ratio
from domain.errors import Invalid, NotFound
from domain.roles import Actor, Role

ACTIVITY = ("active", "dormant", "churn_risk")
DIMENSIONS = ("industry", "region", "grade", "stage", "source", "value_level")
DRILLABLE_DIMENSIONS = ("industry", "grade", "stage")  # filters the customer list has
TICKET_SPLITS = ("type", "channel", "priority")
FUNNEL = ("intent", "quote", "contract", "won")
OPEN_STATUSES = ["new", "assigned", "in_progress", "waiting_customer", "reopened"]
SATISFACTION = ("response_speed", "resolution", "attitude", "overall")
NONE = "none"  # the category of records with the dimension left blank


class AnalyticsRepo(Protocol):
    async def new_customers(self, period: Period, f: Filters) -> dict[int, int]: ...
    async def customers_by(
        self, column_name: str, f: Filters, period: Period
    ) -> dict[str | None, int]: ...
    async def repurchase(self, period: Period, f: Filters) -> dict[int, tuple[int, int]]: ...
    async def follow_ups(self, period: Period, f: Filters) -> list[tuple[int, str, str, int]]: ...
    async def funnel(self, period: Period, f: Filters) -> dict[str, Any]: ...
    async def won_cycles(self, period: Period, f: Filters) -> list[tuple[datetime, datetime]]: ...
    async def pool_moves(self, period: Period, f: Filters) -> dict[tuple[int, str], int]: ...
    async def ticket_volume(
        self, period: Period, f: Filters, by: str
    ) -> dict[str, dict[tuple[int, str], int]]: ...
    async def backlog(self, period: Period, f: Filters) -> list[int]: ...
    async def sla(
        self, period: Period, f: Filters
    ) -> dict[str, dict[int, tuple[int, int, int]]]: ...
    async def durations(
        self, period: Period, f: Filters
    ) -> dict[str, dict[int, tuple[float | None, float | None]]]: ...
    async def agents(self, period: Period, f: Filters) -> list[dict[str, Any]]: ...
    async def satisfaction(
        self, period: Period, f: Filters
    ) -> dict[int, tuple[int, list[float | None]]]: ...
    async def lowest_satisfaction(
        self, period: Period, f: Filters, limit: int = 5
    ) -> list[tuple[str, float, int]]: ...
    async def complaints(
        self, period: Period, f: Filters
    ) -> list[tuple[str | None, str | None, int]]: ...


@dataclass(frozen=True, slots=True)
class Drill:
    """The list that shows what a count counts: `GET /api/v1{path}?{query}`."""

    path: str
    query: Mapping[str, str | list[str]]


@dataclass(frozen=True, slots=True)
class Point:
    x: str  # the bucket's first day (ISO) or a category key
    value: float | None
    count: int | None = None  # the records behind the value (the denominator of a ratio)
    label: str | None = None  # a person's name, where x is their id
    drill: Drill | None = None


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    points: list[Point]
    group: str | None = None  # the split: a ticket type, channel or priority


@dataclass(frozen=True, slots=True)
class Result:
    figure: Figure
    period: Period
    filters: Filters
    series: list[Series] = field(default_factory=list)
    dimension: str | None = None


# ---- drill-down links ------------------------------------------------------------------------


def _customers_list(actor: Actor, f: Filters, **query: Any) -> Drill | None:
    if f.department_id is not None:  # the customer list cannot filter by owner's department
        return None
    q = {**query}
    if f.owner_id is not None:
        q["owner_id"] = str(f.owner_id)
    if f.tag_id is not None:
        q["tag_id"] = str(f.tag_id)
    return Drill("/customers", q)


def _tickets_list(actor: Actor, f: Filters, **query: Any) -> Drill | None:
    # An account manager's ticket list is their customers' already; anyone else's cannot
    # filter by the customer's owner or tag.
    if f.tag_id is not None or (f.owner_id is not None and actor.role is not Role.ACCOUNT_MANAGER):
        return None
    q: dict[str, str | list[str]] = {k: v for k, v in query.items() if v is not None}
    for name, value in (
        ("department_id", f.department_id),
        ("assignee_id", f.assignee_id),
        ("type", f.ticket_type),
        ("channel", f.channel),
    ):
        if value is not None and name not in q:
            q[name] = str(value)
    return Drill("/tickets", q)


def _follow_ups_list(actor: Actor, f: Filters, **query: Any) -> Drill | None:
    if (
        f.department_id is not None
        or f.tag_id is not None
        or (f.owner_id is not None and actor.role is not Role.ACCOUNT_MANAGER)
    ):
        return None
    return Drill("/follow-ups", query)


def _days(p: Period, i: int) -> dict[str, str]:
    b = p.buckets[i]
    return {"first": b.first_day.isoformat(), "last": b.last_day.isoformat()}


def _whole(p: Period) -> dict[str, str]:
    return {"first": p.first_day.isoformat(), "last": p.last_day.isoformat()}


def _x(p: Period, i: int) -> str:
    return p.buckets[i].first_day.isoformat()


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 2)


# ---- the figures -----------------------------------------------------------------------------


async def _customers_new(
    repo: AnalyticsRepo, actor: Actor, p: Period, f: Filters, dimension: str | None
) -> list[Series]:
    counts = await repo.new_customers(p, f)
    points = []
    for i in range(len(p.buckets)):
        d = _days(p, i)
        points.append(
            Point(
                _x(p, i),
                counts.get(i, 0),
                counts.get(i, 0),
                drill=_customers_list(actor, f, created_from=d["first"], created_to=d["last"]),
            )
        )
    return [Series("new", points)]


async def _customers_activity(
    repo: AnalyticsRepo, actor: Actor, p: Period, f: Filters, dimension: str | None
) -> list[Series]:
    counts = await repo.customers_by("activity_status", f, p)
    return [
        Series(
            "customers",
            [
                Point(
                    s,
                    counts.get(s, 0),
                    counts.get(s, 0),
                    drill=_customers_list(actor, f, activity_status=s),
                )
                for s in ACTIVITY
            ],
        )
    ]


async def _customers_distribution(
    repo: AnalyticsRepo, actor: Actor, p: Period, f: Filters, dimension: str | None
) -> list[Series]:
    if dimension not in DIMENSIONS:
        raise Invalid([{"field": "dimension", "message": f"one of {', '.join(DIMENSIONS)}"}])
    counts = await repo.customers_by(dimension, f, p)
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))
    points = []
    for key, n in ordered:
        drill = (
            _customers_list(actor, f, **{dimension: key})
            if key is not None and dimension in DRILLABLE_DIMENSIONS
            else None
        )
        points.append(Point(key if key is not None else NONE, n, n, drill=drill))
    return [Series(dimension, points)]


async def _customers_repurchase(
    repo: AnalyticsRepo, actor: Actor, p: Period, f: Filters, dimension: str | None
) -> list[Series]:
    data = await repo.repurchase(p, f)
    ordering, repeat, rate = [], [], []
    for i in range(len(p.buckets)):
        n, two = data.get(i, (0, 0))
        ordering.append(Point(_x(p, i), n, n))
        repeat.append(Point(_x(p, i), two, two))
        rate.append(Point(_x(p, i), ratio(two, n), n))
    return [
        Series("customers_with_orders", ordering),
        Series("repeat_customers", repeat),
        Series("repurchase_rate", rate),
    ]


async def _sales_follow_ups(
    repo: AnalyticsRepo, actor: Actor, p: Period, f: Filters, dimension: str | None
) -> list[Series]:
    rows = await repo.follow_ups(p, f)
    names: dict[int, str] = {}
    totals: dict[int, int] = {}
    methods: dict[str, dict[int, int]] = {}
    for owner, name, method, n in rows:
        names[owner] = name
        totals[owner] = totals.get(owner, 0) + n
        methods.setdefault(method, {})[owner] = n
    owners = sorted(names)
    whole = _whole(p)
    series = [
        Series(
            "follow_ups",
            [
                Point(
                    str(o),
                    totals[o],
                    totals[o],
                    names[o],
                    _follow_ups_list(
                        actor, f, owner_id=str(o), **{"from": whole["first"], "to": whole["last"]}
                    ),
                )
                for o in owners
            ],
        )
    ]
    for method in sorted(methods):
        series.append(
            Series(
                "follow_ups",
                [
                    Point(str(o), methods[method].get(o, 0), methods[method].get(o, 0), names[o])
                    for o in owners
                ],
                group=method,
            )
        )
    return series


async def _sales_funnel(
    repo: AnalyticsRepo, actor: Actor, p: Period, f: Filters, dimension: str | None
) -> list[Series]:
    data = await repo.funnel(p, f)
    counts: dict[str, int] = data["counts"]
    reached = {stage: sum(counts.get(s, 0) for s in FUNNEL[i:]) for i, stage in enumerate(FUNNEL)}
    reached["intent"] += counts.get("lost", 0)
    stages = [*FUNNEL, "lost"]
    return [
        Series("opportunities", [Point(s, counts.get(s, 0), counts.get(s, 0)) for s in stages]),
        Series("reached", [Point(s, reached[s], reached[s]) for s in FUNNEL]),
        Series(
            "conversion",
            [
                Point(s, ratio(reached[FUNNEL[i + 1]], reached[s]), reached[s])
                for i, s in enumerate(FUNNEL[:-1])
            ],
        ),
        Series(
            "amount",
            [
                Point("won", float(data["won"]), counts.get("won", 0)),
                Point("lost", float(data["lost"]), counts.get("lost", 0)),
            ],
        ),
    ]


async def _sales_cycle(
    repo: AnalyticsRepo, actor: Actor, p: Period, f: Filters, dimension: str | None
) -> list[Series]:
    days: dict[int, list[float]] = {}
    for first_contact, won_at in await repo.won_cycles(p, f):
        i = next(i for i, b in enumerate(p.buckets) if b.start <= won_at < b.end)
        span = won_at.astimezone(p.zone).date() - first_contact.astimezone(p.zone).date()
        days.setdefault(i, []).append(span.days)
    return [
        Series(
            "median_days",
            [
                Point(_x(p, i), percentile(days.get(i, []), 0.5), len(days.get(i, [])))
                for i in range(len(p.buckets))
            ],
        )
    ]


async def _sales_pool(
    repo: AnalyticsRepo, actor: Actor, p: Period, f: Filters, dimension: str | None
) -> list[Series]:
    moves = await repo.pool_moves(p, f)
    return [
        Series(
            action,
            [
                Point(_x(p, i), moves.get((i, action), 0), moves.get((i, action), 0))
                for i in range(len(p.buckets))
            ],
        )
        for action in ("release", "claim")
    ]


async def _service_volume(
    repo: AnalyticsRepo, actor: Actor, p: Period, f: Filters, dimension: str | None
) -> list[Series]:
    by = dimension or "type"
    if by not in TICKET_SPLITS:
        raise Invalid([{"field": "dimension", "message": f"one of {', '.join(TICKET_SPLITS)}"}])
    data = await repo.ticket_volume(p, f, by)
    series = []
    for measure in ("opened", "resolved", "closed"):
        keys = sorted({k for _, k in data[measure]})
        for key in keys:
            points = []
            for i in range(len(p.buckets)):
                n = data[measure].get((i, key), 0)
                d = _days(p, i)
                span: dict[str, Any]
                if measure == "opened":
                    span = {"created_from": d["first"], "created_to": d["last"]}
                elif measure == "resolved":
                    span = {"resolved_from": d["first"], "resolved_to": d["last"]}
                else:  # closed, cancellations left out
                    span = {"closed_from": d["first"], "closed_to": d["last"], "status": ["closed"]}
                drill = _tickets_list(actor, f, **span, **{by: key})
                points.append(Point(_x(p, i), n, n, drill=drill))
            series.append(Series(measure, points, group=key))
    return series


async def _service_backlog(
    repo: AnalyticsRepo, actor: Actor, p: Period, f: Filters, dimension: str | None
) -> list[Series]:
    counts = await repo.backlog(p, f)
    return [Series("backlog", [Point(_x(p, i), n, n) for i, n in enumerate(counts)])]


async def _service_sla(
    repo: AnalyticsRepo, actor: Actor, p: Period, f: Filters, dimension: str | None
) -> list[Series]:
    data = await repo.sla(p, f)
    series = []
    for target in ("first_response", "resolution"):
        rows = [data[target].get(i, (0, 0, 0)) for i in range(len(p.buckets))]
        series.append(
            Series(
                f"{target}_on_time_rate",
                [Point(_x(p, i), ratio(ok, n), n) for i, (n, ok, _) in enumerate(rows)],
            )
        )
        series.append(
            Series(
                f"{target}_fulfilled", [Point(_x(p, i), n, n) for i, (n, _, _) in enumerate(rows)]
            )
        )
        series.append(
            Series(
                f"{target}_on_time", [Point(_x(p, i), ok, ok) for i, (_, ok, _) in enumerate(rows)]
            )
        )
    return series


async def _service_durations(
    repo: AnalyticsRepo, actor: Actor, p: Period, f: Filters, dimension: str | None
) -> list[Series]:
    data = await repo.durations(p, f)
    series = []
    for target in ("first_response", "resolution"):
        for name, j in (("median_hours", 0), ("p90_hours", 1)):
            series.append(
                Series(
                    f"{target}_{name}",
                    [
                        Point(_x(p, i), _hours(data[target].get(i, (None, None))[j]))
                        for i in range(len(p.buckets))
                    ],
                )
            )
    return series


async def _service_reopen(
    repo: AnalyticsRepo, actor: Actor, p: Period, f: Filters, dimension: str | None
) -> list[Series]:
    rows = (await repo.sla(p, f))["resolution"]
    resolved = [rows.get(i, (0, 0, 0)) for i in range(len(p.buckets))]
    return [
        Series("resolved", [Point(_x(p, i), n, n) for i, (n, _, _) in enumerate(resolved)]),
        Series("reopened", [Point(_x(p, i), r, r) for i, (_, _, r) in enumerate(resolved)]),
        Series(
            "reopen_rate", [Point(_x(p, i), ratio(r, n), n) for i, (n, _, r) in enumerate(resolved)]
        ),
    ]


async def _service_agents(
    repo: AnalyticsRepo, actor: Actor, p: Period, f: Filters, dimension: str | None
) -> list[Series]:
    rows = await repo.agents(p, f)
    whole = _whole(p)

    def series(
        name: str,
        value: Callable[[dict[str, Any]], tuple[float | None, int]],
        drill: Callable[[dict[str, Any]], Drill | None] = lambda r: None,
    ) -> Series:
        return Series(
            name, [Point(str(r["assignee_id"]), *value(r), r["name"], drill(r)) for r in rows]
        )

    return [
        series(
            "open",
            lambda r: (r["open"], r["open"]),
            lambda r: _tickets_list(
                actor, f, assignee_id=str(r["assignee_id"]), status=OPEN_STATUSES
            ),
        ),
        series(
            "opened",
            lambda r: (r["opened"], r["opened"]),
            lambda r: _tickets_list(
                actor,
                f,
                assignee_id=str(r["assignee_id"]),
                created_from=whole["first"],
                created_to=whole["last"],
            ),
        ),
        series("resolved", lambda r: (r["resolved"], r["resolved"])),
        series(
            "first_response_on_time_rate",
            lambda r: (
                ratio(r["first_response_on_time"], r["first_responses"]),
                r["first_responses"],
            ),
        ),
        series(
            "resolution_on_time_rate",
            lambda r: (ratio(r["resolution_on_time"], r["resolutions"]), r["resolutions"]),
        ),
    ]


async def _service_satisfaction(
    repo: AnalyticsRepo, actor: Actor, p: Period, f: Filters, dimension: str | None
) -> list[Series]:
    data = await repo.satisfaction(p, f)
    series = []
    for j, dim in enumerate(SATISFACTION):
        points = []
        for i in range(len(p.buckets)):
            n, means = data.get(i, (0, [None] * 4))
            mean = means[j]
            points.append(Point(_x(p, i), None if mean is None else round(mean, 2), n))
        series.append(Series(dim, points))
    return series


async def _service_top_problems(
    repo: AnalyticsRepo, actor: Actor, p: Period, f: Filters, dimension: str | None
) -> list[Series]:
    rows = await repo.lowest_satisfaction(p, f)
    return [Series("overall", [Point(t, round(m, 2), n) for t, m, n in rows])]


async def _service_complaints(
    repo: AnalyticsRepo, actor: Actor, p: Period, f: Filters, dimension: str | None
) -> list[Series]:
    rows = await repo.complaints(p, f)
    parties: dict[str, int] = {}
    causes: dict[str, int] = {}
    for party, cause, n in rows:
        parties[party or NONE] = parties.get(party or NONE, 0) + n
        causes[cause or NONE] = causes.get(cause or NONE, 0) + n

    def ordered(counts: dict[str, int]) -> list[Point]:
        return [Point(k, n, n) for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    whole = _whole(p)
    total = sum(parties.values())
    return [
        Series(
            "complaints",
            [
                Point(
                    "all",
                    total,
                    total,
                    drill=_tickets_list(
                        actor,
                        f,
                        type="complaint",
                        created_from=whole["first"],
                        created_to=whole["last"],
                    ),
                )
            ],
        ),
        Series("by_responsible_party", ordered(parties)),
        Series("by_root_cause", ordered(causes)),
    ]


Builder = Callable[[AnalyticsRepo, Actor, Period, Filters, str | None], Awaitable[list[Series]]]
BUILDERS: dict[str, Builder] = {
    "customers.new": _customers_new,
    "customers.activity": _customers_activity,
    "customers.distribution": _customers_distribution,
    "customers.repurchase": _customers_repurchase,
    "sales.follow_ups": _sales_follow_ups,
    "sales.funnel": _sales_funnel,
    "sales.cycle": _sales_cycle,
    "sales.pool": _sales_pool,
    "service.volume": _service_volume,
    "service.backlog": _service_backlog,
    "service.sla": _service_sla,
    "service.durations": _service_durations,
    "service.reopen": _service_reopen,
    "service.agents": _service_agents,
    "service.satisfaction": _service_satisfaction,
    "service.top_problems": _service_top_problems,
    "service.complaints": _service_complaints,
}
assert BUILDERS.keys() == FIGURES.keys()


async def figure(
    repo: AnalyticsRepo,
    actor: Actor,
    key: str,
    p: Period,
    asked: Filters,
    *,
    dimension: str | None = None,
) -> Result:
    """One figure for `actor` over `p`: their role narrows the filters (domain.analytics.scope)
    before anything is counted."""
    fig = FIGURES.get(key)
    if fig is None:
        raise NotFound("figure", key)
    f = scoped(actor, fig.section, asked)
    series = await BUILDERS[key](repo, actor, p, f, dimension)
    return Result(fig, p, f, series, dimension)
