"""The rollup tables (PostgreSQL) give every figure exactly what the raw rows give.

A random desk is written and then rewritten the ways the application and bulk loads write
(inserts of many rows in one statement, updates of counted and uncounted columns, status
changes, reassignments, cancellations, archiving, deletions); after each round every figure,
for several periods (cut at both ends), granularities and filters, is computed twice, from the
rollups and from the raw rows, and must be equal. The rollups count the whole session database,
so this also checks every other test's writes that came before. On SQLite there are no
rollups: the figures are the raw ones."""

import asyncio
import random
import uuid
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select, text, update

from domain.analytics import service
from domain.analytics.figures import FIGURES
from domain.analytics.period import Granularity, period
from domain.analytics.scope import Filters
from domain.roles import Actor, Role
from jobs.analytics import run_analytics_rollups
from persistence.analytics import SqlAnalyticsRepo, rollups
from persistence.models import (
    AnalyticsOrderUnit,
    AnalyticsTicketDay,
    Customer,
    CustomerOrder,
    FollowUp,
    Ticket,
)
from tests.api.ticket_support import new_department
from tests.conftest import MovableClock, make_user

ZONE = ZoneInfo("Asia/Shanghai")
TYPES = ("complaint", "order_support", "after_sales_repair", "training")
CHANNELS = ("phone", "email", "web_form")
PRIORITIES = ("P2", "P3", "P4")
METHODS = ("phone", "visit", "wechat")
STATUSES = ("new", "assigned", "in_progress", "resolved", "closed", "cancelled", "reopened")
SCORES = ("response_speed", "resolution", "attitude", "overall")
ADMIN = Actor(1, Role.ADMIN, None)
DIMENSIONS = {
    "customers.distribution": ("industry", "region", "grade", "stage", "source", "value_level"),
    "service.volume": ("type", "channel", "priority"),
}
PERIODS = [
    period(date(2024, 11, 17), date(2026, 2, 10), Granularity.MONTH, ZONE),
    period(date(2025, 1, 1), date(2025, 12, 31), Granularity.MONTH, ZONE),
    period(date(2025, 3, 5), date(2025, 6, 20), Granularity.WEEK, ZONE),
    period(date(2025, 5, 28), date(2025, 6, 12), Granularity.DAY, ZONE),
]


def instant(rng: random.Random) -> datetime:
    """Some time in 2025, often close to a local midnight (the buckets' edges)."""
    day = datetime(2025, 1, 1, tzinfo=ZONE) + timedelta(days=rng.randrange(365))
    minutes = rng.choice([rng.randrange(24 * 60), 0, 1, 24 * 60 - 1, 23 * 60 + 30])
    return (day + timedelta(minutes=minutes)).astimezone(UTC)


@pytest.fixture(scope="module")
async def desk(client, database, users):
    department = await new_department(client, users["admin"])
    ams = [await make_user(client, database, "account_manager") for _ in range(2)]
    agents = [
        await make_user(client, database, "agent", department_id=department["id"]) for _ in range(2)
    ]
    yield {"department_id": department["id"], "ams": ams, "agents": agents}
    # The session's other tests share the database: take this desk away (the deletes are
    # counted off the rollups like any other).
    async with database.session(write=True) as s:
        mine = select(Customer.id).where(Customer.name.like("rollup-%"))
        for model in (Ticket, CustomerOrder, FollowUp):
            await s.execute(delete(model).where(model.customer_id.in_(mine)))
        await s.execute(delete(Customer).where(Customer.name.like("rollup-%")))


async def write_round(database, desk, rng: random.Random) -> None:
    department_id = desk["department_id"]
    owners = [u.id for u in desk["ams"]]
    agents = [u.id for u in desk["agents"]]
    async with database.session(write=True) as s:
        customers = []
        for _ in range(30):
            created = instant(rng)
            c = Customer(
                code="C" + uuid.uuid4().hex[:12].upper(),
                kind="organization",
                name=f"rollup-{uuid.uuid4().hex[:8]}",
                owner_id=rng.choice([*owners, None]),
                created_at=created,
                updated_at=created,
                custom_fields={},
                stage=rng.choice(["potential", "intent", "customer"]),
                activity_status=rng.choice(["active", "dormant", "churn_risk"]),
                industry=rng.choice([None, "I65", "C13", "A01"]),
                region=rng.choice([None, "上海", "北京"]),
                grade=rng.choice([None, "S", "A", "B"]),
                source=rng.choice([None, "advertising", "referral"]),
                value_level=rng.choice([None, "high", "low"]),
            )
            s.add(c)
            customers.append(c)
        await s.flush()
        for c in customers:
            for _ in range(rng.randrange(4)):
                at = instant(rng)
                s.add(
                    CustomerOrder(
                        customer_id=c.id,
                        order_no=f"O{uuid.uuid4().hex[:12]}",
                        product="产品",
                        amount=Decimal("10.00"),
                        ordered_on=at.astimezone(ZONE).date(),
                        status=rng.choice(["confirmed", "completed", "cancelled"]),
                    )
                )
            for _ in range(rng.randrange(3)):
                s.add(
                    FollowUp(
                        customer_id=c.id,
                        owner_id=rng.choice(owners),
                        at=instant(rng),
                        method=rng.choice(METHODS),
                        summary="沟通",
                        effective=False,
                    )
                )
            for _ in range(rng.randrange(4)):
                opened = instant(rng)
                status = rng.choice(STATUSES)
                answered = opened + timedelta(minutes=rng.randrange(1, 3000))
                finished = answered + timedelta(minutes=rng.randrange(0, 30000))
                done = status in ("resolved", "closed")
                rated = status == "closed" and rng.random() < 0.7
                s.add(
                    Ticket(
                        code=f"T{uuid.uuid4().hex[:12]}",
                        customer_id=c.id,
                        type=rng.choice(TYPES),
                        channel=rng.choice(CHANNELS),
                        title="rollup",
                        description="",
                        urgent=False,
                        important=False,
                        priority=rng.choice(PRIORITIES),
                        priority_overridden=False,
                        status=status,
                        department_id=rng.choice([department_id, department_id, None]),
                        assignee_id=rng.choice([*agents, None]),
                        opened_at=opened,
                        sla_calendar="business",
                        first_response_minutes=120,
                        resolution_minutes=1620,
                        update_minutes=1440,
                        first_response_at=answered if status != "new" else None,
                        first_response_elapsed_minutes=(
                            rng.randrange(1, 300) if status != "new" else None
                        ),
                        resolved_at=finished if done else None,
                        resolution_elapsed_minutes=rng.randrange(1, 3000) if done else None,
                        closed_at=(
                            finished + timedelta(hours=rng.randrange(48))
                            if status in ("closed", "cancelled")
                            else None
                        ),
                        reopen_count=rng.choice([0, 0, 1]),
                        satisfaction_overall=rng.randrange(1, 6) if rated else None,
                        satisfaction_attitude=rng.choice([1, 3, 5]) if rated else None,
                        satisfaction_resolution=rng.randrange(1, 6) if rated else None,
                        satisfaction_response_speed=rng.randrange(1, 6) if rated else None,
                    )
                )
    # Rewrites, each its own statement as the services and jobs issue them.
    async with database.session(write=True) as s:
        tickets = list(
            (await s.execute(select(Ticket.id).order_by(Ticket.id.desc()).limit(80))).scalars()
        )
        for tid in rng.sample(tickets, 25):
            change = rng.choice(["status", "reassign", "type", "uncounted", "rate", "reopen"])
            values: dict = {
                "status": {"status": rng.choice(STATUSES), "closed_at": instant(rng)},
                "reassign": {
                    "assignee_id": rng.choice([*agents, None]),
                    "department_id": rng.choice([department_id, None]),
                },
                "type": {"type": rng.choice(TYPES), "channel": rng.choice(CHANNELS)},
                "uncounted": {"title": "renamed", "update_due_at": instant(rng)},
                "rate": {
                    "status": "closed",
                    "closed_at": instant(rng),
                    **{f"satisfaction_{d}": 4 for d in SCORES},
                },
                "reopen": {
                    "status": "reopened",
                    "resolved_at": None,
                    "closed_at": None,
                    "reopen_count": 2,
                },
            }[change]
            await s.execute(update(Ticket).where(Ticket.id == tid).values(**values))
        # One statement over many rows, as a bulk job writes.
        await s.execute(update(Ticket).where(Ticket.id.in_(tickets[:10])).values(priority="P2"))
        await s.execute(delete(Ticket).where(Ticket.id.in_(rng.sample(tickets, 3))))
        orders = list(
            (
                await s.execute(
                    select(CustomerOrder.id).order_by(CustomerOrder.id.desc()).limit(60)
                )
            ).scalars()
        )
        for oid in rng.sample(orders, min(12, len(orders))):
            change = rng.choice(["cancel", "move", "restore"])
            values = {
                "cancel": {"status": "cancelled"},
                "move": {"ordered_on": instant(rng).astimezone(ZONE).date()},
                "restore": {"status": "confirmed"},
            }[change]
            await s.execute(update(CustomerOrder).where(CustomerOrder.id == oid).values(**values))
        await s.execute(delete(CustomerOrder).where(CustomerOrder.id.in_(rng.sample(orders, 3))))
        follow_ups = list(
            (await s.execute(select(FollowUp.id).order_by(FollowUp.id.desc()).limit(40))).scalars()
        )
        for fid in rng.sample(follow_ups, min(8, len(follow_ups))):
            await s.execute(
                update(FollowUp)
                .where(FollowUp.id == fid)
                .values(at=instant(rng), method=rng.choice(METHODS))
            )
        ids = list(
            (await s.execute(select(Customer.id).where(Customer.name.like("rollup-%")))).scalars()
        )
        picked = rng.sample(ids, 6)
        await s.execute(update(Customer).where(Customer.id.in_(picked[:3])).values(archived=True))
        await s.execute(update(Customer).where(Customer.id == picked[0]).values(archived=False))
        # Deleted with its follow-ups and orders (ON DELETE CASCADE); one without tickets.
        ticketless = (
            select(Customer.id)
            .where(Customer.name.like("rollup-%"), Customer.id.not_in(select(Ticket.customer_id)))
            .limit(2)
        )
        await s.execute(delete(Customer).where(Customer.id.in_(ticketless)))
        await s.execute(
            update(Customer)
            .where(Customer.id.in_(picked[3:]))
            .values(grade=rng.choice(["S", None]), activity_status="dormant", industry="C13")
        )


def filter_sets(desk) -> list[Filters]:
    department_id = desk["department_id"]
    agent = desk["agents"][0].id
    return [
        Filters(),
        Filters(department_id=department_id),
        Filters(department_id=department_id, ticket_type="complaint"),
        Filters(channel="email"),
        Filters(ticket_type="order_support"),
        Filters(assignee_id=agent),
        Filters(department_id=department_id, assignee_id=agent),
        Filters(ticket_type="complaint", channel="phone"),  # no rollup holds both: raw
    ]


async def all_figures(database, use_rollups: bool, filters: list[Filters]) -> dict:
    out = {}
    async with database.session(write=False) as s:
        repo = SqlAnalyticsRepo(s, use_rollups=use_rollups)
        for p in PERIODS:
            for key in FIGURES:
                for f in filters:
                    if FIGURES[key].section.value != "service" and f != Filters():
                        continue
                    for dimension in DIMENSIONS.get(key, (None,)):
                        result = await service.figure(repo, ADMIN, key, p, f, dimension=dimension)
                        out[(p.first_day, p.granularity, key, f, dimension)] = [
                            asdict(series) for series in result.series
                        ]
    return out


def mismatch(key, from_rollups: dict, raw: dict) -> str:
    """The first figure that differs, point by point."""
    lines = [str(key)]
    for a, b in zip(from_rollups[key], raw[key], strict=False):
        for pa, pb in zip(a["points"], b["points"], strict=False):
            if pa != pb:
                lines.append(f"{a['name']} {a['group']}: rollups {pa} raw {pb}")
        if len(a["points"]) != len(b["points"]) or a["name"] != b["name"]:
            lines.append(f"series {a['name']}/{a['group']} vs {b['name']}/{b['group']}")
    if len(from_rollups[key]) != len(raw[key]):
        lines.append(f"{len(from_rollups[key])} series against {len(raw[key])}")
    return "\n".join(lines[:8])


class TestRollupsEqualTheRawCounts:
    async def test_every_figure_agrees_round_after_round(self, database, desk):
        rng = random.Random(20261207)
        filters = filter_sets(desk)
        for _ in range(3):
            await write_round(database, desk, rng)
            from_rollups = await all_figures(database, True, filters)
            raw = await all_figures(database, False, filters)
            assert from_rollups.keys() == raw.keys()
            differing = [k for k in raw if from_rollups[k] != raw[k]]
            assert differing == [], mismatch(differing[0], from_rollups, raw)
        # The data set counts something in every figure the desk's own filters select.
        sample = raw[
            (
                PERIODS[1].first_day,
                Granularity.MONTH,
                "service.volume",
                Filters(department_id=desk["department_id"]),
                "type",
            )
        ]
        assert sum(p["value"] for s in sample for p in s["points"]) > 50

    async def test_the_rollups_are_read_where_they_can_answer(self, database, desk):
        async with database.session(write=False) as s:
            repo = SqlAnalyticsRepo(s)
            p = PERIODS[1]
            whole = await repo._rollups(p, Filters(), "tickets")
            mixed = await repo._rollups(
                p, Filters(ticket_type="complaint", channel="phone"), "tickets"
            )
            owner = await repo._rollups(p, Filters(owner_id=desk["ams"][0].id), "customers")
        if database.backend == "postgresql":
            assert whole is not None
        else:
            assert whole is None  # SQLite counts the raw rows
        assert mixed is None and owner is None


async def sqlite_has_none(database) -> bool:
    """On SQLite: there are no rollup tables (True, nothing more to check)."""
    if database.backend != "sqlite":
        return False
    async with database.session(write=False) as s:
        names = (
            await s.execute(text("SELECT name FROM sqlite_master WHERE name LIKE 'analytics_%'"))
        ).scalars()
        assert list(names) == []
    return True


class TestKeepingTheRollups:
    async def test_fold_sums_each_key_into_one_row_and_changes_no_count(self, database, desk):
        if await sqlite_has_none(database):
            return
        await write_round(database, desk, random.Random(7))
        before = await all_figures(database, True, [Filters()])
        async with database.session(write=True) as s:
            await rollups.fold(s)
        async with database.session(write=False) as s:
            keys = (
                select(
                    AnalyticsTicketDay.c.day,
                    AnalyticsTicketDay.c.event,
                    AnalyticsTicketDay.c.department_id,
                    AnalyticsTicketDay.c.split,
                    AnalyticsTicketDay.c.value,
                    func.count().label("n"),
                )
                .group_by(*list(AnalyticsTicketDay.c)[:5])
                .subquery()
            )
            assert (await s.execute(select(func.max(keys.c.n)))).scalar_one() == 1
        assert await all_figures(database, True, [Filters()]) == before

    async def test_rebuild_counts_what_the_triggers_counted(self, database, desk):
        if await sqlite_has_none(database):
            return
        async with database.session(write=True) as s:
            await rollups.fold(s)
        async with database.session(write=False) as s:
            kept = sorted((await s.execute(select(AnalyticsOrderUnit))).all())
        async with database.session(write=True) as s:
            await rollups.rebuild(s, "Asia/Shanghai")
        async with database.session(write=False) as s:
            assert sorted((await s.execute(select(AnalyticsOrderUnit))).all()) == kept

    async def test_the_job_folds_or_counts_again_for_a_new_zone(self, database, desk):
        """Until the job has counted them in a changed zone, the figures are counted raw."""
        clock = MovableClock()
        if database.backend == "sqlite":
            assert await run_analytics_rollups(database, clock, ZONE) == {"rollups": "none"}
            return
        assert await run_analytics_rollups(database, clock, ZONE) == {"folded": True}
        utc = ZoneInfo("UTC")
        p = period(date(2025, 1, 1), date(2025, 3, 31), Granularity.MONTH, utc)
        async with database.session(write=False) as s:
            assert await SqlAnalyticsRepo(s)._rollups(p, Filters(), "tickets") is None
        try:
            assert await run_analytics_rollups(database, clock, utc) == {"rebuilt": "UTC"}
            async with database.session(write=False) as s:
                repo = SqlAnalyticsRepo(s)
                assert await repo._rollups(p, Filters(), "tickets") is not None
                raw = SqlAnalyticsRepo(s, use_rollups=False)
                assert await repo.backlog(p, Filters()) == await raw.backlog(p, Filters())
                assert await repo.sla(p, Filters()) == await raw.sla(p, Filters())
        finally:
            result = await run_analytics_rollups(database, clock, ZONE)
        assert result == {"rebuilt": "Asia/Shanghai"}

    async def test_two_writers_adding_one_customers_orders_at_once(self, database, desk):
        """Each transaction's trigger counts the customer's orders in the month; the second
        waits for the first, so the customer counts once with one order and once with two."""
        if await sqlite_has_none(database):
            return
        async with database.session(write=True) as s:
            c = Customer(
                code="C" + uuid.uuid4().hex[:12].upper(),
                kind="organization",
                name=f"rollup-{uuid.uuid4().hex[:8]}",
                owner_id=None,
                created_at=datetime(2025, 8, 1, tzinfo=UTC),
                updated_at=datetime(2025, 8, 1, tzinfo=UTC),
                custom_fields={},
                stage="customer",
                activity_status="active",
            )
            s.add(c)
        august = period(date(2025, 8, 1), date(2025, 8, 31), Granularity.MONTH, ZONE)

        async def counts() -> dict:
            async with database.session(write=False) as s:
                return await SqlAnalyticsRepo(s).repurchase(august, Filters())

        before = await counts()

        def order(day: int) -> CustomerOrder:
            return CustomerOrder(
                customer_id=c.id,
                order_no=f"O{uuid.uuid4().hex[:12]}",
                product="产品",
                amount=Decimal("1.00"),
                ordered_on=date(2025, 8, day),
                status="confirmed",
            )

        first_written = asyncio.Event()
        release_first = asyncio.Event()

        async def first() -> None:
            async with database.session(write=True) as s:
                s.add(order(3))
                await s.flush()
                first_written.set()
                await release_first.wait()

        async def second() -> None:
            await first_written.wait()
            async with database.session(write=True) as s:
                s.add(order(4))
                await s.flush()

        async def waiting_for_a_lock() -> int:
            async with database.session(write=False) as s:
                return (
                    await s.execute(
                        text(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                            "'Lock' AND datname = current_database()"
                        )
                    )
                ).scalar_one()

        one = asyncio.create_task(first())
        two = asyncio.create_task(second())
        await first_written.wait()
        for _ in range(1000):  # until the second's trigger waits for the customer's lock
            if await waiting_for_a_lock() == 1:
                break
        else:
            raise AssertionError("the second writer never waited for the first")
        release_first.set()
        await asyncio.gather(one, two)
        after = await counts()
        old = before.get(0, (0, 0))
        assert after[0] == (old[0] + 1, old[1] + 1)
        async with database.session(write=False) as s:
            raw = await SqlAnalyticsRepo(s, use_rollups=False).repurchase(august, Filters())
        assert after == raw
