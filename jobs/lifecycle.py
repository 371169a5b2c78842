"""Jobs `dormancy`, `churn-risk` and `verification` (daily): customers' activity status and
the reminders to their owners, by the rules of domain.lifecycle and the thresholds of the
lifecycle_settings row. Each is one transaction of a few set-based statements over the whole
customer table; archived customers are left alone, and customers in the pool (no owner)
change status but nobody is reminded about them."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from domain.lifecycle import (
    ACTIVATION_TASK_TITLE,
    CHURN_NOTICE,
    DORMANT_NOTICE,
    TASK_DAYS,
    VERIFICATION_NOTICE,
    VERIFICATION_TASK_TITLE,
    AlertKind,
    Cuts,
    TaskKind,
    local_day,
)
from domain.ports import Clock
from persistence.db import Database
from persistence.lifecycle_scan_repo import SqlLifecycleScanRepo


async def run_dormancy(database: Database, clock: Clock, zone: ZoneInfo) -> dict[str, object]:
    """No follow-up, ticket or order for `dormancy_days` → dormant, and the owner gets one
    notification and one activation task per dormant spell (the alert's cycle is the day it
    turned dormant); dormant customers heard from since go back to active."""
    now = clock.now()
    today = local_day(now, zone)
    async with database.session(write=True) as session:
        repo = SqlLifecycleScanRepo(session, zone)
        cuts = Cuts.of(today, (await repo.thresholds()).dormancy_days, zone)
        dormant = await repo.to_dormant(cuts, now)
        woken = await repo.wake(cuts, now)
        alerted = await repo.raise_alerts(AlertKind.DORMANT, dormant, today.isoformat(), now)
        notifications = await repo.notify_owners(alerted, *DORMANT_NOTICE, now)
        tasks = await repo.add_tasks(
            alerted,
            TaskKind.ACTIVATION,
            ACTIVATION_TASK_TITLE,
            today + timedelta(days=TASK_DAYS),
            now,
        )
    return {
        "as_of": today.isoformat(),
        "dormant": len(dormant),
        "active_again": len(woken),
        "alerts": len(alerted),
        "notifications": notifications,
        "tasks": tasks,
    }


async def run_churn_risk(database: Database, clock: Clock, zone: ZoneInfo) -> dict[str, object]:
    """Orders, but none in `churn_no_order_days`, and a complaint in the last
    `churn_complaint_days` → churn_risk (from active or dormant), and the owner is told once
    per spell; a churn_risk customer the rule no longer holds for goes back to active."""
    now = clock.now()
    today = local_day(now, zone)
    async with database.session(write=True) as session:
        repo = SqlLifecycleScanRepo(session, zone)
        t = await repo.thresholds()
        no_order = Cuts.of(today, t.churn_no_order_days, zone)
        complaint = Cuts.of(today, t.churn_complaint_days, zone)
        cleared = await repo.clear_churn_risk(no_order, complaint, now)
        at_risk = await repo.to_churn_risk(no_order, complaint, now)
        alerted = await repo.raise_alerts(AlertKind.CHURN_RISK, at_risk, today.isoformat(), now)
        notifications = await repo.notify_owners(alerted, *CHURN_NOTICE, now)
    return {
        "as_of": today.isoformat(),
        "churn_risk": len(at_risk),
        "cleared": len(cleared),
        "alerts": len(alerted),
        "notifications": notifications,
    }


async def run_verification(database: Database, clock: Clock, zone: ZoneInfo) -> dict[str, object]:
    """Basic information not checked for `verification_days` (since `verified_at`, else since
    creation) → a notification and a verification task to the owner, once per due date;
    `POST /customers/{id}/verify` starts the next cycle."""
    now = clock.now()
    today = local_day(now, zone)
    async with database.session(write=True) as session:
        repo = SqlLifecycleScanRepo(session, zone)
        days = (await repo.thresholds()).verification_days
        alerted = await repo.raise_verification_alerts(Cuts.of(today, days, zone), days, now)
        notifications = await repo.notify_owners(alerted, *VERIFICATION_NOTICE, now)
        tasks = await repo.add_tasks(
            alerted,
            TaskKind.VERIFICATION,
            VERIFICATION_TASK_TITLE,
            today + timedelta(days=TASK_DAYS),
            now,
        )
    return {
        "as_of": today.isoformat(),
        "alerts": len(alerted),
        "notifications": notifications,
        "tasks": tasks,
    }
