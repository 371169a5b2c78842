"""External ids: which record holds a system's id, kept beside each record's own column."""

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence

from sqlalchemy import and_, delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Contact, CustomerOrder, ExternalId, FollowUp, Opportunity


class SqlExternalIdRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def holder(self, entity_type: str, system: str, value: str) -> int | None:
        return await self.session.scalar(
            select(ExternalId.entity_id).where(
                ExternalId.entity_type == entity_type,
                ExternalId.system == system,
                ExternalId.value == value,
            )
        )

    async def holders(self, entity_type: str, ids: Mapping[str, str]) -> dict[str, int]:
        """{system: the id of the record holding that system's id in `ids`}."""
        if not ids:
            return {}
        rows = await self.session.execute(
            select(ExternalId.system, ExternalId.entity_id).where(
                ExternalId.entity_type == entity_type,
                or_(*(and_(ExternalId.system == s, ExternalId.value == v) for s, v in ids.items())),
            )
        )
        return dict(rows.all())

    async def release_customer(self, customer_id: int) -> None:
        """Frees the ids of a customer and of the records its deletion cascades to."""
        await self.session.execute(
            delete(ExternalId).where(
                ExternalId.entity_type == "customer", ExternalId.entity_id == customer_id
            )
        )
        for entity_type, model in (
            ("contact", Contact),
            ("order", CustomerOrder),
            ("follow_up", FollowUp),
            ("opportunity", Opportunity),
        ):
            await self.session.execute(
                delete(ExternalId).where(
                    ExternalId.entity_type == entity_type,
                    ExternalId.entity_id.in_(
                        select(model.id).where(model.customer_id == customer_id)
                    ),
                )
            )

    async def held(
        self, entity_type: str, pairs: Collection[tuple[str, str]]
    ) -> dict[tuple[str, str], int]:
        """{(system, id): the record holding it} for those of `pairs` that are held: one query
        for a whole batch."""
        by_system: dict[str, list[str]] = defaultdict(list)
        for system, value in pairs:
            by_system[system].append(value)
        if not by_system:
            return {}
        rows = await self.session.execute(
            select(ExternalId.system, ExternalId.value, ExternalId.entity_id).where(
                ExternalId.entity_type == entity_type,
                or_(
                    *(
                        and_(ExternalId.system == s, ExternalId.value.in_(values))
                        for s, values in by_system.items()
                    )
                ),
            )
        )
        return {(system, value): entity_id for system, value, entity_id in rows.all()}

    async def add_many(self, entity_type: str, ids: Sequence[tuple[int, str, str]]) -> None:
        """(record id, system, id) of new records: one executemany."""
        if ids:
            rows = [
                {"entity_type": entity_type, "entity_id": e, "system": s, "value": v}
                for e, s, v in ids
            ]
            await self.session.execute(insert(ExternalId), rows)

    async def replace(
        self,
        entity_type: str,
        entity_id: int,
        before: Mapping[str, str],
        after: Mapping[str, str],
    ) -> None:
        gone = [s for s, v in before.items() if after.get(s) != v]
        if gone:
            await self.session.execute(
                delete(ExternalId).where(
                    ExternalId.entity_type == entity_type,
                    ExternalId.entity_id == entity_id,
                    ExternalId.system.in_(gone),
                )
            )
        new = [
            {"entity_type": entity_type, "entity_id": entity_id, "system": s, "value": v}
            for s, v in after.items()
            if before.get(s) != v
        ]
        if new:
            await self.session.execute(insert(ExternalId), new)
