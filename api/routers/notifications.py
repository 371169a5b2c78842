"""The in-app inbox: unread first, mark read, mark all read."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import ClockDep, PathId, ReadUowDep, UowDep, scopes
from api.problems import problems
from api.query import Cursor, Limit
from api.schemas import Page
from api.ticket_schemas import NotificationOut, UnreadCountOut
from domain.errors import InvalidCursor, NotFound
from domain.roles import Actor, Scope

router = APIRouter(prefix="/notifications", tags=["notifications"])
InboxOwner = Annotated[Actor, scopes(Scope.NOTIFICATIONS)]


@router.get(
    "",
    response_model=Page[NotificationOut],
    operation_id="notifications:list_notifications",
    responses=problems(InvalidCursor),
)
async def list_notifications(
    actor: InboxOwner,
    uow: ReadUowDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    unread: Annotated[bool, Query(description="Only unread.")] = False,
) -> Page[NotificationOut]:
    """Your notifications: unread first, newest first."""
    page = await uow.notifications.list_page(
        actor.person_id, unread_only=unread, cursor=cursor, limit=limit
    )
    return Page(
        items=[NotificationOut.model_validate(n, from_attributes=True) for n in page.items],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/unread-count",
    response_model=UnreadCountOut,
    operation_id="notifications:unread_count",
    responses=problems(),
)
async def unread_count(actor: InboxOwner, uow: ReadUowDep) -> UnreadCountOut:
    """How many notifications you have not read (for the bell)."""
    return UnreadCountOut(unread=await uow.notifications.unread_count(actor.person_id))


@router.post(
    "/{notification_id}/read",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="notifications:mark_read",
    responses=problems(NotFound),
)
async def mark_read(
    notification_id: PathId, actor: InboxOwner, uow: UowDep, clock: ClockDep
) -> None:
    """Mark one of your notifications read."""
    if not await uow.notifications.mark_read(actor.person_id, notification_id, clock.now()):
        raise NotFound("notification", notification_id)


@router.post(
    "/read-all",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="notifications:mark_all_read",
    responses=problems(),
)
async def mark_all_read(actor: InboxOwner, uow: UowDep, clock: ClockDep) -> None:
    """Mark all your notifications read."""
    await uow.notifications.mark_all_read(actor.person_id, clock.now())
