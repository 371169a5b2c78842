"""Backups: one archive per backup, restored only after it has been checked whole.

An archive (`crm-backup-<UTC time>.tar`) holds `manifest.json` first, then the database —
`database.sqlite3` (SQLite's online backup API) or `database.dump` (`pg_dump` custom format,
taken in an exported snapshot, so the row counts in the manifest are those of the dump) — and
the attachments under `attachments/`. The manifest names the format, the back-end, the schema
revision, the row count of every table and the size and SHA-256 of every file.

The database is copied first and the attachments after: an attachment's file is written before
its row commits, so every attachment row in the snapshot finds its file (a file uploaded
meanwhile is an unused extra).

A restore reads the whole archive and checks every file against the manifest before it touches
anything; it writes only into an empty database (or, with `force`, after a backup of the one it
replaces), verifies the row counts, then migrates an older revision to head.
"""

import asyncio
import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import asyncpg
from sqlalchemy.engine import URL, make_url

from persistence.db import async_url, backend_name

FORMAT = 1
MANIFEST = "manifest.json"
PREFIX = "crm-backup-"
SUFFIX = ".tar"
PARTIAL = ".partial"
FAILED = ".failed.json"
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class Tools:
    """Where pg_dump and pg_restore are (CRM_PG_DUMP / CRM_PG_RESTORE, else on PATH)."""

    pg_dump: str = "pg_dump"
    pg_restore: str = "pg_restore"


@dataclass(frozen=True, slots=True)
class BackupFile:
    id: int  # the time in Unix milliseconds: sortable, and what audit entries point at
    name: str
    path: Path
    created_at: datetime
    size: int
    status: str  # complete | running | failed
    error: str | None = None


def backup_id(at: datetime) -> int:
    """Milliseconds since the Unix epoch: sortable, exact in JavaScript (< 2**53)."""
    return int(at.replace(microsecond=0).timestamp()) * 1000 + at.microsecond // 1000


def name_of(at: datetime) -> str:
    at = at.astimezone(UTC)
    return f"{PREFIX}{at.strftime('%Y%m%dT%H%M%S')}{at.microsecond // 1000:03d}Z{SUFFIX}"


def time_of(name: str) -> datetime | None:
    stem = name.removeprefix(PREFIX).split(".")[0].removesuffix("Z")
    try:
        return datetime.strptime(stem[:15], "%Y%m%dT%H%M%S").replace(
            microsecond=int(stem[15:18] or 0) * 1000, tzinfo=UTC
        )
    except ValueError:
        return None


def list_backups(directory: Path) -> list[BackupFile]:
    """Every backup in `directory`, newest first: complete archives, ones being written
    (`.partial`) and failed ones (`.failed.json` with the error)."""
    found: list[BackupFile] = []
    if not directory.is_dir():
        return found
    for path in directory.iterdir():
        if not path.name.startswith(PREFIX):
            continue
        at = time_of(path.name)
        if at is None:
            continue
        name = path.name.split(SUFFIX)[0] + SUFFIX
        if path.name.endswith(SUFFIX):
            status, error = "complete", None
        elif path.name.endswith(SUFFIX + PARTIAL):
            status, error = "running", None
        elif path.name.endswith(SUFFIX + FAILED):
            status = "failed"
            try:
                error = json.loads(path.read_text(encoding="utf-8")).get("error")
            except (OSError, ValueError):
                error = None
        else:
            continue
        try:
            size = path.stat().st_size if status != "failed" else 0
        except FileNotFoundError:  # finished or removed while we looked
            continue
        found.append(BackupFile(backup_id(at), name, path, at, size, status, error))
    return sorted(found, key=lambda b: b.id, reverse=True)


# ---- taking a backup -------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _pg(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password (kept out of the process list) and the environment
    that carries it."""
    parsed: URL = make_url(async_url(url))
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


async def _pg_connect(url: str) -> asyncpg.Connection:
    dsn = (
        make_url(async_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    return await asyncpg.connect(dsn)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_counts(connection: sqlite3.Connection) -> tuple[dict[str, int], str | None]:
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    counts = {
        name: connection.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0]
        for name in names
    }
    revision = None
    if "alembic_version" in counts:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    return counts, revision


def _backup_sqlite(url: str, target: Path) -> tuple[dict[str, int], str | None]:
    source_path = _sqlite_path(url)
    if not source_path.exists():
        raise BackupError(f"the database {source_path} does not exist")
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        # pages=-1: one step, so the copy is one consistent read of the source; WAL writers go
        # on meanwhile.
        source.backup(copy, pages=-1)
        return _sqlite_counts(copy)
    finally:
        copy.close()
        source.close()


async def _pg_counts(connection: asyncpg.Connection) -> tuple[dict[str, int], str | None]:
    names = [
        r["tablename"]
        for r in await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    counts = {
        name: await connection.fetchval(f"SELECT count(*) FROM public.{_quote(name)}")
        for name in names
    }
    revision = (
        await connection.fetchval("SELECT version_num FROM alembic_version")
        if "alembic_version" in counts
        else None
    )
    return counts, revision


async def _run(argv: list[str], env: dict[str, str]) -> None:
    try:
        process = await asyncio.create_subprocess_exec(
            *argv, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
    except FileNotFoundError:
        raise BackupError(
            f"{argv[0]} not found: install the PostgreSQL client tools "
            "or set CRM_PG_DUMP / CRM_PG_RESTORE"
        ) from None
    _, err = await process.communicate()
    if process.returncode != 0:
        lines = [line for line in err.decode(errors="replace").splitlines() if line.strip()]
        last = lines[-1] if lines else f"exit status {process.returncode}"
        raise BackupError(f"{Path(argv[0]).name} failed: {last}")


async def _backup_postgres(
    url: str, target: Path, tools: Tools
) -> tuple[dict[str, int], str | None]:
    connection = await _pg_connect(url)
    try:
        transaction = connection.transaction(isolation="repeatable_read", readonly=True)
        await transaction.start()
        try:
            snapshot = await connection.fetchval("SELECT pg_export_snapshot()")
            dsn, env = _pg(url)
            dump = asyncio.create_task(
                _run(
                    [
                        tools.pg_dump,
                        "--format=custom",
                        "--no-owner",
                        "--no-privileges",
                        f"--snapshot={snapshot}",
                        f"--file={target}",
                        f"--dbname={dsn}",
                    ],
                    env,
                )
            )
            try:
                counts = await _pg_counts(connection)  # the same snapshot as the dump
            finally:
                await dump
            return counts
        finally:
            await transaction.rollback()
    finally:
        await connection.close()


def _stage_attachments(source: Path | None, stage: Path) -> None:
    if source is None or not source.is_dir():
        return
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        target = stage / "attachments" / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copy2(path, target)
        except FileNotFoundError:  # deleted since listed
            continue


def _write_archive(stage: Path, manifest: dict[str, Any], partial: Path) -> None:
    with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
        body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(body), int(datetime.now(UTC).timestamp()), 0o600
        archive.addfile(info, _Bytes(body))
        for name in sorted(manifest["files"]):
            archive.add(stage / name, arcname=name, recursive=False)
    with partial.open("rb") as handle:
        os.fsync(handle.fileno())


class _Bytes:
    def __init__(self, data: bytes) -> None:
        self.data, self.offset = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.offset + size
        chunk, self.offset = self.data[self.offset : end], min(end, len(self.data))
        return chunk


async def create_backup(
    database_url: str,
    attachments_dir: Path | None,
    directory: Path,
    *,
    now: datetime | None = None,
    tools: Tools = Tools(),
    on_failure: Callable[[str], None] | None = None,
) -> BackupFile:
    """Back up the database and the attachments into one new archive in `directory`. A failure
    leaves `<name>.failed.json` (listed as failed) and raises BackupError."""
    at = now or datetime.now(UTC)
    directory.mkdir(parents=True, exist_ok=True)
    name = name_of(at)
    final, partial = directory / name, directory / (name + PARTIAL)
    if final.exists() or partial.exists():
        raise BackupError(f"a backup named {name} exists already")
    partial.touch()
    backend = backend_name(database_url)
    try:
        with tempfile.TemporaryDirectory(prefix="crm-backup-", dir=directory) as tmp:
            stage = Path(tmp)
            if backend == "sqlite":
                db_file = "database.sqlite3"
                counts, revision = await asyncio.to_thread(
                    _backup_sqlite, database_url, stage / db_file
                )
            elif backend == "postgresql":
                db_file = "database.dump"
                counts, revision = await _backup_postgres(database_url, stage / db_file, tools)
            else:
                raise BackupError(f"cannot back up a {backend} database")
            await asyncio.to_thread(_stage_attachments, attachments_dir, stage)

            def finish() -> None:
                files = {}
                for path in sorted(p for p in stage.rglob("*") if p.is_file()):
                    relative = path.relative_to(stage).as_posix()
                    files[relative] = {"size": path.stat().st_size, "sha256": _sha256(path)}
                manifest = {
                    "format": FORMAT,
                    "created_at": at.astimezone(UTC).isoformat(),
                    "backend": backend,
                    "revision": revision,
                    "database": db_file,
                    "tables": counts,
                    "files": files,
                }
                _write_archive(stage, manifest, partial)

            await asyncio.to_thread(finish)
        partial.rename(final)
    except BaseException as exc:
        partial.unlink(missing_ok=True)
        message = str(exc) if isinstance(exc, BackupError) else f"{type(exc).__name__}: {exc}"
        (directory / (name + FAILED)).write_text(
            json.dumps({"error": message, "at": at.isoformat()}, ensure_ascii=False),
            encoding="utf-8",
        )
        if on_failure is not None:
            on_failure(message)
        if isinstance(exc, BackupError) or not isinstance(exc, Exception):
            raise
        raise BackupError(message) from exc
    return BackupFile(backup_id(at), name, final, at, final.stat().st_size, "complete")


# ---- checking and restoring ------------------------------------------------------------------


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    member = archive.next()
    if member is None or member.name != MANIFEST or not member.isfile():
        raise BackupError("not a CRM backup: the archive does not start with manifest.json")
    handle = archive.extractfile(member)
    try:
        manifest = json.loads(handle.read()) if handle else None
    except ValueError:
        manifest = None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise BackupError("the backup's manifest is damaged")
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"unknown backup format {manifest.get('format')!r} (this version reads format {FORMAT})"
        )
    return manifest


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def verify_archive(path: Path, into: Path) -> dict[str, Any]:
    """Check every file of the archive against its manifest while extracting it into `into`;
    raises BackupError naming the first problem. Nothing outside `into` is written."""
    if not path.is_file():
        raise BackupError(f"no such backup: {path}")
    try:
        with tarfile.open(path, "r:") as archive:
            manifest = read_manifest(archive)
            expected: dict[str, dict[str, Any]] = manifest["files"]
            seen: set[str] = set()
            while (member := archive.next()) is not None:
                name = member.name
                if name not in expected or not _safe_name(name) or not member.isfile():
                    raise BackupError(
                        f"the archive holds {name!r}, which its manifest does not list: refused"
                    )
                if name in seen:
                    raise BackupError(f"the archive holds {name!r} twice: refused")
                seen.add(name)
                target = into / name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                source = archive.extractfile(member)
                with target.open("wb") as out:
                    while source and (block := source.read(CHUNK)):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
                want = expected[name]
                if size != want.get("size") or digest.hexdigest() != want.get("sha256"):
                    raise BackupError(
                        f"{name} in the backup does not match its checksum: the "
                        "archive is damaged or was changed; nothing restored"
                    )
            missing = sorted(set(expected) - seen)
            if missing:
                raise BackupError(
                    f"the backup is incomplete ({missing[0]} is missing); nothing restored"
                )
    except (tarfile.TarError, EOFError) as exc:
        raise BackupError(
            f"the backup archive is truncated or damaged ({exc}); nothing restored"
        ) from None
    if manifest.get("database") not in expected:
        raise BackupError("the backup holds no database file; nothing restored")
    return manifest


async def database_rows(database_url: str) -> dict[str, int]:
    """Row counts of every table of the database (an empty dict when it has no tables)."""
    backend = backend_name(database_url)
    if backend == "sqlite":
        path = _sqlite_path(database_url)
        if not path.exists():
            return {}

        def count() -> dict[str, int]:
            connection = sqlite3.connect(path, timeout=30)
            try:
                return _sqlite_counts(connection)[0]
            finally:
                connection.close()

        return await asyncio.to_thread(count)
    connection = await _pg_connect(database_url)
    try:
        return (await _pg_counts(connection))[0]
    finally:
        await connection.close()


def _holds_data(counts: dict[str, int]) -> list[str]:
    return sorted(t for t, n in counts.items() if n and t != "alembic_version")


async def _empty_postgres(database_url: str) -> None:
    connection = await _pg_connect(database_url)
    try:
        await connection.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
    finally:
        await connection.close()


def _restore_sqlite(source: Path, database_url: str) -> None:
    target_path = _sqlite_path(database_url)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(str(target_path) + suffix).unlink(missing_ok=True)
    backup = sqlite3.connect(source)
    target = sqlite3.connect(target_path)
    try:
        backup.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        backup.close()


def _wipe(database_url: str) -> None:
    """Undo a restore that failed its checks: the target is left empty again."""
    if backend_name(database_url) == "sqlite":
        path = _sqlite_path(database_url)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        asyncio.run(_empty_postgres(database_url))


@dataclass(frozen=True, slots=True)
class RestoreResult:
    revision: str | None
    migrated_to: str | None
    tables: int
    rows: int
    attachments: int
    replaced_backup: Path | None


async def restore_backup(
    path: Path,
    database_url: str,
    attachments_dir: Path | None,
    *,
    force: bool = False,
    backup_dir: Path | None = None,
    tools: Tools = Tools(),
    jobs: int = 4,
) -> RestoreResult:
    """Restore the archive at `path` into `database_url` (and its attachments), which must be
    empty unless `force` (then it is backed up into `backup_dir` first)."""
    from persistence.migrate import head_revision, upgrade

    backend = backend_name(database_url)
    with tempfile.TemporaryDirectory(prefix="crm-restore-") as tmp:
        stage = Path(tmp)
        manifest = await asyncio.to_thread(verify_archive, path, stage)
        if manifest.get("backend") != backend:
            raise BackupError(
                f"this is a {manifest.get('backend')} backup; it restores into a "
                f"{manifest.get('backend')} database, not {backend}"
            )
        filled = _holds_data(await database_rows(database_url))
        existing = (
            sorted(p.name for p in attachments_dir.iterdir())
            if attachments_dir and attachments_dir.is_dir()
            else []
        )
        replaced = None
        if filled or existing:
            if not force:
                what = (
                    f"the database has data ({', '.join(filled[:3])}"
                    f"{', …' if len(filled) > 3 else ''})"
                    if filled
                    else f"{attachments_dir} is not empty"
                )
                raise BackupError(
                    f"{what}: a restore goes into an empty database only; "
                    "use --force to replace it (a backup of it is taken first)"
                )
            if backup_dir is None:
                raise BackupError("--force needs a backup directory for what it replaces")
            replaced = (
                await create_backup(database_url, attachments_dir, backup_dir, tools=tools)
            ).path
        expected: dict[str, int] = manifest["tables"]
        db_file = stage / manifest["database"]
        if backend == "sqlite":
            await asyncio.to_thread(_restore_sqlite, db_file, database_url)
        else:
            await _empty_postgres(database_url)
            dsn, env = _pg(database_url)
            await _run(
                [
                    tools.pg_restore,
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    f"--jobs={max(1, jobs)}",
                    f"--dbname={dsn}",
                    str(db_file),
                ],
                env,
            )
        actual = await database_rows(database_url)
        if actual != expected:
            wrong = sorted(
                t for t in set(actual) | set(expected) if actual.get(t) != expected.get(t)
            )
            await asyncio.to_thread(_wipe, database_url)
            raise BackupError(
                f"row counts after the restore differ from the backup's ({wrong[0]}: "
                f"{actual.get(wrong[0])} ≠ {expected.get(wrong[0])}); the "
                "restore was undone"
            )
        count = 0
        if attachments_dir is not None:
            if attachments_dir.is_dir() and replaced is not None:
                shutil.rmtree(attachments_dir)
            attachments_dir.mkdir(parents=True, exist_ok=True)
            source = stage / "attachments"
            if source.is_dir():
                for file in source.rglob("*"):
                    if file.is_file():
                        target = attachments_dir / file.relative_to(source)
                        target.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(file, target)
                        count += 1
        revision = manifest.get("revision")
        head = head_revision()
        migrated = None
        if revision != head:
            await asyncio.to_thread(upgrade, database_url)
            migrated = head
    return RestoreResult(revision, migrated, len(expected), sum(expected.values()), count, replaced)
