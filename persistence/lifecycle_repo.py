"""The lifecycle settings row (id 1, seeded by the migration)."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import LifecycleSettings

SETTINGS_ID = 1


class SqlLifecycleRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def settings(self, *, for_update: bool = False) -> LifecycleSettings:
        stmt = select(LifecycleSettings).where(LifecycleSettings.id == SETTINGS_ID)
        if for_update:
            stmt = stmt.with_for_update()
        row = await self.session.scalar(stmt)
        if row is None:  # the migration seeds it; a database without it is broken
            raise RuntimeError("lifecycle_settings row 1 is missing: run the migrations")
        return row

    async def flush(self) -> None:
        await self.session.flush()
