"""Use cases on tasks: the to-do list jobs fill (activate a dormant customer, check a record)."""

from datetime import date, datetime
from typing import Any

from domain import audit, customer_service
from domain.errors import Forbidden, Invalid, NotFound, VersionMismatch
from domain.lifecycle import TaskKind
from domain.ports import Clock, CustomerRecord, Page, TaskRecord, UnitOfWork
from domain.roles import Actor, Role

ME = "me"


async def list_page(
    uow: UnitOfWork,
    actor: Actor,
    *,
    owner: str | None,
    customer_id: int | None,
    done: bool | None,
    cursor: str | None,
    limit: int,
    updated_since: datetime | None = None,
) -> Page[TaskRecord]:
    """Your own tasks; an admin may list anyone's (`owner` is "me" or a user id). With a
    customer, whoever may see the customer lists its tasks, whoever owns them."""
    if customer_id is not None:
        await customer_service.get_readable(uow, actor, customer_id)
    owner_id = (
        None
        if owner is None and customer_id is not None
        else (actor.user_id if owner in (None, ME) else int(owner))
    )
    if owner_id is not None and owner_id != actor.user_id and not actor.is_admin:
        raise Forbidden("Only admins list other users' tasks.")
    return await uow.tasks.list_page(
        owner_id,
        customer_id=customer_id,
        done=done,
        cursor=cursor,
        limit=limit,
        updated_since=updated_since,
    )


async def _check_assignee(
    uow: UnitOfWork, actor: Actor, owner_id: int, customer: CustomerRecord | None
) -> None:
    """A task goes to an active admin or account manager; an account manager only with a
    customer they own (they could not open it otherwise). Non-admins assign to themselves or
    to the customer's owner."""
    user = await uow.users.get(owner_id)
    if user is None or not user.is_active or user.role not in (Role.ADMIN, Role.ACCOUNT_MANAGER):
        raise Invalid(
            [{"field": "owner_id", "message": "must be an active account manager or admin"}]
        )
    if customer is not None and user.role == Role.ACCOUNT_MANAGER and customer.owner_id != owner_id:
        raise Invalid([{"field": "owner_id", "message": "does not own this customer"}])
    if (
        not actor.is_admin
        and owner_id != actor.user_id
        and (customer is None or customer.owner_id != owner_id)
    ):
        raise Forbidden("Only admins give tasks to other people.")


async def create(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    *,
    title: str,
    due_on: date | None,
    customer_id: int | None,
    owner_id: int | None,
) -> TaskRecord:
    """A manual task (kind `manual`) for the caller or, an admin's, for anyone who may work
    it; on the customer's history when it has one."""
    customer = (
        await customer_service.get_readable(uow, actor, customer_id)
        if customer_id is not None
        else None
    )
    owner_id = owner_id or actor.user_id
    if owner_id is None:
        raise Forbidden("The system does not create manual tasks.")
    await _check_assignee(uow, actor, owner_id, customer)
    now = clock.now()
    task = await uow.tasks.add(
        owner_id=owner_id,
        customer_id=customer_id,
        kind=TaskKind.MANUAL,
        title=title,
        due_on=due_on,
        now=now,
    )
    changes = audit.created({"title": title, "owner_id": owner_id, "due_on": due_on})
    audit.record(uow, actor, "task", task.id, "create", changes, at=now, customer_id=customer_id)
    return task


async def _get_own(uow: UnitOfWork, actor: Actor, task_id: int) -> TaskRecord:
    task = await uow.tasks.get(task_id)
    if task is None or not (actor.is_admin or task.owner_id == actor.user_id):
        raise NotFound("task", task_id)
    return task


async def update(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    task_id: int,
    fields: dict[str, Any],
    *,
    if_match: int | None,
) -> TaskRecord:
    """Reassign (`owner_id`), retitle or move the due date of a task (its owner or an
    admin). Jobs' tasks may be reassigned too: the new owner gets the reminder."""
    task = await _get_own(uow, actor, task_id)
    if if_match is not None and if_match != task.version:
        raise VersionMismatch(task.version)
    if fields.get("owner_id") not in (None, task.owner_id):
        customer = (
            await uow.customers.get(task.customer_id) if task.customer_id is not None else None
        )
        await _check_assignee(uow, actor, fields["owner_id"], customer)
    change = audit.edit(task, tuple(fields), fields)
    diff = change.changes
    if not diff:
        return task
    now = clock.now()
    audit.apply(task, fields)
    task.updated_at = now
    await uow.tasks.flush()
    audit.record(uow, actor, "task", task.id, "update", diff, at=now, customer_id=task.customer_id)
    return task


async def complete(uow: UnitOfWork, clock: Clock, actor: Actor, task_id: int) -> TaskRecord:
    """Mark a task done (its owner or an admin). Completing a done task changes nothing, so a
    retried request is harmless."""
    task = await _get_own(uow, actor, task_id)
    if task.done_at is not None:
        return task
    now = clock.now()
    task.done_at = task.updated_at = now
    await uow.tasks.flush()
    done = {"done_at": [None, now.isoformat()]}
    audit.record(
        uow, actor, "task", task.id, "complete", done, at=now, customer_id=task.customer_id
    )
    return task
