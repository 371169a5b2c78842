"""Customers, contacts and the code counter: all their SQL."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (JSON, Row, Select, and_, delete, distinct, exists, func, insert, or_, select,
                        type_coerce, update)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.customer import ActivityStatus
from domain.roles import Actor, Role
from persistence.models import CodeCounter, Contact, Customer, CustomerTag, Tag
from persistence.pagination import Page, decode_cursor, encode_cursor


@dataclass(frozen=True, slots=True)
class CustomerFilter:
    stage: Sequence[str] = ()
    grade: Sequence[str] = ()
    kind: str | None = None
    industry: str | None = None
    owner_id: int | None = None
    tag_ids: Sequence[int] = ()  # has all of them
    archived: bool | None = False  # None: both
    created_from: datetime | None = None
    created_to: datetime | None = None
    last_contact_from: datetime | None = None
    last_contact_to: datetime | None = None
    name: str | None = None
    activity_status: Sequence[str] = ()


# Sortable columns; each sort is keyset-paginated on (column, id).
SORTS = {"created_at": Customer.id, "name": Customer.name, "code": Customer.code,
         "updated_at": Customer.updated_at}


class SqlCustomerRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, customer_id: int) -> Customer | None:
        return await self.session.get(Customer, customer_id)

    async def add(self, **values: Any) -> Customer:
        customer = Customer(**values)
        self.session.add(customer)
        await self.session.flush()
        return customer

    async def delete(self, customer: Customer) -> None:
        await self.session.delete(customer)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()

    async def id_taken(self, column: str, value: str, *, except_id: int | None = None) -> bool:
        stmt = select(Customer.id).where(getattr(Customer, column) == value)
        if except_id is not None:
            stmt = stmt.where(Customer.id != except_id)
        return (await self.session.scalar(stmt.limit(1))) is not None

    def _view(self) -> Select:
        dialect = self.session.get_bind().dialect.name
        if dialect not in _VIEWS:  # built once: composing it costs more than running it
            _VIEWS[dialect] = _view_statement(dialect)
        return _VIEWS[dialect]

    async def view_rows(self, customer_ids: Sequence[int]) -> list[Row]:
        """The customers as the API shows them, in the order of `customer_ids`."""
        rows = (await self.session.execute(
            self._view().where(Customer.id.in_(customer_ids)))).all()
        by_id = {row.id: row for row in rows}
        return [by_id[i] for i in customer_ids if i in by_id]

    async def list_page(self, actor: Actor, f: CustomerFilter, *, sort: str, descending: bool,
                        cursor: str | None, limit: int, with_total: bool) -> Page[Row]:
        stmt = self._view()
        if actor.role is Role.ACCOUNT_MANAGER:
            stmt = stmt.where(Customer.owner_id == actor.user_id)
        if f.archived is not None:
            stmt = stmt.where(Customer.archived.is_(f.archived))
        if f.stage:
            stmt = stmt.where(Customer.stage.in_(f.stage))
        if f.grade:
            stmt = stmt.where(Customer.grade.in_(f.grade))
        if f.kind:
            stmt = stmt.where(Customer.kind == f.kind)
        if f.industry:
            # A section letter matches all of its divisions (I matches I63, I64, I65).
            stmt = stmt.where(or_(Customer.industry == f.industry,
                                  Customer.industry.startswith(f.industry, autoescape=True)))
        if f.owner_id is not None:
            stmt = stmt.where(Customer.owner_id == f.owner_id)
        for tag_id in f.tag_ids:
            stmt = stmt.where(exists().where(CustomerTag.customer_id == Customer.id,
                                             CustomerTag.tag_id == tag_id))
        if f.created_from:
            stmt = stmt.where(Customer.created_at >= f.created_from)
        if f.created_to:
            stmt = stmt.where(Customer.created_at < f.created_to)
        if f.last_contact_from:
            stmt = stmt.where(Customer.last_contact_at >= f.last_contact_from)
        if f.last_contact_to:
            stmt = stmt.where(Customer.last_contact_at < f.last_contact_to)
        if f.name:
            stmt = stmt.where(Customer.name.icontains(f.name, autoescape=True))
        if f.activity_status:
            stmt = stmt.where(Customer.activity_status.in_(f.activity_status))

        total = None
        if with_total:
            total = await self.session.scalar(
                select(func.count()).select_from(stmt.with_only_columns(Customer.id).subquery()))

        column = SORTS[sort]
        if cursor:
            kind = {"created_at": int, "updated_at": datetime}.get(sort, str)  # as SORTS
            value, last_id = decode_cursor(cursor, length=2, kinds=(kind, int))
            if descending:
                stmt = stmt.where(or_(column < value, and_(column == value, Customer.id < last_id)))
            else:
                stmt = stmt.where(or_(column > value, and_(column == value, Customer.id > last_id)))
        order = [column.desc(), Customer.id.desc()] if descending else [column, Customer.id]
        if column is Customer.id:
            order = order[:1]
        # Through the Core connection: the ORM's execution layer costs more than the query.
        connection = await self.session.connection()
        rows = list((await connection.execute(stmt.order_by(*order).limit(limit + 1))).all())
        more, rows = len(rows) > limit, rows[:limit]
        next_cursor = None
        if more:
            last = rows[-1]
            value = getattr(last, column.key)
            next_cursor = encode_cursor([value.isoformat() if isinstance(value, datetime)
                                         else value, last.id])
        return Page(rows, next_cursor, total)

    # ---- tags of customers ----

    async def tags_of(self, customer_ids: Sequence[int]) -> dict[int, list[Tag]]:
        result: dict[int, list[Tag]] = {cid: [] for cid in customer_ids}
        if not customer_ids:
            return result
        stmt = (select(CustomerTag.customer_id, Tag).join(Tag, Tag.id == CustomerTag.tag_id)
                .where(CustomerTag.customer_id.in_(customer_ids)).order_by(Tag.name))
        for customer_id, tag in (await self.session.execute(stmt)).all():
            result[customer_id].append(tag)
        return result

    async def set_tags(self, customer_id: int, tag_ids: Sequence[int]) -> None:
        await self.session.execute(delete(CustomerTag).where(CustomerTag.customer_id == customer_id))
        if tag_ids:
            await self.session.execute(insert(CustomerTag), [
                {"customer_id": customer_id, "tag_id": tag_id} for tag_id in sorted(set(tag_ids))])

    # ---- contacts ----

    async def contacts(self, customer_id: int) -> list[Contact]:
        stmt = (select(Contact).where(Contact.customer_id == customer_id)
                .order_by(Contact.is_primary.desc(), Contact.id))
        return list((await self.session.scalars(stmt)).all())

    async def get_contact(self, customer_id: int, contact_id: int) -> Contact | None:
        contact = await self.session.get(Contact, contact_id)
        return contact if contact is not None and contact.customer_id == customer_id else None

    async def add_contact(self, **values: Any) -> Contact:
        contact = Contact(**values)
        self.session.add(contact)
        await self.session.flush()
        return contact

    async def delete_contact(self, contact: Contact) -> None:
        await self.session.delete(contact)
        await self.session.flush()

    # ---- derived activity ----

    async def record_interaction(self, customer_id: int, at: datetime, now: datetime) -> bool:
        """An interaction at `at` (a ticket opened): the last contact moves up to it and a
        dormant customer is active again (churn_risk stays for its job to judge). Derived
        columns: `version` stays, so nobody's If-Match fails. True if it woke the customer."""
        sync = {"synchronize_session": "fetch"}  # the session may hold this customer
        await self.session.execute(
            update(Customer).where(Customer.id == customer_id,
                                   or_(Customer.last_contact_at.is_(None),
                                       Customer.last_contact_at < at))
            .values(last_contact_at=at, updated_at=now).execution_options(**sync))
        woken = await self.session.execute(
            update(Customer).where(Customer.id == customer_id,
                                   Customer.activity_status == ActivityStatus.DORMANT.value)
            .values(activity_status=ActivityStatus.ACTIVE.value, updated_at=now)
            .execution_options(**sync))
        return woken.rowcount > 0


_VIEWS: dict[str, Select] = {}


def _view_statement(dialect: str) -> Select:
    """Customer columns plus its tags and its count of ways to reach it, in one statement:
    a list page is a single round trip. Rows, not ORM objects: nothing to track."""
    if dialect == "postgresql":
        pairs = func.json_agg(aggregate_order_by(func.json_build_array(Tag.id, Tag.name),
                                                 Tag.name))
    else:
        pairs = func.json_group_array(func.json_array(Tag.id, Tag.name))
    tags = (select(pairs)  # NULL without tags
            .select_from(CustomerTag).join(Tag, Tag.id == CustomerTag.tag_id)
            .where(CustomerTag.customer_id == Customer.id).scalar_subquery())
    # Distinct values per channel: the same mobile on two contacts is one way.
    ways = (select(func.count(distinct(Contact.mobile)) + func.count(distinct(Contact.phone))
                   + func.count(distinct(Contact.email))
                   + func.count(distinct(Contact.wechat)))
            .where(Contact.customer_id == Customer.id).scalar_subquery())
    return select(*Customer.__table__.c, type_coerce(tags, JSON).label("tag_pairs"),
                  ways.label("ways"))


class SqlCodeCounter:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_value(self, prefix: str) -> int:
        """Atomically the next number for `prefix`: one upsert, so concurrent callers never
        share a number (row lock on PostgreSQL, the write lock on SQLite)."""
        dialect = self.session.get_bind().dialect.name
        make_insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = make_insert(CodeCounter).values(prefix=prefix, last_value=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=[CodeCounter.prefix],
            set_={"last_value": CodeCounter.last_value + 1},
        ).returning(CodeCounter.last_value)
        return int((await self.session.execute(stmt)).scalar_one())
