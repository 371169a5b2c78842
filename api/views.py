"""Records → response bodies, with what the actor may not see masked (rules in domain/)."""

import copy
from collections.abc import Sequence
from typing import Any

from api.schemas import AuditEventOut, ContactOut, CustomerOut, TagOut, TagRef
from domain import customer as rules, tag as tag_rules
from domain.roles import Actor
from persistence.uow import SqlUnitOfWork

CUSTOMER_COLUMNS = ("id", "code", "kind", "name", "credit_code", "id_number", "gender", "birthday",
                    "industry", "size", "main_business", "region", "address", "stage",
                    "activity_status", "grade", "source", "urgency", "owner_id", "archived",
                    "first_contact_at", "last_contact_at", "cumulative_amount", "version",
                    "created_at", "updated_at")


async def sensitive_keys(uow: SqlUnitOfWork) -> frozenset[str]:
    return frozenset(k for k, d in (await uow.custom_fields.definitions()).items() if d.sensitive)


async def customers_out(uow: SqlUnitOfWork, actor: Actor,
                        customers: Sequence[Any]) -> list[CustomerOut]:
    """Three queries for any number of customers: tags, contact methods, field definitions."""
    ids = [c.id for c in customers]
    tags = await uow.customers.tags_of(ids)
    methods = await uow.customers.contact_methods(ids)
    # Definitions are only needed when someone's view is redacted (not for admins and owners).
    needs_redaction = any(not rules.sees_in_full(actor, c.owner_id) for c in customers)
    hidden = await sensitive_keys(uow) if needs_redaction else frozenset()
    out = []
    for customer in customers:
        values = {name: getattr(customer, name) for name in CUSTOMER_COLUMNS}
        values["custom_fields"] = dict(customer.custom_fields or {})
        masked = rules.redact(actor, customer.owner_id, values, hidden)
        values["tags"] = [TagRef(id=t.id, name=t.name) for t in tags[customer.id]]
        values["warnings"] = rules.reach_warnings(methods[customer.id])
        values["masked_fields"] = masked
        out.append(CustomerOut.model_validate(values))
    return out


async def customer_out(uow: SqlUnitOfWork, actor: Actor, customer: Any) -> CustomerOut:
    return (await customers_out(uow, actor, [customer]))[0]


def contact_out(actor: Actor, owner_id: int, contact: Any) -> ContactOut:
    values = {name: getattr(contact, name) for name in
              ("id", "customer_id", "name", "title", "mobile", "phone", "email", "wechat",
               "is_primary", "version")}
    values["masked_fields"] = rules.redact_contact(actor, owner_id, values)
    return ContactOut.model_validate(values)


def tag_out(tag: Any, customer_count: int) -> TagOut:
    return TagOut(id=tag.id, name=tag.name, category=tag_rules.category(tag.name),
                  color=tag.color, customer_count=customer_count, version=tag.version)


def audit_out(event: Any, changes: dict[str, Any] | None = None) -> AuditEventOut:
    return AuditEventOut(id=event.id, at=event.at, actor_id=event.actor_id,
                         entity_type=event.entity_type, entity_id=event.entity_id,
                         customer_id=event.customer_id, action=event.action,
                         changes=event.changes if changes is None else changes)


def masked_history(actor: Actor, owner_id: int, event: Any,
                   sensitive: frozenset[str]) -> AuditEventOut:
    """An audit event with its before and after halves masked like the customer itself;
    a change the actor may not see at all is left out."""
    before = {f: copy.deepcopy(c[0]) for f, c in event.changes.items()}
    after = {f: copy.deepcopy(c[1]) for f, c in event.changes.items()}
    for half in (before, after):
        if event.entity_type == "contact":
            rules.redact_contact(actor, owner_id, half)
        else:
            rules.redact(actor, owner_id, half, sensitive)
    changes = {f: [before[f], after[f]] for f in event.changes
               if before[f] is not None or after[f] is not None}
    return audit_out(event, changes)
