"""Admin use cases: tags and custom field definitions. Every write is audited."""

from typing import Any

from domain import audit
from domain import tag as tag_rules
from domain.custom_field import FieldType, check_definition
from domain.errors import Conflict, Duplicate, Forbidden, Invalid, NotFound, VersionMismatch
from domain.ports import Clock, CustomFieldRecord, TagRecord, UnitOfWork
from domain.roles import Actor
from domain.validation import InvalidValue

TAG_FIELDS = ("name", "color")
FIELD_FIELDS = ("key", "label_zh", "label_en", "type", "options", "required", "sensitive")


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("Only an admin manages this.")


def _checked(version: int, if_match: int | None) -> None:
    if if_match is not None and if_match != version:
        raise VersionMismatch(version)


def _refuse_nulls(fields: dict[str, Any], names: tuple[str, ...]) -> None:
    """A PATCH may clear only nullable settings; null for the others is a 422, not a crash."""
    nulls = [name for name in names if name in fields and fields[name] is None]
    if nulls:
        raise Invalid([{"field": name, "message": "cannot be null"} for name in nulls])


def _tag_values(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    try:
        if "name" in out:
            out["name"] = tag_rules.normalize_name(out["name"])
        if "color" in out:
            out["color"] = tag_rules.normalize_color(out["color"])
    except InvalidValue as exc:
        field = "name" if exc.code == "invalid-tag-name" else "color"
        raise Invalid([{"field": field, "message": exc.message}]) from None
    return out


async def get_tag(uow: UnitOfWork, tag_id: int) -> TagRecord:
    tag = await uow.tags.get(tag_id)
    if tag is None:
        raise NotFound("tag", tag_id)
    return tag


async def create_tag(
    uow: UnitOfWork, clock: Clock, actor: Actor, fields: dict[str, Any]
) -> TagRecord:
    _require_admin(actor)
    values = _tag_values(fields)
    if await uow.tags.name_taken(values["name"]):
        raise Duplicate("name", "A tag with this name exists; merge into it instead.")
    tag = await uow.tags.add(**values)
    changes = audit.created(audit.snapshot(tag, TAG_FIELDS))
    audit.record(uow, actor, "tag", tag.id, "create", changes, at=clock.now())
    return tag


async def update_tag(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    tag_id: int,
    fields: dict[str, Any],
    *,
    if_match: int | None,
) -> TagRecord:
    """Rename or recolour; customers keep the tag (they refer to it by id)."""
    _require_admin(actor)
    tag = await get_tag(uow, tag_id)
    _checked(tag.version, if_match)
    _refuse_nulls(fields, ("name",))
    values = _tag_values(fields)
    if "name" in values and await uow.tags.name_taken(values["name"], except_id=tag.id):
        raise Duplicate("name", "A tag with this name exists; merge into it instead.")
    change = audit.edit(tag, TAG_FIELDS, values)
    diff = change.changes
    if not diff:
        return tag
    audit.apply(tag, values)
    await uow.tags.flush()
    audit.record(uow, actor, "tag", tag.id, "update", diff, at=clock.now())
    return tag


async def merge_tags(
    uow: UnitOfWork, clock: Clock, actor: Actor, source_id: int, target_id: int
) -> TagRecord:
    """Every customer of `source` ends with `target`, once; `source` is deleted."""
    _require_admin(actor)
    if source_id == target_id:
        raise Invalid([{"field": "into_tag_id", "message": "cannot merge a tag into itself"}])
    source, target = await get_tag(uow, source_id), await get_tag(uow, target_id)
    customer_ids = await uow.tags.customer_ids_with(source.id)
    await uow.tags.move_assignments(source.id, target.id)
    now = clock.now()
    for customer_id in customer_ids:
        moved = {"tags": [[source.name], [target.name]]}
        audit.record(
            uow, actor, "customer", customer_id, "tag-merge", moved, at=now, customer_id=customer_id
        )
    merged = {"merged_into": [None, target.name], "customers": [None, len(customer_ids)]}
    audit.record(uow, actor, "tag", source.id, "merge", merged, at=now)
    await uow.tags.delete(source)
    return target


async def delete_tag(
    uow: UnitOfWork, clock: Clock, actor: Actor, tag_id: int, *, if_match: int | None
) -> None:
    """Only an unused tag can be deleted: taking a tag off customers is a merge or an edit."""
    _require_admin(actor)
    tag = await get_tag(uow, tag_id)
    _checked(tag.version, if_match)
    if await uow.tags.customer_ids_with(tag.id):
        raise Conflict("The tag is on customers; merge it into another tag or untag them first.")
    changes = audit.deleted(audit.snapshot(tag, TAG_FIELDS))
    audit.record(uow, actor, "tag", tag.id, "delete", changes, at=clock.now())
    await uow.tags.delete(tag)


# ---- custom fields -----------------------------------------------------------------------


async def get_field(uow: UnitOfWork, field_id: int) -> CustomFieldRecord:
    row = await uow.custom_fields.get(field_id)
    if row is None:
        raise NotFound("custom field", field_id)
    return row


async def create_field(
    uow: UnitOfWork, clock: Clock, actor: Actor, fields: dict[str, Any]
) -> CustomFieldRecord:
    _require_admin(actor)
    options = fields.get("options") or []
    errors = check_definition(fields["key"], FieldType(fields["type"]), options)
    if errors:
        raise Invalid([{"field": e.split(":")[0], "message": e.split(": ", 1)[1]} for e in errors])
    if await uow.custom_fields.key_taken(fields["key"]):
        raise Duplicate("key", "A custom field with this key exists.")
    row = await uow.custom_fields.add(**{**fields, "options": options})
    changes = audit.created(audit.snapshot(row, FIELD_FIELDS))
    audit.record(uow, actor, "custom_field", row.id, "create", changes, at=clock.now())
    return row


async def update_field(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    field_id: int,
    changes: dict[str, Any],
    *,
    if_match: int | None,
) -> CustomFieldRecord:
    """Labels, required, sensitive and options can change; an option still in use can't go."""
    _require_admin(actor)
    row = await get_field(uow, field_id)
    _checked(row.version, if_match)
    _refuse_nulls(changes, ("label_zh", "label_en", "options", "required", "sensitive"))
    if "options" in changes:
        errors = check_definition(row.key, FieldType(row.type), changes["options"])
        if errors:
            raise Invalid([{"field": "options", "message": e.split(": ", 1)[1]} for e in errors])
        removed = set(row.options) - set(changes["options"])
        in_use = sorted(removed & await uow.custom_fields.values_in_use(row.key))
        if in_use:
            raise Conflict(f"Customers still hold the options {in_use}.", options_in_use=in_use)
    change = audit.edit(row, FIELD_FIELDS, changes)
    diff = change.changes
    if not diff:
        return row
    audit.apply(row, changes)
    await uow.custom_fields.flush()
    audit.record(uow, actor, "custom_field", row.id, "update", diff, at=clock.now())
    return row


async def delete_field(
    uow: UnitOfWork, clock: Clock, actor: Actor, field_id: int, *, if_match: int | None
) -> None:
    """Refused while any customer holds a value: nothing a user entered is silently dropped."""
    _require_admin(actor)
    row = await get_field(uow, field_id)
    _checked(row.version, if_match)
    if await uow.custom_fields.values_in_use(row.key):
        raise Conflict("Customers hold values for this field; clear them first.")
    changes = audit.deleted(audit.snapshot(row, FIELD_FIELDS))
    audit.record(uow, actor, "custom_field", row.id, "delete", changes, at=clock.now())
    await uow.custom_fields.delete(row)
