"""The `crm` command as an operator meets it: one-line errors with a non-zero exit, never a
traceback; postgres:// URLs; a downgrade that would lose data asks for --yes; a lost admin
password is reset from the command line."""

import asyncio

import pytest

from api import cli
from api.security import verify_password
from config import Settings
from jobs.registry import JOBS
from persistence.db import Database, async_url
from persistence.uow import SqlUnitOfWork


@pytest.fixture
def seeded(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("CRM_DATABASE_URL", url)
    monkeypatch.setenv("CRM_ADMIN_PASSWORD", "old-password-1")
    monkeypatch.setenv("CRM_VAR_DIR", str(tmp_path))
    assert cli.main(["migrate"]) == 0
    assert cli.main(["seed-demo"]) == 0
    return url


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    return err


def test_an_unknown_revision_is_one_line(seeded, capsys):
    capsys.readouterr()
    assert cli.main(["migrate", "--revision", "nosuch"]) == 1
    assert "nosuch" in one_line_error(capsys)


def test_a_downgrade_to_base_of_a_database_with_data_asks_for_yes(seeded, capsys):
    capsys.readouterr()
    assert cli.main(["migrate", "--revision", "base"]) == 1
    assert "--yes" in one_line_error(capsys)
    assert (
        cli.main(
            [
                "create-user",
                "--username",
                "still-here",
                "--password",
                "long-enough-1",
                "--role",
                "agent",
            ]
        )
        == 0
    )  # nothing was dropped
    assert cli.main(["migrate", "--revision", "base", "--yes"]) == 0
    assert cli.main(["migrate"]) == 0


def test_an_unknown_department_lists_the_valid_ones(seeded, capsys):
    capsys.readouterr()
    assert (
        cli.main(
            [
                "create-user",
                "--username",
                "someone",
                "--password",
                "long-enough-1",
                "--role",
                "agent",
                "--department",
                "nope",
            ]
        )
        == 1
    )
    err = one_line_error(capsys)
    assert "nope" in err and "after_sales" in err and "sales" in err and "tech" in err


def test_a_database_that_does_not_exist_is_one_line(monkeypatch, capsys):
    monkeypatch.setenv("CRM_DATABASE_URL", "postgres://postgres@127.0.0.1:1/no_such_db")
    assert cli.main(["migrate"]) == 1
    assert "cannot reach the database" in one_line_error(capsys)


def test_postgres_urls_are_postgresql():
    settings = Settings(database_url="postgres://u:p@db:5432/crm")
    assert settings.database_url == "postgresql://u:p@db:5432/crm"
    assert async_url("postgres://u:p@db:5432/crm").startswith("postgresql+asyncpg://")


def test_run_job_help_lists_the_jobs(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["run-job", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert all(name in out for name in JOBS)


def test_reset_password_sets_a_new_one_and_the_old_stops_working(seeded, capsys):
    capsys.readouterr()
    assert cli.main(["reset-password", "--username", "admin"]) == 0
    new = capsys.readouterr().out.split("reset: ")[1].split(";")[0]

    async def hash_of_admin() -> str:
        database = Database(seeded)
        try:
            async with database.session(write=False) as session:
                return (await SqlUnitOfWork(session).users.get_by_username("admin")).password_hash
        finally:
            await database.dispose()

    stored = asyncio.run(hash_of_admin())
    assert verify_password(new, stored) and not verify_password("old-password-1", stored)
    assert cli.main(["reset-password", "--username", "ghost"]) == 1
    assert "ghost" in one_line_error(capsys)
    assert cli.main(["reset-password", "--username", "admin", "--password", "short"]) == 2
    assert "10 characters" in one_line_error(capsys)


def test_serve_refuses_postgresql_without_a_secret_key(monkeypatch, capsys):
    monkeypatch.setenv("CRM_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/anything")
    monkeypatch.delenv("CRM_SECRET_KEY", raising=False)
    assert cli.main(["serve"]) == 1
    assert "CRM_SECRET_KEY" in one_line_error(capsys)
