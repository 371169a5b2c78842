"""Job `customer-value` (daily): RFM scores, value level and grade of every customer, by the
rules of domain.customer_value. One transaction; the result (kept in job_run) carries the
score boundaries of the run, which `GET /customers/{id}/value` shows."""

from zoneinfo import ZoneInfo

from domain.lifecycle import local_day
from domain.ports import Clock
from persistence.customer_value_repo import SqlCustomerValueRepo
from persistence.db import Database


async def run_customer_value(database: Database, clock: Clock, zone: ZoneInfo) -> dict[str, object]:
    now = clock.now()
    as_of = local_day(now, zone)
    async with database.session(write=True) as session:
        repo = SqlCustomerValueRepo(session)
        scored = await repo.score()
        thresholds = await repo.thresholds(as_of)
        changed = await repo.apply(now)
    return {
        "as_of": as_of.isoformat(),
        "computed_at": now.isoformat(),
        "scored": scored,
        **changed,
        "thresholds": thresholds,
    }
