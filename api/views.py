"""Records → response bodies, with what the actor may not see masked (rules in domain/)."""

import copy
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Response
from pydantic_core import to_json
from sqlalchemy import Row

from api.schemas import AuditEventOut, ContactOut, CustomerOut, TagOut
from domain import customer as rules
from domain import tag as tag_rules
from domain.customer_summary import pool_clock
from domain.roles import Actor
from persistence.customer_repo import PRIMARY_CONTACT_FIELDS
from persistence.uow import SqlUnitOfWork


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
    today = now.astimezone(ZoneInfo(zone)).date()
    bodies = []
    fields = rows[0]._fields if rows else ()  # once: a Row looks each name up, slowly
    for row, in_full in zip(rows, full, strict=True):
        body = dict(zip(fields, row, strict=True))
        body["pool_days_left"] = _pool_days_left(body, today=today, zone=zone)
        contact = body["primary_contact"]
        if contact is not None:  # a tuple (PostgreSQL) or a list (SQLite)
            body["primary_contact"] = dict(zip(PRIMARY_CONTACT_FIELDS, contact, strict=True))
        body["custom_fields"] = dict(body["custom_fields"] or {})
        body["external_ids"] = body["external_ids"] or {}
        body["tags"] = [
            {"id": tag_id, "name": name}
            for tag_id, name in zip(
                body.pop("tag_ids") or (), body.pop("tag_names") or (), strict=True
            )
        ]
        body["warnings"] = rules.reach_warnings(body.pop("ways"))
        body.pop("sort_key", None)  # the list's keyset value
        body["masked_fields"] = [] if in_full else rules.redact(actor, row.owner_id, body, hidden)
        # its numbers masked as the contacts endpoint masks them
        if contact is not None and rules.redact_contact(
            actor, row.owner_id, body["primary_contact"]
        ):
            body["masked_fields"].append("primary_contact")
        bodies.append(body)
    return bodies


def _pool_days_left(body: dict[str, Any], *, today: date, zone: str) -> int | None:
    """Days until the pool takes the customer back, when within the warning period. Takes
    the columns the clock is reckoned from, the settings' rules among them, out of `body`."""
    owner_engaged_at, owned_since = body.pop("owner_engaged_at"), body.pop("owned_since")
    release_days, warning_days = body.pop("pool_release_days"), body.pop("pool_warning_days")
    no_order_days = body.pop("pool_no_order_days")
    if body["owner_id"] is None or body["archived"]:
        return None
    clock = pool_clock(
        owner_engaged_at=owner_engaged_at,
        owned_since=owned_since,
        last_order_on=body["last_order_on"],
        release_days=release_days,
        warning_days=warning_days,
        no_order_days=no_order_days,
        today=today,
        zone=zone,
    )
    return clock.days_left if clock is not None and clock.warning else None


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
    return page_json(await customer_bodies(uow, actor, page.items, now=now, zone=zone), page)


def page_json(items: list[dict[str, Any]], page: Any) -> Response:
    """A list page as JSON bytes shaped like Page[…], its items already the model's dicts."""
    body = {
        "items": items,
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
