"""Job `update-reminder` (every 5 minutes): a ticket whose customer-update interval ran out
with no customer-visible reply reminds its assignee, once per interval (a reply starts the
next one)."""

from domain.ports import Clock
from domain.sla_alert import UPDATE_RULE
from persistence.db import Database
from persistence.sla_scan_repo import SqlSlaScanRepo


async def run_update_reminder(database: Database, clock: Clock) -> dict[str, int]:
    now = clock.now()
    async with database.session(write=True) as session:
        repo = SqlSlaScanRepo(session)
        ticket_ids = await repo.raise_alerts(UPDATE_RULE, now)
        notifications = timeline_entries = 0
        if ticket_ids:
            notifications = await repo.notify(ticket_ids, UPDATE_RULE, now)
            timeline_entries = await repo.add_events(
                ticket_ids,
                "sla",
                {"target": UPDATE_RULE.target, "threshold": UPDATE_RULE.threshold},
                now,
            )
    return {
        "alerts": len(ticket_ids),
        "notifications": notifications,
        "timeline_entries": timeline_entries,
    }
