"""Use cases of change requests (信息变更审核): a customer edit either applies or, for a
non-admin's key identity fields, becomes requests that an admin approves or rejects. Every
step is audited on the customer's history; the admins are notified of new requests and the
requester of the decision."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain import audit, customer_service
from domain import change_request as rules
from domain import customer as customer_rules
from domain.change_request import KEY_FIELDS, ChangeRequestStatus, EditOutcome
from domain.errors import Forbidden, Invalid, NotFound
from domain.ports import ChangeRequestRecord, Clock, CustomerRecord, UnitOfWork
from domain.roles import Actor

LABELS = {
    "name": "名称",
    "credit_code": "统一社会信用代码",
    "id_number": "身份证号",
    "owner_id": "负责人",
}


def _comment_refused() -> Invalid:
    return Invalid(
        [
            {
                "field": "change_comment",
                "message": "only with a change request (a non-admin's change of "
                f"{', '.join(KEY_FIELDS)})",
            }
        ]
    )


async def edit_customer(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    customer_id: int,
    changes: dict[str, Any],
    *,
    if_match: int | None,
    comment: str | None = None,
    zone: ZoneInfo = customer_service.CODE_ZONE,
) -> EditOutcome:
    """PATCH a customer. A non-admin's change of a key field (name, credit code, ID number,
    owner) does not apply: it is validated as an edit would be and becomes one pending
    request per field. A key field sent with its current value is no change and needs no
    request (forms send whole records); changed key fields go on their own (422 otherwise,
    so nothing is half-applied)."""
    sent = rules.key_fields_needing_approval(actor, changes)
    if not sent:
        if comment is not None:
            raise _comment_refused()
        return EditOutcome(
            await customer_service.update(
                uow, clock, actor, customer_id, changes, if_match=if_match, zone=zone
            )
        )
    customer = await customer_service.get_writable(uow, actor, customer_id, if_match)
    kind = customer_rules.Kind(customer.kind)
    normalized = customer_rules.normalize(kind, {name: changes[name] for name in sent})
    current = {name: audit.jsonable(getattr(customer, name)) for name in sent}
    wanted = {
        name: audit.jsonable(normalized[name])
        for name in sent
        if audit.jsonable(normalized[name]) != current[name]
    }
    if not wanted:
        if comment is not None:
            raise _comment_refused()
        rest = {name: value for name, value in changes.items() if name not in sent}
        if not rest:
            return EditOutcome(customer)
        return EditOutcome(
            await customer_service.update(
                uow, clock, actor, customer_id, rest, if_match=if_match, zone=zone
            )
        )
    rules.check_on_their_own(
        {name: value for name, value in changes.items() if name in wanted or name not in sent},
        list(wanted),
    )
    requested = {name: normalized[name] for name in wanted}
    customer_rules.check_required(
        kind, audit.edit(customer, customer_service.AUDITED, requested).after
    )
    if "owner_id" in wanted:
        await customer_service.check_owner(uow, wanted["owner_id"])
    await customer_service.check_unique_ids(uow, wanted, except_id=customer.id)
    for name in wanted:
        if await uow.change_requests.pending_exists(customer.id, name):
            raise rules.ChangeRequestPending(name)
    now = clock.now()
    requests = []
    for name, new in wanted.items():
        request = await uow.change_requests.add(
            customer_id=customer.id,
            field=name,
            old_value=current[name],
            new_value=new,
            status=ChangeRequestStatus.PENDING.value,
            requested_by=actor.user_id,
            comment=comment,
            created_at=now,
            updated_at=now,
        )
        if request is None:  # a concurrent request won the race for the unique index
            raise rules.ChangeRequestPending(name)
        audit.record(
            uow,
            actor,
            "change_request",
            request.id,
            "request",
            {name: [current[name], new]},
            at=now,
            customer_id=customer.id,
        )
        requests.append(request)
    await _tell_the_admins(uow, customer, requests, comment, now)
    return EditOutcome(customer, requests)


async def _tell_the_admins(
    uow: UnitOfWork,
    customer: CustomerRecord,
    requests: list[ChangeRequestRecord],
    comment: str | None,
    now: datetime,
) -> None:
    """Requests only help if an approver sees them: one notification per edit to every
    active admin, leading to the first request (the inbox links to the approvals page)."""
    fields = "、".join(LABELS[request.field] for request in requests)
    title = f"变更申请待审批: {customer.name} 的{fields}"[:200]
    for admin_id in await uow.users.active_admin_ids():
        uow.notifications.add(
            admin_id,
            "change_request_pending",
            title,
            body=comment,
            entity_type="change_request",
            entity_id=requests[0].id,
            at=now,
            params={"name": customer.name, "fields": [request.field for request in requests]},
        )


def list_scope(actor: Actor) -> int | None:
    """Whose requests the actor lists: everyone's (None) for admins, otherwise their own."""
    return None if actor.is_admin else (actor.user_id or 0)


async def get_readable(uow: UnitOfWork, actor: Actor, request_id: int) -> ChangeRequestRecord:
    """Admins read every request, others their own; anything else is a 404."""
    request = await uow.change_requests.get(request_id)
    if request is None or not rules.can_read(actor, request.requested_by):
        raise NotFound("change request", request_id)
    return request


async def _pending_for_decision(
    uow: UnitOfWork, actor: Actor, request_id: int
) -> ChangeRequestRecord:
    if not rules.can_decide(actor):
        raise Forbidden("Only an admin approves or rejects change requests.")
    request = await uow.change_requests.get(request_id, for_update=True)
    if request is None:
        raise NotFound("change request", request_id)
    _check_pending(request)
    return request


def _check_pending(request: ChangeRequestRecord) -> None:
    if request.status != ChangeRequestStatus.PENDING:
        raise rules.ChangeRequestDecided(request.status)


async def approve(
    uow: UnitOfWork, clock: Clock, actor: Actor, request_id: int
) -> ChangeRequestRecord:
    """Apply the change through the ordinary customer update, in this one transaction:
    validated again (format, uniqueness, owner), audited as the admin's update. 409 when the
    field no longer holds the value the request was made against."""
    request = await _pending_for_decision(uow, actor, request_id)
    customer = await uow.customers.require(request.customer_id)
    if audit.jsonable(getattr(customer, request.field)) != request.old_value:
        raise rules.ChangeRequestStale(request.field)
    await customer_service.update(
        uow, clock, actor, customer.id, {request.field: request.new_value}, if_match=None
    )
    return await _decide(uow, clock, actor, request, customer, ChangeRequestStatus.APPROVED, None)


async def reject(
    uow: UnitOfWork, clock: Clock, actor: Actor, request_id: int, *, reason: str
) -> ChangeRequestRecord:
    """Turn the request down with a reason, which the requester is told."""
    reason = reason.strip()
    if not reason:
        raise Invalid([{"field": "reason", "message": "say why the request is rejected"}])
    request = await _pending_for_decision(uow, actor, request_id)
    customer = await uow.customers.require(request.customer_id)
    return await _decide(uow, clock, actor, request, customer, ChangeRequestStatus.REJECTED, reason)


async def withdraw(
    uow: UnitOfWork, clock: Clock, actor: Actor, request_id: int
) -> ChangeRequestRecord:
    """The requester takes a pending request back (a mistake, or the customer changed their
    mind), which frees the field for a new request; on the customer's history."""
    request = await uow.change_requests.get(request_id, for_update=True)
    if request is None or not rules.can_read(actor, request.requested_by):
        raise NotFound("change request", request_id)
    if not rules.can_withdraw(actor, request.requested_by):
        raise Forbidden("Only the requester withdraws a request; an admin rejects it.")
    _check_pending(request)
    await _close(uow, clock.now(), actor, request, ChangeRequestStatus.WITHDRAWN, None)
    return request


async def _decide(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    request: ChangeRequestRecord,
    customer: CustomerRecord,
    status: ChangeRequestStatus,
    reason: str | None,
) -> ChangeRequestRecord:
    now = clock.now()
    await _close(uow, now, actor, request, status, reason)
    verdict = "已通过" if status is ChangeRequestStatus.APPROVED else "被驳回"
    uow.notifications.add(
        request.requested_by,
        f"change_request_{status.value}",
        f"变更申请{verdict}: {customer.name} 的{LABELS[request.field]}"[:200],
        body=reason,
        entity_type="change_request",
        entity_id=request.id,
        at=now,
        params={"name": customer.name, "fields": [request.field]},
    )
    return request


_ACTIONS = {
    ChangeRequestStatus.APPROVED: "approve",
    ChangeRequestStatus.REJECTED: "reject",
    ChangeRequestStatus.WITHDRAWN: "withdraw",
}


async def _close(
    uow: UnitOfWork,
    now: datetime,
    actor: Actor,
    request: ChangeRequestRecord,
    status: ChangeRequestStatus,
    reason: str | None,
) -> None:
    """A pending request ends (approved, rejected or withdrawn by `actor`), on the history."""
    request.status, request.decided_by, request.decided_at = status.value, actor.user_id, now
    request.decision_reason = reason
    request.updated_at = now
    await uow.change_requests.flush()
    changes: dict[str, list[Any]] = {"status": [ChangeRequestStatus.PENDING.value, status.value]}
    if reason is not None:
        changes["decision_reason"] = [None, reason]
    audit.record(
        uow,
        actor,
        "change_request",
        request.id,
        _ACTIONS[status],
        changes,
        at=now,
        customer_id=request.customer_id,
    )
