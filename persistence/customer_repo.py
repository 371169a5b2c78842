"""Customers, contacts and the code counter: all their SQL."""

import json
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    BindParameter,
    Boolean,
    Integer,
    Row,
    Select,
    Text,
    bindparam,
    case,
    cast,
    delete,
    distinct,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    tuple_,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.sqltypes import NullType

from domain.customer import ActivityStatus
from domain.errors import NotFound
from domain.ports.customers import ContactRecord, CustomerAccess, CustomerRecord
from domain.roles import Actor, Role
from domain.search.normalize import name_sort_key
from persistence.db import AUTOCOMMIT, rowcount
from persistence.ids import among
from persistence.lifecycle_repo import SETTINGS_ID as LIFECYCLE_SETTINGS_ID
from persistence.models import (
    GRADE_RANK,
    LAST_CONTACT_SORT,
    CodeCounter,
    Contact,
    Customer,
    CustomerOrder,
    CustomerTag,
    LifecycleSettings,
    Tag,
    User,
    utcnow,
)
from persistence.pagination import Page, capped_count, decode_cursor, encode_cursor, total_of
from persistence.search import index as search_index


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
    updated_since: datetime | None = None
    created_to: datetime | None = None
    last_contact_from: datetime | None = None
    last_contact_to: datetime | None = None
    name: str | None = None
    activity_status: Sequence[str] = ()
    value_level: Sequence[str] = ()
    source: Sequence[str] = ()
    urgency: Sequence[str] = ()
    region: Sequence[str] = ()  # starts with any of them (province, or province + city)
    unowned: bool = False  # in the pool
    owner_department_id: int | None = None
    tags_any: Sequence[int] = ()
    tags_none: Sequence[int] = ()
    tag_category: str | None = None  # has a tag named "<category>-…"
    first_contact_from: datetime | None = None
    first_contact_to: datetime | None = None
    not_contacted_since: datetime | None = None  # never contacted, or last before this
    amount_min: Any = None
    amount_max: Any = None
    order_count_min: int | None = None
    order_count_max: int | None = None
    # (key, op, values): op "eq" (one of `values`), "range" ((low, high), either None);
    # compared as text, or as numbers when `number` (custom_filters in api/query.py)
    custom: Sequence[tuple[str, str, tuple[Any, ...], bool]] = ()
    search: Any = None  # domain.search.rules.SearchQuery
    next_follow_up_to: Any = None  # date: a follow-up is due on or before it


# Sortable keys; each sort is keyset-paginated on (key, id), and each (key, id) has an index
# (persistence/models.py), so a page is read in index order wherever it starts.
SORTS: dict[str, Any] = {
    "created_at": Customer.id,
    "name": Customer.name_sort,
    "code": Customer.code,
    "updated_at": Customer.updated_at,
    "last_contact_at": LAST_CONTACT_SORT,
    "cumulative_amount": Customer.cumulative_amount,
    "grade": GRADE_RANK,
}
_CURSOR_KINDS = {
    "created_at": int,
    "updated_at": datetime,
    "last_contact_at": datetime,
    "cumulative_amount": int,
    "grade": int,
}


class SqlCustomerRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, customer_id: int) -> Customer | None:
        return await self.session.get(Customer, customer_id)

    async def access_of(self, customer_ids: Collection[int]) -> list[CustomerAccess]:
        """Of the customers of these ids that exist, in no particular order."""
        if not customer_ids:
            return []
        stmt = select(Customer.id, Customer.owner_id, Customer.archived, Customer.name).where(
            among(self.session, Customer.id, customer_ids)
        )
        return [CustomerAccess(*row) for row in await self.session.execute(stmt)]

    async def require(self, customer_id: int) -> Customer:
        """A customer that must exist (the parent of a record just read or written)."""
        customer = await self.session.get(Customer, customer_id)
        if customer is None:
            raise NotFound("customer", customer_id)
        return customer

    async def add(self, **values: Any) -> Customer:
        customer = Customer(**values)
        self.session.add(customer)
        await self.session.flush()
        return customer

    async def add_many(self, rows: Sequence[dict[str, Any]]) -> list[Customer]:
        """One INSERT for them all (SQLAlchemy sends the rows together, RETURNING their ids)."""
        customers = [Customer(**values) for values in rows]
        self.session.add_all(customers)
        await self.session.flush()
        return customers

    async def lock_many(self, customer_ids: Sequence[int]) -> list[Customer]:
        """The customers, locked against other writers until commit (PostgreSQL; SQLite has
        one writer at a time): update_many then needs no version check. Keep them referenced:
        the session holds unchanged records weakly, and `get` would read them again."""
        if not customer_ids:
            return []
        stmt = (
            select(Customer).where(among(self.session, Customer.id, customer_ids)).with_for_update()
        )
        return list(
            (await self.session.scalars(stmt.execution_options(populate_existing=True))).all()
        )

    async def update_many(self, changes: Mapping[int, Mapping[str, Any]]) -> None:
        """Set each customer's values, one statement per set of columns changed (sent as
        one executemany), with a new version and update time. Takes customers loaded by
        lock_many; they get the stored values, and their search documents are rebuilt at
        commit as an ORM write's are."""
        now = utcnow()
        groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for customer_id, values in changes.items():
            groups[tuple(sorted(values))].append(customer_id)
        for columns, ids in groups.items():
            names = ["id", *columns, *(["name_sort"] if "name" in columns else [])]
            rows = [{**changes[i], "id": i} for i in ids]
            if "name" in columns:
                for row in rows:
                    row["name_sort"] = name_sort_key(row["name"])
            # ≤ 30,000 parameters a statement (PostgreSQL takes 32,767)
            size = max(1, 30_000 // len(names))
            for start in range(0, len(rows), size):
                await self._set_rows(names, rows[start : start + size], now)
        identities = self.session.sync_session.identity_map
        for customer_id, values in changes.items():
            customer = identities.get(identity_key(Customer, customer_id))
            if customer is None:
                continue
            for name, value in values.items():
                set_committed_value(customer, name, value)
            if "name" in values:
                set_committed_value(customer, "name_sort", name_sort_key(values["name"]))
            set_committed_value(customer, "version", customer.version + 1)
            set_committed_value(customer, "updated_at", now)
        search_index.note(
            self.session.sync_session,
            [
                i
                for i, values in changes.items()
                if search_index.SEARCHED_CUSTOMER_FIELDS & set(values)
            ],
        )

    async def _set_rows(self, names: list[str], rows: list[dict[str, Any]], now: datetime) -> None:
        table = Customer.__table__
        bumped = {"version": table.c.version + 1, "updated_at": now}
        if self.session.get_bind().dialect.name != "postgresql":
            sets = {n: bindparam(n) for n in names if n != "id"} | bumped
            stmt = update(table).where(table.c.id == bindparam("_id")).values(sets)
            await self.session.execute(stmt, [{**row, "_id": row["id"]} for row in rows])
            return
        # One UPDATE … FROM unnest(one array per column) for them all: PostgreSQL then runs the
        # table's statement triggers (the analytics rollups) once, not once a row as for an
        # executemany; and the statement's text depends on the columns only, so it is compiled
        # and prepared once (a VALUES list of literal rows was compiled for every batch).
        # JSON travels as text (asyncpg has no codec for arrays of jsonb) and is cast back.
        json_names = {n for n in names if isinstance(table.c[n].type, JSON)}
        arrays = [
            bindparam(
                f"given_{n}",
                [_json_text(row[n]) for row in rows],
                type_=postgresql.ARRAY(Text),
            )
            if n in json_names
            else bindparam(
                f"given_{n}", [row[n] for row in rows], type_=postgresql.ARRAY(table.c[n].type)
            )
            for n in names
        ]
        given = func.unnest(*arrays).table_valued(*names).render_derived(name="given")
        sets = {
            n: cast(given.c[n], postgresql.JSONB) if n in json_names else given.c[n]
            for n in names
            if n != "id"
        } | bumped
        await self.session.execute(update(table).where(table.c.id == given.c.id).values(sets))

    async def ids_taken(self, column: str, values: Sequence[str]) -> set[str]:
        """Which of `values` another customer has in `column` (credit_code, id_number)."""
        if not values:
            return set()
        stmt = select(getattr(Customer, column)).where(getattr(Customer, column).in_(set(values)))
        return set((await self.session.scalars(stmt)).all())

    async def add_tags(self, pairs: Sequence[tuple[int, int]]) -> None:
        """(customer id, tag id) pairs for customers that have none yet."""
        if pairs:
            await self.session.execute(
                insert(CustomerTag),
                [{"customer_id": c, "tag_id": t} for c, t in sorted(set(pairs))],
            )

    async def delete(self, customer: CustomerRecord) -> None:
        await self.session.delete(customer)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()

    async def id_taken(self, column: str, value: str, *, except_id: int | None = None) -> bool:
        stmt = select(Customer.id).where(getattr(Customer, column) == value)
        if except_id is not None:
            stmt = stmt.where(Customer.id != except_id)
        return (await self.session.scalar(stmt.limit(1))) is not None

    async def same_as(
        self, *, name: str | None, credit_code: str | None, id_number: str | None, limit: int
    ) -> list[Row]:
        """Customers with exactly this name, credit code or ID number (each by its index),
        with their owner's display name: what a new customer would repeat."""
        matches = [
            (column, value)
            for column, value in (
                ("credit_code", credit_code),
                ("id_number", id_number),
                ("name", name),
            )
            if value
        ]
        rows: list[Row] = []
        for column, value in matches:
            stmt = (
                select(
                    literal(column).label("field"),
                    Customer.id,
                    Customer.code,
                    Customer.name,
                    Customer.owner_id,
                    Customer.archived,
                    User.display_name.label("owner_name"),
                )
                .outerjoin(User, User.id == Customer.owner_id)
                .where(getattr(Customer, column) == value)
                .order_by(Customer.id)
                .limit(limit)
            )
            rows += (await self.session.execute(stmt)).all()
        return rows[:limit]

    def _view(self, view: str = "list") -> Select:
        dialect = self.session.get_bind().dialect.name
        if (dialect, view) not in _VIEWS:  # built once: composing it costs more than running it
            _VIEWS[dialect, view] = (
                _view_statement(dialect) if view == "list" else _export_statement(dialect)
            )
        return _VIEWS[dialect, view]

    async def view_rows(self, customer_ids: Sequence[int]) -> list[Row]:
        """The customers as the API shows them, in the order of `customer_ids`."""
        rows = (
            await self.session.execute(
                self._view().where(among(self.session, Customer.id, customer_ids))
            )
        ).all()
        by_id = {row.id: row for row in rows}
        return [by_id[i] for i in customer_ids if i in by_id]

    async def list_page(
        self,
        actor: Actor,
        f: CustomerFilter,
        *,
        sort: str,
        descending: bool,
        cursor: str | None,
        limit: int,
        with_total: bool,
        exact_total: bool = False,
        view: str = "list",
    ) -> Page[Row]:
        """A page of the list. `view`: "list" rows are the API's customer (VIEW_COLUMNS, tags,
        ways to reach); "export" rows hold only what an export writes (EXPORT_COLUMNS)."""
        params: dict[str, Any] = {"limit": limit + 1}
        if actor.role is Role.ACCOUNT_MANAGER:
            params["actor_id"] = actor.user_id
        if f.archived is not None:
            params["archived"] = f.archived
        for name in ("stage", "grade", "activity_status"):
            if getattr(f, name):
                params[name] = list(getattr(f, name))
        for i, tag_id in enumerate(dict.fromkeys(f.tag_ids)):
            params[f"tag_{i}"] = tag_id
        for name in (
            "kind",
            "owner_id",
            "created_from",
            "created_to",
            "updated_since",
            "last_contact_from",
            "last_contact_to",
        ):
            if getattr(f, name) is not None:
                params[name] = getattr(f, name)
        if f.industry:
            params["industry"] = f.industry
            params["industry_prefix"] = _like_escape(f.industry) + "%"
        if f.name:
            params["name_pattern"] = "%" + _like_escape(f.name) + "%"
        for name in ("value_level", "source", "urgency"):
            if getattr(f, name):
                params[name] = list(getattr(f, name))
        for i, prefix in enumerate(dict.fromkeys(f.region)):
            params[f"region_{i}"] = _like_escape(prefix) + "%"
        if f.unowned:
            params["unowned"] = True
        for i, tag_id in enumerate(dict.fromkeys(f.tags_none)):
            params[f"tagnot_{i}"] = tag_id
        if f.tags_any:
            params["tags_any"] = list(dict.fromkeys(f.tags_any))
        if f.tag_category:
            params["tagcat"] = _like_escape(f.tag_category) + "-%"
        for name in (
            "next_follow_up_to",
            "owner_department_id",
            "first_contact_from",
            "first_contact_to",
            "not_contacted_since",
            "order_count_min",
            "order_count_max",
        ):
            if getattr(f, name) is not None:
                params[name] = getattr(f, name)
        for name in ("amount_min", "amount_max"):  # Money: integer fen, as stored
            if getattr(f, name) is not None:
                params[name] = int(Decimal(getattr(f, name)) * 100)
        if cursor:
            kind = _CURSOR_KINDS.get(sort, str)
            params["cursor_value"], params["cursor_id"] = decode_cursor(cursor, kinds=(kind, int))
        dialect = self.session.get_bind().dialect.name
        extra = _extra_conditions(f, actor, dialect)
        shape = (dialect, view, sort, descending, *sorted(params))
        if extra:  # custom fields and search vary in more than their parameters
            page_stmt, count_stmt, matches = _page_statements(
                self._view(view), params, sort, descending, dialect, extra
            )
        else:
            if shape not in _PAGES:  # statements with the same filters differ in parameters
                _PAGES[shape] = _page_statements(
                    self._view(view), params, sort, descending, dialect
                )
            page_stmt, count_stmt, matches = _PAGES[shape]
        # Through the Core connection: the ORM's execution layer costs more than the query.
        connection = await self.session.connection()
        total = total_accuracy = None
        if with_total or exact_total:
            total, total_accuracy = await total_of(
                connection, count_stmt, matches, params, exact=exact_total
            )
        rows = list((await connection.execute(page_stmt, params)).all())
        more, rows = len(rows) > limit, rows[:limit]
        next_cursor = None
        if more:
            last = rows[-1]
            value = last.sort_key
            if isinstance(value, str) and sort in ("last_contact_at",):  # SQLite: text
                value = datetime.fromisoformat(value).replace(tzinfo=UTC)
            if isinstance(value, Decimal):
                value = int(value * 100)
            next_cursor = encode_cursor(
                [value.isoformat() if isinstance(value, datetime) else value, last.id]
            )

        return Page(rows, next_cursor, total, total_accuracy)

    # ---- tags of customers ----

    async def tags_of(self, customer_ids: Sequence[int]) -> dict[int, list[Tag]]:
        result: dict[int, list[Tag]] = {cid: [] for cid in customer_ids}
        if not customer_ids:
            return result
        stmt = (
            select(CustomerTag.customer_id, Tag)
            .join(Tag, Tag.id == CustomerTag.tag_id)
            .where(CustomerTag.customer_id.in_(customer_ids))
            .order_by(Tag.name)
        )
        for customer_id, tag in (await self.session.execute(stmt)).all():
            result[customer_id].append(tag)
        return result

    async def set_tags(self, customer_id: int, tag_ids: Sequence[int]) -> None:
        await self.session.execute(
            delete(CustomerTag).where(CustomerTag.customer_id == customer_id)
        )
        if tag_ids:
            await self.session.execute(
                insert(CustomerTag),
                [{"customer_id": customer_id, "tag_id": tag_id} for tag_id in sorted(set(tag_ids))],
            )

    # ---- contacts ----

    async def contacts(
        self, customer_id: int, *, updated_since: datetime | None = None
    ) -> list[Contact]:
        stmt = (
            select(Contact)
            .where(Contact.customer_id == customer_id)
            .order_by(Contact.is_primary.desc(), Contact.id)
        )
        if updated_since is not None:
            stmt = stmt.where(Contact.updated_at >= updated_since)
        return list((await self.session.scalars(stmt)).all())

    async def get_contact(self, customer_id: int, contact_id: int) -> Contact | None:
        contact = await self.session.get(Contact, contact_id)
        return contact if contact is not None and contact.customer_id == customer_id else None

    async def contact(self, contact_id: int) -> Contact | None:
        return await self.session.get(Contact, contact_id)

    async def contacts_by_id(self, contact_ids: Collection[int]) -> list[Contact]:
        if not contact_ids:
            return []
        stmt = select(Contact).where(among(self.session, Contact.id, contact_ids))
        return list((await self.session.scalars(stmt)).all())

    async def add_contact(self, **values: Any) -> Contact:
        contact = Contact(**values)
        self.session.add(contact)
        await self.session.flush()
        return contact

    async def delete_contact(self, contact: ContactRecord) -> None:
        await self.session.delete(contact)
        await self.session.flush()

    # ---- derived activity ----

    async def write_derived(
        self,
        customer: CustomerRecord,
        now: datetime,
        *,
        later: dict[str, Any] | None = None,
        first: dict[str, Any] | None = None,
        values: dict[str, Any] | None = None,
    ) -> None:
        """Columns derived from child records (follow-ups, orders), written without bumping
        `version`: adding a child conflicts neither with another child nor with an edit of
        the customer's own fields. `later` columns only move forward and `first` ones are only
        filled when empty, in the statement itself, so concurrent writers keep the right
        value. The loaded `customer` gets the stored values."""
        table = Customer.__table__
        sets: dict[str, Any] = dict(values or {})
        for name, value in (later or {}).items():
            column = table.c[name]
            # Typed as the column, so the value is stored as the column stores it (UTC).
            value = literal(value, type_=column.type)
            sets[name] = case((or_(column.is_(None), column < value), value), else_=column)
        for name, value in (first or {}).items():
            sets[name] = func.coalesce(table.c[name], literal(value, type_=table.c[name].type))
        sets["updated_at"] = now
        stored = (
            await self.session.execute(
                update(table)
                .where(table.c.id == customer.id)
                .values(**sets)
                .returning(*(table.c[name] for name in sets))
            )
        ).one()
        for name, value in zip(sets, stored, strict=True):
            set_committed_value(customer, name, value)

    async def record_interaction(self, customer_id: int, at: datetime, now: datetime) -> bool:
        """An interaction at `at` (a ticket opened): the last contact moves up to it and a
        dormant customer is active again (churn_risk stays for its job to judge). Derived
        columns: `version` stays, so nobody's If-Match fails. True if it woke the customer."""
        sync = {"synchronize_session": "fetch"}  # the session may hold this customer
        await self.session.execute(
            update(Customer)
            .where(
                Customer.id == customer_id,
                or_(Customer.last_contact_at.is_(None), Customer.last_contact_at < at),
            )
            .values(last_contact_at=at, updated_at=now)
            .execution_options(**sync)
        )
        woken = await self.session.execute(
            update(Customer)
            .where(
                Customer.id == customer_id, Customer.activity_status == ActivityStatus.DORMANT.value
            )
            .values(activity_status=ActivityStatus.ACTIVE.value, updated_at=now)
            .execution_options(**sync)
        )
        return rowcount(woken) > 0


_VIEWS: dict[tuple[str, str], Select] = {}
_PAGES: dict[tuple[Any, ...], tuple[Select, Select, Select]] = {}


def _like_escape(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _extra_conditions(f: CustomerFilter, actor: Actor, dialect: str) -> list[Any]:
    """Conditions whose shape depends on values: custom fields (a JSON path per key) and the
    search query (its grams and eligible fields)."""
    from persistence.search.query import any_field

    out: list[Any] = []
    for key, op, values, number in f.custom:
        field = Customer.custom_fields[key]
        column = field.as_float() if number else field.as_string()
        if op == "eq":
            out.append(column.in_(list(values)))
        else:
            low, high = values
            if low is not None:
                out.append(column >= low)
            if high is not None:
                out.append(column <= high)
    if f.search is not None:
        out.append(any_field(f.search, actor, dialect))
    return out


def _tag_conditions(params: dict[str, Any], dialect: str, *, in_id_order: bool) -> list[Any]:
    """tags_all (tag_N), tags_none (tagnot_N) and tags_any. PostgreSQL reads them from the
    customer's tag_ids in ix_customer_filters, intersected there with the other filters,
    except the tags a page in id order must have (below); SQLite asks customer_tag row by
    row."""

    def tags(prefix: str) -> list[Any]:
        return [
            bindparam(name, type_=BigInteger())
            for name in sorted(n for n in params if n.startswith(prefix))
        ]

    def tagged(tag: Any) -> Any:
        return exists().where(CustomerTag.customer_id == Customer.id, CustomerTag.tag_id == tag)

    all_of, none_of = tags("tag_"), tags("tagnot_")
    if dialect == "postgresql":

        def holds(op: str, ids: Any) -> Any:
            return Customer.tag_ids.op(op, return_type=Boolean())(ids)

        out: list[Any] = []
        if all_of and in_id_order:
            # customer_tag's (tag_id, customer_id) index hands the page a tag's customers in
            # id order: from the array, a rare tag's first page walked the primary key past
            # 11,000 customers (15 ms at a million). In another order the intersection in
            # ix_customer_filters does better (a rare tag and a stage by name: 17 against
            # 54 ms).
            out += [tagged(tag) for tag in all_of]
        elif all_of:
            out.append(holds("@>", postgresql.array(all_of, type_=BigInteger())))
        if none_of:
            out.append(~holds("&&", postgresql.array(none_of, type_=BigInteger())))
        if "tags_any" in params:
            out.append(holds("&&", cast(bindparam("tags_any"), postgresql.ARRAY(BigInteger()))))
        return out
    out = [tagged(tag) for tag in all_of] + [~tagged(tag) for tag in none_of]
    if "tags_any" in params:
        out.append(
            exists().where(
                CustomerTag.customer_id == Customer.id,
                CustomerTag.tag_id.in_(bindparam("tags_any", expanding=True)),
            )
        )
    return out


def _page_statements(
    view: Select,
    params: dict[str, Any],
    sort: str,
    descending: bool,
    dialect: str,
    extra: Sequence[Any] = (),
) -> tuple[Select, Select, Select]:
    """The page query, its count and its matches for one combination of filters, with every
    value a bound parameter named as in `params`. Built once per combination: composing a
    statement and deriving its cache key costs more than PostgreSQL takes to answer it."""
    conditions = _tag_conditions(params, dialect, in_id_order=SORTS[sort] is Customer.id)
    if "actor_id" in params:
        conditions.append(Customer.owner_id == bindparam("actor_id"))
    if "archived" in params:
        conditions.append(Customer.archived == bindparam("archived"))
    for name in ("stage", "grade", "activity_status"):
        if name in params:
            conditions.append(getattr(Customer, name).in_(bindparam(name, expanding=True)))
    if "kind" in params:
        conditions.append(Customer.kind == bindparam("kind"))
    if "industry" in params:
        # A section letter matches all of its divisions (I matches I63, I64, I65).
        conditions.append(
            or_(
                Customer.industry == bindparam("industry"),
                Customer.industry.like(bindparam("industry_prefix"), escape="/"),
            )
        )
    if "owner_id" in params:
        conditions.append(Customer.owner_id == bindparam("owner_id"))
    for name, column, op in (
        ("created_from", Customer.created_at, "ge"),
        ("created_to", Customer.created_at, "lt"),
        ("updated_since", Customer.updated_at, "ge"),
        ("last_contact_from", Customer.last_contact_at, "ge"),
        ("last_contact_to", Customer.last_contact_at, "lt"),
    ):
        if name in params:
            value = bindparam(name, type_=column.type)
            conditions.append(column >= value if op == "ge" else column < value)
    if "name_pattern" in params:
        conditions.append(Customer.name.ilike(bindparam("name_pattern"), escape="/"))
    for name in ("value_level", "source", "urgency"):
        if name in params:
            conditions.append(getattr(Customer, name).in_(bindparam(name, expanding=True)))
    regions = sorted(name for name in params if name.startswith("region_"))
    if regions:
        conditions.append(
            or_(*(Customer.region.like(bindparam(name), escape="/") for name in regions))
        )
    if "unowned" in params:
        conditions.append(Customer.owner_id.is_(None))
    if "owner_department_id" in params:
        conditions.append(
            Customer.owner_id.in_(
                select(User.id).where(User.department_id == bindparam("owner_department_id"))
            )
        )
    if "tagcat" in params:
        conditions.append(
            exists().where(
                CustomerTag.customer_id == Customer.id,
                CustomerTag.tag_id.in_(
                    select(Tag.id).where(Tag.name.like(bindparam("tagcat"), escape="/"))
                ),
            )
        )
    for name, column, op in (
        ("first_contact_from", Customer.first_contact_at, "ge"),
        ("first_contact_to", Customer.first_contact_at, "lt"),
    ):
        if name in params:
            value = bindparam(name, type_=column.type)
            conditions.append(column >= value if op == "ge" else column < value)
    if "next_follow_up_to" in params:
        conditions.append(
            Customer.next_follow_up_on
            <= bindparam("next_follow_up_to", type_=Customer.next_follow_up_on.type)
        )
    if "not_contacted_since" in params:
        since = bindparam("not_contacted_since", type_=Customer.last_contact_at.type)
        conditions.append(or_(Customer.last_contact_at.is_(None), Customer.last_contact_at < since))
    if "amount_min" in params:
        conditions.append(
            type_coerce(Customer.cumulative_amount, BigInteger())
            >= bindparam("amount_min", type_=BigInteger())
        )
    if "amount_max" in params:
        conditions.append(
            type_coerce(Customer.cumulative_amount, BigInteger())
            <= bindparam("amount_max", type_=BigInteger())
        )
    if "order_count_min" in params or "order_count_max" in params:
        orders = (
            select(func.count())
            .where(CustomerOrder.customer_id == Customer.id, CustomerOrder.status != "cancelled")
            .correlate(Customer)
            .scalar_subquery()
        )
        if "order_count_min" in params:
            conditions.append(orders >= bindparam("order_count_min"))
        if "order_count_max" in params:
            conditions.append(orders <= bindparam("order_count_max"))
    conditions += list(extra)
    matches = select(Customer.id).where(*conditions)
    count = capped_count(matches)

    key = SORTS[sort]
    order = [key.desc(), Customer.id.desc()] if descending else [key, Customer.id]
    if key is Customer.id:
        order = order[:1]
    if "cursor_id" in params:
        cursor_value: BindParameter[Any] = bindparam("cursor_value")
        last_id: BindParameter[int] = bindparam("cursor_id")
        if key is Customer.id:
            conditions.append(Customer.id < last_id if descending else Customer.id > last_id)
        else:
            # A row comparison: the index on (key, id) starts its scan right after the cursor.
            # The cursor holds amounts in fen, as stored.
            typed = BigInteger() if sort == "cumulative_amount" else key.type
            left = tuple_(type_coerce(key, typed), Customer.id)
            right = tuple_(type_coerce(cursor_value, typed), last_id)
            conditions.append(left < right if descending else left > right)
    # Page first, decorate after: the page's ids come from the filters and the sort's index
    # alone; only those rows get their tags and ways to reach (the view's per-row work).
    page_ids = (
        select(Customer.id)
        .where(*conditions)
        .order_by(*order)
        .limit(bindparam("limit", type_=Integer()))
        .correlate(None)  # its own customer, not the decorating statement's
    )
    page = view.add_columns(key.label("sort_key")).where(Customer.id.in_(page_ids))
    return page.order_by(*order), count, matches


# The customer columns the API shows (api/schemas.py CustomerOut); the rest stays in the table.
VIEW_COLUMNS = (
    "id",
    "code",
    "kind",
    "name",
    "credit_code",
    "id_number",
    "gender",
    "birthday",
    "industry",
    "size",
    "main_business",
    "region",
    "address",
    "stage",
    "activity_status",
    "grade",
    "source",
    "urgency",
    "owner_id",
    "custom_fields",
    "external_ids",
    "archived",
    "first_contact_at",
    "last_contact_at",
    "cumulative_amount",
    "first_cooperation_on",
    "last_order_on",
    "next_follow_up_on",
    "pool_entered_at",
    "verified_at",
    "verification_note",
    "value_level",
    "grade_locked",
    "version",
    "created_at",
    "updated_at",
)


# What the pool's warning is reckoned from (domain/customer_summary.py pool_clock); not shown.
POOL_CLOCK_COLUMNS = ("owner_engaged_at", "owned_since")
# The release rules of the lifecycle settings, the same on every row of a page.
POOL_RULE_COLUMNS = ("pool_release_days", "pool_warning_days", "pool_no_order_days")
# The primary contact's fields a row carries, for the list's call buttons.
PRIMARY_CONTACT_FIELDS = ("id", "name", "mobile", "phone", "email")


def _tag_lists(dialect: str) -> tuple[Any, Any, Any]:
    """What the customer views select from, and their tags as two parallel lists ordered by
    name: on PostgreSQL native arrays, which the driver decodes without a JSON parser."""
    if dialect == "postgresql":
        # One LATERAL pass per customer gives both lists, from the customer's own copy of its
        # tag ids (the filters' array): about half the PostgreSQL time of a join through
        # customer_tag, planning included.
        tags = (
            select(
                func.array_agg(aggregate_order_by(Tag.id, Tag.name)).label("ids"),
                func.array_agg(aggregate_order_by(Tag.name, Tag.name)).label("names"),
            )
            .where(Tag.id == func.any(Customer.tag_ids))
            .correlate(Customer)
            .lateral()
        )
        return Customer.__table__.outerjoin(tags, true()), tags.c.ids, tags.c.names
    ordered = (
        select(Tag.id, Tag.name)
        .join(CustomerTag, CustomerTag.tag_id == Tag.id)
        .where(CustomerTag.customer_id == Customer.id)
        .correlate(Customer)
        .order_by(Tag.name)
        .subquery()
    )
    return (
        Customer,
        type_coerce(select(func.json_group_array(ordered.c.id)).scalar_subquery(), JSON),
        type_coerce(select(func.json_group_array(ordered.c.name)).scalar_subquery(), JSON),
    )


def _custom_fields(dialect: str) -> Any:
    if dialect == "postgresql":
        # Most customers have none: NULL skips decoding an empty JSON object per row.
        return func.nullif(
            Customer.custom_fields, type_coerce({}, Customer.custom_fields.type)
        ).label("custom_fields")
    return Customer.custom_fields


def _columns(names: Sequence[str], dialect: str) -> list[Any]:
    return [
        _custom_fields(dialect) if name == "custom_fields" else Customer.__table__.c[name]
        for name in names
    ]


def _view_statement(dialect: str) -> Select:
    """Customer columns plus its tags and its count of ways to reach it, in one statement:
    a list page is a single round trip. Rows, not ORM objects: nothing to track."""
    source, tag_ids, tag_names = _tag_lists(dialect)
    # Distinct values per channel: the same mobile on two contacts is one way.
    ways = (
        select(
            func.count(distinct(Contact.mobile))
            + func.count(distinct(Contact.phone))
            + func.count(distinct(Contact.email))
            + func.count(distinct(Contact.wechat))
        )
        .where(Contact.customer_id == Customer.id)
        .scalar_subquery()
    )
    fields = [Contact.__table__.c[name] for name in PRIMARY_CONTACT_FIELDS]
    # A row value on PostgreSQL, which the driver decodes to a tuple; a JSON array on SQLite.
    contact_value = (
        func.row(*fields, type_=NullType())
        if dialect == "postgresql"
        else func.json_array(*fields, type_=JSON())
    )
    primary_contact = (
        select(contact_value)
        .where(Contact.customer_id == Customer.id, Contact.is_primary)
        .order_by(Contact.id)
        .limit(1)
        .scalar_subquery()
    )
    # Uncorrelated: the database reads the settings row once per statement, not once per row,
    # and the page needs no round trip of its own for them.
    rules = [
        select(LifecycleSettings.__table__.c[name])
        .where(LifecycleSettings.id == LIFECYCLE_SETTINGS_ID)
        .scalar_subquery()
        .label(name)
        for name in POOL_RULE_COLUMNS
    ]
    return select(
        *_columns(VIEW_COLUMNS, dialect),
        tag_ids.label("tag_ids"),
        tag_names.label("tag_names"),
        ways.label("ways"),
        primary_contact.label("primary_contact"),
        *_columns(POOL_CLOCK_COLUMNS, dialect),
        *rules,
    ).select_from(source)


# What an export of the list writes (domain/imports/exports.py CUSTOMERS) and what masking
# needs: a hundred thousand rows decode in a fraction of the list view's time.
EXPORT_COLUMNS = (
    "id",
    "owner_id",
    "code",
    "name",
    "kind",
    "credit_code",
    "id_number",
    "gender",
    "birthday",
    "industry",
    "size",
    "main_business",
    "region",
    "address",
    "stage",
    "activity_status",
    "grade",
    "source",
    "urgency",
    "last_contact_at",
    "next_follow_up_on",
    "cumulative_amount",
    "created_at",
    "custom_fields",
)
EXPORT_FIELDS = (*EXPORT_COLUMNS, "tags")  # an export row's fields, in order


def _export_statement(dialect: str) -> Select:
    """The export's columns, tags as one text ordered by name ("、" between them, as the
    file shows them): a list per row costs an export more to decode than to write."""
    ordered = (
        select(Tag.name)
        .join(CustomerTag, CustomerTag.tag_id == Tag.id)
        .where(CustomerTag.customer_id == Customer.id)
        .correlate(Customer)
    )
    if dialect == "postgresql":
        tags = ordered.with_only_columns(
            func.string_agg(Tag.name, aggregate_order_by(literal("、"), Tag.name))
        )
    else:
        names = ordered.order_by(Tag.name).subquery()
        tags = select(func.group_concat(names.c.name, "、"))
    return select(*_columns(EXPORT_COLUMNS, dialect), tags.scalar_subquery().label("tags"))


class SqlCodeCounter:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_value(self, prefix: str) -> int:
        return await self.take(prefix, 1)

    async def take(self, prefix: str, count: int) -> int:
        """Atomically `count` numbers for `prefix` (an import takes its block at once); returns
        the last. One upsert, so concurrent callers never share a number. On PostgreSQL it
        commits at once, on a connection of its own: taken in the create's transaction, the
        counter's row lock was held until that commit, and every create of the month waited
        for the one before it (or for a whole import). A create that then fails leaves a gap;
        codes are unique and never reused, not consecutive. SQLite has one writer at a time
        anyway: there it is part of the transaction."""
        dialect = self.session.get_bind().dialect.name
        make_insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = (
            make_insert(CodeCounter)
            .values(prefix=prefix, last_value=count)
            .on_conflict_do_update(
                index_elements=[CodeCounter.prefix],
                set_={"last_value": CodeCounter.last_value + count},
            )
            .returning(CodeCounter.last_value)
        )
        autocommit = self.session.info.get(AUTOCOMMIT)
        if dialect == "postgresql" and autocommit is not None:
            async with autocommit.connect() as connection:
                return int((await connection.execute(stmt)).scalar_one())
        return int((await self.session.execute(stmt)).scalar_one())


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)
