"""Request and response bodies for tasks, the check of basic information and customer value."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from api.schemas import Id, Strict
from domain.customer import Grade
from domain.customer_value import ValueLevel
from domain.lifecycle import TaskKind


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
