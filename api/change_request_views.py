"""Change requests → response bodies, their values masked for the actor (rules in
domain/change_request.py)."""

from collections.abc import Sequence
from typing import Any

from api.change_request_schemas import ChangeRequestOut
from domain import change_request as request_rules
from domain import customer as customer_rules
from domain.roles import Actor
from persistence.uow import SqlUnitOfWork


def change_request_out(
    actor: Actor, request: Any, owner_id: int | None, code: str, name: str
) -> ChangeRequestOut:
    in_full = customer_rules.sees_in_full(actor, owner_id)
    values = {
        "old_value": request_rules.redact_value(request.field, request.old_value, in_full=in_full),
        "new_value": request_rules.redact_value(request.field, request.new_value, in_full=in_full),
    }
    masked = [k for k in ("old_value", "new_value") if values[k] != getattr(request, k)]
    return ChangeRequestOut(
        id=request.id,
        customer_id=request.customer_id,
        customer_code=code,
        customer_name=name,
        field=request.field,
        status=request.status,
        requested_by=request.requested_by,
        comment=request.comment,
        decided_by=request.decided_by,
        decided_at=request.decided_at,
        decision_reason=request.decision_reason,
        version=request.version,
        created_at=request.created_at,
        updated_at=request.updated_at,
        masked_fields=masked,
        **values,
    )


async def change_requests_out(
    uow: SqlUnitOfWork, actor: Actor, requests: Sequence[Any]
) -> list[ChangeRequestOut]:
    out = []
    for request in requests:
        owner_id, code, name = await uow.change_requests.customer_of(request)
        out.append(change_request_out(actor, request, owner_id, code, name))
    return out
