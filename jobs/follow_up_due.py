"""Job `follow-up-due` (daily, 02:00 Asia/Shanghai): reminders of what is due today.

The owner of each owned, not archived customer whose next follow-up date (by the cadence
rules, or the last follow-up's next action) is today or past gets one notification per
customer and due date; the owner of each open next action due today or earlier gets one per
follow-up and due date. Exactly-once by lifecycle_alert (kinds `follow-up-due` and
`next-action-due`, cycle = the due date), so a re-run or a second process changes nothing."""

from zoneinfo import ZoneInfo

from domain.ports import Clock
from domain.sales import SHANGHAI, local_date
from persistence.db import Database
from persistence.sales_scan_repo import SqlSalesScanRepo


async def run_follow_up_due(
    database: Database, clock: Clock, *, zone: ZoneInfo = SHANGHAI
) -> dict[str, int]:
    now = clock.now()
    today = local_date(now, zone)
    async with database.session(write=True) as session:
        repo = SqlSalesScanRepo(session)
        customers = await repo.alert_follow_ups_due(today, now)
        cadence_notified = await repo.notify_follow_ups_due(customers, now) if customers else 0
        follow_ups = await repo.alert_next_actions_due(today, now)
        action_notified = await repo.notify_next_actions_due(follow_ups, now) if follow_ups else 0
    return {
        "customers_due": len(customers),
        "next_actions_due": len(follow_ups),
        "notifications": cadence_notified + action_notified,
    }
