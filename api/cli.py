"""The `crm` command: serve, migrate, seed-demo, create-user, run-job."""

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from api.settings import Settings


def _passwords():  # noqa: ANN202
    from api.routers.auth import Passwords

    return Passwords


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    uvicorn.run("api.app:create_app", factory=True, host=args.host or settings.host,
                port=args.port or settings.port, workers=args.workers, proxy_headers=True,
                log_level="info")
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from persistence.migrate import downgrade, upgrade

    if args.revision.startswith("-") or args.revision == "base":
        downgrade(settings.database_url, args.revision)
    else:
        upgrade(settings.database_url, args.revision)
    print(f"database at {args.revision}: {settings.database_url}")
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
    from datetime import UTC, datetime

    async def run() -> None:
        database = Database(settings.database_url)
        try:
            async with database.session(write=True) as session:
                uow = SqlUnitOfWork(session)
                department_id = None
                if args.department:
                    department = await uow.users.get_department_by_key_or_name(args.department)
                    if department is None:
                        raise SystemExit(f"unknown department: {args.department}")
                    department_id = department.id
                await user_service.create_user(uow, FixedClock(datetime.now(UTC)), _passwords(),
                                               SYSTEM, {
                    "username": args.username, "password": args.password, "role": args.role,
                    "display_name": args.display_name or args.username,
                    "department_id": department_id})
        finally:
            await database.dispose()

    try:
        asyncio.run(run())
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    print(f"created user {args.username} ({args.role})")
    return 0


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
    parser = argparse.ArgumentParser(prog="crm", description="CRM and service desk")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the API and the web app")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)
    migrate = sub.add_parser("migrate", help="migrate the database (default: to head)")
    migrate.add_argument("--revision", default="head")
    migrate.set_defaults(func=cmd_migrate)
    seed = sub.add_parser("seed-demo", help="seed demo data into an empty database")
    seed.set_defaults(func=cmd_seed_demo)
    create = sub.add_parser("create-user", help="create a user")
    create.add_argument("--username", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--role", required=True,
                        choices=["admin", "supervisor", "account_manager", "agent", "readonly"])
    create.add_argument("--department", help="department key or name")
    create.add_argument("--display-name")
    create.set_defaults(func=cmd_create_user)
    run_job = sub.add_parser("run-job", help="run a scheduled job once now, or as of --now "
                                              "(once per due time: a repeat does nothing)")
    run_job.add_argument("name", help="the job, e.g. sla-scan")
    run_job.add_argument("--now", type=_iso_time, help="ISO 8601, e.g. 2024-10-08T10:00+08:00")
    run_job.set_defaults(func=cmd_run_job)
    reindex = sub.add_parser("reindex", help="rebuild the search index from the customers")
    reindex.set_defaults(func=cmd_reindex)
    args = parser.parse_args(argv)
    return args.func(args, Settings())


if __name__ == "__main__":
    sys.exit(main())
