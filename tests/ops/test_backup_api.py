"""The admin page's backups API: admins list, start and download backups (both audited);
everyone else is refused."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from persistence.backup import verify_archive
from persistence.models import AuditEvent


@pytest.fixture
def backup_dir(app, tmp_path) -> Iterator[Path]:
    original = app.state.settings
    app.state.settings = original.model_copy(update={"backup_dir": tmp_path / "backups"})
    yield app.state.settings.backup_dir
    app.state.settings = original


async def finished(app) -> None:
    await asyncio.gather(*list(getattr(app.state, "backup_tasks", ())))


async def test_an_admin_starts_lists_and_downloads_a_backup(
    app, client, users, database, backup_dir, tmp_path
):
    admin = users["admin"].headers
    started = await client.post("/backups", headers=admin)
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "running"
    await finished(app)
    listed = (await client.get("/backups", headers=admin)).json()
    assert [(b["id"], b["status"]) for b in listed] == [(started.json()["id"], "complete")]
    assert listed[0]["size"] == (backup_dir / listed[0]["name"]).stat().st_size > 0

    got = await client.get(f"/backups/{listed[0]['id']}/download", headers=admin)
    assert got.status_code == 200 and got.headers["content-type"] == "application/x-tar"
    assert listed[0]["name"] in got.headers["content-disposition"]
    (tmp_path / "got.tar").write_bytes(got.content)
    manifest = verify_archive(tmp_path / "got.tar", tmp_path / "check")
    assert manifest["tables"]["user"] >= 6

    async with database.session(write=False) as session:
        audited = (
            await session.execute(
                select(AuditEvent.action, AuditEvent.actor_id)
                .where(AuditEvent.entity_type == "backup", AuditEvent.entity_id == listed[0]["id"])
                .order_by(AuditEvent.id)
            )
        ).all()
    assert audited == [("create", users["admin"].id), ("download", users["admin"].id)]


async def test_others_are_refused_and_unknown_backups_are_404(
    client,
    users,
    backup_dir,
):
    for role in ("supervisor", "am", "agent", "readonly"):
        headers = users[role].headers
        assert (await client.get("/backups", headers=headers)).status_code == 403
        assert (await client.post("/backups", headers=headers)).status_code == 403
        assert (
            await client.get("/backups/1704067200000/download", headers=headers)
        ).status_code == 403
    assert not backup_dir.exists()
    missing = await client.get("/backups/1704067200000/download", headers=users["admin"].headers)
    assert missing.status_code == 404
