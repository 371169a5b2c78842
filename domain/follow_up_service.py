"""Follow-ups (跟进记录): a contact with a customer, what came of it and what to do next.

Recording one is an interaction and moves, in the same transaction, the customer's contact
dates, activity, the owner's pool clock (an effective follow-up by the owner), the next
follow-up date and a linked opportunity's last effective follow-up. Only the customer's most
recent follow-up sets the next follow-up date; one logged after the fact changes history, not
what is due next."""

from collections.abc import Collection
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain import audit, cadence_service
from domain.customer_service import get_writable, readable_child, readable_children
from domain.errors import Conflict, FieldsForbidden, Forbidden, Invalid, VersionMismatch
from domain.integration import external_ids
from domain.ports import (
    Clock,
    CustomerRecord,
    FollowUpRecord,
    OpportunityRecord,
    UnitOfWork,
    UserRecord,
)
from domain.ports.customers import CustomerAccess
from domain.roles import Actor, Role
from domain.sales import (
    MAX_AHEAD,
    OPEN_STAGES,
    Method,
    can_edit_follow_up,
    local_date,
    may_list_for,
)

AUDITED = (
    "customer_id",
    "owner_id",
    "opportunity_id",
    "at",
    "method",
    "summary",
    "feedback",
    "next_action",
    "next_action_due_on",
    "next_action_done_at",
    "effective",
    "external_ids",
)
TEXTS = ("summary", "feedback", "next_action")
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)  # also keeps UTC conversion in range


async def get_readable(
    uow: UnitOfWork, actor: Actor, follow_up_id: int
) -> tuple[FollowUpRecord, CustomerRecord]:
    """The follow-up and its customer, if the actor may see the customer; otherwise 404.
    Agents read follow-ups too: contact records are their daily bread (DESIGN §1)."""
    follow_up = await uow.follow_ups.get(follow_up_id)
    return await readable_child(uow, actor, "follow-up", follow_up_id, follow_up)


async def get_readable_many(
    uow: UnitOfWork, actor: Actor, follow_up_ids: Collection[int]
) -> list[tuple[FollowUpRecord, CustomerAccess]]:
    """get_readable for many in two reads: those the actor may see, each with its customer
    (the others are left out, as get_readable's 404 leaves them out)."""
    return await readable_children(uow, actor, await uow.follow_ups.get_many(follow_up_ids))


def _normalize(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    for name in TEXTS:
        if isinstance(out.get(name), str):
            out[name] = out[name].strip() or None
    if "summary" in out and out["summary"] is None:
        # Empty or whitespace: a follow-up says what happened, however briefly ("无" is fine).
        raise Invalid([{"field": "summary", "message": "required; say what happened"}])
    if "method" in out:
        out["method"] = Method(out["method"]).value
    return out


async def _check_opportunity(
    uow: UnitOfWork, customer_id: int, opportunity_id: int
) -> OpportunityRecord:
    opportunity = await uow.opportunities.get(opportunity_id)
    if opportunity is None or opportunity.customer_id != customer_id:
        raise Invalid(
            [{"field": "opportunity_id", "message": "not an opportunity of this customer"}]
        )
    if opportunity.stage not in OPEN_STAGES:
        raise Invalid(
            [{"field": "opportunity_id", "message": f"the opportunity is {opportunity.stage}"}]
        )
    return opportunity


def _check_next_action(record: dict[str, Any], zone: ZoneInfo) -> None:
    due = record.get("next_action_due_on")
    if due is None:
        return
    if not record.get("next_action"):
        raise Invalid(
            [
                {
                    "field": "next_action_due_on",
                    "message": "say what the next action is (next_action)",
                }
            ]
        )
    if due < local_date(record["at"], zone):
        raise Invalid(
            [{"field": "next_action_due_on", "message": "cannot be before the follow-up"}]
        )


async def _check_owner(uow: UnitOfWork, owner_id: int) -> None:
    owner = await uow.users.get(owner_id)
    if owner is None or not owner.is_active or owner.role not in (Role.ADMIN, Role.ACCOUNT_MANAGER):
        raise Invalid(
            [{"field": "owner_id", "message": "must be an active account manager or admin"}]
        )


def _max(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a


async def _engage(
    uow: UnitOfWork, customer: CustomerRecord, follow_up: FollowUpRecord
) -> dict[str, Any]:
    """An effective follow-up: the opportunity's quiet spell ends; returns the owner's pool
    clock to move forward (a derived column of the customer)."""
    opportunity = (
        None
        if follow_up.opportunity_id is None
        else await uow.opportunities.get(follow_up.opportunity_id)
    )
    if opportunity is not None:
        opportunity.last_effective_follow_up_at = _max(
            opportunity.last_effective_follow_up_at, follow_up.at
        )
    return {"owner_engaged_at": follow_up.at} if follow_up.owner_id == customer.owner_id else {}


async def _next_follow_up_on(
    uow: UnitOfWork, customer: CustomerRecord, at: datetime, due_on: date | None, zone: ZoneInfo
) -> date | None:
    """The explicit next action's due date, else the cadence from the day of the contact."""
    if due_on is not None:
        return due_on
    return await cadence_service.due_after(uow, customer.stage, local_date(at, zone))


def _done(uow: UnitOfWork, actor: Actor, follow_up: FollowUpRecord, at: datetime) -> None:
    audit.record(
        uow,
        actor,
        "follow_up",
        follow_up.id,
        "update",
        {"next_action_done_at": [None, at.isoformat()]},
        at=at,
        customer_id=follow_up.customer_id,
    )
    follow_up.next_action_done_at = at


async def create(
    uow: UnitOfWork, clock: Clock, actor: Actor, fields: dict[str, Any], *, zone: ZoneInfo
) -> FollowUpRecord:
    """Record a follow-up of a customer the caller may write; the caller owns it (an admin
    may name another owner)."""
    if "owner_id" in fields and not actor.is_admin:
        raise FieldsForbidden(["owner_id"])
    customer = await get_writable(uow, actor, fields["customer_id"])
    values = _normalize(fields)
    values["external_ids"] = (
        await external_ids.claim(uow.external_ids, "follow_up", {}, values.get("external_ids"))
        or None
    )
    now = clock.now()
    values["at"] = values.get("at") or now
    if values["at"] > now + MAX_AHEAD:
        raise Invalid([{"field": "at", "message": "at most one day ahead: record what happened"}])
    if values["at"] < EARLIEST:
        raise Invalid([{"field": "at", "message": "not before 1970"}])
    values["owner_id"] = values.get("owner_id") or actor.user_id
    if values["owner_id"] != actor.user_id:
        await _check_owner(uow, values["owner_id"])
    if values.get("opportunity_id") is not None:
        await _check_opportunity(uow, customer.id, values["opportunity_id"])
    _check_next_action(values, zone)
    values.setdefault("effective", False)

    # Queries first, then changes: a query would flush a half-applied customer.
    latest = await uow.follow_ups.latest_other(customer.id, except_id=0)
    is_latest = latest is None or values["at"] >= latest.at
    superseded_at = (
        None
        if is_latest
        else await uow.follow_ups.first_after(customer.id, values["at"], except_id=0)
    )
    earlier = await uow.follow_ups.open_next_actions(customer.id, up_to=values["at"], except_id=0)
    if values.get("next_action") and superseded_at is not None:
        values["next_action_done_at"] = superseded_at  # a later contact already happened
    follow_up = await uow.follow_ups.add(created_at=now, updated_at=now, **values)
    await uow.external_ids.replace("follow_up", follow_up.id, {}, values["external_ids"] or {})
    changes = audit.created(audit.snapshot(follow_up, AUDITED))
    audit.record(
        uow, actor, "follow_up", follow_up.id, "create", changes, at=now, customer_id=customer.id
    )
    next_on = (
        await _next_follow_up_on(uow, customer, follow_up.at, follow_up.next_action_due_on, zone)
        if is_latest
        else customer.next_follow_up_on
    )
    for other in earlier:  # this contact supersedes their next actions
        _done(uow, actor, other, follow_up.at)
    engaged = await _engage(uow, customer, follow_up) if follow_up.effective else {}
    await uow.follow_ups.flush()
    # Derived columns: the customer's version stays (see write_derived).
    await uow.customers.write_derived(
        customer,
        now,
        later={"last_contact_at": follow_up.at, **engaged},
        first={"first_contact_at": follow_up.at},
        values={"activity_status": "active", "next_follow_up_on": next_on},
    )
    return follow_up


async def update(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    follow_up_id: int,
    changes: dict[str, Any],
    *,
    if_match: int | None,
    zone: ZoneInfo,
) -> FollowUpRecord:
    """Correct a follow-up (its author or an admin). When and with whom it happened stay.
    `next_action_done` ticks the next action off (or reopens it); `effective` can be set but
    not withdrawn, since the clocks it moved do not move back."""
    follow_up, _ = await get_readable(uow, actor, follow_up_id)
    customer = await get_writable(uow, actor, follow_up.customer_id)
    if not can_edit_follow_up(actor, follow_up.owner_id):
        raise Forbidden("Only its author or an admin changes a follow-up.")
    if if_match is not None and if_match != follow_up.version:
        raise VersionMismatch(follow_up.version)
    values = _normalize(changes)
    done = values.pop("next_action_done", None)
    if values.get("effective") is False and follow_up.effective:
        raise Conflict("An effective follow-up stays effective; record a new one instead.")
    for name in ("method", "summary", "effective"):
        if name in values and values[name] is None:
            raise Invalid([{"field": name, "message": "cannot be empty"}])
    if (
        values.get("opportunity_id") is not None
        and values["opportunity_id"] != follow_up.opportunity_id
    ):
        await _check_opportunity(uow, customer.id, values["opportunity_id"])
    values.pop("external_ids", None)
    external_before = dict(follow_up.external_ids or {})
    if changes.get("external_ids") is not None:
        external = await external_ids.claim(
            uow.external_ids,
            "follow_up",
            external_before,
            changes["external_ids"],
            except_id=follow_up.id,
        )
        if external != external_before:
            values["external_ids"] = external or None
    change = audit.edit(follow_up, AUDITED, values)
    after = change.after  # what the edit implies is set below in both `after` and `values`
    if not after["next_action"]:
        after["next_action_due_on"] = values["next_action_due_on"] = None
    _check_next_action(after, zone)
    now = clock.now()
    if done is not None and not after["next_action"]:
        raise Invalid([{"field": "next_action_done", "message": "there is no next action"}])
    if done is True and follow_up.next_action_done_at is None:
        after["next_action_done_at"] = values["next_action_done_at"] = now
    elif done is False:
        after["next_action_done_at"] = values["next_action_done_at"] = None
    diff = change.changes
    if not diff:
        return follow_up
    next_on = customer.next_follow_up_on
    if "next_action_due_on" in diff:
        latest = await uow.follow_ups.latest_other(customer.id, except_id=follow_up.id)
        if latest is None or follow_up.at >= latest.at:  # only the latest sets what is due
            next_on = await _next_follow_up_on(
                uow, customer, follow_up.at, after["next_action_due_on"], zone
            )
    audit.apply(follow_up, values)
    follow_up.updated_at = now
    engaged = {}
    if follow_up.effective and ("effective" in diff or "opportunity_id" in diff):
        engaged = await _engage(uow, customer, follow_up)
    audit.record(
        uow, actor, "follow_up", follow_up.id, "update", diff, at=now, customer_id=customer.id
    )
    await uow.follow_ups.flush()
    if "external_ids" in values:
        await uow.external_ids.replace(
            "follow_up", follow_up.id, external_before, values["external_ids"] or {}
        )
    if engaged or customer.next_follow_up_on != next_on:
        await uow.customers.write_derived(
            customer, now, later=engaged, values={"next_follow_up_on": next_on}
        )
    return follow_up


async def due_owner(uow: UnitOfWork, actor: Actor, owner_id: int) -> UserRecord:
    """Whose due list: your own; anyone's for admins, supervisors and readonly users."""
    if not may_list_for(actor, owner_id):
        raise Forbidden("You may only list what is due for yourself (owner=me).")
    user = await uow.users.get(owner_id)
    if user is None:
        raise Invalid([{"field": "owner", "message": "unknown user"}])
    return user
