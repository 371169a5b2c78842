"""Benchmark of the analytics endpoints, the dashboards and a monthly report.

    python -m bench.analytics \
        --database-url postgresql://postgres@127.0.0.1:5432/crm_bench_analytics \
        [--runs 5] [--months 12]

Works on a database bench/generate.py filled (customers, follow-ups, orders, and tickets via
`--tickets`). The app runs in this process (no HTTP server: what is measured is the
endpoint's own work, the same code `crm serve` runs), one request at a time (c=1):

- every figure of /api/v1/analytics for the last `--months` months by month, as the admin
  (all records) and as an account manager (their own customers): p50 and max of `--runs`;
- each role's dashboard: all of its panels requested at once, as the browser does; wall time;
- a monthly report for the admin: POST /reports until both files are stored (the earlier
  copy is deleted before each run).

Prints one JSON object on stdout; progress goes to stderr. Writes only report rows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import delete

from api.app import create_app
from api.routers.analytics import path_of
from config import Settings
from domain.analytics.figures import FIGURES
from persistence.models import Report

PASSWORD = "bench-pass"
EXTRA = {"customers.distribution": {"dimension": "industry"}}
DASHBOARDS = {
    # the panels the web app's dashboard requests per role (frontend/src/pages/dashboard)
    "admin": [
        ("customers.new", {}),
        ("customers.activity", {}),
        ("sales.funnel", {}),
        ("sales.pool", {}),
        ("service.volume", {"dimension": "type"}),
        ("service.sla", {}),
        ("service.backlog", {}),
        ("service.agents", {}),
        ("service.satisfaction", {}),
        ("service.top_problems", {}),
    ],
    "account_manager": [
        ("customers.new", {}),
        ("customers.activity", {}),
        ("sales.funnel", {}),
        ("sales.pool", {}),
        ("service.volume", {"dimension": "type"}),
        ("service.sla", {}),
        ("service.satisfaction", {}),
    ],
    "agent": [
        ("service.volume", {"dimension": "type"}),
        ("service.sla", {}),
        ("service.satisfaction", {}),
    ],
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def token(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    r = await client.post("/auth/token", data={"username": username, "password": PASSWORD})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def timed(
    client: httpx.AsyncClient, headers: dict[str, str], key: str, params: dict[str, str]
) -> float:
    started = time.perf_counter()
    r = await client.get(path_of(key), params=params, headers=headers)
    elapsed = time.perf_counter() - started
    if r.status_code != 200:
        raise SystemExit(f"{key}: {r.status_code} {r.text[:300]}")
    return elapsed * 1000


async def run(url: str, runs: int, months: int) -> dict:
    settings = Settings(
        database_url=url,
        secret_key="bench-analytics-secret-0123456789",
        var_dir=Path(tempfile.mkdtemp()),
        jobs=False,
        frontend_dist=Path(tempfile.mkdtemp()),
    )
    app = create_app(settings)
    zone = ZoneInfo(settings.timezone)
    today = datetime.now(UTC).astimezone(zone).date()
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    for _ in range(months - 2):
        first = (first - timedelta(days=1)).replace(day=1)
    period = {"from": first.isoformat(), "to": today.isoformat(), "bucket": "month"}
    out: dict = {
        "period": period,
        "runs": runs,
        "concurrency": 1,
        "endpoints": {},
        "load_average_before": os.getloadavg(),
    }
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://bench/api/v1", timeout=600
    ) as client:
        users = {
            "admin": await token(client, "bench-admin"),
            "account_manager": await token(client, "am001"),
            "agent": await token(client, "agent101"),
        }
        for role in ("admin", "account_manager"):
            for key in FIGURES:
                if role == "account_manager" and key.startswith("service.agents"):
                    continue
                params = {**period, **EXTRA.get(key, {})}
                await timed(client, users[role], key, params)  # warm: plans, caches
                samples = [await timed(client, users[role], key, params) for _ in range(runs)]
                out["endpoints"].setdefault(key, {})[role] = {
                    "p50_ms": round(statistics.median(samples), 1),
                    "max_ms": round(max(samples), 1),
                }
                log(f"{role:16} {key:26} p50 {statistics.median(samples):8.1f} ms")
        out["dashboards"] = {}
        for role, panels in DASHBOARDS.items():
            walls = []
            for _ in range(max(3, runs // 2)):
                started = time.perf_counter()
                await asyncio.gather(
                    *[timed(client, users[role], key, {**period, **extra}) for key, extra in panels]
                )
                walls.append((time.perf_counter() - started) * 1000)
            out["dashboards"][role] = {
                "panels": len(panels),
                "p50_ms": round(statistics.median(walls), 1),
                "max_ms": round(max(walls), 1),
            }
            log(f"dashboard {role:16} p50 {statistics.median(walls):8.1f} ms")
        report_runs = []
        for _ in range(2):
            async with app.state.database.session(write=True) as session:
                await session.execute(delete(Report).where(Report.kind == "monthly"))
            started = time.perf_counter()
            r = await client.post("/reports", json={"period": "monthly"}, headers=users["admin"])
            report = (await client.get(f"/reports/{r.json()['id']}", headers=users["admin"])).json()
            report_runs.append(time.perf_counter() - started)
            if report["status"] != "done":
                raise SystemExit(f"report: {report}")
            sizes = {}
            for fmt in ("xlsx", "pdf"):
                body = await client.get(report["files"][fmt], headers=users["admin"])
                sizes[fmt] = len(body.content)
            log(f"monthly report {report_runs[-1]:.1f} s {sizes}")
        out["monthly_report"] = {
            "seconds": [round(s, 2) for s in report_runs],
            "bytes": sizes,
            "first_day": report["first_day"],
            "last_day": report["last_day"],
        }
    await app.state.database.dispose()
    out["load_average_after"] = os.getloadavg()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.analytics",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(run(args.database_url, args.runs, args.months)), indent=1))


if __name__ == "__main__":
    main()
