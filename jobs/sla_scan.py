"""Job `sla-scan` (every minute): warnings at 80 % and breaches at 100 % of the first-response
and resolution targets, each once per ticket, to the assignee, the department's supervisor and
the admins, on the ticket's timeline; P1/P2 breaches escalate to the supervisor."""

from collections import Counter

from domain.integration import webhook
from domain.ports import Clock
from domain.sla_alert import SCAN_RULES, Target, Threshold
from persistence import webhook_repo
from persistence.db import Database
from persistence.sla_scan_repo import SqlSlaScanRepo


async def run_sla_scan(database: Database, clock: Clock) -> dict[str, int]:
    """One transaction; a handful of set-based statements whatever the number of tickets."""
    now = clock.now()
    counts: Counter[str] = Counter()
    async with database.session(write=True) as session:
        repo = SqlSlaScanRepo(session)
        for rule in SCAN_RULES:
            ticket_ids = await repo.raise_alerts(rule, now)
            counts[f"{rule.target}_{rule.threshold}"] += len(ticket_ids)
            if not ticket_ids:
                continue
            counts["notifications"] += await repo.notify(ticket_ids, rule, now)
            counts["timeline_entries"] += await repo.add_events(
                ticket_ids, "sla", {"target": rule.target, "threshold": rule.threshold}, now
            )
            if rule.threshold is Threshold.BREACH and rule.target is not Target.UPDATE:
                queued = await webhook_repo.enqueue(
                    session,
                    [
                        webhook_repo.Event(
                            webhook.SLA_BREACHED,
                            "ticket",
                            ticket_id,
                            {"target": rule.target.value},
                            now,
                        )
                        for ticket_id in ticket_ids
                    ],
                )
                if queued:  # the counts say nothing of webhooks where none are set up
                    counts["webhook_deliveries"] += queued
            if rule.escalate:
                escalated, notified = await repo.escalate(ticket_ids, rule, now)
                counts["escalations"] += escalated
                counts["notifications"] += notified
                counts["timeline_entries"] += escalated
    counts["alerts"] = sum(counts[f"{r.target}_{r.threshold}"] for r in SCAN_RULES)
    return dict(sorted(counts.items()))
