"""Request and response bodies for orders, follow-ups, opportunities and cadence rules.
Amounts are CNY as strings ("12800.00"), never floats."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator

from api.schemas import (
    EXTERNAL_IDS_IN,
    EXTERNAL_IDS_OUT,
    Cleaned,
    Day,
    ExternalIds,
    Id,
    Instant,
    Strict,
    refuse_null,
)
from domain.customer import Stage as CustomerStage
from domain.sales import MAX_AMOUNT, Method, OpportunityStage, OrderStatus

Amount = Annotated[
    Decimal,
    Field(
        gt=0,
        le=MAX_AMOUNT,
        decimal_places=2,
        description='CNY, above 0, at most 2 decimals; send a string such as "12800.00".',
    ),
]
Budget = Annotated[
    Decimal, Field(ge=0, le=MAX_AMOUNT, decimal_places=2, description="CNY, at most 2 decimals.")
]
OrderNo = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Product = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Summary = Annotated[str, StringConstraints(max_length=5000)]
Note = Annotated[str, StringConstraints(max_length=5000)]
Title = Annotated[str, Cleaned, StringConstraints(min_length=1, max_length=200)]


def _not_blank(value: Any) -> Any:
    """A summary is required: null, empty and whitespace-only are all refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError('required: say what happened (a short note such as "无" is fine)')
    return value


# ---- orders ----


class OrderCreate(Strict):
    order_no: OrderNo | None = Field(
        None, description="Unique; left out, the server assigns O + yyyymm + 6 digits."
    )
    contract_no: Annotated[str, StringConstraints(max_length=40)] | None = None
    product: Product = Field(description="Product or service.")
    amount: Amount
    ordered_on: Day
    status: OrderStatus = OrderStatus.CONFIRMED
    opportunity_id: Id | None = Field(None, description="An opportunity of the same customer.")
    external_ids: ExternalIds | None = Field(None, max_length=10, description=EXTERNAL_IDS_IN)


class OrderUpsert(OrderCreate):
    customer_id: Id = Field(description="The order's customer; cannot change.")


class OrderPatch(Strict):
    order_no: OrderNo | None = None
    contract_no: Annotated[str, StringConstraints(max_length=40)] | None = None
    product: Product | None = None
    amount: Amount | None = None
    ordered_on: Day | None = None
    status: OrderStatus | None = None
    opportunity_id: Id | None = None
    external_ids: ExternalIds | None = Field(None, max_length=10, description=EXTERNAL_IDS_IN)

    @field_validator("order_no", "product", "amount", "ordered_on", "status")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return refuse_null(value)


class OrderOut(BaseModel):
    id: int
    customer_id: int
    order_no: str
    contract_no: str | None
    product: str
    amount: Decimal = Field(description="CNY.")
    ordered_on: date
    status: OrderStatus
    opportunity_id: int | None
    created_by: int | None
    external_ids: dict[str, str] = Field(description=EXTERNAL_IDS_OUT)
    version: int
    created_at: datetime
    updated_at: datetime


class WinOrderIn(Strict):
    """The order a won opportunity brings."""

    product: Product
    amount: Amount
    ordered_on: Day
    contract_no: Annotated[str, StringConstraints(max_length=40)] | None = None
    order_no: OrderNo | None = None


# ---- follow-ups ----


class FollowUpCreate(Strict):
    customer_id: Id
    at: Instant | None = Field(
        None, description="When it happened; default now, at most one day ahead."
    )
    method: Method
    summary: Summary = Field(
        description='Required; a short or vague one ("无") is accepted, an empty one is not.'
    )
    feedback: Note | None = Field(None, description="What the customer said.")
    next_action: Note | None = None
    next_action_due_on: Day | None = Field(
        None, description="Needs `next_action`; becomes the customer's next follow-up date."
    )
    opportunity_id: Id | None = Field(None, description="An open opportunity of the customer.")
    effective: bool = Field(False, description="The customer responded.")
    owner_id: Id | None = Field(None, description="Admins only; default the caller.")
    external_ids: ExternalIds | None = Field(None, max_length=10, description=EXTERNAL_IDS_IN)

    @field_validator("summary", mode="before")
    @classmethod
    def _summary(cls, value: Any) -> Any:
        return _not_blank(value)


class FollowUpPatch(Strict):
    method: Method | None = None
    summary: Summary | None = None
    feedback: Note | None = None
    next_action: Note | None = None
    next_action_due_on: Day | None = None
    next_action_done: bool | None = Field(
        None, description="true ticks the next action off, false reopens it."
    )
    opportunity_id: Id | None = None
    effective: bool | None = Field(None, description="Can become true, never false again.")
    external_ids: ExternalIds | None = Field(None, max_length=10, description=EXTERNAL_IDS_IN)

    @field_validator("summary", mode="before")
    @classmethod
    def _summary(cls, value: Any) -> Any:
        return _not_blank(value)

    @field_validator("method", "effective", "next_action_done")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return refuse_null(value)


class FollowUpOut(BaseModel):
    id: int
    customer_id: int
    customer_name: str
    owner_id: int
    opportunity_id: int | None
    at: datetime
    method: Method
    summary: str
    feedback: str | None
    next_action: str | None
    next_action_due_on: date | None
    next_action_done_at: datetime | None = Field(description="Null while the next action is open.")
    effective: bool
    external_ids: dict[str, str] = Field(description=EXTERNAL_IDS_OUT)
    version: int
    created_at: datetime
    updated_at: datetime


class DueItemOut(BaseModel):
    kind: Literal["next_action", "cadence"] = Field(
        description="`next_action`: a follow-up's next action is due; `cadence`: the "
        "customer is due for a follow-up by its stage's cadence rule."
    )
    customer_id: int
    customer_name: str
    follow_up_id: int | None = Field(description="With kind `next_action`.")
    next_action: str | None
    due_on: date
    overdue_days: int = Field(description="Calendar days past due (0: due today).")


# ---- opportunities ----


class OpportunityCreate(Strict):
    customer_id: Id
    title: Title
    budget_min: Budget | None = None
    budget_max: Budget | None = None
    stage: Literal["intent", "quote", "contract"] = "intent"
    expected_close_on: Day | None = None
    owner_id: Id | None = Field(None, description="Admins only; default the caller.")
    external_ids: ExternalIds | None = Field(None, max_length=10, description=EXTERNAL_IDS_IN)


class OpportunityPatch(Strict):
    title: Title | None = None
    budget_min: Budget | None = None
    budget_max: Budget | None = None
    expected_close_on: Day | None = None
    owner_id: Id | None = Field(None, description="Admins only.")
    external_ids: ExternalIds | None = Field(None, max_length=10, description=EXTERNAL_IDS_IN)

    @field_validator("title", "owner_id")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return refuse_null(value)


class OpportunityOut(BaseModel):
    id: int
    customer_id: int
    customer_name: str
    owner_id: int
    title: str
    budget_min: Decimal | None = Field(description="CNY.")
    budget_max: Decimal | None = Field(description="CNY.")
    stage: OpportunityStage
    lost_reason: str | None
    expected_close_on: date | None
    closed_at: datetime | None
    last_effective_follow_up_at: datetime | None
    stale: bool = Field(
        description="Open and no effective follow-up (nor creation) for "
        "`stale_opportunity_days` calendar days."
    )
    allowed_transitions: list[OpportunityStage]
    external_ids: dict[str, str] = Field(description=EXTERNAL_IDS_OUT)
    version: int
    created_at: datetime
    updated_at: datetime


class StageTotalOut(BaseModel):
    stage: OpportunityStage
    count: int
    amount: Decimal = Field(
        description="CNY: the sum of each opportunity's `budget_max`, else its `budget_min` "
        "(neither: 0)."
    )


class OpportunityTransitionIn(Strict):
    to: OpportunityStage
    reason: Note | None = Field(None, description="Required when moving to lost.")
    order: WinOrderIn | None = Field(
        None, description="Only when moving to won: the order is recorded in the same transaction."
    )


# ---- cadence rules ----


class CadenceRuleIn(Strict):
    interval_days: Annotated[int, Field(ge=1, le=365, strict=True)]


class CadenceRuleOut(BaseModel):
    stage: CustomerStage
    interval_days: int
    version: int
    updated_at: datetime
