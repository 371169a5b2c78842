"""The incremental sync feed: which audited writes it carries, how a page of them collapses
into one entry per record, and how long a cursor is honoured.

The feed reads the audit trail (every write appends its entry in the changing transaction),
in commit order: persistence/change_feed_repo.py says how each back-end gets that order."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from domain.errors import CursorExpired, Forbidden, Invalid
from domain.roles import Scope

# Feed type (as the API names it) → the entity_type its audit entries carry.
ENTITY: Final[Mapping[str, str]] = {
    "customers": "customer",
    "contacts": "contact",
    "orders": "order",
    "follow_ups": "follow_up",
    "tickets": "ticket",
    "opportunities": "opportunity",
}
TYPES: Final = tuple(ENTITY)
FEED_TYPE: Final[Mapping[str, str]] = {entity: name for name, entity in ENTITY.items()}
SCOPE: Final[Mapping[str, Scope]] = {
    name: Scope.TICKETS_READ if name == "tickets" else Scope.CUSTOMERS_READ for name in TYPES
}
# A write of one of these changes what the customer's own body shows (its primary contact,
# last order and contact dates, counts): it is a change of the customer too.
CUSTOMER_PARTS: Final = frozenset({"contact", "order", "follow_up", "ticket", "opportunity"})
DELETE: Final = "delete"
# Reverting an import deletes the customers it created with this action (and restores the
# ones it changed with it too: a deletion's entry is the one whose `code` goes to nothing).
IMPORT_REVERT: Final = "import_revert"
# A cursor is honoured this long after it was handed out (every poll hands out a new one).
# Deletions are kept at least this long; the audit trail they are read from keeps them longer.
RETENTION: Final = timedelta(days=30)
MAX_LIMIT: Final = 1000
# The actions whose audit values the feed reads (is_deletion, Change.deleted).
CARRIES_VALUES: Final = frozenset({DELETE, IMPORT_REVERT})


@dataclass(frozen=True, slots=True)
class Event:
    """One audit entry as the feed reads it."""

    position: int  # the entry's id
    entity_type: str
    entity_id: int
    customer_id: int | None
    action: str
    changes: Mapping[str, Any]
    at: datetime


@dataclass(frozen=True, slots=True)
class Change:
    """One record's latest change in a page: several writes between two polls are one entry,
    placed where the last of them is. `deleted` carries the deleted record's last values."""

    type: str
    id: int
    customer_id: int | None
    position: int
    at: datetime
    deleted: Mapping[str, Any] | None = None

    @property
    def external_ids(self) -> dict[str, str]:
        """The deleted record's ids in other systems, as its audit entry kept them."""
        before = (self.deleted or {}).get("external_ids") or [None]
        return dict(before[0] or {})


def requested_types(types: str | None, granted: Iterable[str]) -> tuple[str, ...]:
    """The feed types asked for (comma-separated; none: every type the caller's scopes allow).
    Naming a type the caller may not read is a 403, an unknown one a 422."""
    granted = frozenset(granted)
    if types is None:
        return tuple(t for t in TYPES if SCOPE[t] in granted)
    names = [t.strip() for t in types.split(",") if t.strip()]
    unknown = sorted(set(names) - set(TYPES))
    if unknown or not names:
        message = f"unknown type: {', '.join(unknown)}" if unknown else "at least one type"
        raise Invalid([{"field": "types", "message": message}])
    missing = sorted({SCOPE[t].value for t in names} - granted)
    if missing:
        raise Forbidden(f"This needs the scopes: {', '.join(missing)}.")
    return tuple(t for t in TYPES if t in names)


def entity_types(types: Iterable[str]) -> frozenset[str]:
    """The audit entity types a feed of `types` reads."""
    wanted = {ENTITY[t] for t in types}
    return frozenset(wanted | CUSTOMER_PARTS) if "customer" in wanted else frozenset(wanted)


def is_deletion(event: Event) -> bool:
    if event.action == DELETE:
        return True
    code = event.changes.get("code")
    return event.action == IMPORT_REVERT and isinstance(code, list) and code[-1:] == [None]


def collapse(events: Iterable[Event], types: Iterable[str]) -> list[Change]:
    """One entry per record, in the order of each record's last write in `events`."""
    wanted = frozenset(types)
    latest: dict[tuple[str, int], Change] = {}
    for e in events:
        touched = []
        name = FEED_TYPE.get(e.entity_type)
        if name in wanted:
            gone = e.changes if is_deletion(e) else None
            touched.append(Change(name, e.entity_id, e.customer_id, e.position, e.at, gone))
        if e.entity_type in CUSTOMER_PARTS and e.customer_id is not None and "customers" in wanted:
            touched.append(Change("customers", e.customer_id, e.customer_id, e.position, e.at))
        for change in touched:
            key = (change.type, change.id)
            latest.pop(key, None)  # re-inserted: dicts keep insertion order
            latest[key] = change
    return list(latest.values())


def check_issued(issued_at: datetime, now: datetime) -> None:
    if issued_at < now - RETENTION:
        raise CursorExpired(
            "This cursor is older than the feed keeps (30 days): resynchronise from a full "
            "read of the lists, then follow the feed from `since=now`."
        )
