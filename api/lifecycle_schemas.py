"""Request and response bodies for the lifecycle settings, tasks, the check of basic information
and customer value."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from api.schemas import Id, Strict, refuse_null
from domain.customer import Grade
from domain.customer_value import ValueLevel
from domain.lifecycle import TaskKind
from domain.lifecycle_settings import FIELDS, NULLABLE

# Strict: 30 is a number of days, "30", 30.5 and true are not. Ranges are checked with the
# other rules (domain.lifecycle_settings.errors), which see the whole row.
Days = Annotated[int, Field(strict=True)]


class LifecycleSettingsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    pool_release_days: int = Field(
        description="An owned customer with no effective "
        "follow-up for this many days goes to the pool."
    )
    pool_warning_days: int = Field(description="The owner is warned this many days before.")
    pool_no_order_days: int | None = Field(
        description="Also release after this many days without an order (null: off)."
    )
    pool_claim_limit: int = Field(
        description="Most non-archived customers one person may own when claiming."
    )
    pool_reclaim_cooldown_days: int = Field(
        description="Days before whoever released a customer may claim it back."
    )
    stale_opportunity_days: int
    dormancy_days: int
    churn_no_order_days: int
    churn_complaint_days: int
    verification_days: int
    version: int
    updated_at: datetime


class LifecycleSettingsPatch(Strict):
    """Calendar days in CRM_TIMEZONE. All positive (the cooldown may be 0); the warning comes
    before the release (pool_warning_days < pool_release_days, and < pool_no_order_days)."""

    pool_release_days: Days | None = None
    pool_warning_days: Days | None = None
    pool_no_order_days: Days | None = Field(None, description="null turns the rule off.")
    pool_claim_limit: Days | None = None
    pool_reclaim_cooldown_days: Days | None = None
    stale_opportunity_days: Days | None = None
    dormancy_days: Days | None = None
    churn_no_order_days: Days | None = None
    churn_complaint_days: Days | None = None
    verification_days: Days | None = None

    @field_validator(*(name for name in FIELDS if name not in NULLABLE))
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return refuse_null(value)


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    owner_id: int
    customer_id: int | None
    kind: TaskKind
    title: str
    due_on: date | None
    done_at: datetime | None = Field(description="null while the task is open.")
    version: int
    created_at: datetime


class TaskCreate(Strict):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    due_on: date | None = Field(None, description="Local date in CRM_TIMEZONE.")
    customer_id: Id | None = None
    owner_id: Id | None = Field(
        None,
        description="Who does it: you unless given. Admins give "
        "tasks to anyone; others to the customer's "
        "owner at most.",
    )


class TaskPatch(Strict):
    title: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
        | None
    ) = None
    due_on: date | None = None
    owner_id: Id | None = Field(None, description="Reassign the task.")

    @model_validator(mode="after")
    def _no_null_title_or_owner(self) -> "TaskPatch":
        for name in ("title", "owner_id"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} may not be null")
        return self


class VerifyIn(Strict):
    note: Annotated[str, StringConstraints(max_length=2000)] | None = Field(
        None, description="What was checked or corrected; kept on the customer's history."
    )


class CountBand(BaseModel):
    score: int = Field(ge=1, le=5)
    min: int = Field(description="The lowest raw value that got this score.")
    max: int
    customers: int = Field(description="How many customers got this score.")


class MoneyBand(BaseModel):
    score: int = Field(ge=1, le=5)
    min: Decimal = Field(description="CNY")
    max: Decimal
    customers: int


class Thresholds(BaseModel):
    """Per score, the range of raw values that got it in the run (scores nobody got are
    left out, which happens with ties)."""

    recency_days: list[CountBand] = Field(
        description="Days from the last order to the reference date; fewer score higher."
    )
    frequency: list[CountBand] = Field(description="Number of orders.")
    monetary: list[MoneyBand] = Field(description="Total amount (CNY).")


class ValueRun(BaseModel):
    as_of: date = Field(description="The reference date R was counted to (local).")
    computed_at: datetime
    scored: int = Field(description="Customers with orders scored by the run.")
    thresholds: Thresholds


class Scores(BaseModel):
    recency: int | None
    frequency: int | None
    monetary: int | None
    total: int | None


class GradeRuleOut(BaseModel):
    min_total: int
    grade: Grade
    value_level: ValueLevel


class CustomerValueOut(BaseModel):
    customer_id: int
    recency_days: int | None = Field(
        description="From the last order to the last run's reference date."
    )
    last_order_on: date | None
    frequency: int = Field(description="Orders, cancelled ones left out.")
    monetary: Decimal = Field(description="Their total (CNY).")
    scores: Scores = Field(
        description="1-5 each, by quintile among the scored customers; "
        "null without orders or before the first run."
    )
    value_level: ValueLevel | None
    grade: Grade | None
    grade_locked: bool = Field(description="An admin fixed the grade; RFM leaves it alone.")
    computed_at: datetime | None = Field(
        description="When the job last changed this customer's value."
    )
    rule: str = Field(description="How the scores became the level and grade.")
    rules: list[GradeRuleOut] = Field(description="Total R+F+M → grade and level, highest first.")
    run: ValueRun | None = Field(description="The last run of the job; null before the first.")


class CustomerSummaryOut(BaseModel):
    """The customer page's summary strip and tab counts, in one call."""

    customer_id: int
    contacts: int
    follow_ups: int
    orders: int | None = Field(description="null for agents (no money).")
    opportunities: int | None
    open_opportunities: int | None
    open_opportunity_amount: Decimal | None = Field(
        description="CNY: the open opportunities' budgets (the upper bound, else the lower)."
    )
    tickets: int = Field(description="Those you may read.")
    open_tickets: int
    open_tasks: int = Field(description="Everyone's open tasks on this customer.")
    pool_release_on: date | None = Field(
        description="Owned customers: the local date the pool-recycle job takes it back "
        "unless engaged (or an order, under the no-order rule) before."
    )
    pool_days_left: int | None
    pool_warning: bool = Field(description="Within pool_warning_days of the release.")
