"""Request and response bodies of the lifecycle settings, the public pool and change
requests."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from api.schemas import ContactOut, Strict, TagRef, refuse_null
from domain.change_request import KEY_FIELDS, Status
from domain.customer import Gender, Grade, Kind, Size, Source, Stage, Urgency
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


class PoolCustomerOut(BaseModel):
    """A customer in the public pool as a prospective owner sees it: no ID numbers, amounts or
    custom fields; contacts masked as a supervisor sees them until claimed."""

    id: int
    code: str
    kind: Kind
    name: str
    credit_code: str | None
    gender: Gender | None
    industry: str | None
    size: Size | None
    main_business: str | None
    region: str | None
    stage: Stage
    grade: Grade | None
    source: Source | None
    urgency: Urgency | None
    tags: list[TagRef]
    last_contact_at: datetime | None
    first_cooperation_on: date | None
    last_order_on: date | None
    pool_entered_at: datetime = Field(description="When it was released into the pool.")
    released_by: int | None = Field(
        description="Who lost it to the pool; admins only (null for everyone else)."
    )
    contacts: list[ContactOut] = Field(
        description="Primary first; mobiles and phones masked except for admins."
    )


class ChangeRequestOut(BaseModel):
    id: int
    customer_id: int
    customer_code: str
    customer_name: str
    field: Literal[KEY_FIELDS]  # type: ignore[valid-type]
    old_value: Any = Field(description="The value when the request was made.")
    new_value: Any = Field(description="The value asked for (normalised).")
    status: Status
    requested_by: int
    comment: str | None
    decided_by: int | None
    decided_at: datetime | None
    decision_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    masked_fields: list[str] = Field(description="old_value / new_value when masked for you.")


class ChangeRequestsAccepted(BaseModel):
    """202: the key fields await an admin's approval; nothing changed yet."""

    detail: str
    items: list[ChangeRequestOut]


class RejectIn(Strict):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
