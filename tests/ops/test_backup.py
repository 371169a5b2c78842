"""Backup and restore on both back-ends: a backup taken while writers run restores into a fresh
database as one consistent moment of the source (row for row), a quiet one restores equal to
the source table by table, attachments byte for byte; a damaged archive or a database with data
is refused and nothing changes."""

import asyncio
import hashlib
import io
import tarfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from persistence.backup import BackupError, create_backup, list_backups, restore_backup
from persistence.db import async_url, backend_name
from persistence.migrate import downgrade, head_revision, upgrade
from tests import attachment_samples as samples
from tests.conftest import create_customer, fresh_database

Rows = dict[str, dict[tuple, tuple]]


@asynccontextmanager
async def fresh(backend: str, tmp: Path) -> AsyncIterator[str]:
    """tests.conftest.fresh_database from async code (it runs its own event loop)."""
    manager = fresh_database(backend, tmp)
    url = await asyncio.to_thread(manager.__enter__)
    try:
        yield url
    finally:
        await asyncio.to_thread(manager.__exit__, None, None, None)


async def snapshot(url: str) -> Rows:
    """Every row of every table, by primary key."""
    engine = create_async_engine(async_url(url), poolclass=NullPool)
    try:
        async with engine.connect() as connection:

            def shape(sync):
                inspector = inspect(sync)
                return {
                    name: inspector.get_pk_constraint(name)["constrained_columns"]
                    for name in inspector.get_table_names()
                }

            tables = await connection.run_sync(shape)
            rows: Rows = {}
            for name, keys in tables.items():
                result = await connection.execute(text(f'SELECT * FROM "{name}"'))
                columns = list(result.keys())
                at = [columns.index(k) for k in keys] or list(range(len(columns)))
                rows[name] = {tuple(r[i] for i in at): tuple(r) for r in result.all()}
            return rows
    finally:
        await engine.dispose()


def files_of(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def attachments(app) -> Path:
    return Path(app.state.settings.attachments_dir)


async def with_attachments(client, users) -> None:
    customer = await create_customer(client, users["am"])
    response = await client.post(
        "/tickets",
        headers=users["admin"].headers,
        json={
            "customer_id": customer["id"],
            "type": "technical_consult",
            "channel": "phone",
            "title": "备份测试",
            "assignee_id": users["agent"].id,
        },
    )
    assert response.status_code == 201, response.text
    for name, data in (("a.png", samples.png(3, 2)), ("b.pdf", samples.pdf())):
        uploaded = await client.post(
            f"/tickets/{response.json()['id']}/attachments",
            headers=users["admin"].headers,
            files={"file": (name, data, "application/octet-stream")},
        )
        assert uploaded.status_code == 201, uploaded.text


async def test_a_backup_under_load_restores_one_consistent_moment(
    client, users, database_url, attachments, tmp_path
):
    await with_attachments(client, users)
    before_backup: list[int] = []
    stop = asyncio.Event()
    written: list[int] = []

    async def writer() -> None:
        while not stop.is_set():
            written.append((await create_customer(client, users["am"]))["id"])

    writers = [asyncio.create_task(writer()) for _ in range(3)]
    while len(written) < 6:  # writers are under way
        await asyncio.sleep(0)
    before_backup.extend(written)
    backup = await create_backup(database_url, attachments, tmp_path / "backups")
    for _ in range(5):  # and keep writing after it
        await create_customer(client, users["am"])
    stop.set()
    await asyncio.gather(*writers)

    source = await snapshot(database_url)
    async with fresh(backend_name(database_url), tmp_path) as target:
        result = await restore_backup(backup.path, target, tmp_path / "restored-files")
        restored = await snapshot(target)
    # every file (other tests' too: the folder is shared), none uploaded meanwhile
    assert result.migrated_to is None and result.attachments == len(files_of(attachments)) >= 2
    assert set(restored) == set(source)
    for table, rows in restored.items():
        if table == "code_counter":  # bumped by every later create
            assert all(rows[k][1] <= source[table][k][1] for k in rows)
            continue
        for key, row in rows.items():  # nothing invented, nothing half-written
            assert source[table].get(key) == row, (table, key)
    customers = set(k[0] for k in restored["customer"])
    assert set(before_backup) <= customers  # everything committed before it started is there
    assert len(customers) < len(source["customer"])  # the later writes are not
    created = {
        row_key[0]
        for row_key, row in restored["audit_event"].items()
        if "customer" in row and "create" in row
    }
    assert len(created) >= len(customers & set(written))  # each customer with its audit entry
    assert files_of(tmp_path / "restored-files") == files_of(attachments)


async def test_a_quiet_backup_restores_every_table_equal(
    client, users, database_url, attachments, tmp_path
):
    await with_attachments(client, users)
    backup = await create_backup(database_url, attachments, tmp_path / "backups")
    assert [b.status for b in list_backups(tmp_path / "backups")] == ["complete"]
    async with fresh(backend_name(database_url), tmp_path) as target:
        await restore_backup(backup.path, target, tmp_path / "restored-files")
        assert await snapshot(target) == await snapshot(database_url)
    assert files_of(tmp_path / "restored-files") == files_of(attachments)


def rewrite(archive: Path, out: Path, change) -> None:
    """A copy of `archive` with one member's bytes changed by `change`."""
    with tarfile.open(archive) as source, tarfile.open(out, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("database."):
                data = change(data)
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))


async def test_damaged_archives_are_refused_and_change_nothing(database_url, attachments, tmp_path):
    backup = await create_backup(database_url, attachments, tmp_path / "backups")
    data = backup.path.read_bytes()
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(data[: len(data) // 2])
    tampered = tmp_path / "tampered.tar"
    rewrite(backup.path, tampered, lambda b: b[:-10] + bytes([b[-10] ^ 1]) + b[-9:])
    not_a_backup = tmp_path / "other.tar"
    with tarfile.open(not_a_backup, "w") as archive:
        archive.add(__file__, arcname="notes.txt")
    async with fresh(backend_name(database_url), tmp_path) as target:
        for bad, says in (
            (truncated, "truncated"),
            (tampered, "checksum"),
            (not_a_backup, "not a CRM backup"),
        ):
            with pytest.raises(BackupError, match=says):
                await restore_backup(bad, target, tmp_path / "files")
            assert await snapshot(target) == {}  # not even a table
            assert not (tmp_path / "files").exists()


async def test_a_database_with_data_is_replaced_only_with_force(
    database_url, attachments, tmp_path
):
    backup = await create_backup(database_url, attachments, tmp_path / "backups")
    async with fresh(backend_name(database_url), tmp_path) as target:
        await restore_backup(backup.path, target, tmp_path / "files")
        with pytest.raises(BackupError, match="--force"):
            await restore_backup(backup.path, target, tmp_path / "files")
        result = await restore_backup(
            backup.path, target, tmp_path / "files", force=True, backup_dir=tmp_path / "replaced"
        )
        assert result.replaced_backup is not None and result.replaced_backup.exists()
        assert await snapshot(target) == await snapshot(database_url)


async def test_a_backup_of_an_older_revision_is_migrated_to_head(
    database_url,
    tmp_path,
):
    async with fresh(backend_name(database_url), tmp_path) as old:
        await asyncio.to_thread(upgrade, old)
        await asyncio.to_thread(downgrade, old, "-1")
        backup = await create_backup(old, None, tmp_path / "backups")
        async with fresh(backend_name(database_url), tmp_path) as target:
            result = await restore_backup(backup.path, target, None)
            assert result.revision != head_revision() and result.migrated_to == head_revision()
            engine = create_async_engine(async_url(target), poolclass=NullPool)
            async with engine.connect() as connection:
                assert (
                    await connection.scalar(text("SELECT version_num FROM alembic_version"))
                    == head_revision()
                )
            await engine.dispose()
