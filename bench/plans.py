"""The query plans of one API request: the app runs in this process (no server), every statement
the request sends is recorded, then each one is run again under EXPLAIN (ANALYZE, BUFFERS) with
the same parameters and its plan printed, slowest first. For `bench.lists --check`.

    python -m bench.plans --database-url postgresql://… '/api/v1/customers?sort=name' [--user am001]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

import asyncpg
import httpx
from sqlalchemy import event

from api.app import create_app
from bench.generate import ADMIN, PASSWORD
from config import Settings


async def _plans(database_url: str, path: str, username: str, password: str) -> None:
    app = create_app(Settings(database_url=database_url, secret_key="bench-plans", jobs=False))
    statements: list[tuple[str, tuple]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append((statement, tuple(parameters or ())))

    database = app.state.database
    for engine in {database.read_engine, database.write_engine}:
        event.listen(engine.sync_engine, "before_cursor_execute", record)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        token = await client.post(
            "/api/v1/auth/token", data={"username": username, "password": password}
        )
        token.raise_for_status()
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        await client.get(path, headers=headers)  # once to warm caches, then recorded
        statements.clear()
        response = await client.get(path, headers=headers)
    print(f"{response.status_code} {path}: {len(statements)} statements", file=sys.stderr)
    await database.dispose()

    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute("SET plan_cache_mode = force_custom_plan; SET jit = off")
        timed = []
        for sql, params in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            started = time.perf_counter()
            rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, *params)
            timed.append((time.perf_counter() - started, sql, [r[0] for r in rows]))
        for seconds, sql, plan in sorted(timed, key=lambda t: t[0], reverse=True):
            print(f"\n-- {seconds * 1000:.1f} ms\n{sql}\n" + "\n".join(plan), file=sys.stderr)
    finally:
        await conn.close()


def print_plans(database_url: str, path: str, username: str, password: str) -> None:
    asyncio.run(_plans(database_url, path, username, password))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.plans", description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--user", default=ADMIN)
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument("path", help="an API path with its query string")
    args = parser.parse_args(argv)
    print_plans(args.database_url, args.path, args.user, args.password)


if __name__ == "__main__":
    main()
