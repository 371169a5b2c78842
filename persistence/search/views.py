"""Saved views: their SQL."""

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ports import SavedViewRecord
from domain.roles import Actor
from persistence.models import CustomFieldDefinition, SavedView, Tag


class SqlSavedViewRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, view_id: int) -> SavedView | None:
        return await self.session.get(SavedView, view_id)

    async def visible(self, actor: Actor, resource: str | None) -> list[SavedView]:
        """The actor's own views and those shared with them, by name."""
        shared = [SavedView.visibility == "everyone"]
        if actor.department_id is not None:
            shared.append(
                (SavedView.visibility == "department")
                & (SavedView.department_id == actor.department_id)
            )
        stmt = select(SavedView).where(or_(SavedView.owner_id == actor.user_id, *shared))
        if resource:
            stmt = stmt.where(SavedView.resource == resource)
        return list((await self.session.scalars(stmt.order_by(SavedView.name, SavedView.id))).all())

    async def name_taken(
        self, owner_id: int, resource: str, name: str, except_id: int | None = None
    ) -> bool:
        stmt = select(SavedView.id).where(
            SavedView.owner_id == owner_id, SavedView.resource == resource, SavedView.name == name
        )
        if except_id is not None:
            stmt = stmt.where(SavedView.id != except_id)
        return (await self.session.scalar(stmt.limit(1))) is not None

    async def add(self, **values: Any) -> SavedView:
        view = SavedView(**values)
        self.session.add(view)
        await self.session.flush()
        return view

    async def delete(self, view: SavedViewRecord) -> None:
        await self.session.delete(view)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()

    async def existing_tags_and_fields(self) -> tuple[set[int], set[str]]:
        tags = set((await self.session.scalars(select(Tag.id))).all())
        keys = set((await self.session.scalars(select(CustomFieldDefinition.key))).all())
        return tags, keys
