"""Claims on scheduled runs: each (job, due time) runs once, however many processes schedule it.

A claim is a job_run row inserted with ON CONFLICT DO NOTHING; whoever inserts it runs the job.
A run that fails gives its claim back, so the due time can be tried again.

PostgreSQL (several server processes): the claiming transaction first takes a transaction-level
advisory lock on the job's name and stays open while the job runs (in its own transactions), so
two processes never run the same job at once; a second claimer of the same due time waits for
the lock, then finds the row and skips. The claim, its finish and the lock end together at
commit, or vanish together if the process dies.

SQLite (one server, writers serialised by BEGIN IMMEDIATE): the claim commits before the job
runs, since the job's own write transaction could not start while the claim held the lock.
"""

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.db import Database
from persistence.models import JobRun


@dataclass
class Claim:
    job: str
    due_at: datetime
    won: bool
    result: dict[str, Any] = field(default_factory=dict)  # the holder fills it in


def lock_key(job: str) -> int:
    """A stable signed 64-bit advisory-lock key for the job (hash() differs per process)."""
    digest = hashlib.blake2b(f"crm-job:{job}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def _insert_claim(session: AsyncSession, job: str, due_at: datetime) -> bool:
    make_insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        make_insert(JobRun)
        .values(job=job, due_at=due_at, started_at=datetime.now(UTC), result={})
        .on_conflict_do_nothing()
        .returning(JobRun.job)
    )
    return (await session.execute(stmt)).first() is not None


async def _finish(session: AsyncSession, claim: Claim) -> None:
    await session.execute(
        update(JobRun)
        .where(JobRun.job == claim.job, JobRun.due_at == claim.due_at)
        .values(finished_at=datetime.now(UTC), result=claim.result)
    )


@asynccontextmanager
async def claim(database: Database, job: str, due_at: datetime) -> AsyncIterator[Claim]:
    """`won` says whether the caller runs the job for this due time; when the block ends
    normally the run is recorded as finished with `claim.result`."""
    if database.backend == "postgresql":
        async with database.session(write=True) as session:
            await session.execute(select(func.pg_advisory_xact_lock(lock_key(job))))
            held = Claim(job, due_at, await _insert_claim(session, job, due_at))
            yield held
            if held.won:
                await _finish(session, held)
        return
    async with database.session(write=True) as session:
        held = Claim(job, due_at, await _insert_claim(session, job, due_at))
    if not held.won:
        yield held
        return
    try:
        yield held
    except BaseException:
        async with database.session(write=True) as session:
            await session.execute(delete(JobRun).where(JobRun.job == job, JobRun.due_at == due_at))
        raise
    async with database.session(write=True) as session:
        await _finish(session, held)


async def list_runs(database: Database, job: str) -> list[JobRun]:
    async with database.session(write=False) as session:
        return list(
            (
                await session.scalars(
                    select(JobRun).where(JobRun.job == job).order_by(JobRun.due_at)
                )
            ).all()
        )
