"""Records → response bodies, with what the actor may not see masked (rules in domain/)."""

import copy
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Response
from pydantic_core import to_json
from sqlalchemy import Row

from api.schemas import AuditEventOut, ContactOut, CustomerOut, TagOut
from domain import customer as rules
from domain import tag as tag_rules
from domain.customer_summary import customer_pool_clock
from domain.roles import Actor
from persistence.customer_repo import (
    POOL_CLOCK_COLUMNS,
    POOL_RULE_COLUMNS,
    PRIMARY_CONTACT_FIELDS,
)
from persistence.uow import SqlUnitOfWork

# The view's columns a body leaves out (the pool's, the tag lists', the count of ways to
# reach, the list's keyset value) or shows otherwise (the primary contact, the JSON objects).
_NOT_AS_STORED = frozenset(
    (
        *POOL_CLOCK_COLUMNS,
        *POOL_RULE_COLUMNS,
        "tag_ids",
        "tag_names",
        "ways",
        "sort_key",
        "primary_contact",
        "custom_fields",
        "external_ids",
    )
)


async def sensitive_keys(uow: SqlUnitOfWork) -> frozenset[str]:
    return frozenset(k for k, d in (await uow.custom_fields.definitions()).items() if d.sensitive)


async def customer_bodies(
    uow: SqlUnitOfWork, actor: Actor, rows: Sequence[Row], *, now: datetime, zone: str
) -> list[dict[str, Any]]:
    """Rows of `uow.customers` views as CustomerOut-shaped dicts, masked for the actor.
    Plain dicts: the list serialises them without validating what the database returned.
    `now` and `zone` say how many days the public pool still leaves each owned customer."""
    # Definitions are only needed when someone's view is redacted (not for admins and owners).
    full = [rules.sees_in_full(actor, row.owner_id) for row in rows]
    hidden = frozenset() if all(full) else await sensitive_keys(uow)
    pool_days_left = _pool_days_left(rows, now=now, zone=zone)
    bodies = []
    # Which of the row's columns the body shows as they are, worked out once for the page.
    fields = rows[0]._fields if rows else ()
    shown = [(name, i) for i, name in enumerate(fields) if name not in _NOT_AS_STORED]
    for row, in_full in zip(rows, full, strict=True):
        body = {name: row[i] for name, i in shown}
        body["pool_days_left"] = pool_days_left.get(row.id)
        contact = row.primary_contact
        body["primary_contact"] = (
            None if contact is None else dict(zip(PRIMARY_CONTACT_FIELDS, contact, strict=True))
        )
        body["custom_fields"] = dict(row.custom_fields or {})
        body["external_ids"] = row.external_ids or {}
        body["tags"] = [
            {"id": tag_id, "name": name}
            for tag_id, name in zip(row.tag_ids or (), row.tag_names or (), strict=True)
        ]
        body["warnings"] = rules.reach_warnings(row.ways)
        body["masked_fields"] = [] if in_full else rules.redact(actor, row.owner_id, body, hidden)
        # its numbers masked as the contacts endpoint masks them
        if contact is not None and rules.redact_contact(
            actor, row.owner_id, body["primary_contact"]
        ):
            body["masked_fields"].append("primary_contact")
        bodies.append(body)
    return bodies


def _pool_days_left(rows: Sequence[Row], *, now: datetime, zone: str) -> dict[int, int]:
    """Customer id → days until the pool takes it back, for those within the warning period.
    Each row carries the lifecycle settings' release rules (POOL_RULE_COLUMNS)."""
    today = now.astimezone(ZoneInfo(zone)).date()
    found = {}
    for row in rows:
        if row.owner_id is None or row.archived:
            continue
        clock = customer_pool_clock(row, row, today=today, zone=zone)
        if clock is not None and clock.warning:
            found[row.id] = clock.days_left
    return found


async def customer_export_rows(
    uow: SqlUnitOfWork, actor: Actor, rows: Sequence[Row]
) -> Sequence[Sequence[Any]]:
    """Rows of the customers' export view, masked for the actor as the list masks them."""
    full = [rules.sees_in_full(actor, row.owner_id) for row in rows]
    if all(full):
        return rows
    hidden = await sensitive_keys(uow)
    out: list[Sequence[Any]] = []
    for row, in_full in zip(rows, full, strict=True):
        if in_full:
            out.append(row)
            continue
        values = row._asdict()
        values["custom_fields"] = dict(values["custom_fields"] or {})
        rules.redact(actor, row.owner_id, values, hidden)
        out.append(tuple(values.values()))
    return out


async def customer_page(
    uow: SqlUnitOfWork, actor: Actor, page: Any, *, now: datetime, zone: str
) -> Response:
    """A page of customers as JSON bytes, shaped like Page[CustomerOut]. The hottest endpoint:
    pydantic-core writes the same JSON as the model would, minus a validation pass over
    rows that came from our own database."""
    body = {
        "items": await customer_bodies(uow, actor, page.items, now=now, zone=zone),
        "next_cursor": page.next_cursor,
        "total": page.total,
        "total_accuracy": page.total_accuracy,
    }
    return Response(to_json(body), media_type="application/json")


async def customer_out(
    uow: SqlUnitOfWork, actor: Actor, customer: Any, *, now: datetime, zone: str
) -> CustomerOut:
    """One customer as the API shows it, read back after any pending change is flushed."""
    rows = await uow.customers.view_rows([customer.id])
    return CustomerOut.model_validate(
        (await customer_bodies(uow, actor, rows, now=now, zone=zone))[0]
    )


def contact_out(actor: Actor, owner_id: int | None, contact: Any) -> ContactOut:
    values = {
        name: getattr(contact, name)
        for name in (
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
    }
    values["external_ids"] = contact.external_ids or {}
    values["masked_fields"] = rules.redact_contact(actor, owner_id, values)
    return ContactOut.model_validate(values)


def tag_out(tag: Any, customer_count: int) -> TagOut:
    return TagOut(
        id=tag.id,
        name=tag.name,
        category=tag_rules.category(tag.name),
        color=tag.color,
        customer_count=customer_count,
        version=tag.version,
    )


def audit_out(event: Any, changes: dict[str, Any] | None = None) -> AuditEventOut:
    return AuditEventOut(
        id=event.id,
        at=event.at,
        actor_id=event.actor_id,
        entity_type=event.entity_type,
        entity_id=event.entity_id,
        customer_id=event.customer_id,
        action=event.action,
        changes=event.changes if changes is None else changes,
    )


def masked_history(
    actor: Actor, owner_id: int | None, event: Any, sensitive: frozenset[str]
) -> AuditEventOut:
    """An audit event with its before and after halves masked like the customer itself;
    a change the actor may not see at all is left out."""
    before = {f: copy.deepcopy(c[0]) for f, c in event.changes.items()}
    after = {f: copy.deepcopy(c[1]) for f, c in event.changes.items()}
    for half in (before, after):
        if event.entity_type == "contact":
            rules.redact_contact(actor, owner_id, half)
        else:
            rules.redact(actor, owner_id, half, sensitive)
    changes = {
        f: [before[f], after[f]]
        for f in event.changes
        if before[f] is not None or after[f] is not None
    }
    return audit_out(event, changes)
