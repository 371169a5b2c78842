"""Job `search-grams`: fill the grams of the search documents an import wrote without them
(persistence/search/index.py `new_rows`), in short transactions of a few thousand documents.

An import starts it right after its commit (`start`); the job's schedule catches what a
stopped server left. Searches find those customers meanwhile, by their text alone. Several
runs at once take different documents (SKIP LOCKED)."""

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from domain.ports import Clock
from persistence.db import Database
from persistence.search.index import fill_grams

log = logging.getLogger("crm.jobs.search")
# by id(database): one filler per database and process, and whether it is asked for another pass
_running: dict[int, asyncio.Task] = {}
_asked: set[int] = set()


async def fill_all(database: Database) -> int:
    """Fill grams until no document lacks them; returns how many were filled."""
    if database.backend != "postgresql":
        return 0
    done = 0
    while True:
        async with database.session(write=True) as session:
            filled = await fill_grams(session)
        done += filled
        if not filled:
            return done


async def run_search_grams(database: Database, _clock: Clock) -> Mapping[str, Any]:
    return {"filled": await fill_all(database)}


def start(database: Database) -> None:
    """Fill in the background. A filler already running in this process makes one more pass
    after its current one, so the documents committed before this call are filled too."""
    key = id(database)
    _asked.add(key)
    task = _running.get(key)
    if task is None or task.done():
        _running[key] = asyncio.create_task(_fill_while_asked(database))


async def _fill_while_asked(database: Database) -> None:
    key, filled = id(database), 0
    try:
        while key in _asked:
            _asked.discard(key)
            filled += await fill_all(database)
        log.info("search grams filled for %d documents", filled)
    except Exception:  # the job's next run takes over
        _asked.discard(key)
        log.exception("filling search grams failed")


async def stop(database: Database) -> None:
    """Before the database is disposed of (the server's shutdown): wait for no filler."""
    _asked.discard(id(database))
    task = _running.pop(id(database), None)
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def finished(database: Database) -> None:
    """Wait for this process's filler, if one runs (tests, and nothing else, wait for it)."""
    task = _running.get(id(database))
    if task is not None:
        await asyncio.gather(task, return_exceptions=True)
