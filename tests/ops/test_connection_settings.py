"""What every pooled connection is set up with, read back from the database itself."""

from sqlalchemy import text


async def test_connections_plan_per_execution_and_keep_their_sqlite_pragmas(database):
    for write in (False, True):
        async with database.session(write=write) as session:
            if database.backend == "postgresql":
                # a generic plan of a prepared search or filter can be a table scan (2 s)
                assert (await session.scalar(text("SHOW plan_cache_mode"))) == "force_custom_plan"
                assert (await session.scalar(text("SHOW jit"))) == "off"
            else:
                assert (await session.scalar(text("PRAGMA foreign_keys"))) == 1
                assert (await session.scalar(text("PRAGMA journal_mode"))) == "wal"
