"""The `crm` command: serve, migrate, seed-demo, create-user, reset-password, run-job.

A failure is one line on stderr and a non-zero exit, never a traceback (CRM_DEBUG=1 shows it).
"""

import argparse
import asyncio
import json
import os
import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from config import Settings


def _passwords():  # noqa: ANN202
    from api.security import Passwords

    return Passwords


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from persistence.db import backend_name

    if backend_name(settings.database_url) == "postgresql" and not settings.secret_key:
        # A key generated into var/ would differ per machine or container: tokens signed by one
        # process would be refused by the next, and a new container would sign everyone out.
        raise CliError(
            "on PostgreSQL set CRM_SECRET_KEY (the same long random value for every "
            "server process), e.g. `python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'`"
        )
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers,
        proxy_headers=True,
        log_level="info",
        access_log=False,
    )  # api.observability logs each request
    return 0


class CliError(Exception):
    """A failure the user can act on: printed as one line, exit status 1 (or `status`)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from persistence.migrate import data_tables, downgrade, upgrade

    if args.revision.startswith("-") or args.revision == "base":
        filled = data_tables(settings.database_url)
        if filled and not args.yes:
            raise CliError(
                f"a downgrade to {args.revision} drops tables and columns and this "
                f"database has data ({', '.join(filled[:5])}"
                f"{', …' if len(filled) > 5 else ''}); take a backup, then "
                "repeat with --yes"
            )
        downgrade(settings.database_url, args.revision)
    else:
        upgrade(settings.database_url, args.revision)
    print(f"database at {args.revision}: {_safe_url(settings.database_url)}")
    return 0


def cmd_seed_demo(args: argparse.Namespace, settings: Settings) -> int:
    from jobs.seed_demo import seed_demo
    from persistence.db import Database

    async def run() -> dict[str, str] | None:
        database = Database(settings.database_url)
        try:
            return await seed_demo(database, _passwords(), settings.admin_password)
        finally:
            await database.dispose()

    logins = asyncio.run(run())
    if logins is None:
        print("Demo data already there (the database has users); nothing seeded.")
        return 0
    url = f"http://{settings.host}:{settings.port}/"
    print("\n" + "=" * 64)
    print(f"  Demo data seeded. Open {url}")
    print(f"  Admin login:  username admin   password {logins['admin']}")
    print("  Other demo users (same password): " + ", ".join(u for u in logins if u != "admin"))
    print("  Set CRM_ADMIN_PASSWORD before the first start to choose it yourself.")
    print("=" * 64 + "\n")
    return 0


def cmd_create_user(args: argparse.Namespace, settings: Settings) -> int:
    from domain import user_service
    from domain.errors import DomainError
    from domain.roles import SYSTEM
    from jobs.seed_demo import FixedClock
    from persistence.db import Database
    from persistence.uow import SqlUnitOfWork

    async def run() -> None:
        database = Database(settings.database_url)
        try:
            async with database.session(write=True) as session:
                uow = SqlUnitOfWork(session)
                department_id = None
                if args.department:
                    department = await uow.users.get_department_by_key_or_name(args.department)
                    if department is None:
                        known = await uow.users.list_departments()
                        raise CliError(
                            f"unknown department: {args.department}; departments: "
                            + (", ".join(f"{d.key} ({d.name})" for d in known) or "none yet")
                        )
                    department_id = department.id
                await user_service.create_user(
                    uow,
                    FixedClock(datetime.now(UTC)),
                    _passwords(),
                    SYSTEM,
                    {
                        "username": args.username,
                        "password": args.password,
                        "role": args.role,
                        "display_name": args.display_name or args.username,
                        "department_id": department_id,
                    },
                )
        finally:
            await database.dispose()

    try:
        asyncio.run(run())
    except DomainError as exc:
        print(f"error: {_domain_message(exc)}", file=sys.stderr)
        return 2
    print(f"created user {args.username} ({args.role})")
    return 0


def cmd_reset_password(args: argparse.Namespace, settings: Settings) -> int:
    from domain import user_service
    from domain.errors import DomainError
    from domain.roles import SYSTEM
    from jobs.seed_demo import FixedClock
    from persistence.db import Database
    from persistence.uow import SqlUnitOfWork

    password = args.password or secrets.token_urlsafe(9)

    async def run() -> None:
        database = Database(settings.database_url)
        try:
            async with database.session(write=True) as session:
                uow = SqlUnitOfWork(session)
                user = await uow.users.get_by_username(args.username)
                if user is None:
                    raise CliError(f"no user named {args.username!r}")
                # Through the service: audited, and every session of the user ends.
                await user_service.update_user(
                    uow,
                    FixedClock(datetime.now(UTC)),
                    _passwords(),
                    SYSTEM,
                    user.id,
                    {"password": password},
                    if_match=None,
                )
        finally:
            await database.dispose()

    try:
        asyncio.run(run())
    except DomainError as exc:
        raise CliError(_domain_message(exc), 2) from None
    shown = "" if args.password else f": {password}"
    print(f"password of {args.username} reset{shown}; their sessions are signed out")
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from jobs.backup import tools_of
    from persistence.backup import BackupError, create_backup

    target = Path(args.to) if args.to else settings.backup_dir
    try:
        backup = asyncio.run(
            create_backup(
                settings.database_url, settings.attachments_dir, target, tools=tools_of(settings)
            )
        )
    except BackupError as exc:
        raise CliError(f"backup failed: {exc}") from None
    print(f"{backup.path} ({backup.size:,} bytes)")
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from jobs.backup import tools_of
    from persistence.backup import BackupError, restore_backup

    url = args.database_url or settings.database_url
    if url.startswith("postgres://"):
        url = "postgresql" + url[len("postgres") :]
    try:
        attachments = (
            Path(args.attachments_dir) if args.attachments_dir else settings.attachments_dir
        )
        result = asyncio.run(
            restore_backup(
                Path(args.file),
                url,
                attachments,
                force=args.force,
                backup_dir=settings.backup_dir,
                tools=tools_of(settings),
                jobs=args.jobs,
            )
        )
    except BackupError as exc:
        raise CliError(f"restore refused: {exc}") from None
    if result.replaced_backup:
        print(f"what was there is backed up in {result.replaced_backup}")
    migrated = f", migrated to {result.migrated_to}" if result.migrated_to else ""
    print(
        f"restored {result.rows:,} rows in {result.tables} tables (counts verified) and "
        f"{result.attachments} attachments into {_safe_url(url)}; backup revision "
        f"{result.revision}{migrated}"
    )
    return 0


def _domain_message(exc: Exception) -> str:
    errors = getattr(exc, "errors", None) or getattr(exc, "extensions", {}).get("errors")
    if errors:
        return "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return getattr(exc, "detail", str(exc))


def _iso_time(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {value!r}") from None


def cmd_run_job(args: argparse.Namespace, settings: Settings) -> int:
    from jobs.registry import JOBS
    from jobs.runner import run_job
    from persistence.db import Database

    if args.name not in JOBS:
        print(f"unknown job: {args.name}; jobs: {', '.join(sorted(JOBS))}", file=sys.stderr)
        return 2
    now = args.now or datetime.now(UTC)
    if now.tzinfo is None:  # a time without offset is in the configured zone
        now = now.replace(tzinfo=ZoneInfo(settings.timezone))

    async def run() -> dict:
        database = Database(settings.database_url)
        try:
            return await run_job(database, args.name, now)
        finally:
            await database.dispose()

    print(json.dumps(asyncio.run(run()), ensure_ascii=False))
    return 0


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "an unparsable URL"


def _explain(exc: BaseException, settings: Settings | None) -> str:
    """One line for a failure a user can meet: bad revision, database missing or down, …"""
    from alembic.util import CommandError
    from sqlalchemy.exc import ArgumentError, DBAPIError

    where = f" ({_safe_url(settings.database_url)})" if settings else ""
    if isinstance(exc, CommandError):
        return f"migration: {exc}"
    if isinstance(exc, ArgumentError):
        return (
            "CRM_DATABASE_URL is not a database URL (sqlite:///path or "
            "postgresql://user:pass@host:5432/db)"
        )
    if isinstance(exc, DBAPIError | OSError):
        cause = exc.orig if isinstance(exc, DBAPIError) else exc
        text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
        if "does not exist" in text and "database" in text:
            return f"the database does not exist{where}: create it first (createdb …)"
        if isinstance(cause, OSError) or "connect" in text.lower() or "refused" in text:
            return f"cannot reach the database{where}: {text}"
        return f"database error{where}: {text}"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from persistence.db import Database
    from persistence.search.index import reindex

    def progress(done: int, seconds: float) -> None:
        print(f"  {done:>9,} customers  {seconds:6.1f} s", file=sys.stderr, flush=True)

    async def run() -> dict:
        database = Database(settings.database_url)
        try:
            async with database.write_engine.begin() as connection:
                return await reindex(connection, progress=progress)
        finally:
            await database.dispose()

    print(json.dumps(asyncio.run(run()), ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    settings: Settings | None = None
    try:
        argv = sys.argv[1:] if argv is None else argv
        parser = _parser(list_jobs="run-job" in argv)
        args = parser.parse_args(argv)
        settings = Settings()
        return args.func(args, settings)
    except CliError as exc:
        print(f"crm: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get("CRM_DEBUG"):
            raise
        print(f"crm: {_explain(exc, settings)}", file=sys.stderr)
        return 1


def _parser(*, list_jobs: bool) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crm", description="CRM and service desk")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the API and the web app")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)
    migrate = sub.add_parser("migrate", help="migrate the database (default: to head)")
    migrate.add_argument(
        "--revision", default="head", help="head (default), a revision id, -1 or base (downgrades)"
    )
    migrate.add_argument(
        "--yes",
        action="store_true",
        help="downgrade even though the database has data (it is lost)",
    )
    migrate.set_defaults(func=cmd_migrate)
    seed = sub.add_parser("seed-demo", help="seed demo data into an empty database")
    seed.set_defaults(func=cmd_seed_demo)
    create = sub.add_parser("create-user", help="create a user")
    create.add_argument("--username", required=True)
    create.add_argument("--password", required=True)
    create.add_argument(
        "--role",
        required=True,
        choices=["admin", "supervisor", "account_manager", "agent", "readonly"],
    )
    create.add_argument("--department", help="department key or name")
    create.add_argument("--display-name")
    create.set_defaults(func=cmd_create_user)
    reset = sub.add_parser(
        "reset-password",
        help="set a new password for a user (e.g. a lost admin password); ends their sessions",
    )
    reset.add_argument("--username", required=True)
    reset.add_argument("--password", help="the new password (default: a random one, printed)")
    reset.set_defaults(func=cmd_reset_password)
    backup = sub.add_parser(
        "backup",
        help="back up the database and the attachments into one "
        "archive (online: the server may keep running)",
    )
    backup.add_argument("--to", help="directory (default CRM_BACKUP_DIR, var/backups)")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser(
        "restore",
        help="restore a backup into an empty database, check its row counts, migrate it to head",
    )
    restore.add_argument("file")
    restore.add_argument("--database-url", help="where to (default CRM_DATABASE_URL)")
    restore.add_argument(
        "--attachments-dir", help="where the attachments go (default CRM_ATTACHMENTS_DIR)"
    )
    restore.add_argument(
        "--force", action="store_true", help="replace a database that has data (backed up first)"
    )
    restore.add_argument("--jobs", type=int, default=4, help="pg_restore processes (default 4)")
    restore.set_defaults(func=cmd_restore)
    epilog = None
    if list_jobs:  # the registry imports every job; only `run-job` pays for that
        from jobs.registry import JOBS

        width = max(len(name) for name in JOBS)
        epilog = "jobs:\n" + "\n".join(
            f"  {name:<{width}}  {spec.description}" for name, spec in sorted(JOBS.items())
        )
    run_job = sub.add_parser(
        "run-job",
        help="run a scheduled job once now, or as of --now "
        "(once per due time: a repeat does nothing)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=epilog,
    )
    run_job.add_argument("name", help="the job, e.g. sla-scan")
    run_job.add_argument("--now", type=_iso_time, help="ISO 8601, e.g. 2024-10-08T10:00+08:00")
    run_job.set_defaults(func=cmd_run_job)
    reindex = sub.add_parser("reindex", help="rebuild the search index from the customers")
    reindex.set_defaults(func=cmd_reindex)
    return parser


if __name__ == "__main__":
    sys.exit(main())
