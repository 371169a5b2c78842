"""Job `idempotency-purge` (hourly): deletes idempotency keys past their 24 hours. Claims
already treat such rows as absent; this only keeps the table small."""

from domain.ports import Clock
from persistence import idempotency_repo
from persistence.db import Database


async def run_idempotency_purge(database: Database, clock: Clock) -> dict[str, int]:
    return {"purged": await idempotency_repo.purge(database, clock.now())}
