"""The job runner: due times, claims (once per due time), failures, concurrency in one
process, the scheduler in `crm serve`, and `crm run-job`."""

import asyncio
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from api import cli
from api.app import create_app
from config import Settings
from jobs import scheduler as job_scheduler
from jobs.registry import JOBS, JobSpec
from jobs.runner import AsOf, UnknownJob, run_job
from jobs.sla_scan import run_sla_scan
from persistence import job_repo
from persistence.db import Database
from tests.jobs.conftest import local

MINUTE = timedelta(minutes=1)
EVERYONE = ("admin", "admin2", "agent", "supervisor")


async def nothing(database, clock):
    return {}


class TestDueTimes:
    def test_a_run_stands_for_the_start_of_its_period(self):
        every_5 = JobSpec(nothing, every=timedelta(minutes=5))
        assert every_5.due_at(local("2024-10-14 10:07:30")) == local("2024-10-14 10:05")
        assert every_5.due_at(local("2024-10-14 10:05")) == local("2024-10-14 10:05")
        assert every_5.due_at(local("2024-10-14 10:04:59.9")) == local("2024-10-14 10:00")
        # daily at 02:00 Shanghai = 18:00 UTC
        daily = JobSpec(nothing, every=timedelta(days=1), offset=timedelta(hours=18))
        assert daily.due_at(local("2024-10-15 01:59")) == local("2024-10-14 02:00")
        assert daily.due_at(local("2024-10-15 02:00")) == local("2024-10-15 02:00")

    def test_a_naive_time_is_refused(self):
        with pytest.raises(ValueError):
            JOBS["sla-scan"].due_at(datetime(2024, 10, 14, 10))

    def test_the_registered_jobs_and_periods(self):
        assert JOBS["sla-scan"].every == MINUTE
        assert JOBS["update-reminder"].every == 5 * MINUTE
        assert JOBS["email-outbox"].every == MINUTE
        assert JOBS["search-grams"].every == MINUTE


class TestClaims:
    async def test_a_due_time_runs_once_and_is_recorded(self, desk):
        first = await desk.run("sla-scan", local("2024-10-14 10:00:10"))
        second = await desk.run("sla-scan", local("2024-10-14 10:00:50"))
        assert first["ran"] is True and second["ran"] is False
        assert first["due_at"] == second["due_at"] == "2024-10-14T02:00:00+00:00"
        [run] = await job_repo.list_runs(desk.database, "sla-scan")
        assert run.due_at == local("2024-10-14 10:00") and run.result == first["result"]
        assert run.finished_at is not None and run.started_at <= run.finished_at
        # another job's claim for the same due time is its own
        assert (await desk.run("update-reminder", local("2024-10-14 10:00:50")))["ran"]

    async def test_a_failed_run_gives_its_claim_back(self, desk):
        async def broken(database, clock):
            raise RuntimeError("SMTP down")

        async def working(database, clock):
            return {"sent": 3, "as_of": clock.now().isoformat()}

        at = local("2024-10-14 10:00:10")
        with pytest.raises(RuntimeError):
            await run_job(desk.database, "flaky", at, jobs={"flaky": JobSpec(broken, MINUTE)})
        assert await job_repo.list_runs(desk.database, "flaky") == []
        retry = await run_job(desk.database, "flaky", at, jobs={"flaky": JobSpec(working, MINUTE)})
        assert retry["ran"] and retry["result"] == {"sent": 3, "as_of": at.isoformat()}

    async def test_an_unknown_job_is_refused(self, desk):
        with pytest.raises(UnknownJob):
            await desk.run("no-such-job", local("2024-10-14 10:00"))


class TestConcurrencyInOneProcess:
    async def test_two_runs_for_one_due_time_run_it_once(self, desk):
        t = await desk.ticket(local("2024-10-14 09:00"), priority="P1")
        runs = await asyncio.gather(
            desk.run("sla-scan", local("2024-10-14 09:30:05")),
            desk.run("sla-scan", local("2024-10-14 09:30:35")),
        )
        assert sorted(r["ran"] for r in runs) == [False, True]
        assert await desk.alerts(t["id"]) == [
            ("first_response", "breach"),
            ("first_response", "warning"),
        ]
        assert await desk.notified(t["id"], "sla_breach") == [
            (user, "sla_breach") for user in EVERYONE
        ]

    async def test_concurrent_scans_alert_once_even_without_the_claim(self, desk):
        # The job bodies alone, at different times: sla_alert's key still decides.
        t = await desk.ticket(local("2024-10-14 09:00"), priority="P1")
        results = await asyncio.gather(
            *(
                run_sla_scan(desk.database, AsOf(at))
                for at in (
                    local("2024-10-14 09:30"),
                    local("2024-10-14 09:31"),
                    local("2024-10-14 09:32"),
                )
            )
        )
        assert sum(r["alerts"] for r in results) == 2
        assert await desk.notified(t["id"]) == sorted(
            [(user, kind) for user in EVERYONE for kind in ("sla_breach", "sla_warning")]
            + [("supervisor", "sla_escalation")]
        )
        assert [kind for kind, _ in await desk.sla_events(t["id"])] == ["sla", "sla", "escalation"]


class TestScheduler:
    def test_every_job_is_scheduled_on_its_period_coalesced_one_at_a_time(self, tmp_path):
        database = Database(f"sqlite:///{tmp_path / 'unused.db'}")
        scheduled = {job.id: job for job in job_scheduler.build_scheduler(database).get_jobs()}
        assert set(scheduled) == set(JOBS)
        for name, job in scheduled.items():
            assert job.coalesce is True and job.max_instances == 1
            assert job.trigger.interval == JOBS[name].every
            assert job.args == (database, name)

    async def test_a_scheduled_tick_runs_the_job_as_of_the_real_time(self, desk):
        before = datetime.now(UTC)
        await job_scheduler._run_now(desk.database, "sla-scan")
        [run] = await job_repo.list_runs(desk.database, "sla-scan")
        assert JOBS["sla-scan"].due_at(before) <= run.due_at <= datetime.now(UTC)

    async def test_the_server_runs_the_scheduler_unless_jobs_are_off(self, tmp_path, monkeypatch):
        monkeypatch.setenv("CRM_JOBS", "off")
        assert Settings().jobs is False
        for jobs in (True, False):
            app = create_app(
                Settings(
                    database_url=f"sqlite:///{tmp_path / 'serve.db'}",
                    secret_key="x" * 32,
                    var_dir=tmp_path,
                    frontend_dist=tmp_path / "none",
                    jobs=jobs,
                )
            )
            async with app.router.lifespan_context(app):
                scheduler = app.state.scheduler
                if jobs:
                    assert scheduler.running
                    assert {job.id for job in scheduler.get_jobs()} == set(JOBS)
                else:
                    assert scheduler is None
            if jobs:
                await asyncio.sleep(0)  # AsyncIOScheduler stops on the loop's next turn
                assert not scheduler.running


class TestCommandLine:
    @pytest.mark.parametrize("jobs_database_url", ["sqlite"], indirect=True)
    async def test_crm_run_job_runs_a_job_as_of_a_time(self, desk):
        t = await desk.ticket(local("2024-10-14 09:00"), priority="P3")
        crm = Path(sys.executable).with_name("crm")
        process = await asyncio.create_subprocess_exec(
            str(crm),
            "run-job",
            "sla-scan",
            "--now",
            "2024-10-14T11:00:00+08:00",
            env={**os.environ, "CRM_DATABASE_URL": desk.url},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 120)  # never hang
        assert process.returncode == 0, err.decode()
        result = json.loads(out)
        assert result["ran"] is True and result["due_at"] == "2024-10-14T03:00:00+00:00"
        assert result["result"]["first_response_warning"] == 1
        assert result["result"]["first_response_breach"] == 1
        assert await desk.notified(t["id"], "sla_breach") == [
            (user, "sla_breach") for user in EVERYONE
        ]

    def test_an_unknown_job_exits_2_listing_the_jobs(self, capsys):
        assert cli.main(["run-job", "no-such-job"]) == 2
        err = capsys.readouterr().err
        assert "no-such-job" in err and all(name in err for name in JOBS)

    def test_a_bad_time_exits_2(self, capsys):
        with pytest.raises(SystemExit) as exit_:
            cli.main(["run-job", "sla-scan", "--now", "yesterday"])
        assert exit_.value.code == 2
