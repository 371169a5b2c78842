"""Audit trail: what changed, as {field: [before, after]}, and the entry that records it."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.ports import UnitOfWork
from domain.roles import Actor

_PLAIN = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    if type(value) in _PLAIN:  # most values: answered before the slower isinstance checks
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Changed fields only; a created record has before = None for each field."""
    changes = {}
    for key in after:
        old, new = jsonable(before.get(key)), jsonable(after[key])
        if old != new:
            changes[key] = [old, new]
    return changes


def created(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    # `is not None` first: most fields of a new record are empty, and an import audits 100,000
    return {
        k: [None, jsonable(v)] for k, v in values.items() if v is not None and v != [] and v != {}
    }


def deleted(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {k: [jsonable(v), None] for k, v in values.items() if v not in (None, [], {})}


def snapshot(record: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in fields}


@dataclass(frozen=True, slots=True)
class Edit:
    """A proposed change of a record's audited fields, not applied yet: `after` is what a
    use case validates, `changes` what its audit entry says (nothing: no write at all)."""

    before: dict[str, Any]
    after: dict[str, Any]

    @property
    def changes(self) -> dict[str, list[Any]]:
        return diff(self.before, self.after)  # anew on each read: bind it to add keys


def edit(record: Any, fields: tuple[str, ...], values: Mapping[str, Any]) -> Edit:
    before = snapshot(record, fields)
    return Edit(before, {**before, **values})


def apply(record: Any, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        setattr(record, name, value)


def record(
    uow: UnitOfWork,
    actor: Actor,
    entity_type: str,
    entity_id: int,
    action: str,
    changes: dict[str, Any],
    *,
    at: datetime,
    customer_id: int | None = None,
) -> None:
    """Append the entry of one write: `customer_id` puts it on that customer's history too."""
    uow.audit.add(
        actor_id=actor.user_id,
        entity_type=entity_type,
        entity_id=entity_id,
        customer_id=customer_id,
        action=action,
        changes=changes,
        at=at,
    )
