"""Records → response bodies, with what the actor may not see masked (rules in domain/)."""

import copy
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row

from api.schemas import AuditEventOut, ContactOut, CustomerOut, TagOut
from domain import customer as rules, tag as tag_rules
from domain.roles import Actor
from persistence.uow import SqlUnitOfWork


async def sensitive_keys(uow: SqlUnitOfWork) -> frozenset[str]:
    return frozenset(k for k, d in (await uow.custom_fields.definitions()).items() if d.sensitive)


async def customers_out(uow: SqlUnitOfWork, actor: Actor,
                        rows: Sequence[Row]) -> list[CustomerOut]:
    """Rows of `uow.customers` views (columns + tag_pairs + ways), masked for the actor."""
    # Definitions are only needed when someone's view is redacted (not for admins and owners).
    needs_redaction = any(not rules.sees_in_full(actor, row.owner_id) for row in rows)
    hidden = await sensitive_keys(uow) if needs_redaction else frozenset()
    out = []
    fields = rows[0]._fields if rows else ()  # once: Row._asdict() looks them up per row
    for row in rows:
        values = dict(zip(fields, row, strict=True))
        values["custom_fields"] = dict(values["custom_fields"] or {})
        masked = rules.redact(actor, row.owner_id, values, hidden)
        pairs = sorted(values.pop("tag_pairs") or [], key=lambda pair: pair[1])
        values["tags"] = [{"id": tag_id, "name": name} for tag_id, name in pairs]
        values["warnings"] = rules.reach_warnings(values.pop("ways"))
        values["masked_fields"] = masked
        out.append(CustomerOut.model_validate(values))
    return out


async def customer_out(uow: SqlUnitOfWork, actor: Actor, customer: Any) -> CustomerOut:
    """One customer as the API shows it, read back after any pending change is flushed."""
    return (await customers_out(uow, actor, await uow.customers.view_rows([customer.id])))[0]


def contact_out(actor: Actor, owner_id: int | None, contact: Any) -> ContactOut:
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


def masked_history(actor: Actor, owner_id: int | None, event: Any,
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
