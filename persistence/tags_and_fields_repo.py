"""Tags and custom field definitions."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import cast, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.custom_field import Definition, FieldType
from domain.ports.tags_and_fields import CustomFieldRecord, TagRecord
from domain.text import comparison_key
from persistence.db import rowcount
from persistence.models import Customer, CustomerTag, CustomFieldDefinition, Tag


class SqlTagRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, tag_id: int) -> Tag | None:
        return await self.session.get(Tag, tag_id)

    async def get_many(self, tag_ids: Sequence[int]) -> list[Tag]:
        if not tag_ids:
            return []
        return list((await self.session.scalars(select(Tag).where(Tag.id.in_(tag_ids)))).all())

    async def name_taken(self, name: str, except_id: int | None = None) -> bool:
        stmt = select(Tag.id).where(Tag.name_key == comparison_key(name))
        if except_id is not None:
            stmt = stmt.where(Tag.id != except_id)
        return (await self.session.scalar(stmt)) is not None

    async def list_with_counts(self, *, unused_only: bool) -> list[tuple[Tag, int]]:
        count = (
            select(func.count())
            .where(CustomerTag.tag_id == Tag.id)
            .correlate(Tag)
            .scalar_subquery()
        )
        stmt = select(Tag, count.label("n")).order_by(Tag.name)
        if unused_only:
            stmt = stmt.where(count == 0)
        return [(tag, n) for tag, n in (await self.session.execute(stmt)).all()]

    async def add(self, **values: Any) -> Tag:
        tag = Tag(**values)
        self.session.add(tag)
        await self.session.flush()
        return tag

    async def delete(self, tag: TagRecord) -> None:
        await self.session.delete(tag)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()

    async def customer_ids_with(self, tag_id: int) -> list[int]:
        stmt = select(CustomerTag.customer_id).where(CustomerTag.tag_id == tag_id)
        return list((await self.session.scalars(stmt)).all())

    async def move_assignments(self, source_id: int, target_id: int) -> None:
        """Every customer of `source` ends up with `target`, once."""
        already = select(CustomerTag.customer_id).where(CustomerTag.tag_id == target_id)
        await self.session.execute(
            insert(CustomerTag).from_select(
                ["customer_id", "tag_id"],
                select(CustomerTag.customer_id, cast(target_id, CustomerTag.tag_id.type)).where(
                    CustomerTag.tag_id == source_id, CustomerTag.customer_id.not_in(already)
                ),
            )
        )
        await self.session.execute(delete(CustomerTag).where(CustomerTag.tag_id == source_id))

    async def assign(self, customer_id: int, tag_ids: Sequence[int]) -> list[int]:
        """Adds the tags the customer lacks; returns the ids actually added."""
        have = set(
            (
                await self.session.scalars(
                    select(CustomerTag.tag_id).where(CustomerTag.customer_id == customer_id)
                )
            ).all()
        )
        new = sorted(set(tag_ids) - have)
        if new:
            await self.session.execute(
                insert(CustomerTag),
                [{"customer_id": customer_id, "tag_id": tag_id} for tag_id in new],
            )
        return new

    async def unassign(self, customer_id: int, tag_id: int) -> bool:
        result = await self.session.execute(
            delete(CustomerTag).where(
                CustomerTag.customer_id == customer_id, CustomerTag.tag_id == tag_id
            )
        )
        return rowcount(result) > 0


class SqlCustomFieldRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, field_id: int) -> CustomFieldDefinition | None:
        return await self.session.get(CustomFieldDefinition, field_id)

    async def list_all(self) -> list[CustomFieldDefinition]:
        stmt = select(CustomFieldDefinition).order_by(CustomFieldDefinition.id)
        return list((await self.session.scalars(stmt)).all())

    async def definitions(self) -> dict[str, Definition]:
        return {
            row.key: Definition(
                key=row.key,
                type=FieldType(row.type),
                options=tuple(row.options),
                required=row.required,
                sensitive=row.sensitive,
            )
            for row in await self.list_all()
        }

    async def key_taken(self, key: str) -> bool:
        stmt = select(CustomFieldDefinition.id).where(CustomFieldDefinition.key == key)
        return (await self.session.scalar(stmt)) is not None

    async def add(self, **values: Any) -> CustomFieldDefinition:
        row = CustomFieldDefinition(**values)
        self.session.add(row)
        await self.session.flush()
        return row

    async def delete(self, row: CustomFieldRecord) -> None:
        await self.session.delete(row)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()

    async def values_in_use(self, key: str) -> set[str]:
        """The distinct values customers hold for `key` (a full scan: admin-only, rare)."""
        value = Customer.custom_fields[key].as_string()
        stmt = select(value).where(value.is_not(None)).distinct()
        return {str(v) for v in (await self.session.scalars(stmt)).all()}
