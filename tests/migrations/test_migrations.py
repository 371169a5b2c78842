"""Migrations go up to head and back to base on both back-ends, and match the models."""

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from persistence.db import async_url
from persistence.migrate import downgrade, upgrade
from persistence.models import Base
from tests.conftest import BACKENDS_RUN, fresh_database


def _inspect(url: str, fn):
    async def run():
        engine = create_async_engine(async_url(url), poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(fn)
        finally:
            await engine.dispose()

    return asyncio.run(run())


# An index on an expression PostgreSQL rewrites as it stores it (casts added), so Alembic
# reports it changed: these are checked by name instead.
REWRITTEN_INDEXES = {"ix_customer_grade_rank"}


def _diff(connection):
    from persistence.models import on_dialect

    dialect = connection.dialect.name

    def compared(obj, name, type_, *_) -> bool:
        return on_dialect(obj, dialect) and not (type_ == "index" and name in REWRITTEN_INDEXES)

    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": compared}
    )
    return compare_metadata(context, Base.metadata)


def _index_names(connection) -> set[str]:
    if connection.dialect.name == "postgresql":
        sql = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'index'"
    return set(connection.exec_driver_sql(sql).scalars())


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_to_head_then_down_to_base(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        upgrade(url)
        tables = _inspect(url, lambda c: set(inspect(c).get_table_names()))
        assert {"customer", "contact", "tag", "customer_tag", "user", "audit_event"} <= tables
        assert _inspect(url, _diff) == [], "models and migrations disagree: add a migration"
        assert REWRITTEN_INDEXES <= _inspect(url, _index_names)
        if backend == "sqlite":  # a batch rebuild must keep it: ids are never reused
            tables = _inspect(
                url,
                lambda c: dict(
                    c.exec_driver_sql(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
                    ).all()
                ),
            )
            lost = [
                name
                for name in ("customer", "contact", "ticket", "user")
                if "AUTOINCREMENT" not in tables[name]
            ]
            assert lost == [], f"AUTOINCREMENT lost by a batch rebuild of {lost}"
        downgrade(url, "base")
        assert _inspect(url, lambda c: set(inspect(c).get_table_names())) <= {"alembic_version"}
        upgrade(url)  # and up again: downgrade left nothing behind that blocks it
        BACKENDS_RUN.add(backend)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_grades_set_before_customer_value_are_locked(backend, tmp_path):
    """A grade the customer-value job never wrote came from a person: the upgrade locks it,
    so the job's first run does not overwrite or clear it."""
    from datetime import UTC, datetime

    from sqlalchemy import column, insert, select, table

    from persistence.models import Customer

    now = datetime(2026, 12, 1, tzinfo=UTC)
    # the columns as they were at that revision (the model's table has columns added since)
    old_customer = table(
        "customer",
        *(
            column(name, Customer.__table__.c[name].type)
            for name in (
                "kind",
                "stage",
                "activity_status",
                "custom_fields",
                "archived",
                "cumulative_amount",
                "version",
                "created_at",
                "updated_at",
                "value_computed_at",
                "code",
                "name",
                "grade",
            )
        ),
    )

    def add(connection):
        base = {
            "kind": "organization",
            "stage": "prospect",
            "activity_status": "active",
            "custom_fields": {},
            "archived": False,
            "cumulative_amount": 0,
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "value_computed_at": None,
        }
        connection.execute(
            insert(old_customer),
            [
                base | {"code": "C1", "name": "hand", "grade": "A"},
                base | {"code": "C2", "name": "job", "grade": "B", "value_computed_at": now},
                base | {"code": "C3", "name": "none", "grade": None},
            ],
        )
        connection.commit()

    def locks(connection):
        rows = connection.execute(select(Customer.name, Customer.grade_locked, Customer.grade))
        return {name: (locked, grade) for name, locked, grade in rows}

    with fresh_database(backend, tmp_path) as url:
        upgrade(url, "5c0e7d1f3a92")
        _inspect(url, add)
        upgrade(url)
        assert _inspect(url, locks) == {
            "hand": (True, "A"),
            "job": (False, "B"),
            "none": (False, None),
        }


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_last_checks_note_moves_onto_the_customer(backend, tmp_path):
    """The note of the check that set verified_at comes from its `verify` event; an older
    check's note, or a check without one, leaves the customer without a note."""
    from datetime import UTC, datetime

    from sqlalchemy import column, insert, select, table

    from persistence.models import AuditEvent, Customer

    first, last = datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    names = ("id", "kind", "stage", "activity_status", "custom_fields", "archived")
    names += ("cumulative_amount", "version", "created_at", "updated_at", "code", "name")
    names += ("name_sort", "tag_ids", "grade_locked")
    old_customer = table(
        "customer", *(column(n, Customer.__table__.c[n].type) for n in (*names, "verified_at"))
    )
    event_columns = ("at", "entity_type", "entity_id", "customer_id", "action", "changes")
    events = table(
        "audit_event", *(column(n, AuditEvent.__table__.c[n].type) for n in event_columns)
    )

    def add(connection):
        base = {
            "kind": "organization",
            "stage": "prospect",
            "activity_status": "active",
            "custom_fields": {},
            "archived": False,
            "cumulative_amount": 0,
            "version": 1,
            "created_at": first,
            "updated_at": first,
            "grade_locked": False,
            "name": "客户",
            "tag_ids": [],
        }
        connection.execute(
            insert(old_customer),
            [
                base | {"id": 1, "code": "C1", "name_sort": "a", "verified_at": last},
                base | {"id": 2, "code": "C2", "name_sort": "b", "verified_at": last},
                base | {"id": 3, "code": "C3", "name_sort": "c", "verified_at": None},
            ],
        )

        def check(at, customer_id, **changes):
            return {
                "at": at,
                "entity_type": "customer",
                "entity_id": customer_id,
                "customer_id": customer_id,
                "action": "verify",
                "changes": changes,
            }

        connection.execute(
            insert(events),
            [
                check(first, 1, note=[None, "旧的"]),
                check(last, 1, note=[None, "电话核实地址"]),
                check(first, 2, note=[None, "上一次的"]),
                check(last, 2),
            ],
        )
        connection.commit()

    def notes(connection):
        return dict(connection.execute(select(Customer.code, Customer.verification_note)).all())

    with fresh_database(backend, tmp_path) as url:
        upgrade(url, "5b7e2c9d4a18")
        _inspect(url, add)
        upgrade(url)
        # C1's last check had a note; C2's last had none (its note was an older check's)
        assert _inspect(url, notes) == {"C1": "电话核实地址", "C2": None, "C3": None}
