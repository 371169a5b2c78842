"""Attachment rows (the bytes live in persistence.attachment_store)."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Attachment


class SqlAttachmentRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, **values: Any) -> Attachment:
        attachment = Attachment(**values)
        self.session.add(attachment)
        await self.session.flush()
        return attachment

    async def get(self, ticket_id: int, attachment_id: int) -> Attachment | None:
        return await self.session.scalar(
            select(Attachment).where(
                Attachment.id == attachment_id, Attachment.ticket_id == ticket_id
            )
        )

    async def list_for_ticket(self, ticket_id: int) -> list[Attachment]:
        stmt = select(Attachment).where(Attachment.ticket_id == ticket_id).order_by(Attachment.id)
        return list((await self.session.scalars(stmt)).all())
