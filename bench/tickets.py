"""Service tickets for the benchmarks (`python -m bench.generate --tickets N`): spread over the
last two years (more of them recently), with statuses as a desk's history would leave them
(old tickets closed, cancelled or resolved; recent ones still open), SLA targets by priority,
the stored working-minute durations of fulfilled targets (some over target), satisfaction on
closed ones, complaints with a responsible party and root cause, a few reopened. Routed to
three departments with ten agents each (created if missing). COPY on PostgreSQL by worker
processes, executemany on SQLite."""

from __future__ import annotations

import asyncio
import random
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

TICKET_COLUMNS = (
    "id",
    "code",
    "customer_id",
    "type",
    "channel",
    "title",
    "description",
    "urgent",
    "important",
    "priority",
    "priority_overridden",
    "status",
    "department_id",
    "assignee_id",
    "created_by",
    "opened_at",
    "root_cause",
    "responsible_party",
    "customer_accepted",
    "satisfaction_response_speed",
    "satisfaction_resolution",
    "satisfaction_attitude",
    "satisfaction_overall",
    "sla_calendar",
    "first_response_minutes",
    "resolution_minutes",
    "update_minutes",
    "first_response_at",
    "last_public_reply_at",
    "resolved_at",
    "closed_at",
    "last_assigned_at",
    "first_response_elapsed_minutes",
    "resolution_elapsed_minutes",
    "reopen_count",
    "version",
    "created_at",
    "updated_at",
)

TYPES = [
    ("presales_consult", 14),
    ("order_support", 22),
    ("after_sales_repair", 20),
    ("return_exchange", 10),
    ("complaint", 8),
    ("technical_consult", 16),
    ("training", 5),
    ("customization", 5),
]
DEPARTMENT_OF = {
    "presales_consult": 0,
    "order_support": 0,
    "customization": 0,
    "after_sales_repair": 1,
    "return_exchange": 1,
    "complaint": 1,
    "technical_consult": 2,
    "training": 2,
}
CHANNELS = [
    ("phone", 35),
    ("online_chat", 25),
    ("email", 15),
    ("store", 5),
    ("web_form", 15),
    ("api", 5),
]
# priority: (weight, urgent, important, first response, resolution, calendar)
PRIORITIES = {
    "P1": (5, True, True, 30, 240, "24x7"),
    "P2": (20, False, True, 1440, 2700, "business"),
    "P3": (35, True, False, 120, 1620, "business"),
    "P4": (40, False, False, 2880, 5400, "business"),
}
PARTIES = ["product_quality", "service_error", "logistics", "other"]
CAUSES = ["发货延迟", "质量问题", "响应慢", "安装不当", "说明不清", "价格争议", "配件缺失"]
TITLES = [
    "设备无法开机",
    "订单状态查询",
    "退货申请",
    "安装预约",
    "发票开具",
    "系统登录失败",
    "产品使用培训",
    "配送延误投诉",
    "功能定制咨询",
    "报价咨询",
]
DEPARTMENTS = (
    ("bench_sales", "压测销售部"),
    ("bench_after_sales", "压测售后部"),
    ("bench_tech", "压测技术部"),
)
AGENTS_PER_DEPARTMENT = 10
DAY = 86400.0


@dataclass(frozen=True)
class TicketPlan:
    tickets: int
    first_id: int
    customer_ids: tuple[int, int]  # min, max (the generator's ids are contiguous)
    agents: tuple[tuple[int, ...], ...]  # per department
    department_ids: tuple[int, ...]
    admin_id: int
    seed: int
    now: float
    target: str
    backend: str


def _weighted(pairs):
    return [v for v, w in pairs for _ in range(w)]


def ticket_rows(plan: TicketPlan, start: int, stop: int) -> list[tuple]:
    rng = random.Random(f"tickets:{plan.seed}:{start}")
    types, channels = _weighted(TYPES), _weighted(CHANNELS)
    priorities = _weighted([(p, v[0]) for p, v in PRIORITIES.items()])
    lo, hi = plan.customer_ids
    rows = []
    for i in range(start, stop):
        # age in days: denser recently (a growing desk), at most two years
        age = 730 * (rng.random() ** 1.6)
        opened = plan.now - age * DAY - rng.random() * 3600
        opened_at = datetime.fromtimestamp(opened, UTC)
        ticket_type = rng.choice(types)
        priority = rng.choice(priorities)
        _, urgent, important, first_target, resolution_target, calendar = PRIORITIES[priority]
        dept = DEPARTMENT_OF[ticket_type]
        assignee = rng.choice(plan.agents[dept])
        # working minutes taken; a business minute is about 2.7 wall minutes (9 of 24 hours)
        wall = 1.0 if calendar == "24x7" else 24 / 9
        first_elapsed = round(first_target * rng.lognormvariate(-0.9, 0.7), 2)
        resolution_elapsed = round(
            max(first_elapsed, resolution_target * rng.lognormvariate(-0.7, 0.6)), 2
        )
        first_at = opened + first_elapsed * 60 * wall
        resolved_at = opened + resolution_elapsed * 60 * wall
        roll = rng.random()
        if resolved_at > plan.now or (age < 3 and roll < 0.5):
            status = rng.choice(("assigned", "in_progress", "in_progress", "waiting_customer"))
        elif roll < 0.06:
            status = "cancelled"
        elif roll < 0.06 + (0.5 if age < 7 else 0.08):
            status = "resolved"
        else:
            status = "closed"
        answered = first_at <= plan.now and status != "assigned"
        closed_at = None
        if status == "closed":
            closed_at = min(resolved_at + rng.uniform(0.2, 3) * DAY, plan.now)
        if status == "cancelled":
            closed_at = min(opened + rng.uniform(0.1, 2) * DAY, plan.now)
        finished = status in ("resolved", "closed")
        sat = [None] * 4
        if status == "closed":
            base = 3.2 if ticket_type == "complaint" else 4.2
            sat = [max(1, min(5, round(rng.gauss(base, 0.9)))) for _ in range(4)]
        complaint = ticket_type == "complaint"
        ts = lambda s: None if s is None else datetime.fromtimestamp(s, UTC)  # noqa: E731
        rows.append(
            (
                plan.first_id + i,
                f"B{opened_at:%Y%m%d}{i:09d}",
                rng.randint(lo, hi),
                ticket_type,
                rng.choice(channels),
                rng.choice(TITLES),
                "",
                urgent,
                important,
                priority,
                False,
                status,
                plan.department_ids[dept],
                assignee,
                plan.admin_id,
                opened_at,
                rng.choice(CAUSES) if complaint else None,
                rng.choice(PARTIES) if complaint else None,
                True if status == "closed" else None,
                *sat,
                calendar,
                first_target,
                resolution_target,
                120 if priority == "P1" else 1440,
                ts(first_at) if answered else None,
                ts(first_at) if answered else None,
                ts(resolved_at) if finished else None,
                ts(closed_at),
                opened_at,
                first_elapsed if answered else None,
                resolution_elapsed if finished else None,
                1 if finished and rng.random() < 0.03 else 0,
                1,
                opened_at,
                ts(closed_at or (resolved_at if finished else opened)),
            )
        )
    return rows


_PLAN: TicketPlan | None = None


def _init(plan: TicketPlan) -> None:
    global _PLAN
    _PLAN = plan


def _load_chunk(bounds: tuple[int, int]) -> int:
    assert _PLAN is not None
    rows = ticket_rows(_PLAN, *bounds)

    async def copy() -> None:
        conn = await asyncpg.connect(_PLAN.target)
        try:
            await conn.copy_records_to_table("ticket", records=rows, columns=TICKET_COLUMNS)
        finally:
            await conn.close()

    asyncio.run(copy())
    return len(rows)


async def _staff_postgres(dsn: str, now: datetime, password_hash: str) -> dict:
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            departments = []
            for key, name in DEPARTMENTS:
                departments.append(
                    await conn.fetchval(
                        "INSERT INTO department (key, name, version, created_at, updated_at) "
                        "VALUES ($1, $2, 1, $3, $3) ON CONFLICT (key) DO UPDATE SET name = $2 "
                        "RETURNING id",
                        key,
                        name,
                        now,
                    )
                )
            agents = []
            for d, department_id in enumerate(departments):
                ids = []
                for k in range(1, AGENTS_PER_DEPARTMENT + 1):
                    ids.append(
                        await conn.fetchval(
                            'INSERT INTO "user" (username, display_name, password_hash, role, '
                            "department_id, is_active, version, created_at, updated_at) VALUES "
                            "($1, $2, $3, 'agent', $4, true, 1, $5, $5) ON CONFLICT (username) "
                            "DO UPDATE SET department_id = $4 RETURNING id",
                            f"agent{d + 1}{k:02d}",
                            f"客服{d + 1}-{k:02d}",
                            password_hash,
                            department_id,
                            now,
                        )
                    )
                agents.append(tuple(ids))
            admin = await conn.fetchval(
                "SELECT id FROM \"user\" WHERE role = 'admin' ORDER BY id LIMIT 1"
            )
            lo, hi = await conn.fetchrow("SELECT min(id), max(id) FROM customer")
            first = (await conn.fetchval("SELECT coalesce(max(id), 0) FROM ticket")) + 1
        return {
            "departments": tuple(departments),
            "agents": tuple(agents),
            "admin": admin,
            "customers": (lo, hi),
            "first_id": first,
        }
    finally:
        await conn.close()


def load_tickets(
    *, backend: str, target: str, tickets: int, seed: int, jobs: int, chunk: int = 50_000
) -> dict[str, int]:
    """Add `tickets` tickets to a database that has customers; returns counts."""
    from api.security import hash_password

    if backend != "postgresql":
        raise SystemExit("--tickets is implemented for PostgreSQL (the benchmark database)")
    now = datetime.now(UTC)
    staff = asyncio.run(_staff_postgres(target, now, hash_password("bench-pass")))
    plan = TicketPlan(
        tickets=tickets,
        first_id=staff["first_id"],
        customer_ids=staff["customers"],
        agents=staff["agents"],
        department_ids=staff["departments"],
        admin_id=staff["admin"],
        seed=seed,
        now=now.timestamp(),
        target=target,
        backend=backend,
    )
    started = time.perf_counter()
    bounds = [(s, min(s + chunk, tickets)) for s in range(0, tickets, chunk)]
    done = 0
    with ProcessPoolExecutor(jobs, initializer=_init, initargs=(plan,)) as pool:
        for n in pool.map(_load_chunk, bounds):
            done += n
            if done % (chunk * 4) == 0 or done == tickets:
                rate = done / max(time.perf_counter() - started, 1e-9)
                print(
                    f"  tickets {done:,}/{tickets:,} ({rate:,.0f}/s)",
                    flush=True,
                    file=__import__("sys").stderr,
                )

    async def finish() -> None:
        conn = await asyncpg.connect(target)
        try:
            await conn.execute(
                "SELECT setval(pg_get_serial_sequence('ticket', 'id'), "
                "(SELECT max(id) FROM ticket))"
            )
            await conn.execute('VACUUM (ANALYZE) ticket, "user", department')
        finally:
            await conn.close()

    asyncio.run(finish())
    return {"tickets": done, "agents": AGENTS_PER_DEPARTMENT * len(DEPARTMENTS)}
