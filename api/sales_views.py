"""Orders, follow-ups, opportunities and due items → response bodies."""

from datetime import date, datetime
from typing import Any

from api.sales_schemas import DueItemOut, FollowUpOut, OpportunityOut, OrderOut
from domain.sales import OpportunityStage, allowed_targets, is_stale, overdue_days

ORDER_FIELDS = (
    "id",
    "customer_id",
    "order_no",
    "contract_no",
    "product",
    "amount",
    "ordered_on",
    "status",
    "opportunity_id",
    "created_by",
    "external_ids",
    "version",
    "created_at",
    "updated_at",
)
FOLLOW_UP_FIELDS = (
    "id",
    "customer_id",
    "owner_id",
    "opportunity_id",
    "at",
    "method",
    "summary",
    "feedback",
    "next_action",
    "next_action_due_on",
    "next_action_done_at",
    "effective",
    "external_ids",
    "version",
    "created_at",
    "updated_at",
)
OPPORTUNITY_FIELDS = (
    "id",
    "customer_id",
    "owner_id",
    "title",
    "budget_min",
    "budget_max",
    "stage",
    "lost_reason",
    "expected_close_on",
    "closed_at",
    "last_effective_follow_up_at",
    "external_ids",
    "version",
    "created_at",
    "updated_at",
)


def order_out(order: Any) -> OrderOut:
    values = {name: getattr(order, name) for name in ORDER_FIELDS}
    return OrderOut.model_validate({**values, "external_ids": values["external_ids"] or {}})


def follow_up_out(follow_up: Any, customer_name: str) -> FollowUpOut:
    values = {name: getattr(follow_up, name) for name in FOLLOW_UP_FIELDS}
    values["external_ids"] = values["external_ids"] or {}
    return FollowUpOut.model_validate({**values, "customer_name": customer_name})


def opportunity_out(opportunity: Any, customer_name: str, cutoff: datetime) -> OpportunityOut:
    """`cutoff`: domain.sales.stale_cutoff for today."""
    values = {name: getattr(opportunity, name) for name in OPPORTUNITY_FIELDS}
    values["external_ids"] = values["external_ids"] or {}
    stage = OpportunityStage(opportunity.stage)
    return OpportunityOut.model_validate(
        {
            **values,
            "customer_name": customer_name,
            "stale": is_stale(
                stage, opportunity.created_at, opportunity.last_effective_follow_up_at, cutoff
            ),
            "allowed_transitions": sorted(allowed_targets(stage)),
        }
    )


def due_item_out(row: Any, today: date) -> DueItemOut:
    due_on = row.due_on if isinstance(row.due_on, date) else date.fromisoformat(str(row.due_on))
    return DueItemOut(
        kind=row.kind,
        customer_id=row.customer_id,
        customer_name=row.customer_name,
        follow_up_id=row.follow_up_id,
        next_action=row.next_action,
        due_on=due_on,
        overdue_days=overdue_days(due_on, today),
    )
