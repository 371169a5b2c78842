"""The imports' child processes: they read uploads, check rows and make created customers'
rows ready for COPY. All are CPU-bound Python, which in the server's process holds the
interpreter lock against the event loop and the import's own database writes. Two, so that
a commit checks its next batch while this batch's rows are made ready. Spawned (they share
nothing with the server but what is sent to them), each capped in memory, started on first
use and kept for the next import."""

import asyncio
import multiprocessing
import resource
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

MEMORY = 3 << 30  # bytes of address space a child may take before it is stopped
WORKERS = 2

_child: ProcessPoolExecutor | None = None
_lock = threading.Lock()


def run(function: Callable[..., Any], *args: Any) -> Any:
    """`function(*args)` (module-level, picklable arguments) run in the child; blocking.
    A child that dies (a hostile workbook, the memory cap) fails the call that was running
    with BrokenProcessPool, and the next call starts a new child."""
    return _submit(function, *args).result()


async def call(function: Callable[..., Any], *args: Any) -> Any:
    """`run` for the event loop: awaits the child without holding a thread."""
    return await asyncio.wrap_future(_submit(function, *args))


def _submit(function: Callable[..., Any], *args: Any) -> Future:
    global _child
    with _lock:
        if _child is None:
            _child = _start()
        child = _child
    try:
        future = child.submit(function, *args)
    except BrokenProcessPool:
        _forget(child)
        raise

    def forget_if_broken(done: Future) -> None:
        if not done.cancelled() and isinstance(done.exception(), BrokenProcessPool):
            _forget(child)

    future.add_done_callback(forget_if_broken)
    return future


def _forget(child: ProcessPoolExecutor) -> None:
    global _child
    with _lock:
        if _child is child:
            _child = None


def _start() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=WORKERS,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_limit_memory,
        initargs=(MEMORY,),
    )


def stop() -> None:
    """Stop the child, if one was started (when the server stops)."""
    global _child
    with _lock:
        child, _child = _child, None
    if child is not None:
        child.shutdown(wait=True, cancel_futures=True)


def _limit_memory(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
