"""Tasks: a user's to-do list (jobs create them; their owners complete them)."""

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Customer, Task
from persistence.pagination import Page, decode_cursor, encode_cursor


class SqlTaskRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, task_id: int) -> Task | None:
        return await self.session.get(Task, task_id)

    async def add(
        self,
        *,
        owner_id: int,
        customer_id: int | None,
        kind: str,
        title: str,
        due_on: date | None,
        now: datetime,
    ) -> Task:
        task = Task(
            owner_id=owner_id,
            customer_id=customer_id,
            kind=kind,
            title=title,
            due_on=due_on,
            created_at=now,
            updated_at=now,
        )
        self.session.add(task)
        await self.session.flush()
        return task

    async def flush(self) -> None:
        await self.session.flush()

    async def list_page(
        self,
        owner_id: int | None,
        *,
        customer_id: int | None = None,
        done: bool | None,
        cursor: str | None,
        limit: int,
        updated_since: datetime | None = None,
    ) -> Page[Task]:
        """The owner's (or the customer's) tasks, newest first; those of archived customers
        are left out."""
        stmt = (
            select(Task)
            .outerjoin(Customer, Customer.id == Task.customer_id)
            .where(or_(Task.customer_id.is_(None), Customer.archived.is_(False)))
        )
        if owner_id is not None:
            stmt = stmt.where(Task.owner_id == owner_id)
        if customer_id is not None:
            stmt = stmt.where(Task.customer_id == customer_id)
        if done is not None:
            stmt = stmt.where(Task.done_at.is_not(None) if done else Task.done_at.is_(None))
        if updated_since is not None:
            stmt = stmt.where(Task.updated_at >= updated_since)
        if cursor:
            stmt = stmt.where(Task.id < decode_cursor(cursor, kinds=(int,))[0])
        rows = list(
            (await self.session.scalars(stmt.order_by(Task.id.desc()).limit(limit + 1))).all()
        )
        more, rows = len(rows) > limit, rows[:limit]
        return Page(rows, encode_cursor([rows[-1].id]) if more else None)

    async def complete_open(
        self, customer_id: int, kinds: Sequence[str], at: datetime
    ) -> list[int]:
        """Mark the customer's open tasks of these kinds done; their ids."""
        stmt = (
            update(Task)
            .where(Task.customer_id == customer_id, Task.kind.in_(kinds), Task.done_at.is_(None))
            .values(done_at=at, updated_at=at, version=Task.version + 1)
            .returning(Task.id)
            .execution_options(synchronize_session=False)
        )
        return list((await self.session.scalars(stmt)).all())
