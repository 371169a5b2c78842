"""Demo data: one user per role, departments with a supervisor, the example customers."""

import asyncio

from sqlalchemy import func, select

from api.security import Passwords, verify_password
from jobs.seed_demo import seed_demo
from persistence.db import Database
from persistence.migrate import upgrade
from persistence.models import (
    Contact,
    Customer,
    CustomerOrder,
    Department,
    FollowUp,
    Opportunity,
    User,
)


def test_seed_fills_an_empty_database_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)

    async def run():
        database = Database(url)
        try:
            first = await seed_demo(database, Passwords, "demo-pass-123")
            second = await seed_demo(database, Passwords, "other-pass-456")
            async with database.session(write=False) as session:
                roles = set((await session.scalars(select(User.role))).all())
                supervisors = (await session.scalars(select(Department.supervisor_id))).all()
                customers = {c.name: c for c in (await session.scalars(select(Customer))).all()}
                contacts = await session.scalar(select(func.count()).select_from(Contact))
                admin = await session.scalar(select(User).where(User.username == "admin"))
            return first, second, roles, supervisors, customers, contacts, admin
        finally:
            await database.dispose()

    first, second, roles, supervisors, customers, contacts, admin = asyncio.run(run())
    assert first["admin"] == "demo-pass-123" and second is None
    assert roles == {"admin", "supervisor", "account_manager", "agent", "readonly"}
    assert supervisors and all(s is not None for s in supervisors)
    tech = customers["上海云帆科技有限公司"]
    assert (tech.industry, tech.size, tech.stage) == ("I65", "100-500", "intent")
    assert customers["江苏恒力制造集团"].stage == "customer"
    assert customers["广州万家商贸有限公司"].stage == "potential"
    assert contacts >= len(customers)
    assert verify_password("demo-pass-123", admin.password_hash)


def test_seed_has_sales_records_with_their_derived_fields(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)

    async def run():
        database = Database(url)
        try:
            await seed_demo(database, Passwords, "demo-pass-123")
            async with database.session(write=False) as session:
                customers = {c.name: c for c in (await session.scalars(select(Customer))).all()}
                orders = (await session.scalars(select(CustomerOrder))).all()
                opportunities = {
                    o.title: o for o in (await session.scalars(select(Opportunity))).all()
                }
                follow_ups = (await session.scalars(select(FollowUp))).all()
            return customers, orders, opportunities, follow_ups
        finally:
            await database.dispose()

    customers, orders, opportunities, follow_ups = asyncio.run(run())
    hengli = customers["江苏恒力制造集团"]
    # 580000 + 126000 + the won opportunity's 236000
    assert str(hengli.cumulative_amount) == "942000.00"
    assert hengli.first_cooperation_on < hengli.last_order_on
    assert {o.stage for o in opportunities.values()} == {"quote", "intent", "won", "lost"}
    assert opportunities["物流调度系统"].lost_reason
    won = [o for o in orders if o.opportunity_id == opportunities["设备联网平台"].id]
    assert len(won) == 1 and won[0].order_no.startswith("O")
    assert opportunities["ERP 二期定制开发"].last_effective_follow_up_at is not None
    assert any(f.effective for f in follow_ups) and not all(f.effective for f in follow_ups)
    assert any(
        f.next_action_due_on is not None and f.next_action_done_at is None for f in follow_ups
    )
    yunfan = customers["上海云帆科技有限公司"]
    assert yunfan.last_contact_at is not None and yunfan.next_follow_up_on is not None


def test_seed_shows_the_whole_product(tmp_path):
    """Tickets in every state, SLA clocks warned and breached, complaints, a satisfaction
    history, pool customers, tasks and notifications: what the jobs make of the demo's past."""
    from persistence.models import LifecycleAlert, Notification, SlaAlert, Task, Ticket

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)

    async def run():
        database = Database(url)
        try:
            await seed_demo(database, Passwords, "demo-pass-123")
            async with database.session(write=False) as session:

                def rows(stmt):
                    return session.execute(stmt)

                statuses = set((await session.scalars(select(Ticket.status))).all())
                alerts = set((await rows(select(SlaAlert.target, SlaAlert.threshold))).all())
                complaints = await session.scalar(
                    select(func.count()).select_from(Ticket).where(Ticket.type == "complaint")
                )
                surveys = (
                    await rows(
                        select(Ticket.closed_at, Ticket.satisfaction_overall).where(
                            Ticket.status == "closed"
                        )
                    )
                ).all()
                pool = await session.scalar(
                    select(func.count()).select_from(Customer).where(Customer.owner_id.is_(None))
                )
                dormant = await session.scalar(
                    select(func.count())
                    .select_from(Customer)
                    .where(Customer.activity_status == "dormant")
                )
                tasks = set((await session.scalars(select(Task.kind))).all())
                kinds = set((await session.scalars(select(Notification.kind))).all())
                warned = await session.scalar(
                    select(func.count())
                    .select_from(LifecycleAlert)
                    .where(LifecycleAlert.kind == "pool-warning")
                )
            return statuses, alerts, complaints, surveys, pool, dormant, tasks, kinds, warned
        finally:
            await database.dispose()

    statuses, alerts, complaints, surveys, pool, dormant, tasks, kinds, warned = asyncio.run(run())
    # Every state a routed ticket can be in: a department without members hands its tickets
    # to its supervisor, so none of the demo's waits as new.
    assert statuses == {
        "assigned",
        "in_progress",
        "waiting_customer",
        "resolved",
        "closed",
        "reopened",
        "cancelled",
    }
    assert {("first_response", "warning"), ("first_response", "breach")} <= alerts
    assert complaints >= 2
    assert len(surveys) >= 8 and all(1 <= score <= 5 for _, score in surveys)
    assert (max(at for at, _ in surveys) - min(at for at, _ in surveys)).days >= 42  # weeks
    assert pool >= 2 and dormant == 1 and warned == 1
    assert tasks == {"activation", "verification"}
    assert {
        "ticket_assigned",
        "sla_warning",
        "sla_breach",
        "pool_release",
        "customer_dormant",
        "verification_due",
    } <= kinds
