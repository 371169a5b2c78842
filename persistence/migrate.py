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


def data_tables(database_url: str) -> list[str]:
    """The application tables that hold rows (a downgrade would lose them)."""
    import asyncio

    from sqlalchemy import func, inspect, select, table
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    from persistence.db import async_url

    async def scan() -> list[str]:
        engine = create_async_engine(async_url(database_url), poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                names = await connection.run_sync(lambda c: inspect(c).get_table_names())
                filled = []
                for name in sorted(n for n in names if n != "alembic_version"):
                    query = select(func.count()).select_from(
                        select(1).select_from(table(name)).limit(1).subquery()
                    )
                    if await connection.scalar(query):
                        filled.append(name)
                return filled
        finally:
            await engine.dispose()

    return asyncio.run(scan())


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


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
            if await connection.scalar(
                select(exists().where(Customer.id.is_not(None)))
            ) and not await connection.scalar(
                select(exists().where(SearchDoc.customer_id.is_not(None)))
            ):
                await reindex(connection)
    finally:
        await engine.dispose()
