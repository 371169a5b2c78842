"""Job `pool-recycle` (daily, 02:00 Asia/Shanghai): owners who let a customer go quiet lose it
to the public pool (公海), after one warning.

Set-based: a handful of statements whatever the number of customers. A customer engaged (an
effective follow-up, or taken on) `pool_release_days` or more calendar days ago is released:
owner cleared, `released_by` = the old owner, `pool_entered_at` = now, a `release` event on its
history and a notification to the old owner. `pool_warning_days` before that the owner is
warned, once per engagement (lifecycle_alert `pool-warning`, cycle = the engagement time).
With `pool_no_order_days` set, a customer with no order for that many days (counted from the
later of its last order and the start of the current ownership) is released and warned the
same way. Archived customers are left alone.
"""

from collections import Counter

from domain import pool as rules
from domain.ports import Clock
from persistence.db import Database
from persistence.lifecycle_repo import SqlLifecycleRepo
from persistence.pool_repo import SqlPoolRepo


async def run_pool_recycle(database: Database, clock: Clock, *, zone: str) -> dict[str, int]:
    now = clock.now()
    counts: Counter[str] = Counter()
    async with database.session(write=True) as session:
        settings = await SqlLifecycleRepo(session).settings()
        cut = rules.recycle_cutoffs(settings, now, zone)
        repo = SqlPoolRepo(session)
        warning_days = settings.pool_warning_days

        # Release first: a customer past both thresholds is released, not warned.
        batches = [
            (
                rules.NO_FOLLOW_UP,
                await repo.release_unengaged(before=cut.release_before, now=now),
                settings.pool_release_days,
            )
        ]
        if cut.no_order is not None:
            batches.append(
                (
                    rules.NO_ORDER,
                    await repo.release_without_orders(
                        owned_before=cut.no_order.owned_before,
                        last_order_on=cut.no_order.last_order_on,
                        now=now,
                    ),
                    cut.no_order.days,
                )
            )
        for reason, ids, days in batches:
            if not ids:
                continue
            counts[f"released_{reason}"] += len(ids)
            counts["audit_events"] += await repo.audit_releases(ids, reason=reason, now=now)
            counts["notifications"] += await repo.notify(
                ids,
                recipient="released_by",
                kind=rules.RELEASE_NOTIFICATION,
                title="客户 {name} 已退回公海",
                reason=reason,
                days=days,
                now=now,
            )

        warned = await repo.warn_unengaged(
            rules.WARNING_ALERT, since=cut.release_before, before=cut.warn_before, now=now
        )
        counts["warnings"] += len(warned)
        if warned:
            counts["notifications"] += await repo.notify(
                warned,
                recipient="owner_id",
                kind=rules.WARNING_NOTIFICATION,
                title="客户 {name} 即将退回公海",
                reason=rules.NO_FOLLOW_UP,
                days=warning_days,
                now=now,
            )
        if cut.no_order is not None:
            warned = await repo.warn_without_orders(
                rules.ORDER_WARNING_ALERT,
                owned_before=cut.no_order.warn_owned_before,
                last_order_on=cut.no_order.warn_last_order_on,
                released_owned_before=cut.no_order.owned_before,
                released_last_order_on=cut.no_order.last_order_on,
                now=now,
            )
            counts["order_warnings"] += len(warned)
            if warned:
                counts["notifications"] += await repo.notify(
                    warned,
                    recipient="owner_id",
                    kind=rules.WARNING_NOTIFICATION,
                    title="客户 {name} 即将因没有订单退回公海",
                    reason=rules.NO_ORDER,
                    days=warning_days,
                    now=now,
                )
    keys = (
        f"released_{rules.NO_FOLLOW_UP}",
        f"released_{rules.NO_ORDER}",
        "warnings",
        "order_warnings",
        "notifications",
        "audit_events",
    )
    return {"released": counts[keys[0]] + counts[keys[1]], **{k: counts[k] for k in keys}}
