"""Use cases on tasks: the to-do list jobs fill (activate a dormant customer, check a record)."""

from typing import Any

from domain.errors import Forbidden, NotFound
from domain.ports import Clock, UnitOfWork
from domain.roles import Actor

ME = "me"


async def list_page(uow: UnitOfWork, actor: Actor, *, owner: str, done: bool | None,
                    cursor: str | None, limit: int) -> Any:
    """Your own tasks; an admin may list anyone's (`owner` is "me" or a user id)."""
    owner_id = actor.user_id if owner == ME else int(owner)
    if owner_id != actor.user_id and not actor.is_admin:
        raise Forbidden("Only admins list other users' tasks.")
    return await uow.tasks.list_page(owner_id, done=done, cursor=cursor, limit=limit)


async def complete(uow: UnitOfWork, clock: Clock, actor: Actor, task_id: int) -> Any:
    """Mark a task done (its owner or an admin). Completing a done task changes nothing, so a
    retried request is harmless."""
    task = await uow.tasks.get(task_id)
    if task is None or not (actor.is_admin or task.owner_id == actor.user_id):
        raise NotFound("task", task_id)
    if task.done_at is not None:
        return task
    now = clock.now()
    task.done_at = task.updated_at = now
    await uow.tasks.flush()
    uow.audit.add(actor_id=actor.user_id, entity_type="task", entity_id=task.id,
                  customer_id=task.customer_id, action="complete",
                  changes={"done_at": [None, now.isoformat()]}, at=now)
    return task
