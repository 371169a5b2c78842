"""Benchmark of bulk upserts by external id (POST /customers/bulk) on PostgreSQL.

    python -m bench.bulk [--customers 2000] [--upserts 2000] [--batch 1000] [--concurrency 1]
    python -m bench.bulk --million          # the issue 17 run: 100,000 upserts at 1M customers
    python -m bench.bulk --database-url postgresql://…/crm_copy --customers 0

Without --database-url it creates a database of its own on the server of --postgres-url,
fills it with --customers generated customers (bench/generate.py) and drops it at the end;
with one, it writes into that database (use a copy). Half of the upserts update existing
customers, found by an external id given to them beforehand (the `erp` system, untimed), and
half create new ones; they are shuffled together and sent in batches of --batch by an admin,
--concurrency batches at a time, through a server started for the run. Timed: from the first
request to the last answer.

Target (issue 17): >= 5,000 rows/s for 100,000 upserts at 1,000,000 customers. Prints one JSON
object on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator

import asyncpg
import httpx
from sqlalchemy.engine import make_url
from stdnum.cn import uscc

from bench import generate
from bench.generate import ADMIN, PASSWORD
from bench.server import running_server
from persistence.migrate import upgrade

TARGET_ROWS_PER_SECOND = 5000
SYSTEM = "erp"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(url: str, sql: str) -> None:
    connection = await asyncpg.connect(_dsn(url))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextlib.contextmanager
def own_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server of `server_url`, dropped however the run ends."""
    name = f"crm_bench_bulk_{uuid.uuid4().hex[:10]}"
    asyncio.run(
        _admin(server_url, f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    )
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def give_external_ids(url: str, count: int, tag: str) -> list[dict]:
    """`count` existing customers get an `erp` id (as a sync would have given them); the
    update items for them: the same kind and name (a rename would wait for approval), a new
    address."""
    connection = await asyncpg.connect(_dsn(url))
    try:
        async with connection.transaction():
            rows = await connection.fetch(
                "SELECT id, kind, name FROM customer WHERE NOT archived AND external_ids IS NULL "
                "ORDER BY random() LIMIT $1",
                count,
            )
            ids = [r["id"] for r in rows]
            values = [f"{tag}-{i}" for i in ids]
            await connection.execute(
                "INSERT INTO external_id (entity_type, system, value, entity_id) "
                "SELECT 'customer', $1, v, i FROM unnest($2::text[], $3::bigint[]) AS t(v, i)",
                SYSTEM,
                values,
                ids,
            )
            await connection.execute(
                "UPDATE customer SET external_ids = json_build_object($1::text, t.v) "
                "FROM unnest($2::text[], $3::bigint[]) AS t(v, i) WHERE customer.id = t.i",
                SYSTEM,
                values,
                ids,
            )
    finally:
        await connection.close()
    return [
        {
            "kind": r["kind"],
            "name": r["name"],
            "address": f"批量更新路{n % 999 + 1}号",
            "external_id": {"system": SYSTEM, "id": f"{tag}-{r['id']}"},
        }
        for n, r in enumerate(rows)
    ]


def new_items(count: int, tag: str, rng: random.Random) -> list[dict]:
    base = rng.randrange(10**8)  # credit codes of region 990000: no generated customer has it
    items = []
    for n in range(count):
        body = f"91990000{(base + n) % 10**9:09d}"
        items.append(
            {
                "kind": "organization",
                "name": f"批量{tag}{n:06d}科技有限公司",
                "credit_code": body + uscc.calc_check_digit(body),
                "industry": "I65",
                "size": "100-500",
                "stage": "intent",
                "address": f"批量新建路{n % 999 + 1}号",
                "external_id": {"system": SYSTEM, "id": f"{tag}-new-{n}"},
            }
        )
    return items


async def send(base_url: str, token: str, batches: list[list[dict]], concurrency: int) -> dict:
    statuses: Counter[int] = Counter()
    seconds: list[float] = []
    queue = list(reversed(batches))

    async def worker(client: httpx.AsyncClient) -> None:
        while queue:
            batch = queue.pop()
            started = time.perf_counter()
            response = await client.post("/api/v1/customers/bulk", json={"items": batch})
            seconds.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"bulk: {response.status_code} {response.text[:500]}")
            statuses.update(item["status"] for item in response.json()["items"])
            log(f"  {sum(statuses.values()):,} items sent")

    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=600) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        total = time.perf_counter() - started
    items = sum(len(b) for b in batches)
    return {
        "seconds": round(total, 2),
        "rows_per_second": round(items / total, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "batch_ms": {
            "p50": round(statistics.median(seconds) * 1000, 1),
            "max": round(max(seconds) * 1000, 1),
        },
    }


def run(url: str, args: argparse.Namespace) -> dict:
    upgrade(url)
    if args.customers:
        log(f"generating {args.customers:,} customers")
        with contextlib.redirect_stdout(sys.stderr):
            generate.main(
                ["--customers", str(args.customers), "--database-url", url,
                 "--jobs", str(args.jobs)]
            )  # fmt: skip
    tag = f"b{uuid.uuid4().hex[:6]}"
    rng = random.Random(f"{args.seed}-{tag}")  # new credit codes in every run on one database
    updates = asyncio.run(give_external_ids(url, args.upserts // 2, tag))
    items = updates + new_items(args.upserts - len(updates), tag, rng)
    rng.shuffle(items)
    batches = [items[i : i + args.batch] for i in range(0, len(items), args.batch)]
    log(f"{len(items):,} upserts ({len(updates):,} updates) in {len(batches)} batches")
    with running_server(url, port=args.port, workers=args.workers) as server:
        token = server.login(ADMIN, PASSWORD)
        measured = asyncio.run(send(server.base_url, token, batches, args.concurrency))
    return {
        "database": "postgresql",
        "customers_generated": args.customers,
        "upserts": len(items),
        "updates": len(updates),
        "batch": args.batch,
        "concurrency": args.concurrency,
        "workers": args.workers,
        **measured,
        "target_rows_per_second": TARGET_ROWS_PER_SECOND,
        "met": measured["rows_per_second"] >= TARGET_ROWS_PER_SECOND,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bulk",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--database-url",
        help="write into this PostgreSQL database (a copy) instead of a new one of its own",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "CRM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="the server the run's own database is created on (default: CRM_TEST_POSTGRES_URL)",
    )
    parser.add_argument("--customers", type=int, default=2000, help="generated beforehand")
    parser.add_argument("--upserts", type=int, default=2000, help="half updates, half new")
    parser.add_argument("--batch", type=int, default=1000, help="items per request (≤ 1,000)")
    parser.add_argument("--concurrency", type=int, default=1, help="batches in flight")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--jobs", type=int, default=2, help="bench.generate's processes")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--million",
        action="store_true",
        help="the issue's run: 1,000,000 customers, 100,000 upserts (long; a machine of its own)",
    )
    args = parser.parse_args(argv)
    if args.million:
        args.customers, args.upserts = 1_000_000, 100_000
    if not 1 <= args.batch <= 1000 or args.upserts < 2 or args.customers < 0:
        parser.error("--batch is 1..1000, --upserts at least 2, --customers not negative")
    if args.database_url:
        report = run(args.database_url, args)
    else:
        with own_database(args.postgres_url) as url:
            report = run(url, args)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
