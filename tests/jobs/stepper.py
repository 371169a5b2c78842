"""A separate OS process that runs a job at every step of a stretch of simulated time:

    python -m tests.jobs.stepper DATABASE_URL JOB START END MINUTES

Prints "ready", waits for a line on stdin (so that several processes start together), then
prints one JSON line per run (`jobs.runner.run_job`'s answer) for START, START + MINUTES, …
up to and including END (MINUTES < 0 steps backwards)."""

import asyncio
import json
import sys
from datetime import datetime, timedelta

from sqlalchemy import text

from jobs.runner import run_job
from persistence.db import Database


async def main(url: str, job: str, start: datetime, end: datetime, minutes: int) -> None:
    database = Database(url)
    try:
        async with database.session(write=False) as session:  # connect before the start line
            await session.execute(text("SELECT 1"))
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        at, step = start, timedelta(minutes=minutes)
        while (at <= end) if minutes > 0 else (at >= end):
            print(json.dumps(await run_job(database, job, at)), flush=True)
            at += step
    finally:
        await database.dispose()


if __name__ == "__main__":
    url, job, start, end, minutes = sys.argv[1:]
    asyncio.run(
        main(url, job, datetime.fromisoformat(start), datetime.fromisoformat(end), int(minutes))
    )
