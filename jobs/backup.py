"""The daily backup: a new archive in CRM_BACKUP_DIR, then old ones pruned by the retention
rule (domain.backup_retention). A failed backup tells every active admin and fails the run."""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from config import Settings
from domain.backup_retention import backups_to_keep
from domain.ports import Clock
from persistence.backup import BackupError, Tools, create_backup, list_backups
from persistence.db import Database
from persistence.uow import SqlUnitOfWork

log = logging.getLogger("crm.jobs")
FAILED_KEPT = timedelta(days=30)  # failure records listed on the admin page for a month


def tools_of(settings: Settings) -> Tools:
    return Tools(pg_dump=settings.pg_dump, pg_restore=settings.pg_restore)


def prune(settings: Settings, now: datetime) -> list[str]:
    """Delete the complete backups the retention rule does not keep, and old failure records."""
    backups = list_backups(settings.backup_dir)
    complete = [b for b in backups if b.status == "complete"]
    keep = backups_to_keep(
        (b.created_at for b in complete),
        ZoneInfo(settings.timezone),
        daily=settings.backup_keep_daily,
        weekly=settings.backup_keep_weekly,
        monthly=settings.backup_keep_monthly,
    )
    removed = []
    for backup in backups:
        old_failure = backup.status == "failed" and backup.created_at < now - FAILED_KEPT
        if (backup.status == "complete" and backup.created_at not in keep) or old_failure:
            backup.path.unlink(missing_ok=True)
            removed.append(backup.path.name)
    return removed


async def notify_admins_of_failure(database: Database, message: str, at: datetime) -> None:
    async with database.session(write=True) as session:
        uow = SqlUnitOfWork(session)
        for admin_id in await uow.users.active_admin_ids():
            uow.notifications.add(
                admin_id, "backup_failed", "备份失败 / Backup failed", body=message[:2000], at=at
            )


async def backup_now(database: Database, settings: Settings, at: datetime) -> None:
    """A backup started from the admin page, in the background: failures are told to admins
    (and listed), as for the nightly one."""
    try:
        await create_backup(
            database.url,
            settings.attachments_dir,
            settings.backup_dir,
            now=at,
            tools=tools_of(settings),
        )
    except BackupError as exc:
        log.error("backup failed: %s", exc)
        await notify_admins_of_failure(database, str(exc), datetime.now(UTC))


async def run_backup(
    database: Database, clock: Clock, settings: Settings | None = None
) -> dict[str, Any]:
    settings = settings or Settings()
    try:
        backup = await create_backup(
            database.url,
            settings.attachments_dir,
            settings.backup_dir,
            now=datetime.now(UTC),
            tools=tools_of(settings),
        )
    except BackupError as exc:
        log.error("backup failed: %s", exc)
        await notify_admins_of_failure(database, str(exc), clock.now())
        raise
    removed = prune(settings, clock.now())
    return {"backup": backup.name, "size": backup.size, "removed": removed}
