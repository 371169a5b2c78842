"""Backups (admins): list them, start one, download one. `crm restore FILE` restores."""

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel

from api.deps import AdminSettingsDep, ClockDep, DatabaseDep, PathId, SettingsDep, UowDep
from api.problems import problems
from domain import backup_service
from domain.errors import Conflict, Forbidden, NotFound
from jobs.backup import backup_now
from persistence.backup import BackupFile, backup_id, list_backups, name_of

router = APIRouter(prefix="/backups", tags=["backups"])


class BackupOut(BaseModel):
    id: int
    name: str
    created_at: datetime
    size: int  # bytes
    status: str  # complete | running | failed
    error: str | None = None


def _out(backup: BackupFile) -> BackupOut:
    return BackupOut(
        id=backup.id,
        name=backup.name,
        created_at=backup.created_at,
        size=backup.size,
        status=backup.status,
        error=backup.error,
    )


@router.get(
    "",
    response_model=list[BackupOut],
    operation_id="backups:list_backups",
    responses=problems(Forbidden),
)
async def list_all(actor: AdminSettingsDep, settings: SettingsDep) -> list[BackupOut]:
    """The backups in `CRM_BACKUP_DIR`, newest first, with size and status (`running`,
    `complete`, or `failed` with the error)."""
    return [_out(b) for b in await asyncio.to_thread(list_backups, settings.backup_dir)]


@router.post(
    "",
    response_model=BackupOut,
    status_code=202,
    operation_id="backups:start_backup",
    responses=problems(Forbidden, Conflict),
)
async def start(
    request: Request,
    actor: AdminSettingsDep,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    database: DatabaseDep,
) -> BackupOut:
    """Start a backup now; it runs in the background (list the backups to see it finish).
    409 while another one is running. A failure notifies the admins."""
    if any(b.status == "running" for b in list_backups(settings.backup_dir)):
        raise Conflict("A backup is running; wait for it to finish.")
    at = datetime.now(UTC)
    name = name_of(at)
    backup_service.record(uow, clock, actor, backup_id(at), "create", name)
    tasks: set[asyncio.Task] | None = getattr(request.app.state, "backup_tasks", None)
    if tasks is None:  # kept referenced until done (the loop holds tasks only weakly)
        tasks = request.app.state.backup_tasks = set()
    task = asyncio.create_task(backup_now(database, settings, at))
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return BackupOut(id=backup_id(at), name=name, created_at=at, size=0, status="running")


@router.get(
    "/{backup_id}/download",
    response_class=FileResponse,
    operation_id="backups:download_backup",
    responses=problems(Forbidden, NotFound),
)
async def download(
    backup_id: PathId, actor: AdminSettingsDep, uow: UowDep, clock: ClockDep, settings: SettingsDep
) -> FileResponse:
    """The archive of a complete backup (`application/x-tar`); each download is audited."""
    found = [
        b for b in list_backups(settings.backup_dir) if b.id == backup_id and b.status == "complete"
    ]
    if not found:
        raise NotFound("backup", backup_id)
    backup_service.record(uow, clock, actor, backup_id, "download", found[0].name)
    return FileResponse(found[0].path, media_type="application/x-tar", filename=found[0].name)
