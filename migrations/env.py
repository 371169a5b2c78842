"""Alembic environment: runs migrations over the app's async engine.

The database URL comes from `config.attributes["database_url"]` (set by persistence.migrate)
or else from CRM_DATABASE_URL / the default settings.
"""

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from persistence.db import async_url
from persistence.models import Base

config = context.config
target_metadata = Base.metadata


def _database_url() -> str:
    url = config.attributes.get("database_url")
    if url is None:
        from config import Settings

        url = Settings().database_url
    return async_url(url)


def _run(connection) -> None:
    from persistence.models import on_dialect

    dialect = connection.dialect.name
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=dialect == "sqlite",
        compare_type=True,
        include_object=lambda obj, *_: on_dialect(obj, dialect),
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_async_engine(_database_url(), poolclass=NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
asyncio.run(_run_online())
