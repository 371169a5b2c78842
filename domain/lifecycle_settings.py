"""The lifecycle settings (one row): thresholds of the public pool and of the lifecycle and
value jobs. Admins change them; admins, supervisors and readonly users read them. Every
"days" value counts calendar days in the configured zone (CRM_TIMEZONE)."""

from typing import Any

from domain import audit
from domain.errors import Forbidden, Invalid, VersionMismatch
from domain.ports import Clock, LifecycleSettingsRecord, UnitOfWork
from domain.roles import Actor, Role

SETTINGS_ID = 1
MAX_DAYS = 3650  # ten years: a longer threshold is a typo, and date arithmetic stays in range
MAX_CLAIM_LIMIT = 100_000
DAYS = (
    "pool_release_days",
    "pool_warning_days",
    "stale_opportunity_days",
    "dormancy_days",
    "churn_no_order_days",
    "churn_complaint_days",
    "verification_days",
)
FIELDS = (
    "pool_release_days",
    "pool_warning_days",
    "pool_no_order_days",
    "pool_claim_limit",
    "pool_reclaim_cooldown_days",
    "stale_opportunity_days",
    "dormancy_days",
    "churn_no_order_days",
    "churn_complaint_days",
    "verification_days",
)
NULLABLE = frozenset({"pool_no_order_days"})  # null: the "no order" pool rule is off


def can_read(actor: Actor) -> bool:
    return actor.role in (Role.ADMIN, Role.SUPERVISOR, Role.READONLY)


def _whole(value: Any, low: int, high: int) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and low <= value <= high


def errors(values: dict[str, Any]) -> list[dict[str, str]]:
    """Day counts are whole days from 1 to MAX_DAYS (the re-claim cooldown may be 0: none);
    the warning comes before the release, also before the "no order" release when that rule
    is on; an account manager may claim at least one customer."""
    out = []
    for name in DAYS:
        if not _whole(values.get(name), 1, MAX_DAYS):
            out.append({"field": name, "message": f"whole days from 1 to {MAX_DAYS}"})
    no_order = values.get("pool_no_order_days")
    if no_order is not None and not _whole(no_order, 1, MAX_DAYS):
        out.append(
            {
                "field": "pool_no_order_days",
                "message": f"whole days from 1 to {MAX_DAYS}, or null (rule off)",
            }
        )
    if not _whole(values.get("pool_reclaim_cooldown_days"), 0, MAX_DAYS):
        out.append(
            {"field": "pool_reclaim_cooldown_days", "message": f"whole days from 0 to {MAX_DAYS}"}
        )
    if not _whole(values.get("pool_claim_limit"), 1, MAX_CLAIM_LIMIT):
        out.append(
            {"field": "pool_claim_limit", "message": f"a whole number from 1 to {MAX_CLAIM_LIMIT}"}
        )
    if out:
        return out
    warning = values["pool_warning_days"]
    if warning >= values["pool_release_days"]:
        out.append(
            {
                "field": "pool_warning_days",
                "message": "must be less than pool_release_days (the warning comes first)",
            }
        )
    if no_order is not None and warning >= no_order:
        out.append(
            {
                "field": "pool_warning_days",
                "message": "must be less than pool_no_order_days (the warning comes first)",
            }
        )
    return out


async def get(uow: UnitOfWork, actor: Actor) -> LifecycleSettingsRecord:
    if not can_read(actor):
        raise Forbidden("Only admins, supervisors and readonly users read the lifecycle settings.")
    return await uow.lifecycle.settings()


async def update(
    uow: UnitOfWork, clock: Clock, actor: Actor, changes: dict[str, Any], *, if_match: int | None
) -> LifecycleSettingsRecord:
    """Change some thresholds (admins); the whole row must still be consistent. They apply
    from the jobs' next run; nothing is recomputed now."""
    if not actor.is_admin:
        raise Forbidden("Only an admin changes the lifecycle settings.")
    row = await uow.lifecycle.settings(for_update=True)
    if if_match is not None and if_match != row.version:
        raise VersionMismatch(row.version)
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise Invalid([{"field": name, "message": "not a lifecycle setting"} for name in unknown])
    nulls = sorted(k for k, v in changes.items() if v is None and k not in NULLABLE)
    if nulls:
        raise Invalid(
            [{"field": name, "message": "may be left out, but not null"} for name in nulls]
        )
    change = audit.edit(row, FIELDS, changes)
    problems = errors(change.after)
    if problems:
        raise Invalid(problems)
    diff = change.changes
    if not diff:
        return row
    audit.apply(row, changes)
    row.updated_at = clock.now()
    await uow.lifecycle.flush()
    audit.record(uow, actor, "lifecycle_settings", SETTINGS_ID, "update", diff, at=clock.now())
    return row
