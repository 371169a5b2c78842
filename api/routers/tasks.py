"""Tasks: the to-do list the lifecycle jobs fill (activate a dormant customer, check a record)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import (
    ClockDep,
    CustomerWriterDep,
    IfMatchDep,
    PathId,
    ReaderDep,
    ReadUowDep,
    UowDep,
    etag,
)
from api.lifecycle_schemas import TaskCreate, TaskOut, TaskPatch
from api.problems import problems
from api.query import Cursor, Limit, UpdatedSince
from api.schemas import Page
from domain import task_service
from domain.errors import Forbidden, Invalid, InvalidCursor, NotFound, VersionMismatch

router = APIRouter(prefix="/tasks", tags=["tasks"])


@router.get(
    "",
    response_model=Page[TaskOut],
    operation_id="tasks:list_tasks",
    responses=problems(NotFound, Forbidden, InvalidCursor),
)
async def list_tasks(
    actor: ReaderDep,
    uow: ReadUowDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    owner: Annotated[
        str | None,
        Query(
            pattern=r"^(me|[1-9][0-9]{0,17})$",
            description="`me` (the default), or a user id (admins only).",
        ),
    ] = None,
    customer_id: Annotated[
        int | None,
        Query(
            ge=1,
            le=2**62,
            description=(
                "The customer's tasks (whoever may see the customer); every owner's unless "
                "`owner` is given."
            ),
        ),
    ] = None,
    done: Annotated[
        bool | None, Query(description="false: open tasks only; true: done only; omitted: both.")
    ] = None,
    updated_since: UpdatedSince = None,
) -> Page[TaskOut]:
    """Tasks of a user (yours by default) or of a customer, newest first; those of archived
    customers are left out. Keyset paging."""
    page = await task_service.list_page(
        uow,
        actor,
        owner=owner,
        customer_id=customer_id,
        done=done,
        cursor=cursor,
        limit=limit,
        updated_since=updated_since,
    )
    return Page(items=[TaskOut.model_validate(t) for t in page.items], next_cursor=page.next_cursor)


@router.post(
    "",
    response_model=TaskOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="tasks:create_task",
    responses=problems(NotFound, Forbidden, Invalid),
)
async def create_task(
    body: TaskCreate, actor: CustomerWriterDep, uow: UowDep, clock: ClockDep, response: Response
) -> TaskOut:
    """A manual task (kind `manual`): for yourself, or (admins) anyone who may work it; an
    account manager as owner must own the customer. On the customer's history."""
    task = await task_service.create(uow, clock, actor, **body.model_dump())
    response.headers["ETag"] = etag(task.version)
    return TaskOut.model_validate(task)


@router.patch(
    "/{task_id}",
    response_model=TaskOut,
    operation_id="tasks:update_task",
    responses=problems(NotFound, Forbidden, Invalid, VersionMismatch),
)
async def update_task(
    task_id: PathId,
    body: TaskPatch,
    actor: CustomerWriterDep,
    uow: UowDep,
    clock: ClockDep,
    if_match: IfMatchDep,
    response: Response,
) -> TaskOut:
    """Reassign (`owner_id`), retitle or re-date a task (its owner or an admin; others 404).
    Non-admins hand a task only to the customer's owner. `If-Match` honoured; audited."""
    task = await task_service.update(
        uow, clock, actor, task_id, body.model_dump(exclude_unset=True), if_match=if_match
    )
    response.headers["ETag"] = etag(task.version)
    return TaskOut.model_validate(task)


@router.post(
    "/{task_id}/complete",
    response_model=TaskOut,
    operation_id="tasks:complete_task",
    responses=problems(NotFound, Forbidden),
)
async def complete_task(
    task_id: PathId, actor: CustomerWriterDep, uow: UowDep, clock: ClockDep
) -> TaskOut:
    """Mark a task done (its owner or an admin); on the customer's history. Completing a
    task that is already done changes nothing and answers it as it is."""
    return TaskOut.model_validate(await task_service.complete(uow, clock, actor, task_id))
