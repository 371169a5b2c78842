"""Pool customers and change requests → response bodies, masked for the actor (rules in
domain/pool.py and domain/change_request.py)."""

from collections.abc import Sequence
from typing import Any

from api.pool_schemas import ChangeRequestOut, PoolCustomerOut
from api.schemas import ContactOut
from domain import change_request as request_rules
from domain import customer as customer_rules
from domain import pool as rules
from domain.roles import Actor
from persistence.uow import SqlUnitOfWork

POOL_FIELDS = tuple(
    name for name in PoolCustomerOut.model_fields if name not in ("tags", "contacts", "released_by")
)
CONTACT_FIELDS = (
    "id",
    "customer_id",
    "name",
    "title",
    "mobile",
    "phone",
    "email",
    "wechat",
    "is_primary",
    "version",
)


async def pool_customers_out(
    uow: SqlUnitOfWork, actor: Actor, customer_ids: Sequence[int]
) -> list[PoolCustomerOut]:
    """Two queries for a page: the customers with their tags, and their contacts."""
    rows = await uow.customers.view_rows(customer_ids)
    contacts = await uow.pool.contacts_of(customer_ids)
    released_by = (
        await uow.pool.released_by_of(customer_ids) if rules.sees_released_by(actor) else {}
    )
    out = []
    for row in rows:
        values = {name: getattr(row, name) for name in POOL_FIELDS}
        values["released_by"] = released_by.get(row.id)
        values["tags"] = [
            {"id": tag_id, "name": name}
            for tag_id, name in zip(row.tag_ids or (), row.tag_names or (), strict=True)
        ]
        values["contacts"] = [_pool_contact(actor, c) for c in contacts[row.id]]
        out.append(PoolCustomerOut.model_validate(values))
    return out


def _pool_contact(actor: Actor, contact: Any) -> ContactOut:
    values = {name: getattr(contact, name) for name in CONTACT_FIELDS}
    values["masked_fields"] = rules.redact_contact(actor, values)
    return ContactOut.model_validate(values)


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
