"""Opportunities (商机): a possible deal with a customer, moving `intent → quote → contract →
won`, or `lost` (with a reason) from any open stage. Stages move only through `transition`;
winning may record the order in the same transaction and makes the customer a customer
(成交). Stale: open and without an effective follow-up for `stale_opportunity_days`."""

from collections.abc import Collection
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain import audit, cadence_service, order_service
from domain.customer import Stage as CustomerStage
from domain.customer_service import get_readable as get_readable_customer
from domain.customer_service import get_writable, readable_child, readable_children
from domain.errors import (
    Conflict,
    FieldsForbidden,
    IllegalTransition,
    Invalid,
    VersionMismatch,
)
from domain.integration import external_ids
from domain.ports import Clock, CustomerRecord, OpportunityRecord, UnitOfWork
from domain.ports.customers import CustomerAccess
from domain.roles import Actor, Role
from domain.sales import (
    OPEN_STAGES,
    allowed_targets,
    budget_errors,
    cents,
    check_sees_money,
    stale_cutoff,
)
from domain.sales import OpportunityStage as Stage

AUDITED = (
    "customer_id",
    "owner_id",
    "title",
    "budget_min",
    "budget_max",
    "stage",
    "lost_reason",
    "expected_close_on",
    "closed_at",
    "external_ids",
)
EDITABLE = ("title", "budget_min", "budget_max", "expected_close_on", "owner_id")


async def get_readable(
    uow: UnitOfWork, actor: Actor, opportunity_id: int
) -> tuple[OpportunityRecord, CustomerRecord]:
    """The opportunity and its customer if the actor may see them; otherwise 404."""
    check_sees_money(actor)
    opportunity = await uow.opportunities.get(opportunity_id)
    return await readable_child(uow, actor, "opportunity", opportunity_id, opportunity)


async def get_readable_many(
    uow: UnitOfWork, actor: Actor, opportunity_ids: Collection[int]
) -> list[tuple[OpportunityRecord, CustomerAccess]]:
    """get_readable for many in two reads: those the actor may see, each with its customer
    (the others are left out, as get_readable's 404 leaves them out). Agents are refused (403)
    as by get_readable."""
    check_sees_money(actor)
    return await readable_children(uow, actor, await uow.opportunities.get_many(opportunity_ids))


async def readable_customer(uow: UnitOfWork, actor: Actor, customer_id: int) -> CustomerRecord:
    check_sees_money(actor)
    return await get_readable_customer(uow, actor, customer_id)


async def cutoff(uow: UnitOfWork, today: date, zone: ZoneInfo) -> datetime:
    """The instant before which an open opportunity's last sign of life makes it stale."""
    return stale_cutoff(today, await uow.opportunities.stale_days(), zone)


async def _check_owner(uow: UnitOfWork, owner_id: int) -> None:
    owner = await uow.users.get(owner_id)
    if owner is None or not owner.is_active or owner.role not in (Role.ADMIN, Role.ACCOUNT_MANAGER):
        raise Invalid(
            [{"field": "owner_id", "message": "must be an active account manager or admin"}]
        )


def _normalize(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    if isinstance(out.get("title"), str):
        out["title"] = out["title"].strip() or None
    for name in ("title", "owner_id"):
        if name in out and out[name] is None:
            raise Invalid([{"field": name, "message": "cannot be empty"}])
    for name in ("budget_min", "budget_max"):
        if name in out:
            out[name] = cents(out[name])
    return out


async def create(
    uow: UnitOfWork, clock: Clock, actor: Actor, fields: dict[str, Any]
) -> OpportunityRecord:
    """Open an opportunity on a customer the caller may write, owned by the caller (an admin
    may name the owner). It starts in an open stage, `intent` unless said otherwise."""
    check_sees_money(actor)
    if "owner_id" in fields and not actor.is_admin:
        raise FieldsForbidden(["owner_id"])
    customer = await get_writable(uow, actor, fields["customer_id"])
    values = _normalize(fields)
    values["external_ids"] = (
        await external_ids.claim(uow.external_ids, "opportunity", {}, values.get("external_ids"))
        or None
    )
    values["stage"] = Stage(values.get("stage") or Stage.INTENT).value
    if values["stage"] not in OPEN_STAGES:
        raise Invalid(
            [
                {
                    "field": "stage",
                    "message": "a new opportunity is open (intent, quote "
                    "or contract); won and lost are reached "
                    "by transitions",
                }
            ]
        )
    errors = budget_errors(values.get("budget_min"), values.get("budget_max"))
    if errors:
        raise Invalid(errors)
    values["owner_id"] = values.get("owner_id") or actor.user_id
    if values["owner_id"] != actor.user_id:
        await _check_owner(uow, values["owner_id"])
    now = clock.now()
    opportunity = await uow.opportunities.add(created_at=now, updated_at=now, **values)
    await uow.external_ids.replace("opportunity", opportunity.id, {}, values["external_ids"] or {})
    changes = audit.created(audit.snapshot(opportunity, AUDITED))
    audit.record(
        uow,
        actor,
        "opportunity",
        opportunity.id,
        "create",
        changes,
        at=now,
        customer_id=customer.id,
    )
    return opportunity


async def _get_writable(
    uow: UnitOfWork, actor: Actor, opportunity_id: int, if_match: int | None
) -> tuple[OpportunityRecord, CustomerRecord]:
    opportunity, _ = await get_readable(uow, actor, opportunity_id)
    customer = await get_writable(uow, actor, opportunity.customer_id)
    if if_match is not None and if_match != opportunity.version:
        raise VersionMismatch(opportunity.version)
    return opportunity, customer


async def update(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    opportunity_id: int,
    changes: dict[str, Any],
    *,
    if_match: int | None,
) -> OpportunityRecord:
    """Edit an open opportunity; the stage moves only through transitions."""
    if "owner_id" in changes and not actor.is_admin:
        raise FieldsForbidden(["owner_id"])
    opportunity, customer = await _get_writable(uow, actor, opportunity_id, if_match)
    if opportunity.stage not in OPEN_STAGES:
        raise Conflict(f"A {opportunity.stage} opportunity is closed; it no longer changes.")
    values = _normalize({k: v for k, v in changes.items() if k in EDITABLE})
    external_before = dict(opportunity.external_ids or {})
    if changes.get("external_ids") is not None:
        external = await external_ids.claim(
            uow.external_ids,
            "opportunity",
            external_before,
            changes["external_ids"],
            except_id=opportunity.id,
        )
        if external != external_before:
            values["external_ids"] = external or None
    change = audit.edit(opportunity, AUDITED, values)
    errors = budget_errors(change.after["budget_min"], change.after["budget_max"])
    if errors:
        raise Invalid(errors)
    if "owner_id" in values and values["owner_id"] != opportunity.owner_id:
        await _check_owner(uow, values["owner_id"])
    diff = change.changes
    if not diff:
        return opportunity
    now = clock.now()
    audit.apply(opportunity, values)
    opportunity.updated_at = now
    audit.record(
        uow, actor, "opportunity", opportunity.id, "update", diff, at=now, customer_id=customer.id
    )
    await uow.opportunities.flush()
    if "external_ids" in values:
        await uow.external_ids.replace(
            "opportunity", opportunity.id, external_before, values["external_ids"] or {}
        )
    return opportunity


async def transition(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    opportunity_id: int,
    *,
    to: str,
    reason: str | None,
    order: dict[str, Any] | None,
    if_match: int | None,
    zone: ZoneInfo,
) -> OpportunityRecord:
    """Move to the next stage, or to lost with a reason; 409 lists the allowed targets.
    Winning with `order` records that order (linked to the opportunity) in the same
    transaction, and a customer not yet 成交 becomes one."""
    opportunity, customer = await _get_writable(uow, actor, opportunity_id, if_match)
    current, target = Stage(opportunity.stage), Stage(to)
    allowed = allowed_targets(current)
    if target not in allowed:
        raise IllegalTransition("opportunity", current, target, sorted(allowed))
    reason = reason.strip() if isinstance(reason, str) else None
    if target == Stage.LOST and not reason:
        raise Invalid([{"field": "reason", "message": "say why the opportunity was lost"}])
    if order is not None and target != Stage.WON:
        raise Invalid([{"field": "order", "message": "only when winning"}])
    now = clock.now()
    new_stage = None
    if target == Stage.WON and customer.stage != CustomerStage.CUSTOMER:
        new_stage = CustomerStage.CUSTOMER.value
        next_on = await cadence_service.next_for(uow, customer, new_stage, zone)
    created = None
    if order is not None:
        created = await order_service.add(
            uow, clock, actor, customer, {**order, "opportunity_id": opportunity.id}
        )
    before = audit.snapshot(opportunity, AUDITED)
    opportunity.stage = target.value
    if target in (Stage.WON, Stage.LOST):
        opportunity.closed_at = now
    if target == Stage.LOST:
        opportunity.lost_reason = reason
    opportunity.updated_at = now
    changes = audit.diff(before, audit.snapshot(opportunity, AUDITED))
    if reason and target != Stage.LOST:
        changes["reason"] = [None, reason]
    if created is not None:
        changes["order_id"] = [None, created.id]
    audit.record(
        uow,
        actor,
        "opportunity",
        opportunity.id,
        "transition",
        changes,
        at=now,
        customer_id=customer.id,
    )
    if new_stage is not None:
        won = {"stage": [customer.stage, new_stage]}
        audit.record(
            uow, actor, "customer", customer.id, "update", won, at=now, customer_id=customer.id
        )
        customer.stage, customer.next_follow_up_on = new_stage, next_on
    await uow.opportunities.flush()
    return opportunity
