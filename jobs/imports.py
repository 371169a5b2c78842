"""Running an import: check the rows in batches (progress saved after each, cancel looked at
between them), write the error report, and for a commit write in one transaction (on
PostgreSQL each batch's creates while the next batch is checked) or keep the dry run's
result. The same function runs inside the request for small files and as a background task
for large ones."""

import asyncio
import logging
import secrets
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


async def _summary(sheet: Sheet, checked: Checked, reports_dir: Path) -> dict[str, Any]:
    key = None
    if checked.plan.errors:
        key = secrets.token_hex(16)
        await offload(write_report, report_path(reports_dir, key), sheet, checked)
    return {
        "counts": service.counts(checked),
        "errors": service.error_dicts(checked.plan.errors),
        "duplicates": service.duplicate_dicts(checked),
        "report_key": key,
        "mapping": {"columns": checked.mapping, "unmapped": checked.unmapped, "sheet": sheet.name},
    }


async def _run_records(
    database: Database,
    clock: Any,
    actor: Actor,
    run_id: int,
    options: Options,
    sheet: Sheet,
    *,
    zone: ZoneInfo,
    reports_dir: Path,
    shape: records.ShapeCheck | None,
) -> None:
    """Follow-ups and orders: every row through the API's use case in one transaction,
    rolled back for a dry run or when all-or-nothing meets an error."""
    assert shape is not None
    try:
        async with database.session(write=True) as session:
            uow = SqlUnitOfWork(session)
            plan, mapping, unmapped, created = await records.run(
                uow,
                clock,
                actor,
                options.kind,
                sheet.headers,
                sheet.rows,
                options.mapping,
                shape,
                zone,
            )
            checked = Checked(plan, mapping, unmapped, len(sheet.rows))
            if options.mode.value == "dry_run" or service.rejected(options, checked):
                raise _Rollback(checked)
            run = await _import_record(uow, run_id)
            for name, value in (await _summary(sheet, checked, reports_dir)).items():
                setattr(run, name, value)
            run.undo = {"records": created}
            run.done_rows, run.status, run.finished_at = checked.total, "committed", clock.now()
    except _Rollback as rollback:
        checked = rollback.checked
        status = "checked" if options.mode.value == "dry_run" else "rejected"
        await _set(
            database,
            run_id,
            status=status,
            done_rows=checked.total,
            finished_at=datetime.now(UTC),
            **(await _summary(sheet, checked, reports_dir)),
        )


async def _set(database: Database, run_id: int, **values: Any) -> bool:
    """Update the import record in its own short transaction; True if a cancel is asked."""
    async with database.session(write=True) as session:
        await session.execute(update(DataImport).where(DataImport.id == run_id).values(**values))
        run = await session.get(DataImport, run_id)
        return run is not None and bool(run.cancel_requested)


async def _import_record(uow: SqlUnitOfWork, run_id: int) -> DataImport:
    run = await uow.imports.get(run_id)
    if run is None:  # import records are never deleted
        raise LookupError(f"import {run_id} not found")
    return run


async def _check(
    uow: SqlUnitOfWork,
    actor: Actor,
    options: Options,
    sheet: Sheet,
    progress: Any,
    writer: service.Writer | None = None,
) -> Checked:
    return await service.check(
        uow, actor, options, sheet.headers, sheet.rows, offload, child.call, progress, writer
    )


async def _commit(
    database: Database,
    clock: Any,
    actor: Actor,
    run_id: int,
    options: Options,
    sheet: Sheet,
    zone: ZoneInfo,
    reports_dir: Path,
    progress: Any,
) -> dict[str, Any]:
    """Check and write in one write transaction; _Rollback when all-or-nothing meets an
    error. On PostgreSQL each checked batch's creates are written while the next is checked
    (the lookups read what others committed, never this import's own rows). SQLite has one
    writer at a time, and the import's progress is saved by transactions of their own: there
    the rows are checked first and written after."""
    streamed = database.backend == "postgresql"
    if not streamed:
        async with database.session(write=False) as reading:
            checked = await _check(SqlUnitOfWork(reading), actor, options, sheet, progress)
    async with database.session(write=True) as session:
        uow = SqlUnitOfWork(session)
        run = await _import_record(uow, run_id)
        if run.cancel_requested:
            raise Cancelled
        writer = service.Writer(uow, clock, actor, run, zone, child.call)
        try:
            if streamed:
                async with database.session(write=False) as reading:
                    checked = await _check(
                        SqlUnitOfWork(reading), actor, options, sheet, progress, writer
                    )
            if service.rejected(options, checked):
                raise _Rollback(checked)
            undo = await writer.finish(checked)
        except Exception:
            await writer.settle()
            raise
        for name, value in (await _summary(sheet, checked, reports_dir)).items():
            setattr(run, name, value)
        run.undo, run.status, run.finished_at = undo, "committed", clock.now()
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
        await _run(
            database,
            clock,
            actor,
            run_id,
            options,
            sheet,
            zone=zone,
            reports_dir=reports_dir,
            shape=shape,
        )
    finally:
        # A big file's drafts and plan are gone now: give their pages back, so that the next
        # import (often the commit of this dry run) does not pile up on top of them.
        release_freed_memory()


async def _run(
    database: Database,
    clock: Any,
    actor: Actor,
    run_id: int,
    options: Options,
    sheet: Sheet,
    *,
    zone: ZoneInfo,
    reports_dir: Path,
    shape: records.ShapeCheck | None,
) -> None:
    async def progress(done: int) -> None:
        if await _set(database, run_id, done_rows=done):
            raise Cancelled

    try:
        if options.kind is not ImportKind.CUSTOMERS:
            await _run_records(
                database,
                clock,
                actor,
                run_id,
                options,
                sheet,
                zone=zone,
                reports_dir=reports_dir,
                shape=shape,
            )
            return
        if options.mode is Mode.DRY_RUN:
            async with database.session(write=False) as session:
                checked = await _check(SqlUnitOfWork(session), actor, options, sheet, progress)
            await _set(
                database,
                run_id,
                status="checked",
                done_rows=checked.total,
                finished_at=datetime.now(UTC),
                **(await _summary(sheet, checked, reports_dir)),
            )
            return
        try:
            undo = await _commit(
                database, clock, actor, run_id, options, sheet, zone, reports_dir, progress
            )
        except _Rollback as rollback:
            await _set(
                database,
                run_id,
                status="rejected",
                done_rows=rollback.checked.total,
                finished_at=datetime.now(UTC),
                **(await _summary(sheet, rollback.checked, reports_dir)),
            )
            return
        if undo["created"]:
            search_grams.start(database)  # the created customers' documents have none yet
    except Cancelled:
        await _set(database, run_id, status="cancelled", finished_at=datetime.now(UTC))
    except DomainError as exc:
        await _set(
            database, run_id, status="failed", detail=exc.detail, finished_at=datetime.now(UTC)
        )
    except Exception:
        log.exception("import %s failed", run_id)
        await _set(
            database,
            run_id,
            status="failed",
            detail="internal error",
            finished_at=datetime.now(UTC),
        )
