"""Every list of the API at scale: each list endpoint × its sorts × its main filters, at
concurrency 1 (p50, p95), the most used ones also at 16 (requests/s), against the bare keyset
app (bench/bare_app.py) measured in the same run; customer creates at 16 against GET-one.
Prints JSON.

    python -m bench.lists --database-url postgresql://postgres@127.0.0.1:5432/crm_lists [--check]

The database comes from bench.generate with follow-ups, orders and tickets, for example
`--customers 1000000 --follow-ups 1000000 --orders 500000 --tickets 1000000`. Ids the cases
need (an account manager, a busy agent, a common tag, a customer with many follow-ups) are
drawn from the data.

Targets (issue 18): every case p50 <= 15 ms and p95 <= 50 ms at c=1; the most used cases at
c=16 >= 0.5 x the bare app's requests/s; creates at c=16 >= 0.5 x GET-one's. `--check` exits
1 when a case misses and prints the plans (EXPLAIN ANALYZE) of the statements its request ran,
so a regression shows where it is.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

import asyncpg

from bench.bare_app import PATH as BARE_PATH
from bench.generate import ADMIN, PASSWORD
from bench.loadgen import build_request, run_load
from bench.search import _fresh_id_numbers
from bench.server import running_server

TARGET_P50_MS = 15
TARGET_P95_MS = 50
TARGET_SHARE_OF_BARE = 0.5
TARGET_CREATE_SHARE = 0.5


@dataclass(frozen=True)
class Case:
    name: str
    user: str  # who asks: admin, manager (an account manager), agent
    path: str
    busy: bool = False  # among the most used: also measured at c=16


async def _fixtures(dsn: str) -> dict:
    """Ids the cases ask for, drawn from the data."""
    conn = await asyncpg.connect(dsn)
    try:
        fetch = conn.fetchval
        manager_id = await fetch("SELECT id FROM \"user\" WHERE username = 'am001'")
        agent = await conn.fetchrow(
            'SELECT u.id, u.username FROM ticket t JOIN "user" u ON u.id = t.assignee_id '
            "WHERE t.status IN ('assigned', 'in_progress', 'waiting_customer', 'reopened') "
            "GROUP BY u.id, u.username ORDER BY count(*) DESC LIMIT 1"
        )
        if agent is None:
            raise SystemExit("no open tickets: generate with --tickets")
        return {
            "manager_id": manager_id,
            "agent_id": agent["id"],
            "agent": agent["username"],
            "common_tag": await fetch(
                "SELECT tag_id FROM customer_tag GROUP BY tag_id ORDER BY count(*) DESC LIMIT 1"
            ),
            "rare_tag": await fetch(
                "SELECT tag_id FROM customer_tag GROUP BY tag_id ORDER BY count(*) LIMIT 1"
            ),
            "industry": await fetch(
                "SELECT industry FROM customer WHERE industry IS NOT NULL "
                "GROUP BY industry ORDER BY count(*) DESC LIMIT 1"
            ),
            "busy_customer": await fetch(
                "SELECT customer_id FROM follow_up GROUP BY customer_id "
                "ORDER BY count(*) DESC LIMIT 1"
            ),
            "ordering_customer": await fetch(
                "SELECT customer_id FROM customer_order GROUP BY customer_id "
                "ORDER BY count(*) DESC LIMIT 1"
            ),
            "ticket_customer": await fetch(
                "SELECT customer_id FROM ticket GROUP BY customer_id ORDER BY count(*) DESC LIMIT 1"
            ),
            "department_id": await fetch("SELECT min(department_id) FROM ticket"),
            "max_customer": await fetch("SELECT max(id) FROM customer"),
        }
    finally:
        await conn.close()


def _cases(f: dict) -> list[Case]:
    def q(path: str, **params: object) -> str:
        pairs = [(k, v) for k, v in params.items() if not isinstance(v, list)]
        pairs += [(k, x) for k, v in params.items() if isinstance(v, list) for x in v]
        return f"/api/v1/{path}?" + urlencode([("limit", 50), *pairs])

    today = date.today()
    month_ago = (today - timedelta(days=30)).isoformat()
    cases = [
        Case("customers", "admin", q("customers"), busy=True),
        Case("customers_with_total", "admin", q("customers", with_total="true"), busy=True),
        Case("customers_mine_manager", "manager", q("customers", with_total="true"), busy=True),
    ]
    sorts = ("created_at", "name", "code", "updated_at", "last_contact_at", "cumulative_amount")
    for sort in (*sorts, "grade"):
        for descending in (False, True):
            key = f"-{sort}" if descending else sort
            busy = key in ("name", "-last_contact_at")
            cases.append(Case(f"customers_sort_{key}", "admin", q("customers", sort=key), busy))
    cases += [
        Case("customers_stage", "admin", q("customers", stage="customer"), busy=True),
        Case(
            "customers_stage_with_total",
            "admin",
            q("customers", stage="customer", with_total="true"),
        ),
        Case("customers_owner", "admin", q("customers", owner_id=f["manager_id"]), busy=True),
        Case("customers_tag", "admin", q("customers", tag_id=f["common_tag"]), busy=True),
        Case("customers_rare_tag", "admin", q("customers", tag_id=f["rare_tag"])),
        Case(
            "customers_stage_grade_industry",
            "admin",
            q("customers", stage="customer", grade="A", industry=f["industry"]),
        ),
        Case("customers_stage_by_name", "admin", q("customers", stage="customer", sort="name")),
        Case(
            "customers_owner_by_last_contact",
            "admin",
            q("customers", owner_id=f["manager_id"], sort="-last_contact_at"),
        ),
        Case(
            "customers_manager_by_name", "manager", q("customers", sort="name", with_total="true")
        ),
        Case("customers_archived", "admin", q("customers", archived="true")),
        Case("customers_unowned", "admin", q("customers", unowned="true")),
        Case("customers_created_last_month", "admin", q("customers", created_from=month_ago)),
        Case("customers_not_contacted_90d", "admin", q("customers", not_contacted_days=90)),
        Case("customers_amount_min", "admin", q("customers", amount_min=100000)),
        Case("customers_tags_any", "admin", q("customers", tags_any=[f["common_tag"]])),
        Case("customers_name_contains", "admin", q("customers", name="科技")),
        Case("tickets", "admin", q("tickets"), busy=True),
        Case("tickets_with_total", "admin", q("tickets", with_total="true")),
        Case(
            "tickets_mine_open",
            "agent",
            q(
                "tickets",
                assignee_id=f["agent_id"],
                status=["assigned", "in_progress", "waiting_customer", "reopened"],
            ),
            busy=True,
        ),
        Case("tickets_status_new", "admin", q("tickets", status="new")),
        Case("tickets_department", "admin", q("tickets", department_id=f["department_id"])),
        Case("tickets_customer", "admin", q("tickets", customer_id=f["ticket_customer"])),
        Case("tickets_breached", "admin", q("tickets", sla_state="breached")),
        Case("tickets_priority_p1", "admin", q("tickets", priority="P1")),
        Case("tickets_created_last_month", "admin", q("tickets", created_from=month_ago)),
        Case("follow_ups", "admin", q("follow-ups")),
        Case("follow_ups_mine", "manager", q("follow-ups", owner="me")),
        Case("follow_ups_customer", "admin", q("follow-ups", customer_id=f["busy_customer"])),
        Case("follow_ups_last_month", "admin", q("follow-ups", **{"from": month_ago})),
        Case("follow_ups_due_mine", "manager", q("follow-ups/due", owner="me")),
        Case("customer_follow_ups", "admin", q(f"customers/{f['busy_customer']}/follow-ups")),
        Case("opportunities", "admin", q("opportunities")),
        Case("opportunities_mine", "manager", q("opportunities", owner="me")),
        Case("opportunities_stage", "admin", q("opportunities", stage="quote")),
        Case("opportunities_stale", "admin", q("opportunities", stale="true")),
        Case("customer_opportunities", "admin", q(f"customers/{f['busy_customer']}/opportunities")),
        Case("customer_orders", "admin", q(f"customers/{f['ordering_customer']}/orders")),
        Case(
            "customer_orders_completed",
            "admin",
            q(f"customers/{f['ordering_customer']}/orders", status="completed"),
        ),
        Case("pool", "manager", q("pool")),
        Case("pool_stage", "manager", q("pool", stage="lost")),
        Case("pool_industry", "manager", q("pool", industry=f["industry"])),
        Case("customer_history", "admin", q(f"customers/{f['busy_customer']}/history")),
        Case("audit_events", "admin", q("audit-events")),
        Case("audit_events_customer", "admin", q("audit-events", customer_id=f["busy_customer"])),
        Case("notifications", "manager", q("notifications")),
        Case("notifications_unread", "manager", q("notifications", unread="true")),
        Case("tasks_mine", "manager", q("tasks", owner="me", done="false")),
        Case("change_requests", "admin", q("change-requests")),
    ]
    return cases


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.lists",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", required=True, help="PostgreSQL")
    parser.add_argument("--requests", type=int, default=200, help="per case at c=1")
    parser.add_argument("--busy-requests", type=int, default=1000, help="per case at c=16")
    parser.add_argument("--creates", type=int, default=1000)
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument(
        "--workers", type=int, default=1, help="uvicorn worker processes, for both apps"
    )
    parser.add_argument("--max-seconds", type=float, default=20.0, help="per measurement")
    parser.add_argument("--only", help="comma-separated case names (default: all)")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 on a missed target, printing its plans"
    )
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgresql"):
        parser.error("bench.lists measures PostgreSQL")
    dsn = args.database_url.replace("postgresql+asyncpg://", "postgresql://")
    fixtures = asyncio.run(_fixtures(dsn))
    cases = _cases(fixtures)
    if args.only:
        wanted = set(args.only.split(","))
        cases = [c for c in cases if c.name in wanted]

    def measure(server, raw: list[bytes], concurrency: int, total: int, expect: int = 200):
        warm = min(20, total)
        asyncio.run(
            run_load(server.host, server.port, raw, total=warm, concurrency=concurrency,
                     max_seconds=args.max_seconds, expect=expect)
        )  # fmt: skip
        return asyncio.run(
            run_load(server.host, server.port, raw, total=total, concurrency=concurrency,
                     max_seconds=args.max_seconds, expect=expect)
        ).summary()  # fmt: skip

    def get(server, path: str, headers: dict) -> list[bytes]:
        headers = {"Accept": "application/json", **headers}
        return [build_request("GET", path, server.host, server.port, headers=headers)]

    report: dict = {"fixtures": fixtures, "workers": args.workers, "cases": {}}
    print("bare app", file=sys.stderr, flush=True)
    with running_server(
        args.database_url, port=args.port, workers=args.workers, app="bench.bare_app:create_app"
    ) as server:
        raw = get(server, BARE_PATH + "?limit=50", {})
        report["bare_app"] = {
            "c1": measure(server, raw, 1, args.requests),
            "c16": measure(server, raw, 16, args.busy_requests),
        }
    bare_rps = report["bare_app"]["c16"]["rps"]

    misses: list[tuple[Case, str]] = []
    with running_server(args.database_url, port=args.port, workers=args.workers) as server:
        logins = {"admin": ADMIN, "manager": "am001", "agent": fixtures["agent"]}
        auth = {
            who: {"Authorization": f"Bearer {server.login(name, PASSWORD)}"}
            for who, name in logins.items()
        }
        for case in cases:
            print(case.name, file=sys.stderr, flush=True)
            raw = get(server, case.path, auth[case.user])
            out = {
                "path": case.path,
                "user": case.user,
                "c1": measure(server, raw, 1, args.requests),
            }
            c1 = out["c1"]
            if c1["errors"]:
                misses.append((case, f"errors: {c1['first_error']}"))
            elif c1["p50_ms"] > TARGET_P50_MS or c1["p95_ms"] > TARGET_P95_MS:
                misses.append((case, f"p50 {c1['p50_ms']} ms, p95 {c1['p95_ms']} ms"))
            if case.busy:
                out["c16"] = measure(server, raw, 16, args.busy_requests)
                out["share_of_bare"] = round(out["c16"]["rps"] / bare_rps, 2)
                if out["share_of_bare"] < TARGET_SHARE_OF_BARE:
                    misses.append((case, f"{out['share_of_bare']} of the bare app's req/s"))
            report["cases"][case.name] = out

        if not args.only:
            print("get one, creates", file=sys.stderr, flush=True)
            rng = random.Random(1)
            ids = [rng.randint(1, fixtures["max_customer"]) for _ in range(500)]
            admin = {"Accept": "application/json", **auth["admin"]}
            gets = [
                build_request("GET", f"/api/v1/customers/{i}", server.host, server.port,
                              headers=admin)
                for i in ids
            ]  # fmt: skip
            report["get_one_c16"] = measure(server, gets, 16, args.busy_requests)
            numbers = _fresh_id_numbers(args.creates + 20)
            posts = [
                build_request(
                    "POST", "/api/v1/customers", server.host, server.port,
                    headers={**admin, "Content-Type": "application/json"},
                    body=json.dumps({"kind": "individual", "name": f"列表压测客户{i}",
                                     "id_number": number, "stage": "potential"}).encode(),
                )
                for i, number in enumerate(numbers)
            ]  # fmt: skip
            # Each body once: the first 20 warm up, the rest are measured.
            asyncio.run(run_load(server.host, server.port, posts[:20], total=20, concurrency=16,
                                 expect=201))  # fmt: skip
            report["creates_c16"] = asyncio.run(
                run_load(server.host, server.port, posts[20:], total=args.creates,
                         concurrency=16, expect=201, max_seconds=args.max_seconds)
            ).summary()  # fmt: skip
            share = report["creates_c16"]["rps"] / report["get_one_c16"]["rps"]
            report["creates_share_of_get_one"] = round(share, 2)
            if share < TARGET_CREATE_SHARE:
                misses.append((Case("creates", "admin", "/api/v1/customers"), f"{share:.2f}"))

    report["targets"] = {
        "p50_ms": TARGET_P50_MS,
        "p95_ms": TARGET_P95_MS,
        "share_of_bare_c16": TARGET_SHARE_OF_BARE,
        "creates_share_of_get_one": TARGET_CREATE_SHARE,
    }
    report["misses"] = {}
    for case, why in misses:  # a case may miss at c=1 and at c=16: both are reported
        report["misses"].setdefault(case.name, []).append(why)
    print(json.dumps(report, ensure_ascii=False, indent=2), flush=True)
    if args.check and misses:
        from bench.plans import print_plans

        for case, why in misses:
            if case.name == "creates":
                continue
            print(f"\n== {case.name}: {why}\n{case.path}", file=sys.stderr)
            print_plans(args.database_url, case.path, logins[case.user], PASSWORD)
        sys.exit(1)


if __name__ == "__main__":
    main()
