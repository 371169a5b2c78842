"""Benchmark of `crm backup` and `crm restore` on a PostgreSQL database (e.g. the 1,000,000-
customer one bench.generate makes).

    python -m bench.backup --database-url postgresql://…/crm_bench_copy [--jobs 4] [--keep]

Backs the database up into a temporary directory (pg_dump custom format in an exported
snapshot, plus the manifest), creates an empty database `<name>_restore` next to it, restores
the archive into it (pg_restore --jobs N, then the row counts checked against the manifest),
and drops it again. Prints one JSON object on stdout: seconds for each step, the archive's
size, the rows restored, and whether the restore met the 5-minute target. The source is only
read; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from persistence.backup import Tools, create_backup, restore_backup
from persistence.db import backend_name

TARGET_SECONDS = 300


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def admin(url: str, sql: str) -> None:
    dsn = (
        make_url(url)
        .set(drivername="postgresql", database="postgres")
        .render_as_string(hide_password=False)
    )
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def main(url: str, jobs: int, keep: bool, directory: str | None) -> dict:
    if backend_name(url) != "postgresql":
        raise SystemExit("bench.backup measures PostgreSQL (pg_dump / pg_restore)")
    tools = Tools(
        pg_dump=os.environ.get("CRM_PG_DUMP", "pg_dump"),
        pg_restore=os.environ.get("CRM_PG_RESTORE", "pg_restore"),
    )
    source = make_url(url)
    target_name = f"{source.database}_restore"
    target = source.set(database=target_name).render_as_string(hide_password=False)
    with tempfile.TemporaryDirectory(prefix="bench-backup-", dir=directory) as tmp:
        log(f"backing up {source.database} …")
        started = time.perf_counter()
        backup = await create_backup(url, None, Path(tmp), tools=tools)
        backup_seconds = time.perf_counter() - started
        log(
            f"  {backup.size / 2**20:.0f} MiB in {backup_seconds:.1f} s; restoring into "
            f"{target_name} …"
        )
        await admin(url, f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)')
        await admin(
            url,
            f"CREATE DATABASE \"{target_name}\" ENCODING 'UTF8' TEMPLATE template0 "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'",
        )
        try:
            started = time.perf_counter()
            result = await restore_backup(backup.path, target, None, tools=tools, jobs=jobs)
            restore_seconds = time.perf_counter() - started
        finally:
            if not keep:
                await admin(url, f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)')
    return {
        "benchmark": "backup",
        "database": source.database,
        "rows": result.rows,
        "tables": result.tables,
        "archive_bytes": backup.size,
        "backup_seconds": round(backup_seconds, 1),
        "restore_seconds": round(restore_seconds, 1),
        "restore_jobs": jobs,
        "restore_target_seconds": TARGET_SECONDS,
        "restore_target_met": restore_seconds <= TARGET_SECONDS,
        "cpus": os.cpu_count(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--jobs", type=int, default=4, help="pg_restore processes")
    parser.add_argument("--keep", action="store_true", help="keep the restored database")
    parser.add_argument("--dir", help="where the archive is written (default: the temp dir)")
    args = parser.parse_args()
    print(
        json.dumps(asyncio.run(main(args.database_url, args.jobs, args.keep, args.dir)), indent=2)
    )
