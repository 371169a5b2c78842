"""Run Alembic from code (the CLI, the tests and the benchmarks all migrate this way)."""

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

from persistence.db import ensure_sqlite_directory

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    ensure_sqlite_directory(database_url)
    command.upgrade(alembic_config(database_url), revision)
    if revision == "head":
        asyncio.run(_fill_search_index(database_url))


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


async def _fill_search_index(database_url: str) -> None:
    """A database upgraded from before the search index has customers and no documents:
    build them once (the same bulk rebuild as `crm reindex`)."""
    from sqlalchemy import exists, select
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    from persistence.db import async_url
    from persistence.models import Customer, SearchDoc
    from persistence.search.index import reindex

    engine = create_async_engine(async_url(database_url), poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            if (await connection.scalar(select(exists().where(Customer.id.is_not(None))))
                    and not await connection.scalar(
                        select(exists().where(SearchDoc.customer_id.is_not(None))))):
                await reindex(connection)
    finally:
        await engine.dispose()
