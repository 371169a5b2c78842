"""Engines and sessions for SQLite (embedded default) and PostgreSQL (production)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import event
from sqlalchemy.engine import CursorResult, Result, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def async_url(url: str) -> str:
    """Accept plain `sqlite:///` and `postgresql://` (or `postgres://`) URLs and pick the async
    drivers."""
    parsed = make_url(url)
    driver = {
        "sqlite": "sqlite+aiosqlite",
        "postgresql": "postgresql+asyncpg",
        "postgres": "postgresql+asyncpg",
    }.get(parsed.drivername)
    return parsed.set(drivername=driver).render_as_string(hide_password=False) if driver else url


def sync_url(url: str) -> str:
    """The same database through a synchronous driver (Alembic, bulk loads)."""
    parsed = make_url(url)
    driver = {
        "sqlite+aiosqlite": "sqlite",
        "postgresql+asyncpg": "postgresql+psycopg",
        "postgresql": "postgresql+psycopg",
        "postgres": "postgresql+psycopg",
    }.get(parsed.drivername)
    return parsed.set(drivername=driver).render_as_string(hide_password=False) if driver else url


def backend_name(url: str) -> str:
    return make_url(async_url(url)).get_backend_name()


def ensure_sqlite_directory(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def _make_sqlite_engine(url: str, *, begin: str) -> AsyncEngine:
    ensure_sqlite_directory(url)
    engine = create_async_engine(url, connect_args={"timeout": 30})

    # pysqlite's own transaction handling is off so that we can say BEGIN IMMEDIATE: a write
    # transaction takes the write lock up front instead of failing to upgrade a stale snapshot.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
            "synchronous=NORMAL",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


# Every statement is prepared once per connection (asyncpg), and after five runs PostgreSQL may
# switch a prepared statement to one generic plan for all parameters: for a search or a filter
# whose best plan depends on the value (a rare gram or a common one, a selective tag or not)
# that plan can be a sequential scan, measured at 2 s where the custom plan takes 2 ms. Plans
# are made for each execution's values instead. JIT compilation is off: it costs tens of
# milliseconds on exactly the large counts it is meant to speed up, and this is OLTP.
PG_SESSION = {"server_settings": {"plan_cache_mode": "force_custom_plan", "jit": "off"}}


# session.info key: an engine whose connections commit every statement (the reader's, on
# PostgreSQL), for what must not wait for the session's own commit (code counters).
AUTOCOMMIT = "autocommit_engine"


class Database:
    """One database: a writer and a reader session factory."""

    def __init__(self, url: str, *, pool_size: int = 16) -> None:
        from persistence.search import index as search_index

        search_index.install()  # every session keeps the search index with its writes
        self.url = async_url(url)
        self.backend = backend_name(self.url)
        if self.backend == "sqlite":
            self.write_engine = _make_sqlite_engine(self.url, begin="BEGIN IMMEDIATE")
            self.read_engine = _make_sqlite_engine(self.url, begin="BEGIN")
        else:
            # Fixed-size pools: a request beyond `pool_size` waits for a connection instead of
            # opening one. An overflow connection is closed when it is returned, and under load
            # that meant a new PostgreSQL backend (and re-prepared statements) on every
            # request. Two engines of 16 per worker process fit PostgreSQL's default 100.
            self.write_engine = create_async_engine(
                self.url, pool_size=pool_size, max_overflow=0, connect_args=PG_SESSION
            )
            # Reads run without BEGIN/COMMIT round trips: a list page is one statement.
            self.read_engine = create_async_engine(
                self.url,
                pool_size=pool_size,
                max_overflow=0,
                isolation_level="AUTOCOMMIT",
                connect_args=PG_SESSION,
            )
        self._writer = async_sessionmaker(self.write_engine, expire_on_commit=False)
        self._reader = async_sessionmaker(self.read_engine, expire_on_commit=False)

    @asynccontextmanager
    async def session(self, *, write: bool) -> AsyncIterator[AsyncSession]:
        """One transaction: committed when the block ends, rolled back on any exception."""
        async with (self._writer if write else self._reader)() as session, session.begin():
            session.info[AUTOCOMMIT] = self.read_engine
            yield session

    async def dispose(self) -> None:
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE touched: execute() is typed as returning a plain Result, the
    driver's cursor result underneath has the count."""
    return cast(CursorResult[Any], result).rowcount


async def driver_connection(connection: AsyncConnection) -> Any:
    """The driver's own connection under SQLAlchemy's (asyncpg's: COPY, prepared fetches)."""
    raw = (await connection.get_raw_connection()).driver_connection
    if raw is None:
        raise RuntimeError("the connection is closed")
    return raw
