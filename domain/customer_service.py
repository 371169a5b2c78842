"""Use cases on customers and their contacts. Every write appends audit events."""

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from domain import audit, batch, cadence_service, validation
from domain import customer as rules
from domain.custom_field import Definition, validate_values
from domain.errors import Duplicate, FieldsForbidden, Forbidden, Invalid, NotFound, VersionMismatch
from domain.integration import external_ids
from domain.ports import Clock, ContactRecord, CustomerRecord, TagRecord, UnitOfWork
from domain.ports.customers import CustomerAccess
from domain.roles import Actor, Role
from domain.sales import local_date

# Fields an audit entry and the history show for a customer.
AUDITED = (
    "kind",
    "name",
    "credit_code",
    "id_number",
    "gender",
    "birthday",
    "industry",
    "size",
    "main_business",
    "region",
    "address",
    "stage",
    "grade",
    "source",
    "urgency",
    "owner_id",
    "custom_fields",
    "external_ids",
    "archived",
    "archived_reason",
    "first_contact_at",
)
CONTACT_FIELDS = (
    "name",
    "title",
    "mobile",
    "phone",
    "email",
    "wechat",
    "is_primary",
    "external_ids",
)
CODE_ZONE = ZoneInfo("Asia/Shanghai")  # the yyyymm in a customer code is China's month


async def get_readable(uow: UnitOfWork, actor: Actor, customer_id: int) -> CustomerRecord:
    """The customer if the actor may see it; otherwise 404, so existence is not revealed."""
    customer = await uow.customers.get(customer_id)
    if customer is None or not rules.can_read(
        actor, owner_id=customer.owner_id, archived=customer.archived
    ):
        raise NotFound("customer", customer_id)
    return customer


class _OfACustomer(Protocol):
    @property
    def customer_id(self) -> int: ...


ChildRecord = TypeVar("ChildRecord", bound=_OfACustomer)


async def readable_child(
    uow: UnitOfWork, actor: Actor, entity: str, record_id: int, record: ChildRecord | None
) -> tuple[ChildRecord, CustomerRecord]:
    """A record of a customer's (follow-up, order, opportunity) and that customer, when the
    actor may read the customer; otherwise 404 under the record's own name, so that neither
    the record's nor the customer's existence is revealed."""
    if record is None:
        raise NotFound(entity, record_id)
    try:
        customer = await get_readable(uow, actor, record.customer_id)
    except NotFound:
        raise NotFound(entity, record_id) from None
    return record, customer


async def get_readable_many(
    uow: UnitOfWork, actor: Actor, customer_ids: Collection[int]
) -> dict[int, CustomerAccess]:
    """get_readable for many customers in one read: those the actor may see, by id (the
    others are left out, as get_readable's 404 leaves them out)."""
    return {
        customer.id: customer
        for customer in await uow.customers.access_of(customer_ids)
        if rules.can_read(actor, owner_id=customer.owner_id, archived=customer.archived)
    }


async def readable_children(
    uow: UnitOfWork, actor: Actor, records: Sequence[ChildRecord]
) -> list[tuple[ChildRecord, CustomerAccess]]:
    """readable_child for many records: those whose customer the actor may read, each with
    its customer, in the order given."""
    customers = await get_readable_many(uow, actor, {r.customer_id for r in records})
    return [(r, customers[r.customer_id]) for r in records if r.customer_id in customers]


async def get_writable(
    uow: UnitOfWork, actor: Actor, customer_id: int, if_match: int | None = None
) -> CustomerRecord:
    customer = await get_readable(uow, actor, customer_id)
    if not rules.can_write(actor, owner_id=customer.owner_id):
        raise Forbidden("You may read this customer but not change it.")
    if if_match is not None and if_match != customer.version:
        raise VersionMismatch(customer.version)
    return customer


async def same_as(
    uow: UnitOfWork,
    actor: Actor,
    *,
    name: str | None,
    credit_code: str | None,
    id_number: str | None,
) -> list[dict[str, Any]]:
    """The customers a new one would repeat (same name, credit code or ID number), for the
    form to warn before saving: one the actor may open by its id, code and name; any other by
    its owner's name alone (to ask them), without revealing the record."""
    if not (actor.is_admin or actor.role is Role.ACCOUNT_MANAGER):
        raise Forbidden("Only admins and account managers create customers.")
    found = []
    # as stored (rules.normalize); a code still being typed matches nothing
    rows = await uow.customers.same_as(
        name=name.strip() if name else None,
        credit_code=validation.compact(credit_code) if credit_code else None,
        id_number=validation.compact(id_number) if id_number else None,
        limit=5,
    )
    for row in rows:
        readable = rules.can_read(actor, owner_id=row.owner_id, archived=row.archived)
        found.append(
            {
                "field": row.field,
                "customer_id": row.id if readable else None,
                "code": row.code if readable else None,
                "name": row.name if readable else None,
                "in_pool": row.owner_id is None,
                "owner_name": row.owner_name,
            }
        )
    return found


async def check_owner(uow: UnitOfWork, owner_id: int) -> None:
    owner = await uow.users.get(owner_id)
    if owner is None or not owner.is_active or owner.role not in (Role.ADMIN, Role.ACCOUNT_MANAGER):
        raise Invalid(
            [{"field": "owner_id", "message": "must be an active account manager or admin"}]
        )


UNIQUE_IDS = (("credit_code", "credit code"), ("id_number", "ID number"))


async def check_unique_ids(
    uow: UnitOfWork, values: Mapping[str, Any], except_id: int | None = None
) -> None:
    for column, label in UNIQUE_IDS:
        if values.get(column) and await uow.customers.id_taken(
            column, values[column], except_id=except_id
        ):
            raise Duplicate(column, f"Another customer already has this {label}.")


async def check_external_ids(
    uow: UnitOfWork, ids: Mapping[str, str], except_id: int | None = None
) -> None:
    await external_ids.check_free(uow.external_ids, "customer", ids, except_id)


async def _check_tags(uow: UnitOfWork, tag_ids: list[int]) -> Sequence[TagRecord]:
    tags = await uow.tags.get_many(tag_ids)
    missing_tags(tag_ids, {t.id: t for t in tags})
    return tags


def missing_tags(tag_ids: Sequence[int], known: Mapping[int, TagRecord]) -> None:
    missing = sorted(set(tag_ids) - set(known))
    if missing:
        raise Invalid([{"field": "tag_ids", "message": f"unknown tag ids: {missing}"}])


def _lock_hand_set_grade(fields: dict[str, Any]) -> None:
    """A grade set by hand (admins only) is locked against the customer-value job, unless the
    same request says `grade_locked`; `grade_locked: false` hands the grade back to RFM."""
    if "grade" in fields and "grade_locked" not in fields:
        fields["grade_locked"] = True


@dataclass
class NewCustomer:
    """A create checked as far as it can be without reading the database."""

    kind: rules.Kind
    values: dict[str, Any]
    owner_id: int | None
    tag_ids: list[int]
    custom: dict[str, Any]
    external: dict[str, str]
    contact: dict[str, Any] | None


def new_customer(
    actor: Actor, fields: Mapping[str, Any], definitions: Mapping[str, Definition]
) -> NewCustomer:
    """Who may create, what they may set, and the fields normalized and complete."""
    if not (actor.is_admin or actor.role is Role.ACCOUNT_MANAGER):
        raise Forbidden("Only admins and account managers create customers.")
    refused = sorted(k for k in rules.ADMIN_ONLY if k in fields and not actor.is_admin)
    if refused:
        raise FieldsForbidden(refused)
    fields = dict(fields)
    kind = rules.Kind(fields.pop("kind"))
    tag_ids = fields.pop("tag_ids", None) or []
    custom = fields.pop("custom_fields", None) or {}
    external = external_ids.merged({}, fields.pop("external_ids", None) or {})
    contact = _primary_contact(fields.pop("primary_contact", None))
    # An admin's explicit `owner_id: null` creates the customer straight into the public pool.
    into_pool = actor.is_admin and "owner_id" in fields and fields["owner_id"] is None
    owner_id = None if into_pool else fields.pop("owner_id", None) or actor.user_id
    fields.pop("owner_id", None)
    _lock_hand_set_grade(fields)
    values = rules.normalize(kind, fields)
    rules.check_required(kind, values)
    values.setdefault("stage", rules.Stage.POTENTIAL)
    custom = validate_values(definitions, {}, custom)
    return NewCustomer(kind, values, owner_id, tag_ids, custom, external, contact)


def customer_code(local: datetime, number: int) -> str:
    return validation.format_customer_code(local.year, local.month, number)


def code_prefix(local: datetime) -> str:
    return f"C{local.year:04d}{local.month:02d}"


def new_row(new: NewCustomer, code: str, now: datetime, next_follow_up_on: Any) -> dict[str, Any]:
    """The customer's row. Timestamps come from the same clock as the code, so its month is
    the month of created_at."""
    owned = (
        {"owner_engaged_at": now, "owned_since": now} if new.owner_id else {"pool_entered_at": now}
    )
    return {
        "code": code,
        "kind": new.kind,
        "owner_id": new.owner_id,
        "custom_fields": new.custom,
        "external_ids": new.external or None,
        "created_at": now,
        "updated_at": now,
        **owned,
        **new.values,
        "next_follow_up_on": next_follow_up_on,
    }


def record_created(
    uow: UnitOfWork,
    actor: Actor,
    customer: CustomerRecord,
    tags: Sequence[TagRecord],
    now: datetime,
) -> None:
    """The audit entry of a new customer."""
    changes = audit.created({"code": customer.code, **audit.snapshot(customer, AUDITED)})
    if customer.grade_locked:
        changes["grade_locked"] = [None, True]
    if tags:
        changes["tags"] = [None, sorted(t.name for t in tags)]
    audit.record(
        uow, actor, "customer", customer.id, "create", changes, at=now, customer_id=customer.id
    )


async def create(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    fields: dict[str, Any],
    *,
    zone: ZoneInfo = CODE_ZONE,
) -> CustomerRecord:
    """Create a customer, and with it its primary contact when `primary_contact` is given.
    An account manager becomes its owner; only an admin names one. The next follow-up is due
    by the cadence rule of its stage, counted from today."""
    new = new_customer(actor, fields, await uow.custom_fields.definitions())
    if new.owner_id is not None:
        await check_owner(uow, new.owner_id)
    await check_unique_ids(uow, new.values)
    await check_external_ids(uow, new.external)
    tags = await _check_tags(uow, new.tag_ids)

    now = clock.now()
    local = now.astimezone(CODE_ZONE)
    code = customer_code(local, await uow.codes.next_value(code_prefix(local)))
    stage = rules.Stage(new.values["stage"]).value
    due = await cadence_service.due_after(uow, stage, local_date(now, zone))
    customer = await uow.customers.add(**new_row(new, code, now, due))
    await uow.customers.set_tags(customer.id, new.tag_ids)
    await uow.external_ids.replace("customer", customer.id, {}, new.external)
    record_created(uow, actor, customer, tags, now)
    if new.contact is not None:
        await add_contact(uow, clock, actor, customer.id, new.contact)
    return customer


def _primary_contact(fields: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The contact a new customer is created with, checked before anything is written; its
    errors name the field as `primary_contact.<field>`."""
    if fields is None:
        return None
    try:
        return {**_normalize_contact(fields), "is_primary": True}
    except Invalid as exc:
        raise Invalid(
            [{**e, "field": f"primary_contact.{e['field']}"} for e in exc.errors]
        ) from None


@dataclass
class PlannedUpdate:
    """An edit checked as far as it can be without reading the database: `values` the
    normalized fields to set (custom fields merged), `external` the ids after the change
    (None when not sent)."""

    values: dict[str, Any]
    before: dict[str, Any]
    tag_ids: list[int] | None
    external_before: dict[str, str]
    external: dict[str, str] | None


def plan_update(
    actor: Actor,
    customer: CustomerRecord,
    changes: Mapping[str, Any],
    definitions: Mapping[str, Definition],
) -> PlannedUpdate:
    refused = sorted(k for k in rules.ADMIN_ONLY if k in changes and not actor.is_admin)
    if refused:
        raise FieldsForbidden(refused)
    immutable = sorted(k for k in rules.IMMUTABLE if k in changes)
    if immutable:
        raise Invalid([{"field": k, "message": "cannot change after creation"} for k in immutable])
    changes = dict(changes)
    kind = rules.Kind(customer.kind)
    tag_ids = changes.pop("tag_ids", None)
    custom = changes.pop("custom_fields", None)
    external_changes = changes.pop("external_ids", None)
    _lock_hand_set_grade(changes)
    values = rules.normalize(kind, changes)
    before = audit.snapshot(customer, AUDITED + ("grade_locked",))
    rules.check_required(kind, {**before, **values})
    if custom is not None:
        values["custom_fields"] = validate_values(definitions, customer.custom_fields, custom)
    external_before = dict(customer.external_ids or {})
    external = (
        None if external_changes is None else external_ids.merged(external_before, external_changes)
    )
    return PlannedUpdate(values, before, tag_ids, external_before, external)


async def update(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    customer_id: int,
    changes: dict[str, Any],
    *,
    if_match: int | None,
    zone: ZoneInfo = CODE_ZONE,
) -> CustomerRecord:
    """Change some fields. `tag_ids` replaces the tag set; custom_fields merge key by key.
    A new stage recomputes the next follow-up date by that stage's cadence rule."""
    customer = await get_writable(uow, actor, customer_id, if_match)
    definitions = await uow.custom_fields.definitions() if "custom_fields" in changes else {}
    plan = plan_update(actor, customer, changes, definitions)
    values = plan.values
    if "owner_id" in values:
        await check_owner(uow, values["owner_id"])
    await check_unique_ids(uow, values, except_id=customer.id)
    if plan.external is not None and plan.external != plan.external_before:
        await check_external_ids(uow, plan.external, except_id=customer.id)
        values["external_ids"] = plan.external or None

    # validated custom fields and external ids are in `values` by now
    diff = audit.diff(plan.before, {**plan.before, **values})
    if plan.tag_ids is not None:
        new_tags = await _check_tags(uow, plan.tag_ids)
        old_tags = (await uow.customers.tags_of([customer.id]))[customer.id]
        old_names, new_names = sorted(t.name for t in old_tags), sorted(t.name for t in new_tags)
        if old_names != new_names:
            await uow.customers.set_tags(customer.id, plan.tag_ids)
            diff["tags"] = [old_names, new_names]
    if not diff:
        return customer
    if "owner_id" in diff:
        _take_on(customer, clock.now(), diff)
    if "stage" in diff:  # computed first: its query would flush a half-applied change
        values["next_follow_up_on"] = await cadence_service.next_for(
            uow, customer, values["stage"], zone
        )
    audit.apply(customer, values)
    if "tags" in diff and len(diff) == 1:
        customer.updated_at = clock.now()  # a tag change alone still bumps the version
    await uow.customers.flush()
    if "external_ids" in values:
        await uow.external_ids.replace(
            "customer", customer.id, plan.external_before, values["external_ids"] or {}
        )
    audit.record(
        uow, actor, "customer", customer.id, "update", diff, at=clock.now(), customer_id=customer.id
    )
    return customer


def _take_on(customer: CustomerRecord, now: datetime, diff: dict[str, list[Any]]) -> None:
    """A new owner starts with fresh pool clocks; a pool customer leaves the pool."""
    customer.owner_engaged_at = customer.owned_since = now
    if customer.pool_entered_at is not None:
        diff["pool_entered_at"] = [audit.jsonable(customer.pool_entered_at), None]
        customer.pool_entered_at = None


async def set_archived(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    customer_id: int,
    *,
    archived: bool,
    reason: str,
    if_match: int | None,
) -> CustomerRecord:
    """Archive (owner or admin) hides a customer from everyone but admins; only an admin
    brings one back."""
    if not archived and not actor.is_admin:
        raise NotFound("customer", customer_id)
    customer = await get_writable(uow, actor, customer_id, if_match)
    if customer.archived == archived:
        return customer
    values = {"archived": archived, "archived_reason": reason}
    diff = audit.edit(customer, tuple(values), values).changes
    audit.apply(customer, values)
    if not archived and customer.owner_id is not None:
        # The time it spent archived does not count against its owner in the pool rules.
        customer.owner_engaged_at = customer.owned_since = clock.now()
    await uow.customers.flush()
    action = "archive" if archived else "unarchive"
    audit.record(
        uow, actor, "customer", customer.id, action, diff, at=clock.now(), customer_id=customer.id
    )
    return customer


async def delete(
    uow: UnitOfWork, clock: Clock, actor: Actor, customer_id: int, *, if_match: int | None
) -> None:
    if not actor.is_admin:
        raise Forbidden("Only an admin deletes customers; archive instead.")
    customer = await get_writable(uow, actor, customer_id, if_match)
    changes = audit.deleted({"code": customer.code, **audit.snapshot(customer, AUDITED)})
    await uow.external_ids.release_customer(customer.id)
    await uow.customers.delete(customer)
    audit.record(
        uow,
        actor,
        "customer",
        customer_id,
        "delete",
        changes,
        at=clock.now(),
        customer_id=customer_id,
    )


async def assign_tags(
    uow: UnitOfWork, clock: Clock, actor: Actor, customer_id: int, tag_ids: list[int]
) -> Any:
    customer = await get_writable(uow, actor, customer_id)
    tags = await _check_tags(uow, tag_ids)
    added = await uow.tags.assign(customer.id, tag_ids)
    if added:
        customer.updated_at = clock.now()
        await uow.customers.flush()
        names = sorted(t.name for t in tags if t.id in added)
        audit.record(
            uow,
            actor,
            "customer",
            customer.id,
            "tag",
            {"tags": [None, names]},
            at=clock.now(),
            customer_id=customer.id,
        )
    return customer


async def unassign_tag(
    uow: UnitOfWork, clock: Clock, actor: Actor, customer_id: int, tag_id: int
) -> Any:
    customer = await get_writable(uow, actor, customer_id)
    tag = await uow.tags.get(tag_id)
    if tag is None or not await uow.tags.unassign(customer.id, tag_id):
        raise NotFound("tag on this customer", tag_id)
    customer.updated_at = clock.now()
    await uow.customers.flush()
    audit.record(
        uow,
        actor,
        "customer",
        customer.id,
        "untag",
        {"tags": [[tag.name], None]},
        at=clock.now(),
        customer_id=customer.id,
    )
    return customer


# ---- contacts ----------------------------------------------------------------------------


def _normalize_contact(fields: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    errors = []
    for name, check in (
        ("mobile", validation.normalize_phone),
        ("phone", validation.normalize_phone),
        ("email", validation.normalize_email),
    ):
        if isinstance(out.get(name), str) and out[name].strip():
            try:
                out[name] = check(out[name])
            except validation.InvalidValue as exc:
                errors.append({"field": name, "message": exc.message})
        elif name in out and out[name] is not None:
            out[name] = None  # blank means "no value"
    for name in ("name", "title", "wechat"):
        if isinstance(out.get(name), str):
            out[name] = out[name].strip() or None
    if "name" in out and not out["name"]:
        errors.append({"field": "name", "message": "required"})
    if "is_primary" in out and out["is_primary"] is None:
        errors.append({"field": "is_primary", "message": "cannot be empty"})
    if errors:
        raise Invalid(errors)
    return out


def _set_primary(uow: UnitOfWork, clock: Clock, actor: Actor, contact: Any, value: bool) -> None:
    """Flip the primary flag of a contact as a consequence of another one's change; that is
    a write to this contact too, so it gets its own audit entry."""
    flipped = {"is_primary": [contact.is_primary, value]}
    audit.record(
        uow,
        actor,
        "contact",
        contact.id,
        "update",
        flipped,
        at=clock.now(),
        customer_id=contact.customer_id,
    )
    contact.is_primary = value


async def _make_sole_primary(
    uow: UnitOfWork, clock: Clock, actor: Actor, customer_id: int, contact_id: int
) -> None:
    for other in await uow.customers.contacts(customer_id):
        if other.id != contact_id and other.is_primary:
            _set_primary(uow, clock, actor, other, False)


async def add_contact(
    uow: UnitOfWork, clock: Clock, actor: Actor, customer_id: int, fields: dict[str, Any]
) -> ContactRecord:
    """Add a contact; the first one, or one marked primary, becomes the only primary."""
    customer = await get_writable(uow, actor, customer_id)
    fields = dict(fields)
    external = await external_ids.claim(
        uow.external_ids, "contact", {}, fields.pop("external_ids", None)
    )
    values = _normalize_contact(fields)
    existing = await uow.customers.contacts(customer.id)
    values["is_primary"] = bool(values.get("is_primary")) or not existing
    contact = await uow.customers.add_contact(
        customer_id=customer.id, external_ids=external or None, **values
    )
    await uow.external_ids.replace("contact", contact.id, {}, external)
    changes = audit.created(audit.snapshot(contact, CONTACT_FIELDS))
    audit.record(
        uow,
        actor,
        "contact",
        contact.id,
        "create",
        changes,
        at=clock.now(),
        customer_id=customer.id,
    )
    if contact.is_primary:
        await _make_sole_primary(uow, clock, actor, customer.id, contact.id)
    return contact


async def add_contacts(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    customer_id: int,
    items: Sequence[tuple[int, dict[str, Any]]],
) -> list[batch.ItemResult]:
    """Add each (index, fields) as add_contact does, each on its own (domain/batch.py). A
    customer the actor may not change fails the whole batch, as it would each item."""
    await get_writable(uow, actor, customer_id)

    def adding(fields: dict[str, Any]) -> Callable[[], Awaitable[int]]:
        async def add() -> int:
            return (await add_contact(uow, clock, actor, customer_id, fields)).id

        return add

    return await batch.create_each(uow, [(index, adding(fields)) for index, fields in items])


async def get_contact(
    uow: UnitOfWork, actor: Actor, customer_id: int, contact_id: int
) -> tuple[Any, Any]:
    """The customer and its contact, if the actor may see the customer; otherwise 404."""
    customer = await get_readable(uow, actor, customer_id)
    contact = await uow.customers.get_contact(customer.id, contact_id)
    if contact is None:
        raise NotFound("contact", contact_id)
    return customer, contact


async def get_contacts(
    uow: UnitOfWork, actor: Actor, wanted: Collection[tuple[int, int]]
) -> list[tuple[CustomerAccess, ContactRecord]]:
    """get_contact for many (customer id, contact id) pairs in two reads: the pairs whose
    contact still belongs to that customer and whose customer the actor may see."""
    pairs = set(wanted)
    contacts = [
        c
        for c in await uow.customers.contacts_by_id({contact_id for _, contact_id in pairs})
        if (c.customer_id, c.id) in pairs
    ]
    return [(customer, c) for c, customer in await readable_children(uow, actor, contacts)]


async def update_contact(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    customer_id: int,
    contact_id: int,
    changes: dict[str, Any],
    *,
    if_match: int | None,
) -> ContactRecord:
    customer = await get_writable(uow, actor, customer_id)
    contact = await uow.customers.get_contact(customer.id, contact_id)
    if contact is None:
        raise NotFound("contact", contact_id)
    if if_match is not None and if_match != contact.version:
        raise VersionMismatch(contact.version)
    changes = dict(changes)
    external_changes = changes.pop("external_ids", None)
    values = _normalize_contact(changes)
    if values.get("is_primary") is False and contact.is_primary:
        raise Invalid([{"field": "is_primary", "message": "mark another contact primary instead"}])
    external_before = dict(contact.external_ids or {})
    if external_changes is not None:
        external = await external_ids.claim(
            uow.external_ids, "contact", external_before, external_changes, except_id=contact.id
        )
        if external != external_before:
            values["external_ids"] = external or None
    change = audit.edit(contact, CONTACT_FIELDS, values)
    diff = change.changes
    if not diff:
        return contact
    audit.apply(contact, values)
    await uow.customers.flush()
    if "external_ids" in values:
        await uow.external_ids.replace(
            "contact", contact.id, external_before, values["external_ids"] or {}
        )
    audit.record(
        uow,
        actor,
        "contact",
        contact.id,
        "update",
        diff,
        at=clock.now(),
        customer_id=customer.id,
    )
    if values.get("is_primary"):
        await _make_sole_primary(uow, clock, actor, customer.id, contact.id)
    return contact


async def delete_contact(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    customer_id: int,
    contact_id: int,
    *,
    if_match: int | None,
) -> None:
    customer = await get_writable(uow, actor, customer_id)
    contact = await uow.customers.get_contact(customer.id, contact_id)
    if contact is None:
        raise NotFound("contact", contact_id)
    if if_match is not None and if_match != contact.version:
        raise VersionMismatch(contact.version)
    changes = audit.deleted(audit.snapshot(contact, CONTACT_FIELDS))
    was_primary = contact.is_primary
    external_before = dict(contact.external_ids or {})
    await uow.customers.delete_contact(contact)
    await uow.external_ids.replace("contact", contact_id, external_before, {})
    audit.record(
        uow,
        actor,
        "contact",
        contact_id,
        "delete",
        changes,
        at=clock.now(),
        customer_id=customer.id,
    )
    if was_primary:  # keep exactly one primary while any contact is left
        rest = await uow.customers.contacts(customer.id)
        if rest:
            _set_primary(uow, clock, actor, rest[0], True)
            await uow.customers.flush()


def archived_filter(actor: Actor, requested: str) -> bool | None:
    """`false` for everyone; `true` / `all` (None: both) for admins only."""
    if requested == "false":
        return False
    if not actor.is_admin:
        raise Forbidden("Only admins list archived customers.")
    return True if requested == "true" else None
