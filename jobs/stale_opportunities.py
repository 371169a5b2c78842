"""Job `stale-opportunities` (daily, 02:00 Asia/Shanghai): an open opportunity with no
effective follow-up (nor creation) for `lifecycle_settings.stale_opportunity_days` calendar
days notifies its owner, once per quiet spell: lifecycle_alert kind `stale-opportunity`, cycle =
when the spell began (the last effective follow-up, or the creation). An effective follow-up
starts a new spell, so the owner hears again only if that one runs out too."""

from zoneinfo import ZoneInfo

from domain.ports import Clock
from domain.sales import SHANGHAI, local_date, stale_cutoff
from persistence.db import Database
from persistence.opportunity_repo import SqlOpportunityRepo
from persistence.sales_scan_repo import SqlSalesScanRepo


async def run_stale_opportunities(
    database: Database, clock: Clock, *, zone: ZoneInfo = SHANGHAI
) -> dict[str, int]:
    now = clock.now()
    async with database.session(write=True) as session:
        days = await SqlOpportunityRepo(session).stale_days()
        repo = SqlSalesScanRepo(session)
        stale = await repo.alert_stale_opportunities(
            stale_cutoff(local_date(now, zone), days, zone), now
        )
        notified = await repo.notify_stale_opportunities(stale, days, now) if stale else 0
    return {"stale": len(stale), "notifications": notified, "stale_opportunity_days": days}
