"""Use cases of the public pool: list it, claim from it, let a customer go by hand. Releasing
for want of follow-ups or orders is the `pool-recycle` job's (jobs/pool_recycle.py)."""

from domain import audit, customer_service
from domain import customer as customer_rules
from domain import pool as rules
from domain.errors import Forbidden, NotFound
from domain.ports import Clock, CustomerRecord, UnitOfWork
from domain.roles import Actor


def check_can_list(actor: Actor) -> None:
    if not rules.can_list(actor):
        raise Forbidden(
            "The public pool is for account managers, supervisors, admins and readonly users."
        )


async def claim(
    uow: UnitOfWork, clock: Clock, actor: Actor, customer_id: int, *, zone: str
) -> CustomerRecord:
    """The caller becomes the owner of a pool customer: not one they released less than the
    cooldown ago, and not past their limit of owned (non-archived) customers. Of concurrent
    claims exactly one wins; the others get 409 not-in-pool."""
    if not rules.can_claim(actor) or actor.user_id is None:
        raise Forbidden("Only account managers and admins claim customers from the pool.")
    customer = await uow.customers.get(customer_id)
    in_pool = customer is not None and customer.owner_id is None and not customer.archived
    # Someone else's customer is a 404 like a missing one: the caller learns nothing of it.
    if customer is None or not (
        in_pool
        or customer_rules.can_read(actor, owner_id=customer.owner_id, archived=customer.archived)
    ):
        raise NotFound("customer", customer_id)
    if not in_pool:
        raise rules.NotInPool(customer_id)
    settings = await uow.lifecycle.settings()
    now = clock.now()
    if customer.released_by == actor.user_id and customer.pool_entered_at is not None:
        until = rules.claimable_from(
            customer.pool_entered_at, settings.pool_reclaim_cooldown_days, zone
        )
        if now < until:
            raise rules.ReclaimCooldown(until)
    # One person's claims queue up here, so two at once cannot both pass the limit.
    await uow.pool.lock_claimer(actor.user_id)
    owned = await uow.pool.owned_count(actor.user_id)
    if owned >= settings.pool_claim_limit:
        raise rules.ClaimLimit(owned, settings.pool_claim_limit)
    entered_at = customer.pool_entered_at
    if not await uow.pool.take(customer, actor.user_id, now):
        raise rules.NotInPool(customer_id)
    claimed = {
        "owner_id": [None, actor.user_id],
        "pool_entered_at": [audit.jsonable(entered_at), None],
    }
    audit.record(
        uow, actor, "customer", customer.id, "claim", claimed, at=now, customer_id=customer.id
    )
    return customer


async def release(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    customer_id: int,
    *,
    reason: str,
    if_match: int | None,
) -> CustomerRecord:
    """The owner (or an admin) sends a customer to the pool with a reason. The old owner
    counts as its releaser, so the re-claim cooldown applies to them as after the job's
    release."""
    customer = await customer_service.get_writable(uow, actor, customer_id, if_match)
    if customer.archived:  # the pool never holds archived customers
        raise rules.NotInPool(customer_id)
    if customer.owner_id is None:
        raise rules.AlreadyInPool(customer_id)
    now = clock.now()
    old_owner = customer.owner_id
    customer.owner_id, customer.released_by, customer.pool_entered_at = None, old_owner, now
    await uow.customers.flush()
    released = {
        "owner_id": [old_owner, None],
        "pool_entered_at": [None, audit.jsonable(now)],
        "release_reason": [None, rules.BY_HAND],
        "release_note": [None, reason],
    }
    audit.record(
        uow, actor, "customer", customer.id, "release", released, at=now, customer_id=customer.id
    )
    return customer
