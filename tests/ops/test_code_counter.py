"""Codes (customers, tickets, orders) come from a counter per month. On PostgreSQL a create
must not wait for another create's commit to get its number: the counter commits at once."""

import asyncio
import uuid

import pytest

from persistence.uow import SqlUnitOfWork


async def test_a_number_does_not_wait_for_an_open_transaction(database):
    if database.backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: there the counter is in the transaction")
    prefix = f"T{uuid.uuid4().hex[:8]}"
    taken = asyncio.Event()
    release = asyncio.Event()

    async def slow_create() -> int:
        async with database.session(write=True) as session:
            number = await SqlUnitOfWork(session).codes.next_value(prefix)
            taken.set()
            await release.wait()  # the create goes on; its transaction stays open
            return number

    first = asyncio.create_task(slow_create())
    await taken.wait()
    try:
        async with database.session(write=True) as session:
            second = await asyncio.wait_for(SqlUnitOfWork(session).codes.next_value(prefix), 5)
    finally:
        release.set()
    assert (await first, second) == (1, 2)


async def test_a_create_that_fails_leaves_a_gap_never_a_repeat(database):
    prefix = f"G{uuid.uuid4().hex[:8]}"
    with pytest.raises(RuntimeError):
        async with database.session(write=True) as session:
            await SqlUnitOfWork(session).codes.next_value(prefix)
            raise RuntimeError("the create failed after taking its number")
    async with database.session(write=True) as session:
        again = await SqlUnitOfWork(session).codes.next_value(prefix)
    # PostgreSQL: the first number was committed on its own, so it is gone; SQLite rolled it
    # back with the transaction. Either way no number is handed out twice.
    assert again == (2 if database.backend == "postgresql" else 1)
