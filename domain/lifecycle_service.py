"""Use cases of the customer lifecycle: the periodic check of basic information (核查) and the
explanation of a customer's value."""

from typing import Any

from domain import audit
from domain import customer as rules
from domain.customer_service import get_readable, get_writable
from domain.customer_value import JOB, explanation
from domain.errors import Forbidden
from domain.lifecycle import TaskKind
from domain.ports import Clock, CustomerRecord, UnitOfWork
from domain.roles import Actor


async def verify(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    customer_id: int,
    *,
    note: str | None,
    if_match: int | None,
) -> CustomerRecord:
    """Record that the customer's basic information was checked (its owner or an admin). It
    starts the next verification cycle and completes the customer's open verification tasks;
    the check, its note and each task are on the customer's history."""
    customer = await get_writable(uow, actor, customer_id, if_match)
    now = clock.now()
    values = {"verified_at": now, "verified_by": actor.user_id}
    changes = audit.edit(customer, tuple(values), values).changes
    audit.apply(customer, {**values, "verification_note": note or None})
    await uow.customers.flush()
    if note:
        changes["note"] = [None, note]
    audit.record(
        uow, actor, "customer", customer.id, "verify", changes, at=now, customer_id=customer.id
    )
    for task_id in await uow.tasks.complete_open(customer.id, [TaskKind.VERIFICATION], now):
        done = {"done_at": [None, now.isoformat()]}
        audit.record(uow, actor, "task", task_id, "complete", done, at=now, customer_id=customer.id)
    return customer


async def explain_value(uow: UnitOfWork, actor: Actor, customer_id: int) -> dict[str, Any]:
    """A customer's RFM scores, level and grade with the raw values and the last run's score
    boundaries; for whoever may see the customer's amounts (not agents)."""
    customer = await get_readable(uow, actor, customer_id)
    if not rules.sees_amounts(actor):
        raise Forbidden("A customer's value is derived from amounts your role does not see.")
    return explanation(customer, await uow.values.raw(customer.id), await uow.values.last_run(JOB))
