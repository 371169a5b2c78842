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


def _inspect(url: str, fn):  # noqa: ANN001, ANN202
    async def run():  # noqa: ANN202
        engine = create_async_engine(async_url(url), poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(fn)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _diff(connection):  # noqa: ANN001, ANN202
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_to_head_then_down_to_base(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        upgrade(url)
        tables = _inspect(url, lambda c: set(inspect(c).get_table_names()))
        assert {"customer", "contact", "tag", "customer_tag", "user", "audit_event"} <= tables
        assert _inspect(url, _diff) == [], "models and migrations disagree: add a migration"
        downgrade(url, "base")
        assert _inspect(url, lambda c: set(inspect(c).get_table_names())) <= {"alembic_version"}
        upgrade(url)  # and up again: downgrade left nothing behind that blocks it
        BACKENDS_RUN.add(backend)
