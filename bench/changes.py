"""Benchmark of draining the sync feed (GET /api/v1/changes) on PostgreSQL.

    python -m bench.changes --database-url postgresql://postgres@127.0.0.1:5432/crm_bench_changes \
        [--changes 100000] [--runs 3] [--workers 1] [--port 8767]

Into a new, empty database (migrated here; bench/generate.py adds the users, customers with
their contacts, orders, follow-ups and tickets, untimed; a database an earlier run filled is
reused as it is) it writes --changes audited changes,
untimed: creates (60 %), updates (30 %) and deletes (10 %) of customers, contacts, orders,
follow-ups, tickets and opportunities, shuffled together and committed 2,000 to a
transaction. The records are written set-based in SQL and their audit entries as the app
writes them (entity, customer, action, before → after; a deletion keeps what a tombstone
needs); only the audit trail matters to the feed, which reads every body as it is now.

Timed: an admin (bench-admin) drains the feed through a server started for the run, from a
cursor taken before the writes, in pages of the largest `limit` the endpoint allows, until
`has_more` is false; --runs drains, the median reported. Changes are audit entries read;
`entries` is what the pages held (several changes of one record in a page are one entry, and
a child's write is also an entry of its customer). The feed waits for every transaction open
on the PostgreSQL server (transaction ids are the cluster's): a long one elsewhere holds the
drain back, and the run then stops with an error instead of reporting a short drain.

Target (issue 17): >= 10,000 changes/s for 100,000 changes. Prints one JSON object on stdout;
progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime

import asyncpg
import httpx

from bench import generate
from bench.bulk import _dsn, log
from bench.generate import ADMIN, PASSWORD
from bench.server import running_server
from domain.integration.change_feed import MAX_LIMIT
from persistence.migrate import upgrade

TARGET_CHANGES_PER_SECOND = 10_000
PER_TRANSACTION = 2000
# Feed type → (table, audit entity_type, column an update changes).
TABLES = {
    "customers": ("customer", "customer", "address"),
    "contacts": ("contact", "contact", "title"),
    "orders": ("customer_order", "order", "product"),
    "follow_ups": ("follow_up", "follow_up", "feedback"),
    "tickets": ("ticket", "ticket", "remedy"),
    "opportunities": ("opportunity", "opportunity", "title"),
}
DELETED = ("customers", "contacts", "orders", "follow_ups")  # the app deletes these


async def _opportunities(connection: asyncpg.Connection, count: int) -> None:
    """Opportunities on owned customers (bench/generate.py makes none)."""
    await connection.execute(
        "INSERT INTO opportunity (customer_id, owner_id, title, budget_min, budget_max, stage, "
        "version, created_at, updated_at) "
        "SELECT id, owner_id, '压测商机' || id, 1000000, 2000000, 'intent', 1, now(), now() "
        "FROM customer WHERE owner_id IS NOT NULL AND NOT archived ORDER BY random() LIMIT $1",
        count,
    )


async def _pick(connection: asyncpg.Connection, kind: str, count: int) -> list[asyncpg.Record]:
    table = TABLES[kind][0]
    customer = "id" if kind == "customers" else "customer_id"
    where = ""
    if kind == "customers":  # deletable ones: a customer with tickets is kept (no cascade)
        where = "WHERE NOT EXISTS (SELECT 1 FROM ticket WHERE ticket.customer_id = t.id)"
    rows = await connection.fetch(
        f"SELECT t.id, t.{customer} AS customer_id FROM {table} AS t {where} "  # noqa: S608
        "ORDER BY random() LIMIT $1",
        count,
    )
    if len(rows) < count:
        raise RuntimeError(f"only {len(rows)} {kind} to change, {count} wanted")
    return rows


async def write_changes(url: str, total: int, seed: int) -> int:
    """`total` audited changes; the records' own writes done set-based. Returns the highest
    transaction id written, which a full drain must pass."""
    rng = random.Random(seed)
    connection = await asyncpg.connect(_dsn(url))
    try:
        actor = await connection.fetchval('SELECT id FROM "user" WHERE username = $1', ADMIN)
        have = await connection.fetchval("SELECT count(*) FROM opportunity")
        if have < total // 10 + 1:  # creates and updates pick from them (an earlier run's too)
            await _opportunities(connection, total // 10 + 1 - have)
        creates, updates = total * 6 // 10, total * 3 // 10
        deletes = total - creates - updates
        entries: list[tuple] = []
        now = datetime.now(UTC)
        for n, kind in enumerate(TABLES):
            table, entity, column = TABLES[kind]
            share = creates // 6 + (1 if n < creates % 6 else 0)
            for row in await _pick(connection, kind, share):
                entries.append((now, actor, entity, row["id"], row["customer_id"], "create",
                                json.dumps({column: [None, "创建"]})))  # fmt: skip
            share = updates // 6 + (1 if n < updates % 6 else 0)
            changed = await _pick(connection, kind, share)
            await connection.execute(
                f"UPDATE {table} SET {column} = left(coalesce({column}, '') || '·改', 90), "  # noqa: S608
                "version = version + 1, updated_at = now() WHERE id = ANY($1::bigint[])",
                [r["id"] for r in changed],
            )
            for row in changed:
                entries.append((now, actor, entity, row["id"], row["customer_id"], "update",
                                json.dumps({column: ["旧", "新·改"]})))  # fmt: skip
        for n, kind in enumerate(DELETED):
            table, entity, _ = TABLES[kind]
            share = deletes // len(DELETED) + (1 if n < deletes % len(DELETED) else 0)
            gone = await connection.fetch(
                f"DELETE FROM {table} WHERE id = ANY($1::bigint[]) "  # noqa: S608
                + ("RETURNING id, id AS customer_id, owner_id, archived, code, external_ids"
                   if kind == "customers" else "RETURNING id, customer_id, external_ids"),
                [r["id"] for r in await _pick(connection, kind, share)],
            )  # fmt: skip
            for row in gone:
                before = {"external_ids": [json.loads(row["external_ids"] or "null"), None]}
                if kind == "customers":
                    before |= {
                        "code": [row["code"], None],
                        "owner_id": [row["owner_id"], None],
                        "archived": [row["archived"], None],
                    }
                entries.append((now, actor, entity, row["id"], row["customer_id"], "delete",
                                json.dumps(before)))  # fmt: skip
        rng.shuffle(entries)
        for start in range(0, len(entries), PER_TRANSACTION):
            async with connection.transaction():
                await connection.executemany(
                    "INSERT INTO audit_event (at, actor_id, entity_type, entity_id, customer_id, "
                    "action, changes) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)",
                    entries[start : start + PER_TRANSACTION],
                )
        log(f"{len(entries):,} changes written")
        # What autovacuum would soon do: without statistics on the new rows the planner reads
        # the feed's page by a bitmap of every entry and sorts (~200 ms, not 1 ms, a page).
        await connection.execute("ANALYZE")
        return int(await connection.fetchval("SELECT max(txid) FROM audit_event"))
    finally:
        await connection.close()


def drain(base_url: str, token: str, cursor: str | None, limit: int) -> tuple[float, int, int, str]:
    """Seconds, pages and entries of one drain from `cursor` (None: the feed's start), and the
    cursor it ends at."""
    pages = entries = 0
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=600) as client:
        started = time.perf_counter()
        while True:
            since = {} if cursor is None else {"since": cursor}
            response = client.get("/api/v1/changes", params={**since, "limit": limit})
            if response.status_code != 200:
                raise RuntimeError(f"changes: {response.status_code} {response.text[:500]}")
            page = response.json()
            pages += 1
            entries += len(page["items"])
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return time.perf_counter() - started, pages, entries, cursor


async def _filled(url: str) -> bool:
    connection = await asyncpg.connect(_dsn(url))
    try:
        return bool(await connection.fetchval("SELECT EXISTS (SELECT 1 FROM customer)"))
    finally:
        await connection.close()


def _txid(cursor: str) -> int:
    return int(json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))[0])


async def _written(url: str) -> tuple[int, int]:
    """The audit entries there are and the highest transaction id among them."""
    connection = await asyncpg.connect(_dsn(url))
    try:
        count, txid = await connection.fetchrow("SELECT count(*), max(txid) FROM audit_event")
        return int(count), int(txid or 0)
    finally:
        await connection.close()


def run(args: argparse.Namespace) -> dict:
    url = args.database_url
    if args.drain_only:
        return measure(args, url, None)
    upgrade(url)
    if asyncio.run(_filled(url)):
        log("the database has customers already (an earlier run's): its records are reused")
    else:
        log(f"generating {args.customers:,} customers with their records")
        with contextlib.redirect_stdout(sys.stderr):
            generate.main(
                ["--customers", str(args.customers), "--database-url", url, "--jobs", "2",
                 "--follow-ups", str(args.records), "--orders", str(args.records),
                 "--tickets", str(args.records)]
            )  # fmt: skip
    return measure(args, url, "now")


def measure(args: argparse.Namespace, url: str, since: str | None) -> dict:
    """Write the changes after taking a cursor (`since` = now), or drain the whole feed as it
    is (None), through a server of the code checked out."""
    limit = args.limit
    with running_server(url, port=args.port, workers=args.workers) as server:
        token = server.login(ADMIN, PASSWORD)
        start = None
        if since == "now":
            with httpx.Client(base_url=server.base_url, timeout=600) as client:
                start = client.get(
                    "/api/v1/changes",
                    params={"since": "now"},
                    headers={"Authorization": f"Bearer {token}"},
                ).json()["next_cursor"]
            last_txid = asyncio.run(write_changes(url, args.changes, args.seed))
        else:
            args.changes, last_txid = asyncio.run(_written(url))
        runs = []
        for n in range(args.runs):
            seconds, pages, entries, end = drain(server.base_url, token, start, limit)
            if _txid(end) <= last_txid:
                raise RuntimeError(
                    "the drain stopped short of the changes written: a transaction open "
                    "elsewhere on the PostgreSQL server holds the feed's horizon back"
                )
            runs.append(seconds)
            log(f"  run {n + 1}: {seconds:.2f} s, {pages} pages, {entries:,} entries")
    seconds = statistics.median(runs)
    rate = args.changes / seconds
    return {
        "database": "postgresql",
        "changes": args.changes,
        "entries": entries,
        "pages": pages,
        "page_size": limit,
        "workers": args.workers,
        "runs_seconds": [round(s, 2) for s in runs],
        "seconds": round(seconds, 2),
        "changes_per_s": round(rate),
        "target_changes_per_s": TARGET_CHANGES_PER_SECOND,
        "met": rate >= TARGET_CHANGES_PER_SECOND,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.changes",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--database-url", required=True, help="a new, empty PostgreSQL database (it is filled)"
    )
    parser.add_argument("--changes", type=int, default=100_000, help="audited changes written")
    parser.add_argument(
        "--customers", type=int, default=0, help="generated first (default: a third of changes)"
    )
    parser.add_argument(
        "--records",
        type=int,
        default=0,
        help="orders, follow-ups, tickets each (default: a fifth of changes)",
    )
    parser.add_argument("--runs", type=int, default=3, help="drains timed; the median counts")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--limit", type=int, default=MAX_LIMIT, help="page size (default: the largest allowed)"
    )
    parser.add_argument(
        "--drain-only",
        action="store_true",
        help="write nothing: drain the whole feed of a database an earlier run filled (to "
        "compare versions of the server on the same changes)",
    )
    args = parser.parse_args(argv)
    if args.changes < 100 or args.runs < 1:
        parser.error("--changes is at least 100, --runs at least 1")
    args.customers = args.customers or args.changes // 3
    args.records = args.records or args.changes // 5
    print(json.dumps(run(args)))


if __name__ == "__main__":
    main()
