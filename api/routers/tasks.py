"""Tasks: the to-do list the lifecycle jobs fill (activate a dormant customer, check a record)."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ClockDep, CustomerWriterDep, PathId, ReaderDep, ReadUowDep, UowDep
from api.lifecycle_schemas import TaskOut
from api.problems import problems
from api.routers.customers import Cursor, Limit
from api.schemas import Page
from domain import task_service
from domain.errors import Forbidden, NotFound
from persistence.pagination import InvalidCursor

router = APIRouter(prefix="/tasks", tags=["tasks"])


@router.get("", response_model=Page[TaskOut], operation_id="tasks:list_tasks",
            responses=problems(Forbidden, InvalidCursor))
async def list_tasks(
    actor: ReaderDep, uow: ReadUowDep, limit: Limit = 50, cursor: Cursor = None,
    owner: Annotated[str, Query(pattern=r"^(me|[1-9][0-9]{0,17})$",
                                description="`me`, or a user id (admins only).")] = "me",
    done: Annotated[bool | None, Query(description="false: open tasks only; true: done "
                                                    "only; omitted: both.")] = None,
) -> Page[TaskOut]:
    """Tasks of a user (yours by default), newest first; those of archived customers are left
    out. Keyset paging."""
    page = await task_service.list_page(uow, actor, owner=owner, done=done, cursor=cursor,
                                        limit=limit)
    return Page(items=[TaskOut.model_validate(t) for t in page.items],
                next_cursor=page.next_cursor)


@router.post("/{task_id}/complete", response_model=TaskOut,
             operation_id="tasks:complete_task", responses=problems(NotFound, Forbidden))
async def complete_task(task_id: PathId, actor: CustomerWriterDep, uow: UowDep,
                        clock: ClockDep) -> TaskOut:
    """Mark a task done (its owner or an admin); on the customer's history. Completing a
    task that is already done changes nothing and answers it as it is."""
    return TaskOut.model_validate(await task_service.complete(uow, clock, actor, task_id))
