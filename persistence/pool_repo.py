"""The public pool in SQL: the pool list, claims, and the `pool-recycle` job's set-based
statements (release, warn, audit, notify), each one statement whatever the number of
customers. Exactly-once warnings come from lifecycle_alert's primary key."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    cast,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ports.customers import CustomerRecord
from persistence.db import rowcount
from persistence.models import (
    AuditEvent,
    Contact,
    Customer,
    LifecycleAlert,
    Notification,
    User,
    UtcDateTime,
)
from persistence.pagination import Page, decode_cursor, encode_cursor
from persistence.sql_json import json_object

C = Customer.__table__.c
NOTIFICATION_COLUMNS = (
    "user_id",
    "kind",
    "title",
    "body",
    "entity_type",
    "entity_id",
    "created_at",
)
AUDIT_COLUMNS = ("at", "actor_id", "entity_type", "entity_id", "customer_id", "action", "changes")


@dataclass(frozen=True, slots=True)
class PoolFilter:
    name: str | None = None
    industry: str | None = None
    region: str | None = None
    stage: Sequence[str] = ()


class SqlPoolRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    # ---- the list -----------------------------------------------------------------------

    async def list_page(self, f: PoolFilter, *, cursor: str | None, limit: int) -> Page[int]:
        """Ids of non-archived pool customers, the latest arrivals first (keyset on
        pool_entered_at, id; the partial index ix_customer_pool)."""
        stmt = select(C.id, C.pool_entered_at).where(C.owner_id.is_(None), C.archived.is_(False))
        if f.name:
            stmt = stmt.where(C.name.icontains(f.name, autoescape=True))
        if f.industry:
            # A section letter matches all of its divisions (I matches I63, I64, I65).
            stmt = stmt.where(
                or_(C.industry == f.industry, C.industry.startswith(f.industry, autoescape=True))
            )
        if f.region:
            stmt = stmt.where(C.region.icontains(f.region, autoescape=True))
        if f.stage:
            stmt = stmt.where(C.stage.in_(f.stage))
        if cursor:
            entered, last_id = decode_cursor(cursor, kinds=(datetime, int))
            stmt = stmt.where(
                or_(C.pool_entered_at < entered, and_(C.pool_entered_at == entered, C.id < last_id))
            )
        stmt = stmt.order_by(C.pool_entered_at.desc(), C.id.desc()).limit(limit + 1)
        rows = list((await self.session.execute(stmt)).all())
        more, rows = len(rows) > limit, rows[:limit]
        next_cursor = (
            encode_cursor([rows[-1].pool_entered_at.isoformat(), rows[-1].id]) if more else None
        )
        return Page([row.id for row in rows], next_cursor)

    async def released_by_of(self, customer_ids: Sequence[int]) -> dict[int, int | None]:
        stmt = select(C.id, C.released_by).where(C.id.in_(customer_ids))
        return {row.id: row.released_by for row in await self.session.execute(stmt)}

    async def contacts_of(self, customer_ids: Sequence[int]) -> dict[int, list[Contact]]:
        result: dict[int, list[Contact]] = {cid: [] for cid in customer_ids}
        if customer_ids:
            stmt = (
                select(Contact)
                .where(Contact.customer_id.in_(customer_ids))
                .order_by(Contact.is_primary.desc(), Contact.id)
            )
            for contact in (await self.session.scalars(stmt)).all():
                result[contact.customer_id].append(contact)
        return result

    # ---- claims -------------------------------------------------------------------------

    async def lock_claimer(self, user_id: int) -> None:
        """Row-lock the claimer until commit (PostgreSQL), so one person's concurrent claims
        count their customers one after the other. SQLite's write transactions are serial."""
        await self.session.execute(select(User.id).where(User.id == user_id).with_for_update())

    async def owned_count(self, user_id: int) -> int:
        stmt = select(func.count()).where(C.owner_id == user_id, C.archived.is_(False))
        return int(await self.session.scalar(stmt) or 0)

    async def take(self, customer: CustomerRecord, user_id: int, now: datetime) -> bool:
        """Make `user_id` the owner if the customer is still in the pool: a conditional
        UPDATE, so of two concurrent claims the second finds no row to change."""
        result = await self.session.execute(
            update(Customer.__table__)
            .where(C.id == customer.id, C.owner_id.is_(None), C.archived.is_(False))
            .values(
                owner_id=user_id,
                owner_engaged_at=now,
                owned_since=now,
                pool_entered_at=None,
                version=C.version + 1,
                updated_at=now,
            )
        )
        if rowcount(result) != 1:
            return False
        await self.session.refresh(customer)
        return True

    # ---- the pool-recycle job -------------------------------------------------------------

    async def release_unengaged(self, *, before: datetime, now: datetime) -> list[int]:
        """Owned, non-archived customers engaged before `before` go to the pool."""
        return await self._release(C.owner_engaged_at < before, now)

    async def release_without_orders(
        self, *, owned_before: datetime, last_order_on: date, now: datetime
    ) -> list[int]:
        """Owned since before `owned_before`, and no order after `last_order_on`."""
        return await self._release(
            and_(
                C.owned_since < owned_before,
                or_(C.last_order_on.is_(None), C.last_order_on <= last_order_on),
            ),
            now,
        )

    async def _release(self, condition: ColumnElement[bool], now: datetime) -> list[int]:
        # SET reads the old row: released_by gets the owner being removed.
        stmt = (
            update(Customer.__table__)
            .where(C.owner_id.is_not(None), C.archived.is_(False), condition)
            .values(
                owner_id=None,
                released_by=C.owner_id,
                pool_entered_at=now,
                version=C.version + 1,
                updated_at=now,
            )
            .returning(C.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def audit_releases(
        self, customer_ids: Sequence[int], *, reason: str, now: datetime
    ) -> int:
        """A `release` event on each customer's history, by the system."""
        changes = self._json_object(
            owner_id=self._json_array(C.released_by, null()),
            pool_entered_at=self._json_array(null(), literal(now.isoformat(), String)),
            release_reason=self._json_array(null(), literal(reason, String)),
        )
        rows = select(
            literal(now, UtcDateTime),
            literal(None, BigInteger),
            literal("customer", String),
            C.id,
            C.id,
            literal("release", String),
            changes,
        ).where(C.id.in_(self._id_set(customer_ids)))
        result = await self.session.execute(insert(AuditEvent).from_select(AUDIT_COLUMNS, rows))
        return rowcount(result)

    async def warn_unengaged(
        self, kind: str, *, since: datetime, before: datetime, now: datetime
    ) -> list[int]:
        """Alert `kind` once per owned customer engaged in [since, before); the cycle is the
        engagement time, so re-engaging starts a new one."""
        return await self._raise_warnings(
            kind,
            and_(C.owner_engaged_at >= since, C.owner_engaged_at < before),
            self._iso_instant(C.owner_engaged_at),
            now,
        )

    async def warn_without_orders(
        self,
        kind: str,
        *,
        owned_before: datetime,
        last_order_on: date,
        released_owned_before: datetime,
        released_last_order_on: date,
        now: datetime,
    ) -> list[int]:
        """Alert `kind` once per owned customer owned since before `owned_before` with no
        order after `last_order_on`; the cycle is (ownership start, last order), so a new
        owner or a new order starts a new one.

        Whatever was past the release cutoffs (`released_*`) has just been released, so the
        ones left have their later of ownership start and last order inside the warning
        window: two bounded statements (by ownership start, by last order) instead of a probe
        of every customer quiet for longer than the warning threshold, every day."""
        cycle = (
            self._iso_instant(C.owned_since)
            .op("||")(literal("|", String))
            .op("||")(func.coalesce(self._iso_date(C.last_order_on), literal("", String)))
        )
        no_order_since = or_(C.last_order_on.is_(None), C.last_order_on <= last_order_on)
        by_ownership = await self._raise_warnings(
            kind,
            and_(
                C.owned_since >= released_owned_before, C.owned_since < owned_before, no_order_since
            ),
            cycle,
            now,
        )
        by_order = await self._raise_warnings(
            kind,
            and_(
                C.owned_since < owned_before,
                C.last_order_on > released_last_order_on,
                C.last_order_on <= last_order_on,
            ),
            cycle,
            now,
        )
        return by_ownership + by_order

    async def _raise_warnings(
        self, kind: str, condition: ColumnElement[bool], cycle: ColumnElement[str], now: datetime
    ) -> list[int]:
        """Record alert `kind` for every owned, non-archived customer meeting `condition` that
        has none for its `cycle` yet; the ids alerted by this call (ON CONFLICT settles a
        race with a concurrent run)."""
        rows = select(literal(kind, String), C.id, cycle, literal(now, UtcDateTime)).where(
            C.owner_id.is_not(None), C.archived.is_(False), condition
        )
        make_insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        stmt = (
            make_insert(LifecycleAlert)
            .from_select(["kind", "entity_id", "cycle", "at"], rows)
            .on_conflict_do_nothing()
            .returning(LifecycleAlert.entity_id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def notify(
        self,
        customer_ids: Sequence[int],
        *,
        recipient: str,
        kind: str,
        title: str,
        reason: str,
        days: int,
        now: datetime,
    ) -> int:
        """One notification per customer to its `recipient` column (owner_id or released_by)
        when that user is active; `title` has a {name} for the customer's name. The reader's
        language renders it from its parameters: the name, the reason (`target`: no_follow_up
        or no_order) and the days; no body, which could only be in one language."""
        user_id = getattr(C, recipient)
        before, after = title.split("{name}")
        rows = (
            select(
                user_id,
                literal(kind, String),
                func.substr(literal(before, String) + C.name + literal(after, String), 1, 200),
                null(),
                literal("customer", String),
                C.id,
                literal(now, UtcDateTime),
                json_object(
                    self.dialect,
                    name=C.name,
                    target=literal(reason, String),
                    days=literal(days, Integer),
                ),
            )
            .join(User, User.id == user_id)
            .where(C.id.in_(self._id_set(customer_ids)), User.is_active.is_(True))
        )
        result = await self.session.execute(
            insert(Notification).from_select([*NOTIFICATION_COLUMNS, "params"], rows)
        )
        return rowcount(result)

    # ---- SQL helpers --------------------------------------------------------------------

    def _iso_instant(self, column: Any) -> ColumnElement[str]:
        """A UTC time column as text, YYYY-MM-DDTHH:MM:SS.ffffffZ, the same on both back-ends
        (SQLite keeps 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC)."""
        if self.dialect == "postgresql":
            return func.to_char(
                func.timezone("UTC", column), literal('YYYY-MM-DD"T"HH24:MI:SS.US"Z"', String)
            )
        return func.replace(column, literal(" ", String), literal("T", String)).op("||")(
            literal("Z", String)
        )

    def _iso_date(self, column: Any) -> ColumnElement[str]:
        if self.dialect == "postgresql":
            return func.to_char(column, literal("YYYY-MM-DD", String))
        return cast(column, String)

    def _id_set(self, ids: Sequence[int]) -> Select[*tuple[Any, ...]]:
        """The ids as a one-column SELECT bound as a single parameter (an array on
        PostgreSQL, a JSON array on SQLite), so any number of them fits in one statement."""
        if self.dialect == "postgresql":
            return select(func.unnest(literal(list(ids), ARRAY(BigInteger))))
        return select(
            func.json_each(literal(json.dumps(list(ids)), String)).table_valued("value").c.value
        )

    def _json_object(self, **values: Any) -> Any:
        build = func.jsonb_build_object if self.dialect == "postgresql" else func.json_object
        return build(
            *(part for key, value in values.items() for part in (literal(key, String), value))
        )

    def _json_array(self, *values: Any) -> Any:
        build = func.jsonb_build_array if self.dialect == "postgresql" else func.json_array
        return build(*values)
