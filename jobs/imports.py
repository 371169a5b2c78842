"""Running an import: check the rows in batches (progress saved after each, cancel looked at
between them), write the error report, and for a commit write in one transaction (on
PostgreSQL each batch's creates while the next batch is checked) or keep the dry run's
result. The same function runs inside the request for small files and as a background task
for large ones."""

import asyncio
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update

from domain.errors import DomainError
from domain.imports import records, service
from domain.imports.columns import ImportKind, Mode
from domain.imports.service import Checked, Options
from domain.roles import Actor
from jobs import search_grams
from persistence.db import Database
from persistence.imports import child, workbook
from persistence.imports.files import Sheet, release_freed_memory
from persistence.models import DataImport
from persistence.uow import SqlUnitOfWork

log = logging.getLogger("crm.imports")
ERROR_HEADER = {"zh": "错误", "en": "Errors"}


class Cancelled(Exception):
    pass


async def offload(function: Any, *args: Any) -> Any:
    return await asyncio.to_thread(function, *args)


def report_path(reports_dir: Path, key: str) -> Path:
    return Path(reports_dir) / f"{key}.xlsx"


def write_report(path: Path, sheet: Sheet, checked: Checked) -> None:
    """The original rows with an error column in front, ready to fix and upload again."""
    messages: dict[int, list[str]] = {}
    for e in checked.plan.errors:
        messages.setdefault(e.row, []).append(f"{e.column}: {e.message}")
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = workbook.XlsxWriter(
        path, sheet.name, [ERROR_HEADER["zh"], *sheet.headers], [50] + [16] * len(sheet.headers)
    )
    for number, cells in sheet.rows:
        writer.write(["；".join(messages.get(number, [])), *cells])
    writer.close()


class _Rollback(Exception):
    def __init__(self, checked: Checked) -> None:
        self.checked = checked


@dataclass(frozen=True, slots=True)
class _Job:
    """One run of an import: what its steps share."""

    database: Database
    clock: Any
    actor: Actor
    run_id: int
    options: Options
    sheet: Sheet
    zone: ZoneInfo
    reports_dir: Path
    shape: records.ShapeCheck | None

    async def set(self, **values: Any) -> bool:
        """Update the import record in its own short transaction; True if a cancel is asked."""
        async with self.database.session(write=True) as session:
            await session.execute(
                update(DataImport).where(DataImport.id == self.run_id).values(**values)
            )
            run = await session.get(DataImport, self.run_id)
            return run is not None and bool(run.cancel_requested)

    async def summary(self, checked: Checked) -> dict[str, Any]:
        """The result the import record shows, with the error report written if any."""
        key = None
        if checked.plan.errors:
            key = secrets.token_hex(16)
            await offload(write_report, report_path(self.reports_dir, key), self.sheet, checked)
        return {
            "counts": service.counts(checked),
            "errors": service.error_dicts(checked.plan.errors),
            "duplicates": service.duplicate_dicts(checked),
            "report_key": key,
            "mapping": {
                "columns": checked.mapping,
                "unmapped": checked.unmapped,
                "sheet": self.sheet.name,
            },
        }

    async def end_unwritten(self, status: str, checked: Checked) -> None:
        """A dry run (checked) or an all-or-nothing import that met an error (rejected)."""
        await self.set(
            status=status,
            done_rows=checked.total,
            finished_at=datetime.now(UTC),
            **(await self.summary(checked)),
        )

    async def progress(self, done: int) -> None:
        if await self.set(done_rows=done):
            raise Cancelled

    async def check(self, uow: SqlUnitOfWork, writer: service.Writer | None = None) -> Checked:
        return await service.check(
            uow,
            self.actor,
            self.options,
            self.sheet.headers,
            self.sheet.rows,
            offload,
            child.call,
            self.progress,
            writer,
        )


async def _import_record(uow: SqlUnitOfWork, run_id: int) -> DataImport:
    run = await uow.imports.get(run_id)
    if run is None:  # import records are never deleted
        raise LookupError(f"import {run_id} not found")
    return run


async def _run_records(job: _Job) -> None:
    """Follow-ups and orders: every row through the API's use case in one transaction,
    rolled back for a dry run or when all-or-nothing meets an error."""
    assert job.shape is not None
    options, sheet = job.options, job.sheet
    try:
        async with job.database.session(write=True) as session:
            uow = SqlUnitOfWork(session)
            plan, mapping, unmapped, created = await records.run(
                uow,
                job.clock,
                job.actor,
                options.kind,
                sheet.headers,
                sheet.rows,
                options.mapping,
                job.shape,
                job.zone,
            )
            checked = Checked(plan, mapping, unmapped, len(sheet.rows))
            if options.mode is Mode.DRY_RUN or service.rejected(options, checked.plan):
                raise _Rollback(checked)
            run = await _import_record(uow, job.run_id)
            for name, value in (await job.summary(checked)).items():
                setattr(run, name, value)
            run.undo = {"records": created}
            run.done_rows, run.status, run.finished_at = checked.total, "committed", job.clock.now()
    except _Rollback as rollback:
        status = "checked" if options.mode is Mode.DRY_RUN else "rejected"
        await job.end_unwritten(status, rollback.checked)


async def _commit(job: _Job) -> dict[str, Any]:
    """Check and write in one write transaction; _Rollback when all-or-nothing meets an
    error. On PostgreSQL each checked batch's creates are written while the next is checked
    (the lookups read what others committed, never this import's own rows). SQLite has one
    writer at a time, and the import's progress is saved by transactions of their own: there
    the rows are checked first and written after."""
    database = job.database
    streamed = database.backend == "postgresql"
    if not streamed:
        async with database.session(write=False) as reading:
            checked = await job.check(SqlUnitOfWork(reading))
    async with database.session(write=True) as session:
        uow = SqlUnitOfWork(session)
        run = await _import_record(uow, job.run_id)
        if run.cancel_requested:
            raise Cancelled
        writer = service.Writer(uow, job.clock, job.actor, run, job.zone, child.call)
        try:
            if streamed:
                async with database.session(write=False) as reading:
                    checked = await job.check(SqlUnitOfWork(reading), writer)
            if service.rejected(job.options, checked.plan):
                raise _Rollback(checked)
            undo = await writer.finish(checked)
        except Exception:
            await writer.settle()
            raise
        for name, value in (await job.summary(checked)).items():
            setattr(run, name, value)
        run.undo, run.status, run.finished_at = undo, "committed", job.clock.now()
        run.done_rows = checked.total
    return undo


async def run_import(
    database: Database,
    clock: Any,
    actor: Actor,
    run_id: int,
    options: Options,
    sheet: Sheet,
    *,
    zone: ZoneInfo,
    reports_dir: Path,
    shape: records.ShapeCheck | None = None,
) -> None:
    """Check and (unless a dry run or rejected) commit; the record ends in checked,
    rejected, committed, cancelled or failed. Never raises: the record says what happened."""
    try:
        await _run(_Job(database, clock, actor, run_id, options, sheet, zone, reports_dir, shape))
    finally:
        # A big file's drafts and plan are gone now: give their pages back, so that the next
        # import (often the commit of this dry run) does not pile up on top of them.
        release_freed_memory()


async def _run(job: _Job) -> None:
    try:
        if job.options.kind is not ImportKind.CUSTOMERS:
            await _run_records(job)
            return
        if job.options.mode is Mode.DRY_RUN:
            async with job.database.session(write=False) as session:
                checked = await job.check(SqlUnitOfWork(session))
            await job.end_unwritten("checked", checked)
            return
        try:
            undo = await _commit(job)
        except _Rollback as rollback:
            await job.end_unwritten("rejected", rollback.checked)
            return
        if undo["created"]:
            search_grams.start(job.database)  # the created customers' documents have none yet
    except Cancelled:
        await job.set(status="cancelled", finished_at=datetime.now(UTC))
    except DomainError as exc:
        await job.set(status="failed", detail=exc.detail, finished_at=datetime.now(UTC))
    except Exception:
        log.exception("import %s failed", job.run_id)
        await job.set(status="failed", detail="internal error", finished_at=datetime.now(UTC))
