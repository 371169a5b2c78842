"""The daily `backup` job: at 01:30 Asia/Shanghai, prunes by the retention rule, and a failed
backup tells every active admin (and is listed as failed)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from config import Settings
from jobs.backup import run_backup
from jobs.registry import JOBS
from jobs.runner import AsOf
from persistence import backup as backup_module
from persistence.backup import BackupError, list_backups, name_of
from persistence.models import Notification


def settings_for(app, tmp_path: Path) -> Settings:
    return app.state.settings.model_copy(update={"backup_dir": tmp_path / "backups"})


def test_the_job_runs_daily_at_0130_shanghai():
    spec = JOBS["backup"]
    assert spec.every == timedelta(days=1)
    assert spec.due_at(datetime(2024, 10, 14, 18, 0, tzinfo=UTC)) == datetime(
        2024, 10, 14, 17, 30, tzinfo=UTC
    )  # 01:30 on the 15th in Shanghai


async def test_a_run_backs_up_and_prunes_by_retention(app, database, tmp_path):
    settings = settings_for(app, tmp_path)
    settings.backup_dir.mkdir()
    old = [datetime(2024, 10, 14, 17, 30, tzinfo=UTC) - timedelta(days=n) for n in range(10)]
    for at in old:  # ten nightly archives from long ago: 01:30 on 6–15 Oct 2024 in Shanghai
        (settings.backup_dir / name_of(at)).write_bytes(b"x")
    result = await run_backup(database, AsOf(datetime.now(UTC)), settings)
    left = {b.name for b in list_backups(settings.backup_dir)}
    assert result["backup"] in left
    # kept: the new one and 6 more days (10–15 Oct); weeks: today's, 14–20 Oct (the 15th),
    # 7–13 Oct (the 13th), 30 Sep–6 Oct (the 6th); months: today's and October (the 15th)
    kept_old = {name_of(at) for at in old[:6]} | {name_of(old[9])}
    assert left == kept_old | {result["backup"]}
    assert set(result["removed"]) == {name_of(at) for at in old} - kept_old


async def test_a_failed_backup_notifies_every_active_admin(
    app, database, users, tmp_path, monkeypatch
):
    def disk_full(*_args) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup_module, "_stage_attachments", disk_full)
    settings = settings_for(app, tmp_path)
    now = datetime.now(UTC)
    with pytest.raises(BackupError, match="No space left"):
        await run_backup(database, AsOf(now), settings)
    [failed] = list_backups(settings.backup_dir)
    assert failed.status == "failed" and "No space left" in failed.error
    async with database.session(write=False) as session:
        told = set(
            (
                await session.scalars(
                    select(Notification.user_id).where(
                        Notification.kind == "backup_failed", Notification.created_at == now
                    )
                )
            ).all()
        )
    assert users["admin"].id in told and users["supervisor"].id not in told
