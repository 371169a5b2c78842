"""Pool customers → response bodies, masked for the actor (rules in domain/pool.py)."""

from collections.abc import Sequence
from typing import Any

from api.pool_schemas import PoolCustomerOut
from api.schemas import ContactOut
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
    values["external_ids"] = contact.external_ids or {}
    values["masked_fields"] = rules.redact_contact(actor, values)
    return ContactOut.model_validate(values)
