"""Saved views: named list queries, private, shared with the owner's department or with
everyone; the built-in views every user has; which saved conditions still hold."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.errors import Conflict, Forbidden, NotFound, VersionMismatch
from domain.ports import Clock, SavedViewRecord, UnitOfWork
from domain.roles import Actor, Role

RESOURCES = ("customers", "tickets", "follow_ups", "opportunities")
VISIBILITIES = ("private", "department", "everyone")
# Paging is not part of a view.
NOT_FILTERS = frozenset({"limit", "cursor", "sort", "with_total"})
OPEN_TICKET_STATUSES = ["new", "assigned", "in_progress", "waiting_customer", "reopened"]


class ViewNotFound(NotFound):
    code = "saved-view-not-found"


@dataclass(frozen=True, slots=True)
class BuiltIn:
    key: str
    name_zh: str
    name_en: str
    resource: str
    filters: dict[str, Any]
    sort: str | None = None


def built_ins(actor: Actor, today: date) -> list[BuiltIn]:
    """The views every user has, for this user and day."""
    me = str(actor.user_id)
    sunday = today + timedelta(days=6 - today.weekday())
    return [
        BuiltIn("my-customers", "我的客户", "My customers", "customers", {"owner_id": me}),
        BuiltIn(
            "not-contacted-30",
            "30 天未联系",
            "Not contacted in 30 days",
            "customers",
            {"not_contacted_days": "30"},
            "last_contact_at",
        ),
        BuiltIn(
            "key-customers",
            "重点客户 (S/A)",
            "Key customers (S/A)",
            "customers",
            {"grade": ["S", "A"]},
            "-grade",
        ),
        BuiltIn(
            "follow-up-this-week",
            "本周待跟进",
            "Follow up this week",
            "customers",
            {"next_follow_up_to": sunday.isoformat()},
        ),
        BuiltIn(
            "my-open-tickets",
            "我的待处理工单",
            "My open tickets",
            "tickets",
            {"assignee_id": me, "status": OPEN_TICKET_STATUSES},
        ),
        BuiltIn(
            "tickets-near-breach",
            "即将超时工单",
            "Tickets about to breach",
            "tickets",
            {"sla_state": "warning"},
        ),
    ]


def check_visibility(actor: Actor, visibility: str) -> None:
    """Anyone keeps views private; sharing with one's department needs one; sharing with
    everyone is for supervisors and admins."""
    if visibility == "everyone" and actor.role not in (Role.ADMIN, Role.SUPERVISOR):
        raise Forbidden("Only supervisors and admins share views with everyone.")
    if visibility == "department" and actor.department_id is None:
        raise Forbidden("You are in no department to share with.")


def can_see(actor: Actor, view: SavedViewRecord) -> bool:
    return (
        view.owner_id == actor.user_id
        or view.visibility == "everyone"
        or (
            view.visibility == "department"
            and view.department_id is not None
            and view.department_id == actor.department_id
        )
    )


def can_change(actor: Actor, view: SavedViewRecord) -> bool:
    return view.owner_id == actor.user_id or actor.is_admin


def readable(actor: Actor, view: SavedViewRecord | None) -> SavedViewRecord:
    if view is None or not can_see(actor, view):
        raise ViewNotFound("Saved view", getattr(view, "id", None) or "")
    return view


TAG_FILTERS = ("tag_id", "tags_all", "tags_any", "tags_none", "customer_tag_id")


def still_valid(
    filters: Mapping[str, Any], *, tag_ids: set[int], custom_keys: set[str]
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The conditions that still hold (their tags and custom fields exist) and those dropped,
    each with why, so a view made before a tag was deleted still opens."""
    kept: dict[str, Any] = {}
    dropped: list[dict[str, str]] = []
    for name, value in filters.items():
        values = value if isinstance(value, list) else [value]
        if name in TAG_FILTERS:
            ok = [v for v in values if str(v).isdigit() and int(v) in tag_ids]
            dropped += [
                {"name": name, "value": str(v), "reason": "tag-deleted"}
                for v in values
                if v not in ok
            ]
            if ok:
                kept[name] = ok if isinstance(value, list) else ok[0]
        elif name == "custom":
            ok = [v for v in values if str(v).partition(":")[0] in custom_keys]
            dropped += [
                {"name": name, "value": str(v), "reason": "custom-field-deleted"}
                for v in values
                if v not in ok
            ]
            if ok:
                kept[name] = ok
        else:
            kept[name] = value
    return kept, dropped


def unknown_names(filters: Mapping[str, Any], declared: Sequence[str]) -> list[str]:
    allowed = set(declared) - NOT_FILTERS
    return sorted(name for name in filters if name not in allowed)


async def create(
    uow: UnitOfWork, clock: Clock, actor: Actor, values: dict[str, Any]
) -> SavedViewRecord:
    """Save a view as the actor's; its filters were validated against the list (router)."""
    check_visibility(actor, values["visibility"])
    owner_id = actor.person_id  # a view is a person's
    if await uow.saved_views.name_taken(owner_id, values["resource"], values["name"]):
        raise Conflict("You already have a view of that name for this list.")
    now = clock.now()
    return await uow.saved_views.add(
        owner_id=owner_id,
        version=1,
        created_at=now,
        updated_at=now,
        department_id=actor.department_id if values["visibility"] == "department" else None,
        **values,
    )


async def update(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    view_id: int,
    changes: dict[str, Any],
    *,
    if_match: int | None,
) -> SavedViewRecord:
    """Rename, re-share or change a view: its owner (or an admin)."""
    view = readable(actor, await uow.saved_views.get(view_id))
    if not can_change(actor, view):
        raise Forbidden("Only its owner changes a view; save a copy with another name.")
    if if_match is not None and if_match != view.version:
        raise VersionMismatch(view.version)
    if "visibility" in changes:
        check_visibility(actor, changes["visibility"])
        changes["department_id"] = (
            actor.department_id if changes["visibility"] == "department" else None
        )
    if "name" in changes and await uow.saved_views.name_taken(
        view.owner_id, view.resource, changes["name"], except_id=view.id
    ):
        raise Conflict("There is already a view of that name for this list.")
    for name, value in changes.items():
        setattr(view, name, value)
    view.updated_at = clock.now()
    await uow.saved_views.flush()
    return view


async def delete(uow: UnitOfWork, actor: Actor, view_id: int) -> None:
    view = readable(actor, await uow.saved_views.get(view_id))
    if not can_change(actor, view):
        raise Forbidden("Only its owner deletes a view.")
    await uow.saved_views.delete(view)
