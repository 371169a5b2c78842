"""Demo data: one user per role, departments with a supervisor, the example customers."""

import asyncio

from sqlalchemy import func, select

from api.routers.auth import Passwords
from jobs.seed_demo import seed_demo
from persistence.db import Database
from persistence.migrate import upgrade
from persistence.models import Contact, Customer, Department, User


def test_seed_fills_an_empty_database_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)

    async def run():  # noqa: ANN202
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
    assert Passwords.verify("demo-pass-123", admin.password_hash)
