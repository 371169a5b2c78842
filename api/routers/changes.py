"""The incremental sync feed: every create, update and delete, in commit order."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic_core import to_json

from api.change_schemas import ChangePage
from api.change_views import change_items
from api.deps import AnyUserDep, ClockDep, ReadUowDep, SettingsDep, granted
from api.problems import problems
from domain.errors import CursorExpired, Forbidden, Invalid, InvalidCursor
from domain.integration import change_feed
from persistence.change_feed_repo import Position
from persistence.pagination import decode_cursor, encode_cursor

router = APIRouter(prefix="/changes", tags=["changes"])


def _cursor(position: Position, now: datetime) -> str:
    return encode_cursor([position[0], position[1], int(now.timestamp())])


def _position(since: str, now: datetime) -> Position:
    txid, entry_id, issued = decode_cursor(since, kinds=(int, int, int))
    try:
        issued_at = datetime.fromtimestamp(issued, UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidCursor("The cursor is not one this server handed out.") from None
    change_feed.check_issued(issued_at, now)
    return (txid, entry_id)


@router.get(
    "",
    response_model=ChangePage,
    operation_id="changes:list_changes",
    responses=problems(Forbidden, Invalid, InvalidCursor, CursorExpired),
)
async def list_changes(
    request: Request,
    actor: AnyUserDep,
    uow: ReadUowDep,
    clock: ClockDep,
    settings: SettingsDep,
    since: Annotated[
        str | None,
        Query(
            max_length=500,
            description="`next_cursor` of your last poll; `now` starts at the present (an "
            "empty page whose cursor skips everything written so far); none: from the start.",
        ),
    ] = None,
    types: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Comma-separated: customers, contacts, orders, follow_ups, tickets, "
            "opportunities. Default: every type your scopes read (tickets need tickets:read, "
            "the others customers:read).",
        ),
    ] = None,
    limit: Annotated[
        int,
        Query(
            ge=1,
            le=change_feed.MAX_LIMIT,
            description=f"Changes read, at most {change_feed.MAX_LIMIT:,}.",
        ),
    ] = 100,
) -> Response:
    """Every create, update and delete after `since`, in commit order: a client that stores
    `next_cursor` after applying a page and polls with it never misses a change and never
    gets one twice, however transactions interleave (a transaction that commits late is not
    passed over: the feed waits for it). An upsert carries the record as its GET endpoint
    shows it to you now (masked as there; records you may not read are left out); several
    changes of one record within a page are one entry with the latest body. A deletion is a
    tombstone (`action` = delete, `external_ids`, `deleted_at`); deleting a customer deletes
    its contacts, orders, follow-ups, opportunities and tickets with it, with no tombstones of
    their own. A write of a contact, order, follow-up, opportunity or ticket is also an upsert
    of its customer (whose body shows them). Keep polling while `has_more`; a page may hold
    fewer entries than `limit` (or none) even then. A cursor is honoured for 30 days after it
    was handed out; an older one is 410 Gone: read the lists again, then follow `since=now`."""
    now = clock.now()
    wanted = change_feed.requested_types(types, granted(request))
    feed = uow.changes
    if since == "now":
        body = {"items": [], "next_cursor": _cursor(await feed.head(), now), "has_more": False}
        return Response(to_json(body), media_type="application/json")
    after = (0, 0) if since is None else _position(since, now)
    page = await feed.read(after, change_feed.entity_types(wanted), limit=limit)
    changes = change_feed.collapse(page.events, wanted)
    body = {
        "items": await change_items(uow, actor, changes, now=now, zone=settings.timezone),
        "next_cursor": _cursor(page.after, now),
        "has_more": page.more,
    }
    return Response(to_json(body), media_type="application/json")
