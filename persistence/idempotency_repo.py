"""Idempotency keys' rows. Each step is its own short transaction, outside the request's: the
claim must be visible to a concurrent retry before the request runs, and the answer must stay
stored whatever the request's own transaction did."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from domain.integration.idempotency import LIFETIME_HOURS
from persistence.db import Database, rowcount
from persistence.models import IdempotencyKey

IN_FLIGHT, DONE = "in_flight", "done"
LIFETIME = timedelta(hours=LIFETIME_HOURS)


@dataclass(frozen=True, slots=True)
class KeyRow:
    id: int
    request_hash: str
    state: str
    status: int | None
    headers: list[list[str]] | None
    body: bytes | None
    claimed: bool  # True: this request holds the key and runs; False: someone used it first


async def claim(
    database: Database, *, caller: tuple[str, int], key: str, request_hash: str, now: datetime
) -> KeyRow:
    """Take the key for this request (a new row, in flight), or return the row that holds it.
    A row older than the lifetime is void: it is taken over as if it were not there."""
    kind, caller_id = caller
    table = IdempotencyKey.__table__
    fresh = {"request_hash": request_hash, "state": IN_FLIGHT, "created_at": now}
    make_insert = pg_insert if database.backend == "postgresql" else sqlite_insert
    insert = (
        make_insert(table)
        .values(caller_kind=kind, caller_id=caller_id, key=key, **fresh)
        .on_conflict_do_nothing(index_elements=["caller_kind", "caller_id", "key"])
        .returning(table.c.id)
    )
    mine = (table.c.caller_kind == kind) & (table.c.caller_id == caller_id) & (table.c.key == key)
    # A concurrent release or takeover can change the row between our statements: look again.
    for _ in range(3):
        async with database.session(write=True) as session:
            new_id = (await session.execute(insert)).scalar_one_or_none()
            if new_id is not None:
                return KeyRow(new_id, request_hash, IN_FLIGHT, None, None, None, claimed=True)
            row = (await session.execute(select(IdempotencyKey).where(mine))).scalar_one_or_none()
            if row is None:
                continue
            if row.created_at > now - LIFETIME:
                return KeyRow(
                    row.id, row.request_hash, row.state, row.status, row.headers, row.body, False
                )
            taken = await session.execute(
                update(table)
                .where(table.c.id == row.id, table.c.created_at == row.created_at)
                .values(status=None, headers=None, body=None, **fresh)
            )
            if rowcount(taken) == 1:
                return KeyRow(row.id, request_hash, IN_FLIGHT, None, None, None, claimed=True)
    raise RuntimeError(f"idempotency key {key!r} kept changing under us")


async def finish(
    database: Database, key_id: int, *, status: int, headers: list[list[str]], body: bytes
) -> None:
    async with database.session(write=True) as session:
        await session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.id == key_id, IdempotencyKey.state == IN_FLIGHT)
            .values(state=DONE, status=status, headers=headers, body=body)
        )


async def release(database: Database, key_id: int) -> None:
    """Forget a claim whose request failed, so that a retry runs again."""
    async with database.session(write=True) as session:
        await session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.id == key_id, IdempotencyKey.state == IN_FLIGHT
            )
        )


async def purge(database: Database, now: datetime) -> int:
    """Delete the void rows (older than the lifetime); returns how many."""
    async with database.session(write=True) as session:
        result = await session.execute(
            delete(IdempotencyKey).where(IdempotencyKey.created_at <= now - LIFETIME)
        )
        return rowcount(result)
