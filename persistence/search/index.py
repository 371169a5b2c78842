"""Keeping the search index: a customer's document is rebuilt in the transaction of every
write that changes its searchable text, and `crm reindex` rebuilds all of them.

Every customer and contact write goes through the ORM, so the session's flushes say which
customers changed: `after_flush` notes them, `before_commit` rebuilds their documents once per
transaction (an import of a thousand rows rebuilds a thousand documents in a few statements,
not one per flush). A search in the same transaction after a write needs `await
refresh_pending(session)` first; a search after the commit finds it anyway.
"""

import os
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Text,
    bindparam,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Session

from domain.search.rules import FIELDS, ContactText, CustomerText, document, grams
from persistence.db import driver_connection
from persistence.models import Contact, Customer, SearchDoc, SearchGram

DOC, GRAM = SearchDoc.__table__, SearchGram.__table__
CUSTOMER, CONTACT = Customer.__table__, Contact.__table__
_PENDING = "search_pending"  # session.info key: ids of customers whose documents are stale
_CUSTOMER_FIELDS = ("name", "code", "credit_code", "id_number", "address")
SEARCHED_CUSTOMER_FIELDS = frozenset(_CUSTOMER_FIELDS)  # a change of one rebuilds the document
_CONTACT_FIELDS = ("name", "mobile", "phone", "email", "wechat", "customer_id")
_BATCH = 500
GRAMS_LATER_FROM = 100  # documents in one transaction


def _changed(obj: Any, fields: Sequence[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _note_changes(session: Session, _context: Any) -> None:
    pending: set[int] = session.info.setdefault(_PENDING, set())
    for obj in session.new:
        if isinstance(obj, Customer):
            pending.add(obj.id)
        elif isinstance(obj, Contact):
            pending.add(obj.customer_id)
    for obj in session.dirty:
        if isinstance(obj, Customer) and _changed(obj, _CUSTOMER_FIELDS):
            pending.add(obj.id)
        elif isinstance(obj, Contact) and _changed(obj, _CONTACT_FIELDS):
            pending.add(obj.customer_id)
            pending.update(inspect(obj).attrs.customer_id.history.deleted or ())
    for obj in session.deleted:
        if isinstance(obj, Contact):
            pending.add(obj.customer_id)
        # a deleted customer's document goes with it (ON DELETE CASCADE)


def note(session: Session, customer_ids: Iterable[int]) -> None:
    """Customers written without the ORM (bulk INSERT/UPDATE, COPY): their documents are
    rebuilt at commit like those of ORM writes."""
    session.info.setdefault(_PENDING, set()).update(customer_ids)


def _before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()
    pending = session.info.pop(_PENDING, None)
    if pending:
        refresh(session, pending)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def install() -> None:
    """Keep the index with every ORM session (once per process). CRM_SEARCH_INDEX=off is for
    bench.search only: it measures creates without the index against creates with it."""
    if os.environ.get("CRM_SEARCH_INDEX") == "off":
        return
    if not event.contains(Session, "after_flush", _note_changes):
        event.listen(Session, "after_flush", _note_changes)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))


async def refresh_pending(session: Any) -> None:
    """Bring the documents of this transaction's writes up to date now (they are anyway at
    commit)."""
    await session.run_sync(_before_commit)


def _documents(
    customers: Iterable[Any], contacts: Iterable[Any]
) -> list[tuple[int, dict[str, str]]]:
    by_customer: dict[int, list[ContactText]] = {}
    for c in contacts:
        by_customer.setdefault(c.customer_id, []).append(
            ContactText(name=c.name, mobile=c.mobile, phone=c.phone, email=c.email, wechat=c.wechat)
        )
    return [
        (
            row.id,
            document(
                CustomerText(
                    name=row.name,
                    code=row.code,
                    credit_code=row.credit_code,
                    id_number=row.id_number,
                    address=row.address,
                    contacts=by_customer.get(row.id, ()),
                )
            ),
        )
        for row in customers
    ]


def _rows(
    docs: list[tuple[int, dict[str, str]]], postgres: bool, *, later: bool = False
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`later`: PostgreSQL documents without their grams, for fill_grams after the commit."""
    doc_rows, gram_rows = [], []
    for customer_id, doc in docs:
        if postgres:
            keys = None if later else grams(doc)
            doc_rows.append({"customer_id": customer_id, **doc, "grams": keys})
        else:  # SQLite keeps the grams in rows of their own
            doc_rows.append({"customer_id": customer_id, **doc, "grams": None})
            gram_rows += [{"gram": g, "customer_id": customer_id} for g in grams(doc)]
    return doc_rows, gram_rows


def refresh(session: Session, customer_ids: Iterable[int]) -> None:
    """Rebuild the documents of these customers (sync: runs inside a flush or commit). Core
    statements on the session's connection, and on PostgreSQL one upsert instead of a delete
    and an insert: this runs in every write's transaction, so its round trips and the ORM's
    per-statement work are what the index costs a create."""
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    ids = sorted(set(customer_ids))
    # Many documents at once (a bulk write): their grams are left to fill_grams, as an
    # import's are; putting them into the GIN index in the transaction took most of its time.
    later = len(ids) >= GRAMS_LATER_FROM
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        customers = connection.execute(
            select(CUSTOMER.c.id, *(CUSTOMER.c[f] for f in _CUSTOMER_FIELDS)).where(
                CUSTOMER.c.id.in_(chunk)
            )
        ).all()
        contacts = connection.execute(
            select(*(CONTACT.c[f] for f in _CONTACT_FIELDS))
            .where(CONTACT.c.customer_id.in_(chunk))
            .order_by(CONTACT.c.id)
        ).all()
        doc_rows, gram_rows = _rows(_documents(customers, contacts), postgres, later=later)
        if postgres:
            if doc_rows and later:
                connection.execute(
                    _UPSERT_UNGRAMMED,
                    {f"doc_{c}": [row[c] for row in doc_rows] for c in _UNGRAMMED_COLUMNS},
                )
            elif doc_rows:
                upsert = pg_insert(DOC)
                connection.execute(
                    upsert.on_conflict_do_update(
                        index_elements=[DOC.c.customer_id],
                        set_={name: upsert.excluded[name] for name in DOC_COLUMNS[1:]},
                    ),
                    doc_rows,
                )
            continue
        connection.execute(delete(GRAM).where(GRAM.c.customer_id.in_(chunk)))
        connection.execute(delete(DOC).where(DOC.c.customer_id.in_(chunk)))
        if doc_rows:
            connection.execute(insert(DOC), doc_rows)
        if gram_rows:
            connection.execute(insert(GRAM), gram_rows)


DOC_COLUMNS = ("customer_id", *FIELDS, "grams")
_UNGRAMMED_COLUMNS = DOC_COLUMNS[:-1]


def _upsert_ungrammed() -> Any:
    """Many documents in one statement, their grams left NULL for fill_grams: INSERT … SELECT
    FROM unnest(one array per field) ON CONFLICT, not a statement a row (executemany)."""
    arrays = [
        bindparam(f"doc_{c}", type_=ARRAY(BigInteger if c == "customer_id" else Text))
        for c in _UNGRAMMED_COLUMNS
    ]
    given = func.unnest(*arrays).table_valued(*_UNGRAMMED_COLUMNS).render_derived(name="given")
    upsert = pg_insert(DOC).from_select(_UNGRAMMED_COLUMNS, select(*given.c))
    return upsert.on_conflict_do_update(
        index_elements=[DOC.c.customer_id],
        set_={name: upsert.excluded[name] for name in DOC_COLUMNS[1:]},
    )


_UPSERT_UNGRAMMED = _upsert_ungrammed()


def new_rows(
    customers: Sequence[tuple[int, Mapping[str, Any]]],
    contacts: Iterable[Mapping[str, Any]],
    postgres: bool,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The search_doc (and on SQLite search_gram) rows of customers being created, built from
    the rows about to be written (an import's) instead of read back.

    On PostgreSQL their grams are left NULL: putting 100,000 documents' grams into the GIN
    index takes about 30 s, longer than the rest of the import together, so `fill_grams`
    does it after the commit. Search reads the documents without grams by their text
    meanwhile (query.py), so an imported customer is found from the moment it exists."""
    by_customer: dict[int, list[ContactText]] = {}
    for c in contacts:
        by_customer.setdefault(c["customer_id"], []).append(
            ContactText(
                name=c["name"],
                mobile=c.get("mobile"),
                phone=c.get("phone"),
                email=c.get("email"),
                wechat=c.get("wechat"),
            )
        )
    docs = [
        (
            customer_id,
            document(
                CustomerText(
                    name=row["name"],
                    code=row["code"],
                    credit_code=row.get("credit_code"),
                    id_number=row.get("id_number"),
                    address=row.get("address"),
                    contacts=by_customer.get(customer_id, ()),
                )
            ),
        )
        for customer_id, row in customers
    ]
    if postgres:
        return [{"customer_id": customer_id, **doc, "grams": None} for customer_id, doc in docs], []
    return _rows(docs, postgres)


async def fill_grams(session: AsyncSession, batch: int = 2000) -> int:
    """Give up to `batch` documents without grams (an import's) their grams, in the
    session's transaction; returns how many. PostgreSQL only. Rows another worker holds are
    skipped, and a row rewritten meanwhile by a customer's edit (its grams then set) is left
    as that edit wrote it."""
    rows = (
        await session.execute(
            select(DOC.c.customer_id, *(DOC.c[f] for f in FIELDS))
            .where(DOC.c.grams.is_(None))
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
    ).all()
    if rows:
        await session.execute(
            update(DOC)
            .where(DOC.c.customer_id == bindparam("doc_id"), DOC.c.grams.is_(None))
            .values(grams=bindparam("doc_grams")),
            [
                {
                    "doc_id": row.customer_id,
                    "doc_grams": grams(cast(Mapping[str, str], row._mapping)),
                }
                for row in rows
            ],
        )
    return len(rows)


async def reindex(
    connection: AsyncConnection, *, batch: int = 5000, progress: Any = None
) -> dict[str, Any]:
    """Rebuild the whole index in the connection's transaction. On PostgreSQL the GIN index
    is dropped and built again after the rows are copied in: one build is far cheaper than a
    million insertions into it."""
    started = time.perf_counter()
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        await connection.execute(text("TRUNCATE search_gram, search_doc"))
        await connection.execute(text("DROP INDEX IF EXISTS ix_search_doc_grams"))
    else:
        await connection.execute(delete(SearchGram))
        await connection.execute(delete(SearchDoc))
    last_id, done = 0, 0
    raw: Any = await driver_connection(connection) if postgres else None
    while True:
        customers = (
            await connection.execute(
                select(Customer.id, *(getattr(Customer, f) for f in _CUSTOMER_FIELDS))
                .where(Customer.id > last_id)
                .order_by(Customer.id)
                .limit(batch)
            )
        ).all()
        if not customers:
            break
        first, last_id = customers[0].id, customers[-1].id
        contacts = (
            await connection.execute(
                select(*(getattr(Contact, f) for f in _CONTACT_FIELDS))
                .where(Contact.customer_id.between(first, last_id))
                .order_by(Contact.id)
            )
        ).all()
        doc_rows, gram_rows = _rows(_documents(customers, contacts), postgres)
        if postgres:
            await raw.copy_records_to_table(
                "search_doc",
                columns=DOC_COLUMNS,
                records=[tuple(r[c] for c in DOC_COLUMNS) for r in doc_rows],
            )
        else:
            await connection.execute(insert(SearchDoc), doc_rows)
            if gram_rows:
                await connection.execute(insert(SearchGram), gram_rows)
        done += len(customers)
        if progress:
            progress(done, time.perf_counter() - started)
    if postgres:
        # the default 64 MB makes a GIN build over a million documents take many minutes
        await connection.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        await connection.execute(
            text("CREATE INDEX ix_search_doc_grams ON search_doc USING gin (grams)")
        )
        await connection.execute(text("ANALYZE search_doc"))
    count = (await connection.execute(select(func.count()).select_from(SearchDoc))).scalar_one()
    return {"customers": count, "seconds": round(time.perf_counter() - started, 1)}
