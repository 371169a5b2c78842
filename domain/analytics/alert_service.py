"""The trend-alerts scan: each condition found is stored once per kind, subject and period
and told to every active supervisor and admin."""

from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from domain.analytics.period import Granularity, midnight, period
from domain.analytics.scope import Filters
from domain.analytics.trends import Thresholds, below, falling, surging, windows

TITLES = {
    "ticket_type_surge": "工单类型激增",
    "satisfaction_decline": "满意度连续三周下降",
    "first_response_below": "首次响应达成率低于目标",
}


class AlertRepo(Protocol):
    async def add_alert(
        self,
        kind: str,
        subject: str,
        period_start: Any,
        period_end: Any,
        data: dict[str, Any],
        now: datetime,
    ) -> int | None: ...
    async def alerted_since(self, kind: str, subject: str, since: Any) -> bool: ...
    async def staff_ids(self) -> list[int]: ...


async def scan(uow: Any, now: datetime, zone: ZoneInfo, t: Thresholds) -> list[int]:
    """The ids of the alerts this run raised."""
    w = windows(now.astimezone(zone).date())
    day = timedelta(days=1)
    recent = await uow.analytics.type_counts(
        midnight(w.recent[0], zone), midnight(w.recent[1] + day, zone)
    )
    baseline = await uow.analytics.type_counts(
        midnight(w.baseline[0], zone), midnight(w.baseline[1] + day, zone)
    )
    raised: list[int | None] = []
    for ticket_type, n in sorted(recent.items()):
        before = baseline.get(ticket_type, 0)
        # A surge lasts days; the alert does not repeat while its 7-day window overlaps.
        if surging(n, before, t) and not await uow.reports.alerted_since(
            "ticket_type_surge", ticket_type, w.recent[0] - timedelta(days=6)
        ):
            raised.append(
                await uow.reports.add_alert(
                    "ticket_type_surge",
                    ticket_type,
                    w.recent[0],
                    w.recent[1],
                    {
                        "last_7_days": n,
                        "previous_28_days": before,
                        "weekly_average": round(before / 4, 2),
                        "factor": t.surge_factor,
                    },
                    now,
                )
            )
    weeks = period(w.weeks[0][0], w.weeks[-1][1], Granularity.WEEK, zone)
    satisfaction = await uow.analytics.satisfaction(weeks, Filters())
    means = [satisfaction[i][1][3] if i in satisfaction else None for i in range(4)]
    last_week = w.weeks[-1]
    if falling(means):
        raised.append(
            await uow.reports.add_alert(
                "satisfaction_decline",
                "all",
                last_week[0],
                last_week[1],
                {
                    "weekly_overall": [round(m, 2) for m in means if m is not None],
                    "weeks": [a.isoformat() for a, _ in w.weeks],
                },
                now,
            )
        )
    answered, on_time, _ = (await uow.analytics.sla(weeks, Filters()))["first_response"].get(
        3, (0, 0, 0)
    )
    if below(answered, on_time, t):
        raised.append(
            await uow.reports.add_alert(
                "first_response_below",
                "all",
                last_week[0],
                last_week[1],
                {
                    "answered": answered,
                    "on_time": on_time,
                    "rate": round(on_time / answered, 4),
                    "target": t.first_response_rate,
                },
                now,
            )
        )
    created = [i for i in raised if i is not None]
    if created:
        staff = await uow.reports.staff_ids()
        for alert_id, kind in await uow.reports.alert_kinds(created):
            for user_id in staff:
                uow.notifications.add(
                    user_id,
                    "trend_alert",
                    TITLES[kind],
                    entity_type="trend_alert",
                    entity_id=alert_id,
                    at=now,
                )
    return created
