"""The SQL of imports: the import records, matching rows against the customers already
there, and bulk writes (one multi-row statement per batch, not one ORM object per row)."""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Integer,
    String,
    any_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncSession, AsyncSessionTransaction

from domain.imports.plan import IDENTITY, Existing, MatchKey
from domain.imports.rows import CONTACT_FIELDS, CUSTOMER_FIELDS, normal_name
from domain.search.normalize import name_sort_key
from persistence.customer_repo import SqlCodeCounter
from persistence.db import driver_connection
from persistence.models import (
    AuditEvent,
    Base,
    Contact,
    Customer,
    CustomerTag,
    DataImport,
    Money,
    SearchDoc,
    SearchGram,
    Tag,
    User,
    UtcDateTime,
)
from persistence.search import index as search_index

BATCH = 5000  # values per IN list / rows per multi-row INSERT
ACTIVE = ("queued", "running")


def _chunks(values: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _copy_converter(column_type: Any) -> Any:
    """How a value of the column type is bound for COPY; None: as it is."""
    if isinstance(column_type, Money):
        return lambda v: None if v is None else int((Decimal(v) * 100).to_integral_exact())
    if isinstance(column_type, JSON):
        return lambda v: None if v is None else json.dumps(v, ensure_ascii=False, default=str)
    if isinstance(column_type, UtcDateTime):
        return lambda v: None if v is None else v.astimezone(UTC)
    return None


Staged = tuple[str, list[str], list[Any]]  # table name, columns, COPY records (SQLite: rows)
_POSTGRES = asyncpg_dialect()  # the types' PostgreSQL forms, as the session's dialect binds them


def _stage(table: Any, rows: Sequence[dict[str, Any]], postgres: bool) -> Staged:
    """Rows made ready for writing, without I/O (it may run in a thread or another process).
    PostgreSQL: COPY records, values bound as the column types would bind them; the rows carry
    every column that has a Python-side default. SQLite: the rows as they are."""
    if not postgres:
        return table.name, [], list(rows)
    columns = list(dict.fromkeys(name for row in rows for name in row))
    converters = [
        _copy_converter(table.c[name].type.dialect_impl(_POSTGRES)) for name in columns
    ]  # a variant's PostgreSQL type: JSON or array
    converted = [(i, convert) for i, convert in enumerate(converters) if convert is not None]
    records = []
    for row in rows:
        values = [row.get(name) for name in columns]
        for i, convert in converted:
            values[i] = convert(values[i])
        records.append(tuple(values))
    return table.name, columns, records


@dataclass(frozen=True, slots=True)
class CreatedStager:
    """Makes new customers (with their reserved ids), their contacts, tags and audit entries
    ready for write_created, with their search documents (built from these rows: there is
    nothing to read back or replace yet). CPU only, no I/O, picklable: an import runs it in
    its child process while the server writes the previous batch."""

    postgres: bool

    def __call__(
        self,
        customers: Sequence[dict[str, Any]],
        contacts: Sequence[dict[str, Any]],
        links: Sequence[dict[str, Any]],
        audit_rows: Sequence[dict[str, Any]],
    ) -> list[Staged]:
        # COPY takes no column defaults: tag_ids starts empty, its triggers fill it
        customers = [
            {**row, "name_sort": name_sort_key(row["name"]), "tag_ids": []} for row in customers
        ]
        docs, grams = search_index.new_rows(
            [(row["id"], row) for row in customers], contacts, self.postgres
        )
        return [
            _stage(Customer.__table__, customers, self.postgres),
            _stage(Contact.__table__, contacts, self.postgres),
            _stage(CustomerTag.__table__, links, self.postgres),
            _stage(AuditEvent.__table__, audit_rows, self.postgres),
            _stage(SearchDoc.__table__, docs, self.postgres),
            _stage(SearchGram.__table__, grams, self.postgres),
        ]


class SqlImportRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._reserved: dict[str, int] = {}  # SQLite: table → last id reserved, not yet written

    @property
    def _postgres(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def _among(self, column: Any, values: Sequence[Any]) -> Any:
        """column IN values: one array parameter on PostgreSQL, where rendering and preparing
        5,000 IN parameters costs far more than the query."""
        if self._postgres:
            item = BigInteger() if isinstance(column.type, Integer) else String()
            return column == any_(bindparam("values", list(values), type_=ARRAY(item)))
        return column.in_(values)

    # ---- import records ----

    async def add(self, **values: Any) -> DataImport:
        run = DataImport(**values)
        self.session.add(run)
        await self.session.flush()
        return run

    async def get(self, import_id: int) -> DataImport | None:
        return await self.session.get(DataImport, import_id)

    async def active_for(self, user_id: int) -> DataImport | None:
        stmt = (
            select(DataImport)
            .where(DataImport.user_id == user_id, DataImport.status.in_(ACTIVE))
            .limit(1)
        )
        return await self.session.scalar(stmt)

    async def list_for(self, user_id: int | None, limit: int) -> list[DataImport]:
        stmt = select(DataImport).order_by(DataImport.id.desc()).limit(limit)
        if user_id is not None:
            stmt = stmt.where(DataImport.user_id == user_id)
        return list((await self.session.scalars(stmt)).all())

    async def flush(self) -> None:
        await self.session.flush()

    def savepoint(self) -> AsyncSessionTransaction:
        """A nested transaction: a failed row is undone alone."""
        return self.session.begin_nested()

    # ---- what rows refer to ----

    async def tags_by_name(self) -> dict[str, int]:
        return {
            name: tag_id
            for tag_id, name in (await self.session.execute(select(Tag.id, Tag.name))).all()
        }

    async def users_by_username(self, names: Sequence[str]) -> dict[str, tuple[int, str, bool]]:
        """Users by username, or by display name where that names one user only (exports
        show display names)."""
        out: dict[str, tuple[int, str, bool]] = {}
        shown: dict[str, list[tuple[int, str, bool]]] = {}
        for chunk in _chunks(sorted(set(names))):
            stmt = select(
                User.username, User.display_name, User.id, User.role, User.is_active
            ).where(or_(User.username.in_(chunk), User.display_name.in_(chunk)))
            for username, display, user_id, role, active in (
                await self.session.execute(stmt)
            ).all():
                out[username] = (user_id, role, active)
                shown.setdefault(display, []).append((user_id, role, active))
        for display, found in shown.items():
            if len(found) == 1:
                out.setdefault(display, found[0])
        return out

    async def match_ids(
        self, keys: Iterable[MatchKey], names: Iterable[str]
    ) -> dict[MatchKey, set[int]]:
        """The ids of the customers matching any of `keys` (by identifier, by a contact's
        mobile or e-mail, by name); names are looked up as written and indexed normalised."""
        by_field: dict[str, list[str]] = {}
        for field, value in keys:
            if field != "name":
                by_field.setdefault(field, []).append(value)
        by_field["name"] = list(dict.fromkeys(names))
        hits: dict[MatchKey, set[int]] = {}
        columns = {
            "code": Customer.code,
            "credit_code": Customer.credit_code,
            "id_number": Customer.id_number,
            "name": Customer.name,
        }
        for field, values in by_field.items():
            values = list(dict.fromkeys(values))
            for chunk in _chunks(values):
                if field in columns:
                    stmt = select(columns[field], Customer.id).where(
                        self._among(columns[field], chunk)
                    )
                else:
                    contact_column = Contact.mobile if field == "mobile" else Contact.email
                    stmt = select(contact_column, Contact.customer_id).where(
                        self._among(contact_column, chunk)
                    )
                for found, customer_id in (await self.session.execute(stmt)).all():
                    matched = cast(str, found)  # matched with IN: never NULL
                    key = (field, normal_name(matched) if field == "name" else matched)
                    hits.setdefault(key, set()).add(customer_id)
        return hits

    async def matched(self, hits: dict[MatchKey, set[int]]) -> dict[MatchKey, list[Existing]]:
        """What match_ids found, as the customers. Those matched by an identifier may be
        updated, so they come whole (values, contacts, tags); a customer matched only by a
        name, mobile or e-mail is reported as a duplicate and needs only its code and owner (a
        common name matches thousands)."""
        strong = {i for (field, _), ids in hits.items() if field in IDENTITY for i in ids}
        existing = await self.existing(sorted(strong))
        weak = sorted({i for ids in hits.values() for i in ids} - strong)
        for chunk in _chunks(weak):
            for row in (
                await self.session.execute(
                    select(
                        Customer.id,
                        Customer.code,
                        Customer.kind,
                        Customer.owner_id,
                        Customer.archived,
                    ).where(self._among(Customer.id, chunk))
                )
            ).all():
                existing[row.id] = Existing(
                    id=row.id,
                    code=row.code,
                    kind=row.kind,
                    owner_id=row.owner_id,
                    archived=row.archived,
                    values={},
                )
        return {
            key: [existing[i] for i in sorted(ids) if i in existing] for key, ids in hits.items()
        }

    async def lookup(
        self, keys: Iterable[MatchKey], names: Iterable[str]
    ) -> dict[MatchKey, list[Existing]]:
        """The customers (and their contacts and tags) matching any of `keys`."""
        return await self.matched(await self.match_ids(keys, names))

    async def existing(self, ids: Sequence[int]) -> dict[int, Existing]:
        rows: dict[int, dict[str, Any]] = {}
        contacts: dict[int, list[dict[str, Any]]] = {}
        tags: dict[int, set[str]] = {}
        cols = [
            Customer.id,
            Customer.code,
            Customer.kind,
            Customer.owner_id,
            Customer.archived,
            Customer.grade_locked,
            Customer.custom_fields,
            *(getattr(Customer, f) for f in CUSTOMER_FIELDS),
        ]
        for chunk in _chunks(ids):
            for row in (
                await self.session.execute(select(*cols).where(self._among(Customer.id, chunk)))
            ).mappings():
                rows[row["id"]] = dict(row)
            for row in (
                await self.session.execute(
                    select(
                        Contact.id,
                        Contact.customer_id,
                        *(getattr(Contact, f) for f in CONTACT_FIELDS),
                    )
                    .where(self._among(Contact.customer_id, chunk))
                    .order_by(Contact.id)
                )
            ).mappings():
                contacts.setdefault(row["customer_id"], []).append(dict(row))
            for customer_id, name in (
                await self.session.execute(
                    select(CustomerTag.customer_id, Tag.name)
                    .join(Tag, Tag.id == CustomerTag.tag_id)
                    .where(self._among(CustomerTag.customer_id, chunk))
                )
            ).all():
                tags.setdefault(customer_id, set()).add(name)
        out = {}
        for i, stored in rows.items():
            values = {f: stored[f] for f in CUSTOMER_FIELDS}
            values["grade_locked"] = stored["grade_locked"]
            values["custom_fields"] = stored["custom_fields"] or {}
            out[i] = Existing(
                id=i,
                code=stored["code"],
                kind=stored["kind"],
                owner_id=stored["owner_id"],
                archived=stored["archived"],
                values=values,
                contacts=tuple(contacts.get(i, ())),
                tag_names=frozenset(tags.get(i, ())),
            )
        return out

    # ---- bulk writes ----

    async def reserve_codes(self, prefix: str, count: int) -> int:
        """Take `count` numbers of the `prefix` counter at once; returns the first."""
        return await SqlCodeCounter(self.session).take(prefix, count) - count + 1

    async def _new_ids(self, table: Any, count: int) -> list[int]:
        """Ids for `count` new rows, taken before inserting them: the rows then go in as plain
        multi-row INSERTs (RETURNING with a guaranteed order would send them one by one).
        PostgreSQL: from the table's sequence; SQLite: after the largest id ever given (an
        AUTOINCREMENT table's sqlite_sequence remembers deleted ones) or reserved, safe because
        the write transaction holds the database's write lock."""
        if count == 0:
            return []
        if self._postgres:
            # one array, not `count` rows through the result machinery (90,000 took 0.7 s)
            stmt = text(
                f"SELECT array_agg(nextval(pg_get_serial_sequence('{table.name}', 'id'))) "
                "FROM generate_series(1, :n)"
            )
            return sorted(await self.session.scalar(stmt, {"n": count}))
        last = int(await self.session.scalar(select(func.coalesce(func.max(table.c.id), 0))))
        given = await self.session.scalar(
            text("SELECT seq FROM sqlite_sequence WHERE name = :name"), {"name": table.name}
        )
        # and after those reserved in this transaction but not written yet
        last = max(last, int(given or 0), self._reserved.get(table.name, 0))
        self._reserved[table.name] = last + count
        return list(range(last + 1, last + count + 1))

    async def _insert(
        self, table: Any, rows: Sequence[dict[str, Any]], with_ids: bool
    ) -> list[int]:
        ids = await self._new_ids(table, len(rows)) if with_ids else []
        if with_ids:
            rows = [{**row, "id": i} for row, i in zip(rows, ids, strict=True)]
        await self._write_staged(_stage(table, rows, self._postgres))
        return ids

    async def _write_staged(self, staged: Staged) -> None:
        """PostgreSQL: COPY (binary, through asyncpg), several times faster than INSERTs."""
        name, columns, records = staged
        table = Base.metadata.tables[name]
        if not records:
            return
        if not self._postgres:
            for chunk in _chunks(records, 2000):  # Core executemany: multi-row VALUES batches
                await self.session.execute(insert(table), chunk)
            return
        connection = await self.session.connection()
        await (await driver_connection(connection)).copy_records_to_table(
            table.name, records=records, columns=columns
        )

    def _reindex(self, customer_ids: Iterable[int]) -> None:
        search_index.note(self.session.sync_session, customer_ids)

    async def reserve_ids(self, table_name: str, count: int) -> list[int]:
        """Ids for rows of `table_name` ("customer" or "contact") written later in this
        transaction by write_created."""
        table = {"customer": Customer.__table__, "contact": Contact.__table__}[table_name]
        return await self._new_ids(table, count)

    def created_stager(self) -> "CreatedStager":
        """What makes created customers' rows ready for write_created; it may run in another
        process."""
        return CreatedStager(self._postgres)

    async def write_created(self, staged: Sequence[Staged]) -> None:
        for part in staged:
            await self._write_staged(part)

    async def insert_contacts(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Contacts of existing customers."""
        self._reindex(row["customer_id"] for row in rows)
        return await self._insert(Contact.__table__, rows, True)

    async def insert_customer_tags(self, rows: Sequence[dict[str, Any]]) -> None:
        await self._insert(CustomerTag.__table__, rows, False)

    async def insert_audit(self, rows: Sequence[dict[str, Any]]) -> None:
        await self._insert(AuditEvent.__table__, rows, False)

    async def update_customer(self, customer_id: int, changes: dict[str, Any]) -> int | None:
        """Apply changes and bump the version; returns the new version."""
        if "name" in changes:
            changes = {**changes, "name_sort": name_sort_key(changes["name"])}
        stmt = (
            update(Customer)
            .where(Customer.id == customer_id)
            .values(**changes, version=Customer.version + 1)
            .returning(Customer.version)
            .execution_options(synchronize_session=False)
        )
        self._reindex([customer_id])
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def update_contact(self, contact_id: int, changes: dict[str, Any]) -> None:
        owner = await self.session.scalar(
            update(Contact)
            .where(Contact.id == contact_id)
            .values(**changes, version=Contact.version + 1)
            .returning(Contact.customer_id)
            .execution_options(synchronize_session=False)
        )
        self._reindex([owner] if owner is not None else [])

    # ---- revert ----

    async def audit_high_water(self) -> int:
        high = select(func.coalesce(func.max(AuditEvent.id), 0))
        return int((await self.session.execute(high)).scalar_one())

    async def versions(self, ids: Sequence[int]) -> dict[int, int]:
        out: dict[int, int] = {}
        for chunk in _chunks(ids):
            out.update(
                (
                    await self.session.execute(
                        select(Customer.id, Customer.version).where(Customer.id.in_(chunk))
                    )
                ).all()
            )
        return out

    async def touched_after(self, ids: Sequence[int], audit_id: int) -> set[int]:
        """Customers with any audited change (theirs, their contacts', tickets') after
        `audit_id`."""
        out: set[int | None] = set()
        for chunk in _chunks(ids):
            out.update(
                (
                    await self.session.scalars(
                        select(AuditEvent.customer_id)
                        .distinct()
                        .where(AuditEvent.customer_id.in_(chunk), AuditEvent.id > audit_id)
                    )
                ).all()
            )
        return {customer_id for customer_id in out if customer_id is not None}

    async def delete_customers(self, ids: Sequence[int]) -> None:
        for chunk in _chunks(ids):
            await self.session.execute(
                delete(Customer)
                .where(Customer.id.in_(chunk))
                .execution_options(synchronize_session=False)
            )

    async def delete_contacts(self, ids: Sequence[int]) -> None:
        for chunk in _chunks(ids):
            owners = await self.session.scalars(
                delete(Contact)
                .where(Contact.id.in_(chunk))
                .returning(Contact.customer_id)
                .execution_options(synchronize_session=False)
            )
            self._reindex(owners.all())

    async def delete_customer_tags(self, pairs: Sequence[tuple[int, int]]) -> None:
        for customer_id, tag_id in pairs:
            await self.session.execute(
                delete(CustomerTag).where(
                    CustomerTag.customer_id == customer_id, CustomerTag.tag_id == tag_id
                )
            )
