"""Cadence rules: how often a customer in each lifecycle stage should be followed up
(defaults potential 7 days, intent 3, customer 30; none for lost). Everyone reads them; only
admins change them, audited. A rule applies when a customer's next follow-up date is next
computed (a follow-up, creation, a stage change); deleting one stops that stage's cadence
reminders at once."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain import audit
from domain.customer import Stage
from domain.errors import Forbidden, Invalid, VersionMismatch
from domain.ports import CadenceRuleRecord, Clock, CustomerRecord, UnitOfWork
from domain.roles import Actor
from domain.sales import cadence_due, local_date

MAX_INTERVAL = 365


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("Only an admin changes cadence rules.")


async def list_rules(uow: UnitOfWork) -> list[CadenceRuleRecord]:
    """The rules in the order of the lifecycle."""
    order = {stage.value: n for n, stage in enumerate(Stage)}
    return sorted(await uow.follow_ups.cadence_rules(), key=lambda r: order.get(r.stage, 99))


async def put_rule(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    stage: str,
    interval_days: int,
    *,
    if_match: int | None,
) -> CadenceRuleRecord:
    """Create or change the rule of a stage."""
    _require_admin(actor)
    stage = Stage(stage).value
    if isinstance(interval_days, bool) or not 1 <= interval_days <= MAX_INTERVAL:
        raise Invalid([{"field": "interval_days", "message": f"1 to {MAX_INTERVAL} days"}])
    rule = await uow.follow_ups.cadence_rule(stage)
    if rule is not None and if_match is not None and if_match != rule.version:
        raise VersionMismatch(rule.version)
    now = clock.now()
    if rule is None:
        rule = await uow.follow_ups.add_cadence_rule(stage, interval_days)
        changes = audit.created({"stage": stage, "interval_days": interval_days})
        audit.record(uow, actor, "cadence_rule", rule.id, "create", changes, at=now)
    elif rule.interval_days != interval_days:
        changes = {"interval_days": [rule.interval_days, interval_days]}
        audit.record(uow, actor, "cadence_rule", rule.id, "update", changes, at=now)
        rule.interval_days = interval_days
        await uow.follow_ups.flush()
    return rule


async def delete_rule(
    uow: UnitOfWork, clock: Clock, actor: Actor, stage: str, *, if_match: int | None
) -> None:
    """No cadence for the stage any more; nothing to do when it has none."""
    _require_admin(actor)
    rule = await uow.follow_ups.cadence_rule(Stage(stage).value)
    if rule is None:
        return
    if if_match is not None and if_match != rule.version:
        raise VersionMismatch(rule.version)
    changes = audit.deleted({"stage": rule.stage, "interval_days": rule.interval_days})
    audit.record(uow, actor, "cadence_rule", rule.id, "delete", changes, at=clock.now())
    await uow.follow_ups.delete_cadence_rule(rule)


async def due_after(uow: UnitOfWork, stage: str, base: date) -> date | None:
    """The cadence date after a contact on `base` for a customer in `stage`."""
    rule = await uow.follow_ups.cadence_rule(stage)
    return cadence_due(base, rule.interval_days if rule else None)


async def next_for(
    uow: UnitOfWork, customer: CustomerRecord, stage: str, zone: ZoneInfo
) -> date | None:
    """A customer's next follow-up date once it is in `stage` (on a stage change): by the
    stage's rule, from the last contact, or from the day the customer was created."""
    base: datetime = customer.last_contact_at or customer.created_at
    return await due_after(uow, str(stage), local_date(base, zone))
