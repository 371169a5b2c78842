"""Benchmark of the `pool-recycle` job over a whole customer table (PostgreSQL).

    python -m bench.generate --customers 1000000 --database-url postgresql://…/crm_bench
    python -m bench.pool_recycle --database-url postgresql://…/crm_bench [--days 5] \
        [--now 2030-03-01T02:00:00+08:00] [--no-order-days 60]

Takes a database bench/generate.py filled (refuses one without customers, or one the pool job
already ran on), spreads the owners' pool clocks (`owner_engaged_at`, `owned_since`) evenly
over the 45 days before `--now` with one UPDATE, then times `run_job(pool-recycle)` at 02:00
on `--days` successive days: the first run is the catch-up (a third of the customers are past
30 days), the next ones the steady state (one day's worth each). Prints one JSON object on
stdout; progress goes to stderr. The database is changed: use a scratch one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import datetime, timedelta

from sqlalchemy import DateTime, Integer, bindparam, func, select, text, update

from jobs.runner import run_job
from persistence.db import Database, backend_name
from persistence.models import Customer, LifecycleAlert, LifecycleSettings

SPREAD_SECONDS = 45 * 24 * 3600


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def prepare(database: Database, now: datetime, no_order_days: int | None) -> int:
    async with database.session(write=True) as s:
        customers = int(await s.scalar(select(func.count()).select_from(Customer)) or 0)
        if customers == 0:
            raise SystemExit("no customers: fill the database with bench.generate first")
        if await s.scalar(select(func.count()).select_from(LifecycleAlert)):
            raise SystemExit("pool-recycle already ran on this database: use a fresh one")
        started = time.perf_counter()
        # Deterministic spread: the id times a prime, modulo 45 days of seconds.
        await s.execute(
            text(
                "UPDATE customer SET owner_engaged_at = :now - make_interval(secs => "
                "(id * 7919) % :spread), owned_since = :now - make_interval(secs => "
                "(id * 7919) % :spread) WHERE owner_id IS NOT NULL"
            ).bindparams(
                bindparam("now", now, type_=DateTime(timezone=True)),
                bindparam("spread", SPREAD_SECONDS, type_=Integer),
            )
        )
        await s.execute(update(LifecycleSettings).values(pool_no_order_days=no_order_days))
        log(
            f"spread the pool clocks of {customers} customers in "
            f"{time.perf_counter() - started:.1f} s"
        )
    async with database.write_engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("ANALYZE customer"))
    return customers


async def main(url: str, now: datetime, days: int, no_order_days: int | None) -> dict:
    if backend_name(url) != "postgresql":
        raise SystemExit("this benchmark runs on PostgreSQL")
    database = Database(url)
    try:
        customers = await prepare(database, now, no_order_days)
        runs = []
        for day in range(days):
            at = now + timedelta(days=day)
            outcome = await run_job(database, "pool-recycle", at)
            runs.append(
                {"now": at.isoformat(), "seconds": outcome["seconds"], **(outcome["result"] or {})}
            )
            log(f"{at.isoformat()}: {outcome['seconds']} s {outcome['result']}")
        return {
            "job": "pool-recycle",
            "customers": customers,
            "no_order_days": no_order_days,
            "runs": runs,
        }
    finally:
        await database.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.pool_recycle",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        default=datetime.fromisoformat("2030-03-01T02:00:00+08:00"),
    )
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--no-order-days", type=int, default=None)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.database_url, args.now, args.days, args.no_order_days))))
